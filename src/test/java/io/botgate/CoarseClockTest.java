package io.botgate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each test has a clock (and ticking thread) of its own, so the gateway's reads elsewhere do not count. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoarseClockTest {

  private static final AtomicInteger CLOCKS = new AtomicInteger();

  private final String threadName = "test-coarse-clock-" + CLOCKS.incrementAndGet();
  private final CoarseClock clock = new CoarseClock(threadName);

  @Test
  void shouldNeverRunAheadOfTheSystemClock() {
    for (int i = 0; i < 200_000; i++) {
      long read = clock.getAsLong();
      assertThat(read).isLessThanOrEqualTo(System.currentTimeMillis());
    }
  }

  /** While it is read, the ticking thread moves it on: it follows the system clock. */
  @Test
  void shouldFollowTheSystemClockWhileRead() {
    long from = System.currentTimeMillis();
    await().atMost(Duration.ofSeconds(30)).until(() -> clock.getAsLong() >= from + 50);
  }

  /**
   * Unread for a while, its thread parks until a read; the first read after that is never the value from
   * before the pause, however long the pause was.
   */
  @Test
  void shouldGiveAFreshValueAfterItsThreadWentToSleep() {
    readTightlyUntilTicking();
    await().atMost(Duration.ofSeconds(30)).until(() -> tickerState() == Thread.State.WAITING);
    long before = System.currentTimeMillis();
    assertThat(clock.getAsLong()).isGreaterThanOrEqualTo(before);
    // and it goes on after that read woke it
    await().atMost(Duration.ofSeconds(30)).until(() -> clock.getAsLong() >= before + 20);
  }

  /** Nobody reads it: its thread stays parked and never ticks. */
  @Test
  void shouldParkWhileIdle() {
    clock.getAsLong();
    // woken by that read (it was parked from the start), then parked again after a window without reads
    await().atMost(Duration.ofSeconds(30)).until(() -> clock.wakes() > 0 && tickerState() == Thread.State.WAITING);
    long wakes = clock.wakes();
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // a "nothing happens" wait
    assertThat(clock.wakes()).isEqualTo(wakes);
    assertThat(clock.ticks()).isZero();
  }

  /**
   * A read every 2 ms (the pass-through proxy's rate is some 50 a millisecond, still far from this clock's
   * threshold): reads take the system clock, and the thread only samples, far less often than every ms.
   */
  @Test
  void shouldNotTickUnderASlowReader() {
    long start = System.nanoTime();
    for (int i = 0; i < 150; i++) {
      long before = System.currentTimeMillis();
      long read = clock.getAsLong();
      assertThat(read).isBetween(before, System.currentTimeMillis());
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(clock.ticks()).isZero();
    assertThat(clock.ticking()).isFalse();
    assertThat(clock.wakes()).isLessThan(elapsedMillis / 8);
  }

  /**
   * Read in tight loops by two threads (the script engine's case), it ticks; the values stay behind the
   * system clock, close to it, and never go back in either thread.
   */
  @Test
  void shouldTickAndStayCloseUnderTwoBusyReaders() throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    long[][] lags = new long[2][100_000];
    int[] lagCounts = new int[2];
    List<Throwable> failures = new ArrayList<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      long[] lag = lags[r];
      int reader = r;
      Thread thread = new Thread(() -> {
        long last = 0;
        int n = 0;
        while (!stop.get()) {
          for (int i = 0; i < 1_000; i++) { // mostly reads of the clock alone, as a script run does
            long read = clock.getAsLong();
            if (read < last) {
              throw new AssertionError(read + " after " + last);
            }
            last = read;
          }
          long before = System.currentTimeMillis();
          long read = clock.getAsLong();
          assertThat(read).isGreaterThanOrEqualTo(last).isLessThanOrEqualTo(System.currentTimeMillis());
          last = read;
          if (clock.ticking() && n < lag.length) {
            lag[n++] = before - read;
          }
        }
        lagCounts[reader] = n;
      }, threadName + "-reader-" + r);
      thread.setUncaughtExceptionHandler((t, e) -> {
        synchronized (failures) {
          failures.add(e);
        }
      });
      readers.add(thread);
      thread.start();
    }
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> clock.ticks() >= 200);
      assertThat(clock.ticking()).isTrue();
    } finally {
      stop.set(true);
      for (Thread thread : readers) {
        thread.join();
      }
    }
    assertThat(failures).isEmpty();
    // Lag is the contract here: a tick plus the scheduling delay of its thread, a few ms on a loaded box;
    // the bound is twice that, for a shared 2-core machine.
    for (int r = 0; r < 2; r++) {
      long[] seen = Arrays.copyOf(lags[r], lagCounts[r]);
      Arrays.sort(seen);
      assertThat(seen).isNotEmpty();
      assertThat(seen[seen.length / 2]).as("median lag, ms").isLessThanOrEqualTo(10);
    }
  }

  /**
   * Read in bursts (ticking) and slowly (the system clock) in turn: the values of one thread never go back
   * at a switch, either way, and never run ahead of the system clock.
   */
  @Test
  void shouldStayMonotonicAcrossModeSwitches() {
    long last = 0;
    for (int round = 0; round < 3; round++) {
      long ticks = clock.ticks();
      while (clock.ticks() < ticks + 50) { // a burst until it has switched to ticking and ticked a while
        for (int i = 0; i < 1_000; i++) {
          long read = clock.getAsLong();
          if (read < last) {
            throw new AssertionError(read + " after " + last);
          }
          last = read;
        }
        assertThat(last).isLessThanOrEqualTo(System.currentTimeMillis());
      }
      while (clock.ticking()) { // slow reads until it has switched back to the system clock
        long read = clock.getAsLong();
        assertThat(read).isGreaterThanOrEqualTo(last).isLessThanOrEqualTo(System.currentTimeMillis());
        last = read;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
      }
      long read = clock.getAsLong();
      assertThat(read).isGreaterThanOrEqualTo(last).isLessThanOrEqualTo(System.currentTimeMillis());
      last = read;
    }
  }

  private void readTightlyUntilTicking() {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (int i = 0; i < 100_000; i++) {
        clock.getAsLong();
      }
      return clock.ticks() > 0;
    });
  }

  private Thread.State tickerState() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(threadName))
      .findFirst().orElseThrow().getState();
  }
}
