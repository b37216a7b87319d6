package io.botgate.script;

/**
 * How the script engine runs scripts, apart from what one script may use ({@link ScriptLimits}).
 *
 * @param threads          worker threads for scripts
 * @param queue            runs waiting for a thread before new ones are refused ({@code script.queue})
 * @param maxSourceBytes   largest script source, in UTF-8 bytes ({@code script.maxSourceBytes})
 * @param cacheBytes       estimated heap the compiled-script cache may hold ({@code script.cache.bytes})
 * @param memoryTotalBytes bytes the runs going on at once may allocate together ({@code script.memory.total.mb}):
 *                         each run's own budget times the threads could be more than the heap holds
 */
public record ScriptOptions(int threads, int queue, int maxSourceBytes, long cacheBytes, long memoryTotalBytes) {

  public static final int DEFAULT_MAX_SOURCE_BYTES = 256 << 10;
  public static final int DEFAULT_CACHE_BYTES = 64 << 20;
  public static final int DEFAULT_QUEUE = 1_000;
  /** {@code script.memory.total.mb}: 0 means half the heap, at least one run's budget ({@link #defaultMemoryTotalBytes(long)}). */
  public static final int DEFAULT_MEMORY_TOTAL_MB = 0;
  /** Global functions loaded into every script, as CB's ({@code script.globals}); absent is fine. */
  public static final String DEFAULT_GLOBALS_FILE = "conf/globals.js";
  public static final ScriptOptions DEFAULTS = new ScriptOptions(2, DEFAULT_QUEUE, DEFAULT_MAX_SOURCE_BYTES,
    DEFAULT_CACHE_BYTES);

  /** A worker per core, and at least two, so one long script never holds up every other. */
  public static int defaultThreads() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  /** Half the heap: the total of runs whose own budget is not known ({@link #defaultMemoryTotalBytes(long)}). */
  public static long defaultMemoryTotalBytes() {
    return Runtime.getRuntime().maxMemory() / 2;
  }

  /**
   * What {@code script.memory.total.mb} 0 stands for: half the heap (the total counts garbage, as a run's budget
   * does, so what the runs hold at once is less), and never less than one run's own budget ({@code perRunBytes}): a
   * default start on a small heap (512 MiB, under the default 256 MiB a run) neither warns of two settings nobody set
   * nor stops a lone run before its own budget.
   */
  public static long defaultMemoryTotalBytes(long perRunBytes) {
    return Math.max(defaultMemoryTotalBytes(), perRunBytes);
  }

  /** Options whose runs together may allocate {@link #defaultMemoryTotalBytes()}. */
  public ScriptOptions(int threads, int queue, int maxSourceBytes, long cacheBytes) {
    this(threads, queue, maxSourceBytes, cacheBytes, defaultMemoryTotalBytes());
  }

  public ScriptOptions {
    if (threads < 1 || queue < 0 || maxSourceBytes < 1 || cacheBytes < 0 || memoryTotalBytes < 1) {
      throw new IllegalArgumentException("script options out of range: threads " + threads + ", queue " + queue
        + ", maxSourceBytes " + maxSourceBytes + ", cacheBytes " + cacheBytes + ", memoryTotalBytes " + memoryTotalBytes);
    }
  }
}
