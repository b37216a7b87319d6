package io.botgate.script;

import org.mozilla.javascript.Script;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The compiled-script cache, least recently used first out, bounded by the heap its entries are
 * estimated to hold rather than by their number: a few big scripts weigh as much as many small ones.
 */
final class CompiledScripts {

  /**
   * Heap held per character of source by one cached script: Rhino's interpreter bytecode, its string
   * and number tables, plus the source string (the key, 1 or 2 bytes per character). Measured with
   * {@code bench/CompiledScriptSize.java} (heap after GC with 40 compiled scripts of 100,000 characters
   * held, minus before, over their length) on five shapes of source: 0.3 to 2.7 bytes per character
   * compiled (object literals the heaviest), 1.3 to 4.7 with the source. Rounded up to leave room for
   * shapes not measured. Functions are counted apart ({@link #BYTES_PER_FUNCTION}).
   */
  static final int BYTES_PER_CHAR = 8;
  /**
   * Heap held per function the source defines (its interpreter data, tables and function object): 300 to 340
   * bytes measured the same way for arrows ({@code x=>0;}), declarations and shorthand methods. Counted by
   * characters alone, 500,000 arrows in a 255 kB script held 60 bytes per character, eight times the estimate.
   */
  static final int BYTES_PER_FUNCTION = 400;
  /** Fixed cost of one entry: the script and function objects, the map entry. */
  static final int BYTES_PER_ENTRY = 2_048;

  private final long maxBytes;
  /** Read without a lock (every run looks its script up); written under this object's lock. */
  private final Map<String, Entry> scripts = new ConcurrentHashMap<>();
  /** Ticks of use: the entry with the smallest is the least recently used. */
  private final AtomicLong clock = new AtomicLong();
  private long bytes;

  /** A cached script and when it was last used (a plain write: an approximate order is all eviction needs). */
  private static final class Entry {
    final Script script;
    final long size;
    long used;

    Entry(Script script, long size, long used) {
      this.script = script;
      this.size = size;
      this.used = used;
    }
  }

  CompiledScripts(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  static long estimate(String source) {
    return (long) source.length() * BYTES_PER_CHAR + (long) functionsAtMost(source) * BYTES_PER_FUNCTION
      + BYTES_PER_ENTRY;
  }

  /**
   * At least as many as the functions the source defines, read from its text alone: each {@code =>}, and each
   * {@code )} followed by {@code &#123;} (the body of a function, a method or an accessor, but also of an
   * {@code if} or a loop, which are counted too: an estimate on the safe side, cheaper than parsing).
   */
  static int functionsAtMost(String source) {
    int count = 0;
    int n = source.length();
    for (int i = 0; i < n; i++) {
      char c = source.charAt(i);
      if (c == '=' && i + 1 < n && source.charAt(i + 1) == '>') {
        count++;
      } else if (c == ')') {
        int next = i + 1;
        while (next < n && Character.isWhitespace(source.charAt(next))) {
          next++;
        }
        if (next < n && source.charAt(next) == '{') {
          count++;
        }
      }
    }
    return count;
  }

  /** The compiled script of this source, or null; takes no lock. */
  Script get(String source) {
    Entry entry = scripts.get(source);
    if (entry == null) {
      return null;
    }
    long now = clock.get(); // the tick of the latest put: recent enough to order evictions
    if (entry.used != now) {
      entry.used = now; // written once per put at most: runs on other cores do not fight over the line
    }
    return entry.script;
  }

  /** Keeps the script unless it alone weighs more than the whole cache, evicting the least recently used. */
  void put(String source, Script script) {
    keep(source, script, estimate(source)); // read outside the lock: a scan of the source
  }

  private synchronized void keep(String source, Script script, long size) {
    if (size > maxBytes || scripts.containsKey(source)) {
      return;
    }
    while (bytes + size > maxBytes && !scripts.isEmpty()) {
      evictEldest();
    }
    scripts.put(source, new Entry(script, size, clock.incrementAndGet()));
    bytes += size;
  }

  /** Removes the least recently used entry: a scan, done only when a new script does not fit. */
  private void evictEldest() {
    String eldest = null;
    long oldest = Long.MAX_VALUE;
    for (Map.Entry<String, Entry> e : scripts.entrySet()) {
      if (e.getValue().used < oldest) {
        oldest = e.getValue().used;
        eldest = e.getKey();
      }
    }
    bytes -= scripts.remove(eldest).size;
  }

  /** The estimated heap the cached scripts hold. */
  synchronized long bytes() {
    return bytes;
  }

  int size() {
    return scripts.size();
  }
}
