package io.botgate.script;

/**
 * How the script engine runs scripts, apart from what one script may use ({@link ScriptLimits}).
 *
 * @param threads        worker threads for scripts
 * @param queue          runs waiting for a thread before new ones are refused ({@code script.queue})
 * @param maxSourceBytes largest script source, in UTF-8 bytes ({@code script.maxSourceBytes})
 * @param cacheBytes     estimated heap the compiled-script cache may hold ({@code script.cache.bytes})
 */
public record ScriptOptions(int threads, int queue, int maxSourceBytes, long cacheBytes) {

  public static final int DEFAULT_MAX_SOURCE_BYTES = 256 << 10;
  public static final long DEFAULT_CACHE_BYTES = 64L << 20;
  public static final ScriptOptions DEFAULTS = new ScriptOptions(2, 1_000, DEFAULT_MAX_SOURCE_BYTES,
    DEFAULT_CACHE_BYTES);

  public ScriptOptions {
    if (threads < 1 || queue < 0 || maxSourceBytes < 1 || cacheBytes < 0) {
      throw new IllegalArgumentException("script options out of range: threads " + threads + ", queue " + queue
        + ", maxSourceBytes " + maxSourceBytes + ", cacheBytes " + cacheBytes);
    }
  }
}
