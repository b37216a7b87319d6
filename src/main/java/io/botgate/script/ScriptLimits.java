package io.botgate.script;

/**
 * What one script may use. CPU time is CB's 5 seconds by default; allocation is counted on the
 * script's thread, so a memory bomb is stopped long before the heap is at risk.
 *
 * @param cpuMillis        CPU time per script run
 * @param maxAllocatedBytes bytes a run may allocate in all (garbage included)
 * @param maxStackDepth    nested JavaScript calls
 * @param maxStringLength  longest string a bulk builtin (repeat, join, padStart...) may build
 * @param maxArrayLength   longest array a bulk builtin (fill, Array.from) may build
 */
public record ScriptLimits(long cpuMillis, long maxAllocatedBytes, int maxStackDepth, int maxStringLength,
                           int maxArrayLength) {

  /** CB's 5 s. */
  public static final int DEFAULT_CPU_MS = 5_000;
  public static final int DEFAULT_MEMORY_MB = 256;
  public static final int DEFAULT_STACK_DEPTH = 400;
  public static final ScriptLimits DEFAULTS = new ScriptLimits(DEFAULT_CPU_MS, (long) DEFAULT_MEMORY_MB << 20,
    DEFAULT_STACK_DEPTH, 4 << 20, 1 << 20);
}
