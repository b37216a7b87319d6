package io.botgate.script;

import org.mozilla.javascript.ConsString;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.ContextFactory;
import org.mozilla.javascript.Interpreter;
import org.mozilla.javascript.ScriptRuntime;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

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
  /**
   * A run adds what it allocated to the runs' shared count in steps of this many bytes, so that runs of small
   * scripts never touch the shared counter; with every thread a step short, the total is passed by at most
   * {@code script.threads} steps.
   */
  static final long PUBLISH_STEP = 256 << 10;

  private static final com.sun.management.ThreadMXBean THREADS =
    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  static {
    // botgate's ConsString (Rhino's replaced, see there): without it this fails and so does the start
    ConsString.limitLengthWith(SandboxContextFactory::checkConcatenation);
    // and its ScriptRuntime, whose BigInt operators ask this before they compute a large result
    ScriptRuntime.limitBigIntWith(SandboxContextFactory::checkBigInt);
    ScriptRuntime.limitBigIntDigitsWith(length -> checkStringLength("BigInt toString", length));
    // and its Interpreter, which asks before every call: a builtin's copy needs no branch to be made
    Interpreter.checkCallsWith(SandboxContextFactory::checkAtCall);
  }

  private final ScriptLimits limits;
  /** What the runs going on at once may allocate together ({@code script.memory.total.mb}). */
  private final long totalBytes;
  /** What the runs going on now have allocated together, as far as they have told ({@link #PUBLISH_STEP}). */
  private final AtomicLong allocatedByRuns = new AtomicLong();

  /** A factory whose runs are bounded by their own budgets only (for parsing, and tests). */
  SandboxContextFactory(ScriptLimits limits) {
    this(limits, Long.MAX_VALUE);
  }

  SandboxContextFactory(ScriptLimits limits, long totalBytes) {
    this.limits = limits;
    this.totalBytes = totalBytes;
    THREADS.setThreadAllocatedMemoryEnabled(true);
  }

  /**
   * The context of one run (Rhino makes one per entry on a thread): it carries the run's budget, its
   * {@link BotContext} and its {@link RunState} in fields, where Rhino's thread-local map would cost a
   * synchronized hash map per run. The budget's fields are the context's own, so a run allocates no object
   * for it.
   */
  static final class RunContext extends Context {
    BotContext bot;
    RunState state;
    /** Runs bound to this context so far: 1 for the fresh context Rhino makes per entry, more if one is reused. */
    int runs;
    /** Whether the fields below hold a run's budget ({@link SandboxContextFactory#startBudget}). */
    boolean budgeted;
    /** Wall clock at the start of the run (before compiling, so compiling counts). */
    long wallStart;
    long allocatedStart;
    /** The pool's run on this thread, or null when a caller runs the script on its own thread. */
    ScriptWorkers.Job job;
    /** The thread's CPU clock when the run's CPU clock started (see {@link SandboxContextFactory#chargeCpuFromNow}). */
    private long cpuStart;
    private boolean cpuKnown;
    long checks;
    /** What of its allocation the run has added to the runs' shared count ({@link #allocatedByRuns}). */
    long published;

    RunContext(ContextFactory factory) {
      super(factory);
    }

    void startCpuClock() {
      if (!cpuKnown) {
        cpuStart = THREADS.getCurrentThreadCpuTime();
        cpuKnown = true;
      }
    }

    /**
     * Whether the run has used more than {@code limitNanos} of CPU since its CPU clock started (starting it
     * now if not yet). The clock is read only once the wall time since the run's start is past the limit:
     * a thread cannot have used more CPU than the time that has passed.
     */
    boolean overCpu(long limitNanos) {
      startCpuClock();
      return System.nanoTime() - wallStart > limitNanos && THREADS.getCurrentThreadCpuTime() - cpuStart > limitNanos;
    }
  }

  /**
   * Refuses a string that {@code +} would make longer than the string limit, before it exists: Rhino keeps
   * such a string as a rope of a few objects, whatever its length, and the first builtin that reads it
   * copies it all in one step that neither the observer nor the watchdog can interrupt.
   */
  private static void checkConcatenation(long length) {
    checkStringLength("+", length);
  }

  /** Refuses a string of {@code length} characters that {@code operation} is about to build past the string limit. */
  private static void checkStringLength(String operation, long length) {
    if (Context.getCurrentContext() instanceof RunContext run && run.getFactory() instanceof SandboxContextFactory f
      && length > f.limits.maxStringLength()) {
      throw ScriptRuntime.rangeError(operation + NativeGuards.REFUSED + "it would build a string of length " + length
        + ", more than the limit of " + f.limits.maxStringLength() + " characters");
    }
  }

  /**
   * Refuses an array (or array-like) of {@code length} that {@code operation} would go through, past the bound the
   * builtins keep to, with their RangeError.
   */
  static void checkArrayLength(Context cx, String operation, long length) {
    if (cx instanceof RunContext && cx.getFactory() instanceof SandboxContextFactory f
      && length > f.limits.maxArrayLength()) {
      throw ScriptRuntime.rangeError(operation + NativeGuards.REFUSED + "the array (or array-like) has length " + length
        + ", more than the limit of " + f.limits.maxArrayLength() + " elements a builtin may go through");
    }
  }

  /**
   * Refuses a BigInt result of about {@code bits} bits that would take more than what is left of the run's memory
   * budget, before it is computed: Rhino makes it in one step (a shift by two billion is 250 MB), and the budget is
   * otherwise only checked at the next branch or call.
   */
  private static void checkBigInt(long bits) {
    if (Context.getCurrentContext() instanceof RunContext run && run.getFactory() instanceof SandboxContextFactory f) {
      NativeGuards.allocation(f.limits, run, "BigInt arithmetic (a result of about " + bits + " bits)", bits / 8.0 + 16);
    }
  }

  /**
   * What a run that has allocated {@code allocated} bytes so far may still allocate of the runs' total: what
   * the other runs have not taken of it.
   */
  static long leftOfTotal(Context cx, long allocated) {
    if (cx instanceof RunContext run && run.budgeted && run.getFactory() instanceof SandboxContextFactory f) {
      return f.totalBytes - f.allocatedByRuns.get() - (allocated - run.published);
    }
    return Long.MAX_VALUE;
  }

  /** The runs' total ({@code script.memory.total.mb}) of the context's engine, or 0 outside a sandbox. */
  static long totalBytes(Context cx) {
    return cx != null && cx.getFactory() instanceof SandboxContextFactory f ? f.totalBytes : 0;
  }

  static long mib(long bytes) {
    return bytes >> 20;
  }

  /** Bytes the run on this context has allocated so far; 0 outside a run's budget. */
  static long allocatedSoFar(Context cx) {
    return cx instanceof RunContext run && run.budgeted
      ? THREADS.getCurrentThreadAllocatedBytes() - run.allocatedStart : 0;
  }

  @Override
  protected Context makeContext() {
    Context cx = new RunContext(this);
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

  /**
   * Starts the budget of one run on the current thread, which started at {@code startNanos} (System.nanoTime,
   * before compiling, so compiling counts). The thread's CPU clock is not read here: on Linux
   * that is a system call, which cost a third of a short run. It is read before anything is compiled (see
   * {@link #chargeCpuFromNow}), else at the second instruction check, some {@code 2 * CHECK_EVERY}
   * instructions in (the seed example makes one check).
   */
  void startBudget(Context cx, long startNanos) {
    ScriptWorkers.Job job = ScriptWorkers.current();
    // In the pool, the counter the worker read as it took the run (on this thread, a little earlier: a
    // little more counts) saves reading it again.
    long allocated = job != null ? job.allocatedStart : THREADS.getCurrentThreadAllocatedBytes();
    RunContext run = (RunContext) cx;
    endBudget(cx); // a run started inside another on this context (a caller's own thread) takes its count over
    run.wallStart = startNanos;
    run.allocatedStart = allocated;
    run.job = job;
    run.cpuKnown = false;
    run.checks = 0;
    run.budgeted = true;
  }

  /** Ends the run's budget: what it allocated no longer counts toward the runs' total. */
  void endBudget(Context cx) {
    if (cx instanceof RunContext run && run.budgeted) {
      allocatedByRuns.addAndGet(-run.published);
      run.published = 0;
      run.budgeted = false;
    }
  }

  /** The pool's run of this context (read from its budget, not from a thread local), or null outside the pool. */
  static ScriptWorkers.Job job(Context cx) {
    return cx instanceof RunContext run && run.budgeted ? run.job : ScriptWorkers.current();
  }

  /**
   * Starts the run's CPU clock now unless it runs already: called before compiling, so that compiling
   * counts toward the CPU limit. What a run does before its clock starts otherwise is making its scope and
   * some {@code 2 * CHECK_EVERY} instructions of a script already compiled (and the builtins they call,
   * which {@link NativeGuards} bound and the pool's watchdog stops by wall time): microseconds.
   */
  static void chargeCpuFromNow(Context cx) {
    if (cx instanceof RunContext run && run.budgeted) {
      run.startCpuClock();
    }
  }

  /**
   * The checks of {@link #observeInstructionCount}, the CPU clock read each time, for a botContext call that builds
   * a large value in one step: a stop the watchdog asked for, the CPU limit, the memory budget and the runs' total
   * end the run there, as they would at its next instruction check.
   */
  static void checkWhileBuilding(Context cx) {
    if (cx instanceof RunContext run && run.budgeted && run.getFactory() instanceof SandboxContextFactory f) {
      f.check(run, true);
    }
  }

  @Override
  protected void observeInstructionCount(Context cx, int instructionCount) {
    if (cx instanceof RunContext run && run.budgeted) {
      check(run, false);
    }
  }

  /**
   * Before a call (botgate's Interpreter): the memory budget and the runs' total only. Not counted as a check, so the
   * CPU clock starts and is read as often as before: a short script such as the seed example, which makes five
   * calls, would otherwise start its clock (a system call, a third of the run) at its second call.
   */
  static void checkAtCall(Context cx) {
    if (cx instanceof RunContext run && run.budgeted && run.getFactory() instanceof SandboxContextFactory f) {
      f.checkMemory(run);
    }
  }

  /**
   * Before a builtin that a builtin calls ({@link BudgetedFunction}): the checks of an instruction check, which such a
   * call makes none of (no instruction runs between two of them).
   */
  static void checkBetweenBuiltins(Context cx) {
    if (cx instanceof RunContext run && run.budgeted && run.getFactory() instanceof SandboxContextFactory f) {
      f.check(run, false);
    }
  }

  private void check(RunContext run, boolean readCpu) {
    String stop = run.job == null ? null : run.job.stopReason;
    if (stop != null) {
      throw new LimitExceeded(stop);
    }
    checkMemory(run);
    if (++run.checks == 2) {
      run.startCpuClock(); // a short script (the seed example) ends before: it never reads the CPU clock
    }
    if ((readCpu || run.checks % CPU_EVERY == 0) && run.overCpu(limits.cpuMillis() * 1_000_000L)) {
      throw new LimitExceeded("CPU time limit of " + limits.cpuMillis() + " ms exceeded");
    }
  }

  private void checkMemory(RunContext run) {
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - run.allocatedStart;
    if (allocated > limits.maxAllocatedBytes()) {
      throw new LimitExceeded("memory limit exceeded: the script allocated more than "
        + (limits.maxAllocatedBytes() >> 20) + " MiB");
    }
    if (allocated - run.published > PUBLISH_STEP) {
      long together = allocatedByRuns.addAndGet(allocated - run.published);
      run.published = allocated;
      if (together > totalBytes) {
        throw new LimitExceeded("memory limit exceeded: the scripts running at once allocated more than "
          + mib(totalBytes) + " MiB together (script.memory.total.mb); this one was stopped at " + mib(allocated)
          + " MiB of its own");
      }
    }
  }
}
