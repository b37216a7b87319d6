package io.botgate.console;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class DebugStreamTest {

  final AtomicLong now = new AtomicLong(1_000);

  private static void emit(DebugStream stream, String session, int times) {
    for (int i = 0; i < times; i++) {
      stream.emit(session, "debug", "debug", session + " " + i, null);
    }
  }

  @Test
  void shouldKeepTheLastEventsOfEachSessionNumberedWithoutGaps() {
    DebugStream stream = new DebugStream(null, 5, 1_000, 60_000, now::get);
    emit(stream, "s", 8);
    assertThat(stream.history("s", 0, 100)).extracting(DebugEvent::seq).containsExactly(4L, 5L, 6L, 7L, 8L);
    assertThat(stream.history("s", 6, 100)).extracting(DebugEvent::seq).containsExactly(7L, 8L);
    assertThat(stream.history("s", 0, 2)).extracting(DebugEvent::seq).containsExactly(4L, 5L);
    assertThat(stream.history("s", 0, 1).get(0).toJson().getString("text")).isEqualTo("s 3");
    assertThat(stream.lastSeq("s")).isEqualTo(8);
  }

  @Test
  void shouldShrinkEmittingSessionsToTheirShareWhenAllTogetherKeepTooMany() {
    DebugStream stream = new DebugStream(null, 100, 100, 60_000, now::get);
    emit(stream, "a", 100);
    emit(stream, "b", 100);
    assertThat(stream.history("b", 0, 1000)).hasSize(DebugStream.MIN_SHARE);
    assertThat(stream.history("a", 0, 1000)).hasSize(100);
    emit(stream, "a", 1);
    assertThat(stream.history("a", 0, 1000)).hasSize(DebugStream.MIN_SHARE);
    assertThat(stream.lastSeq("a")).isEqualTo(101);
  }

  @Test
  void shouldForgetSessionsQuietPastTheKeepTime() {
    DebugStream stream = new DebugStream(null, 100, 1_000, 60_000, now::get);
    emit(stream, "old", 3);
    now.addAndGet(30_000);
    emit(stream, "recent", 3);
    now.addAndGet(31_000);
    assertThat(stream.expire()).isEqualTo(1);
    assertThat(stream.history("old", 0, 100)).isEmpty();
    assertThat(stream.history("recent", 0, 100)).hasSize(3);
  }
}
