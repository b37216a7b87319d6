package io.botgate;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts by label, safe from any thread; read as a sorted snapshot (for /metrics). */
public final class Tally {

  private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

  public void increment(String label) {
    LongAdder count = counts.get(label); // labels repeat: a plain read, no bin lock of computeIfAbsent
    (count != null ? count : counts.computeIfAbsent(label, k -> new LongAdder())).increment();
  }

  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
