package io.botgate.console;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What the console connections did, for /metrics. */
public final class ConsoleStats {
  final AtomicInteger connections = new AtomicInteger();
  final LongAdder delivered = new LongAdder();
  final LongAdder dropped = new LongAdder();

  public int connections() {
    return connections.get();
  }

  public long delivered() {
    return delivered.sum();
  }

  public long dropped() {
    return dropped.sum();
  }
}
