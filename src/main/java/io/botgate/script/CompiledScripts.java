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
   * Heap held per character of source by one cached script: the source string (the key), Rhino's
   * interpreter bytecode, its string and number tables, and the encoded source it keeps for
   * {@code Function.prototype.toString}. Measured by {@code CompiledScriptsTest#measureHeldBytesPerChar}
   * (heap after GC with 40 compiled scripts held, minus before, over their total source length) on
   * three shapes of source: statement-heavy code with short names, object and array literals, and long
   * string literals; the highest was about 7.4 bytes per character (see the README), rounded up here.
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
