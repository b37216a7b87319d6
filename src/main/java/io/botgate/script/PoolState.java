package io.botgate.script;

/**
 * The script pool as /health sees it: runs waiting and the queue's room, runs under way, worker threads alive
 * and configured, and how long ago the watchdog last looked at the runs.
 */
public record PoolState(int queued, int queueCapacity, int running, int threadsAlive, int threads,
                        long watchdogAgoMillis, boolean closed) {

  /** The watchdog ticks every 25 ms: a second without a tick means it is stuck (or its thread is gone). */
  public static final long WATCHDOG_STALE_MILLIS = 1_000;

  /** Why the pool cannot take scripts now, or null when it can. */
  public String problem() {
    if (closed) {
      return "the script pool is shut down";
    }
    if (watchdogAgoMillis > WATCHDOG_STALE_MILLIS) {
      return "the script watchdog has not run for " + watchdogAgoMillis + " ms";
    }
    if (threadsAlive < threads) {
      return "only " + threadsAlive + " of " + threads + " script threads are alive";
    }
    if (queued >= queueCapacity) {
      return "the script queue is full (" + queued + " waiting, " + running + " running)";
    }
    return null;
  }
}
