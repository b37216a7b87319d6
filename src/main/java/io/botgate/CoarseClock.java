package io.botgate;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Milliseconds since the epoch read from a field that a daemon thread refreshes every millisecond, for
 * the timestamps of debug events and the last activity of sessions: on this gateway's VMs a read of the
 * system clock costs some 30 ns of CPU, and the seed example read it three times a run (two events and
 * the session's touch), 5 % of the run.
 * <p>
 * The thread ticks only while the clock is read: after a tick without a read it parks, and the next read
 * takes the system clock itself and wakes it. So an idle gateway pays nothing for it, and a read is never
 * older than the latest tick; a value lags the system clock by at most a tick plus however late the
 * machine runs the thread (on a loaded machine, a few milliseconds). It never runs ahead of the system clock.
 */
public final class CoarseClock implements LongSupplier {

  /** The gateway's clock for event timestamps and session activity. */
  public static final CoarseClock MILLIS = new CoarseClock();

  static final long TICK_NANOS = 1_000_000;

  private volatile long now = System.currentTimeMillis();
  /** Set by a read, cleared by each tick: whether anybody read the clock since the last tick. */
  private volatile boolean read;
  /** Whether the thread is parked (or about to be) until a read wakes it; {@link #now} is stale then. */
  private volatile boolean sleeping = true;
  private final Thread ticker;

  private CoarseClock() {
    ticker = new Thread(this::tick, "botgate-coarse-clock");
    ticker.setDaemon(true);
    ticker.start();
  }

  @Override
  public long getAsLong() {
    if (!read) {
      read = true; // written at most once a tick, so readers on other cores do not fight over the line
    }
    // The read above is published before sleeping is read, and the ticker publishes sleeping before it
    // reads read: one of the two sees the other, so the ticker never parks while a read returns a stale now.
    if (sleeping) {
      LockSupport.unpark(ticker);
      return System.currentTimeMillis();
    }
    return now;
  }

  private void tick() {
    while (true) {
      while (!read) { // asleep (sleeping is set): reads take the system clock until one wakes this thread
        LockSupport.park();
      }
      now = System.currentTimeMillis(); // fresh before a read may use it again
      sleeping = false;
      // Read again: a read that took the system clock while this thread was held up between the two lines
      // above must not be followed by an older value from the field (a session's next event stamped earlier).
      now = System.currentTimeMillis();
      do {
        read = false;
        LockSupport.parkNanos(TICK_NANOS);
        now = System.currentTimeMillis();
      } while (read);
      // A whole tick without a read. A read from now on either sees sleeping (and takes the system clock) or
      // came before it was set, and then the check of read above does not park (see getAsLong).
      sleeping = true;
    }
  }
}
