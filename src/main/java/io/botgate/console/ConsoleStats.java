package io.botgate.console;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What the console connections did, for /metrics. */
public final class ConsoleStats {
  final AtomicInteger connections = new AtomicInteger();
  final LongAdder delivered = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder congestions = new LongAdder();
  final LongAdder merged = new LongAdder();
  /** Gap frames sent: events of a session no member of the cluster held any more. */
  final LongAdder gaps = new LongAdder();
  /** Added to by every write and its completion, on every connection's event loop: striped, not one atomic. */
  private final LongAdder queuedBytes = new LongAdder();
  private final AtomicLong peakQueuedBytes = new AtomicLong();

  /** A connection's queue grew (or shrank, negative) by {@code change} to {@code now}. */
  void queued(long change, long now) {
    queuedBytes.add(change);
    if (now > peakQueuedBytes.get()) {
      peakQueuedBytes.accumulateAndGet(now, Math::max);
    }
  }

  public int connections() {
    return connections.get();
  }

  public long delivered() {
    return delivered.sum();
  }

  public long dropped() {
    return dropped.sum();
  }

  public long gaps() {
    return gaps.sum();
  }

  /** Bytes all connections have written that their sockets have not taken yet. */
  public long queuedBytes() {
    return queuedBytes.sum();
  }

  /** The most bytes one connection has had queued since start: at most console.queue.bytes, or one frame. */
  public long peakQueuedBytes() {
    return peakQueuedBytes.get();
  }

  /** Times a connection's queue was full: events dropped, replies held, reading paused until it drained. */
  public long congestions() {
    return congestions.sum();
  }

  /** Replies (pong, error, subscribed...) merged into one already held for a client that was not reading. */
  public long mergedReplies() {
    return merged.sum();
  }
}
