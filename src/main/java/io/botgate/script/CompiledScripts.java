package io.botgate.script;

import org.mozilla.javascript.Script;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

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
   * shapes not measured.
   */
  static final int BYTES_PER_CHAR = 8;
  /** Fixed cost of one entry: the script and function objects, the map entry. */
  static final int BYTES_PER_ENTRY = 2_048;

  private final long maxBytes;
  private final Map<String, Script> scripts = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;

  CompiledScripts(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  static long estimate(String source) {
    return (long) source.length() * BYTES_PER_CHAR + BYTES_PER_ENTRY;
  }

  synchronized Script get(String source) {
    return scripts.get(source);
  }

  /** Keeps the script unless it alone weighs more than the whole cache, evicting the least recently used. */
  synchronized void put(String source, Script script) {
    long size = estimate(source);
    if (size > maxBytes || scripts.containsKey(source)) {
      return;
    }
    Iterator<Map.Entry<String, Script>> eldest = scripts.entrySet().iterator();
    while (bytes + size > maxBytes && eldest.hasNext()) {
      bytes -= estimate(eldest.next().getKey());
      eldest.remove();
    }
    scripts.put(source, script);
    bytes += size;
  }

  /** The estimated heap the cached scripts hold. */
  synchronized long bytes() {
    return bytes;
  }

  synchronized int size() {
    return scripts.size();
  }
}
