package io.botgate.events;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Which sessions a replay of "*" walks: those with events to replay, not those whose events all went. */
class DebugStreamSessionsTest {

  final AtomicLong now = new AtomicLong(1_000);

  private static void emit(DebugStream stream, String session, int times) {
    for (int i = 0; i < times; i++) {
      stream.emit(session, "debug", "debug", session + " " + i, null);
    }
  }

  @Test
  void shouldLeaveOutASessionWhoseEventsTheTotalBoundEvictedBeforeTheNextExpire() {
    DebugStream stream = new DebugStream(null, 100, 100, 60_000, now::get); // 100 events kept in all
    emit(stream, "a", 50);
    emit(stream, "b", 100); // a's events go to make room for b's; a's history still has their handles
    assertThat(stream.history("a", 0, 1000)).isEmpty();
    assertThat(stream.sessions()).toIterable().containsExactly("b");
  }
}
