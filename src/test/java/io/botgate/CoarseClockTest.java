package io.botgate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoarseClockTest {

  private static final CoarseClock CLOCK = CoarseClock.MILLIS;

  @Test
  void shouldNeverRunAheadOfTheSystemClock() {
    for (int i = 0; i < 200_000; i++) {
      long read = CLOCK.getAsLong();
      assertThat(read).isLessThanOrEqualTo(System.currentTimeMillis());
    }
  }

  /** While it is read, the ticking thread moves it on: it follows the system clock. */
  @Test
  void shouldFollowTheSystemClockWhileRead() {
    long from = System.currentTimeMillis();
    await().atMost(Duration.ofSeconds(30)).until(() -> CLOCK.getAsLong() >= from + 50);
  }

  /**
   * Unread for a while, its thread parks until a read; the first read after that is never the value from
   * before the pause, however long the pause was.
   */
  @Test
  void shouldGiveAFreshValueAfterItsThreadWentToSleep() {
    CLOCK.getAsLong();
    await().atMost(Duration.ofSeconds(30)).until(() -> tickerState() == Thread.State.WAITING);
    long before = System.currentTimeMillis();
    assertThat(CLOCK.getAsLong()).isGreaterThanOrEqualTo(before);
    // and it goes on ticking after that read woke it
    await().atMost(Duration.ofSeconds(30)).until(() -> CLOCK.getAsLong() >= before + 20);
  }

  private static Thread.State tickerState() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("botgate-coarse-clock"))
      .findFirst().orElseThrow().getState();
  }
}
