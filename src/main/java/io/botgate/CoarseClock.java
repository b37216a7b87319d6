package io.botgate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Milliseconds since the epoch for the timestamps of debug events and the last activity of sessions, read
 * from a field that a daemon thread refreshes every millisecond while the clock is read often enough for
 * that to pay: on this gateway's VMs a read of the system clock costs some 30 ns of CPU, and the script
 * engine reads the clock three times a run (two events and the session's touch) at over a million runs a
 * second, 5 % of the run.
 * <p>
 * A tick is not free either: waking the thread every millisecond (timer, context switch) cost some 18 µs of
 * CPU per tick on a saturated 2-core VM, measured under the pass-through proxy (13 k requests/s, some 50
 * reads per millisecond, where the ticks cost 20 times the 1.5 µs of system-clock reads they saved). The
 * break-even is about 600 reads per millisecond there, and lower on an idle core, where a wake-up costs a
 * few µs. So the thread ticks only while the clock is read at least {@link #TICK_FROM} times a millisecond
 * (averaged over a sampling window) and stops when the rate falls under {@link #TICK_UNTIL}; below that,
 * reads take the system clock and the thread only samples the read rate every {@link #SAMPLE_NANOS} (a
 * wake-up every 32 ms, 1/32 of ticking's cost), and after a window without any read it parks until the
 * next read wakes it. So an idle gateway pays nothing for it.
 * <p>
 * Guarantees, in every mode and across every switch between modes, as long as the system clock does not
 * step back: a value never runs ahead of the system clock; it is never older than the latest tick, and it
 * lags the system clock by at most a tick plus however late the machine runs the thread (on a loaded
 * machine, a few milliseconds); and a read never returns a value older than one a read that happened before
 * it returned (the clock is monotonic along happens-before), in particular after the thread starts ticking.
 */
public final class CoarseClock implements LongSupplier {

  /** The gateway's clock for event timestamps and session activity. */
  public static final CoarseClock MILLIS = new CoarseClock("botgate-coarse-clock");

  static final long TICK_NANOS = 1_000_000;
  /**
   * Reads per millisecond from which ticking is cheaper than reading the system clock: under the 600 of the
   * break-even on a saturated VM, since a wake-up costs less on a core with room, and far from both measured
   * workloads (the proxy's 50, the script engine's 3,000 and more), so neither sits on the edge.
   */
  static final int TICK_FROM = 512;
  /** Reads per millisecond under which a ticking thread stops: half of {@link #TICK_FROM}, so a rate near it does not flap. */
  static final int TICK_UNTIL = TICK_FROM / 2;
  /** How long the rate of reads is averaged over, and how often the thread wakes while it does not tick. */
  static final long SAMPLE_NANOS = 32 * TICK_NANOS;
  /** A step back of the system clock larger than this is followed rather than waited out (see {@link #advance}). */
  static final long STEP_BACK_MILLIS = 1_000;

  /** Reads take {@link #now}, which the thread refreshes every tick. */
  private static final int TICKING = 0;
  /** Reads take the system clock; the thread samples their rate. */
  private static final int SAMPLING = 1;
  /** Reads take the system clock and wake the thread, parked since a window without any read. */
  private static final int PARKED = 2;

  /** Reads counted per stripe: a thread adds to the stripe of its id, so two busy threads rarely share one. */
  private static final int STRIPES = 32;
  /** Longs from one stripe to the next: 128 bytes, two cache lines, as the adjacent-line prefetcher pairs them. */
  private static final int STRIDE = 16;

  private static final VarHandle NOW;

  static {
    try {
      NOW = MethodHandles.lookup().findVarHandle(CoarseClock.class, "now", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The latest value of the clock: only ever raised (see {@link #advance}). */
  private volatile long now = System.currentTimeMillis();
  private volatile int mode = PARKED;
  /**
   * Reads per stripe, stripe i at index (i + 1) * STRIDE, the first a stride away from the array's header
   * (which every read's bounds check loads). Plain increments: two threads of one stripe may lose some, and
   * the thread reads them racily; this is a rate estimate, and no read's value depends on it.
   */
  private final long[] reads = new long[(STRIPES + 1) * STRIDE];
  /** Ticks so far (refreshes of now while ticking); written by the thread only. */
  private volatile long ticks;
  /** Times the thread woke so far (ticks, samples, and wake-ups by a read); written by the thread only. */
  private volatile long wakes;
  private final Thread ticker;

  CoarseClock(String threadName) {
    ticker = new Thread(this::run, threadName);
    ticker.setDaemon(true);
    ticker.start();
  }

  @Override
  public long getAsLong() {
    // Counted on this thread's own stripe (event loops and script threads have neighbouring ids, so distinct
    // stripes): no line bounces between cores. The count may become visible to the thread late or be lost to
    // a thread on the same stripe; it only steers the mode, never a value.
    reads[((int) Thread.currentThread().getId() & (STRIPES - 1)) * STRIDE + STRIDE]++;
    int mode = this.mode;
    if (mode == TICKING) {
      // Volatile reads of mode, then of now: at least as fresh as the refresh the thread made before it set
      // TICKING, and as every tick and published read before this read (now is only ever raised).
      return now;
    }
    if (mode == PARKED) {
      LockSupport.unpark(ticker);
    }
    long time = System.currentTimeMillis();
    // Publish what this read returns before returning it, so that a read after it that finds the thread
    // ticking (it may have started since this read looked at mode, however long this thread was held up
    // in between) never takes an older value from now. Rarely a write: only the first read of each
    // millisecond finds now behind.
    advanceTo(time);
    return time;
  }

  /** Whether reads currently take the refreshed field rather than the system clock. */
  boolean ticking() {
    return mode == TICKING;
  }

  /** Ticks so far: times the thread refreshed the field for reads. */
  long ticks() {
    return ticks;
  }

  /** Times the thread woke so far, for whatever reason. */
  long wakes() {
    return wakes;
  }

  /**
   * Raises now to time: a compare-and-set, so that of a read's value and the thread's, written at once, the
   * larger stays, and a read that finds now (volatile) after another read or tick wrote it never gets less.
   */
  private void advanceTo(long time) {
    long current;
    while (time > (current = now) && !NOW.compareAndSet(this, current, time)) {
      // another thread raised it meanwhile: look again
    }
  }

  /**
   * The thread's refresh: raises now to the system clock, or lowers it when the system clock stepped back by
   * more than {@link #STEP_BACK_MILLIS} (an administrator's or NTP's step), so the clock follows a step
   * rather than standing still until the system clock catches up. A smaller step back is waited out: the
   * clock stands still (ahead of the system clock by up to the step) rather than give a value older than one
   * it gave.
   */
  private void advance() {
    long time = System.currentTimeMillis();
    long current = now;
    if (current - time > STEP_BACK_MILLIS) {
      NOW.compareAndSet(this, current, time); // lost to a read that raised it: the next tick tries again
    } else {
      advanceTo(time);
    }
  }

  /** Reads counted so far, over all stripes (racy and approximate). */
  private long countReads() {
    long sum = 0;
    for (int i = STRIDE; i < reads.length; i += STRIDE) {
      sum += reads[i];
    }
    return sum;
  }

  private void run() {
    while (true) {
      // Parked: reads take the system clock and unpark this thread. A read that found SAMPLING just before
      // mode became PARKED does not unpark it; that only delays the wake to the next read, since no value
      // depends on this thread while it does not tick.
      LockSupport.park(this);
      wakes++;
      mode = SAMPLING;
      long counted = countReads();
      while (true) {
        long from = System.nanoTime();
        LockSupport.parkNanos(this, SAMPLE_NANOS);
        wakes++;
        long counting = countReads();
        long read = Math.max(0, counting - counted); // a lost update across stripes can make it shrink
        counted = counting;
        if (read == 0) {
          mode = PARKED; // a read from now on unparks this thread (and LockSupport keeps the permit)
          break;
        }
        if (read * TICK_NANOS >= TICK_FROM * (System.nanoTime() - from)) {
          counted = tick(counted);
          if (counted < 0) {
            mode = PARKED;
            break;
          }
        }
      }
    }
  }

  /**
   * Ticks every millisecond until the read rate falls under {@link #TICK_UNTIL}; then reads take the system
   * clock again (mode set back to SAMPLING here). Returns the reads counted at the end, or -1 when the last
   * window had none at all.
   */
  private long tick(long counted) {
    // Reads in SAMPLING and PARKED mode published their values to now, so it is no older than any of them,
    // even of those that found SAMPLING before the switch below and publish after it (advanceTo keeps the
    // larger); this refresh brings it up to the system clock before a read may take it. A read that finds
    // TICKING (a volatile read, after this write) sees now at least as fresh as this refresh.
    advance();
    mode = TICKING;
    long from = System.nanoTime();
    while (true) {
      LockSupport.parkNanos(this, TICK_NANOS);
      advance();
      ticks++;
      wakes++;
      long elapsed = System.nanoTime() - from;
      if (elapsed >= SAMPLE_NANOS) {
        long counting = countReads();
        long read = Math.max(0, counting - counted);
        counted = counting;
        from += elapsed;
        if (read * TICK_NANOS < TICK_UNTIL * elapsed) {
          // Reads from now on take the system clock, no older than this tick's value (read before it);
          // reads that found TICKING just before return a value no older than the latest tick.
          mode = SAMPLING;
          return read == 0 ? -1 : counted;
        }
      }
    }
  }
}
