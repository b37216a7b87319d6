package io.botgate;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Counts by key, safe from any thread; read as a snapshot sorted by label, a key's {@code toString()} (for
 * /metrics). A key made of parts (a record) spares each count building and hashing its label's text.
 */
public final class Tally<K> {

  private final ConcurrentHashMap<K, LongAdder> counts = new ConcurrentHashMap<>();

  public void increment(K key) {
    LongAdder count = counts.get(key); // keys repeat: a plain read, no bin lock of computeIfAbsent
    (count != null ? count : counts.computeIfAbsent(key, k -> new LongAdder())).increment();
  }

  /**
   * As {@link #increment(Object)}, for a key that {@code kept} says is still wanted: a key not counted yet is added
   * only while it is, checked again once added, so that a {@link #forget} running meanwhile is never undone (a
   * count already there pays nothing more).
   */
  public void increment(K key, Predicate<K> kept) {
    LongAdder count = counts.get(key);
    if (count != null) {
      count.increment();
      return;
    }
    if (!kept.test(key)) {
      return;
    }
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    if (!kept.test(key)) {
      counts.remove(key); // forgotten between the two checks: its forget may have run before the add
    }
  }

  /** Drops the counts of the keys {@code which} names. */
  public void forget(Predicate<K> which) {
    counts.keySet().removeIf(which);
  }

  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.merge(k.toString(), v.sum(), Long::sum));
    return out;
  }
}
