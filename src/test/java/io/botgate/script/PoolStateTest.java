package io.botgate.script;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What /health says of the script pool, at and around each bound. */
class PoolStateTest {

  private static PoolState state(int queued, int capacity, int alive, int threads, long watchdogAgo, boolean closed) {
    return new PoolState(queued, capacity, 1, alive, threads, watchdogAgo, closed);
  }

  @Test
  void shouldBeFineBelowEveryBound() {
    assertThat(state(0, 10, 2, 2, 0, false).problem()).isNull();
    assertThat(state(9, 10, 2, 2, PoolState.WATCHDOG_STALE_MILLIS, false).problem()).isNull();
  }

  @Test
  void shouldSayTheQueueIsFullOnceItHoldsItsCapacity() {
    assertThat(state(10, 10, 2, 2, 0, false).problem()).isEqualTo("the script queue is full (10 waiting, 1 running)");
    assertThat(state(11, 10, 2, 2, 0, false).problem()).startsWith("the script queue is full");
  }

  @Test
  void shouldSayAThreadIsMissing() {
    assertThat(state(0, 10, 1, 2, 0, false).problem()).isEqualTo("only 1 of 2 script threads are alive");
  }

  @Test
  void shouldSayTheWatchdogIsStuckPastASecond() {
    assertThat(state(0, 10, 2, 2, PoolState.WATCHDOG_STALE_MILLIS + 1, false).problem())
      .isEqualTo("the script watchdog has not run for 1001 ms");
    assertThat(PoolState.WATCHDOG_STALE_MILLIS).isEqualTo(1_000);
  }

  @Test
  void shouldSayTheShutdownFirst() {
    assertThat(state(20, 10, 0, 2, 5_000, true).problem()).isEqualTo("the script pool is shut down");
    assertThat(state(0, 10, 2, 2, 0, true).problem()).isEqualTo("the script pool is shut down");
  }
}
