package io.botgate.script;

import org.mozilla.javascript.Context;
import org.mozilla.javascript.ContextFactory;

import java.lang.management.ManagementFactory;

/**
 * Rhino contexts that cannot reach Java (a class shutter that refuses every class), run interpreted
 * (so the instruction observer sees every step and the stack depth is bounded), and stop a run that is
 * over its CPU time or allocation budget, or that the pool's watchdog asked to stop.
 */
final class SandboxContextFactory extends ContextFactory {

  /**
   * Instructions between two budget checks. Rhino counts at branches and calls, so a small number means
   * "about every loop iteration": a string that doubles per iteration is seen before it explodes.
   */
  static final int CHECK_EVERY = 16;
  /** The CPU clock is dearer to read than the allocation counter: read it every this many checks. */
  static final int CPU_EVERY = 64;

  private static final com.sun.management.ThreadMXBean THREADS =
    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final Object BUDGET = new Object();

  private final ScriptLimits limits;

  SandboxContextFactory(ScriptLimits limits) {
    this.limits = limits;
    THREADS.setThreadAllocatedMemoryEnabled(true);
  }

  @Override
  protected Context makeContext() {
    Context cx = super.makeContext();
    cx.setLanguageVersion(Context.VERSION_ES6);
    cx.setInterpretedMode(true);
    cx.setMaximumInterpreterStackDepth(limits.maxStackDepth());
    cx.setInstructionObserverThreshold(CHECK_EVERY);
    cx.setClassShutter(className -> false);
    return cx;
  }

  /**
   * No Java access, no E4X, and no {@code __parent__}/{@code __proto__} special properties: under ES6 Rhino
   * already treats both as plain names (and {@code __proto__} is Object.prototype's standard accessor), but
   * at an older language version {@code obj.__parent__} would hand a script the scope an object was made in,
   * which for an object that outlived its run (a template call-site) is another run's globals.
   */
  @Override
  protected boolean hasFeature(Context cx, int featureIndex) {
    return switch (featureIndex) {
      case Context.FEATURE_ENHANCED_JAVA_ACCESS, Context.FEATURE_E4X, Context.FEATURE_PARENT_PROTO_PROPERTIES -> false;
      default -> super.hasFeature(cx, featureIndex);
    };
  }

  /** Starts the budget of one run on the current thread. */
  void startBudget(Context cx) {
    cx.putThreadLocal(BUDGET, new Budget(THREADS.getCurrentThreadCpuTime(), THREADS.getCurrentThreadAllocatedBytes(),
      ScriptWorkers.current()));
  }

  @Override
  protected void observeInstructionCount(Context cx, int instructionCount) {
    Budget budget = (Budget) cx.getThreadLocal(BUDGET);
    if (budget == null) {
      return;
    }
    String stop = budget.job == null ? null : budget.job.stopReason;
    if (stop != null) {
      throw new LimitExceeded(stop);
    }
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - budget.allocatedStart;
    if (allocated > limits.maxAllocatedBytes()) {
      throw new LimitExceeded("memory limit exceeded: the script allocated more than "
        + (limits.maxAllocatedBytes() >> 20) + " MiB");
    }
    if (++budget.checks % CPU_EVERY == 0
      && THREADS.getCurrentThreadCpuTime() - budget.cpuStart > limits.cpuMillis() * 1_000_000L) {
      throw new LimitExceeded("CPU time limit of " + limits.cpuMillis() + " ms exceeded");
    }
  }

  private static final class Budget {
    final long cpuStart;
    final long allocatedStart;
    /** The pool's run on this thread, or null when a caller runs the script on its own thread. */
    final ScriptWorkers.Job job;
    long checks;

    Budget(long cpuStart, long allocatedStart, ScriptWorkers.Job job) {
      this.cpuStart = cpuStart;
      this.allocatedStart = allocatedStart;
      this.job = job;
    }
  }
}
