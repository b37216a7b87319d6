import io.botgate.events.DebugStream;
import io.botgate.events.Transcript;
import io.botgate.script.BotContext;
import io.botgate.script.ScriptEngine;
import io.botgate.script.ScriptLimits;
import io.botgate.script.ScriptOptions;
import io.botgate.script.ScriptOutcome;
import io.botgate.session.IntegrationResult;
import io.botgate.session.RequestScope;
import io.botgate.session.Session;
import io.botgate.session.LocalSessionStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Executions per second of the seed's first example (isApiExecutionSuccessful / getApiStatusCode),
 * each in a fresh scope with a fresh botContext, on one thread and on every core; then how long each
 * runaway script takes to be stopped under the default limits; then, through the script pool and its
 * watchdog, how long each builtin that loops natively takes to be stopped (or refused) under a time limit.
 * With {@code throughput} as third argument it measures the seed example only and prints one line per
 * measurement, with the CPU the process used per run (steadier than runs per second on a loaded machine) and
 * the bytes the measuring threads allocated per run (steadier still: what the collector will have to do).
 *   java -cp target/botgate.jar bench/ScriptThroughput.java [seconds per measurement, default 10] [limit ms, default 5000] [throughput]
 */
public class ScriptThroughput {

  /** The seed's first example, from bench/seed-example.js (shared with ScriptAB and script-throughput.sh http). */
  static final String SEED = seed();

  private static String seed() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("bench/seed-example.js"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("bench/seed-example.js: run from the project folder", e);
    }
  }

  static final String[] RUNAWAYS = {
    "while (true) {}",
    "try { while (true) {} } catch (e) {}",
    "function g() { try { g(); } catch (e) { g(); } } g();",
    "function r() { return r() + 1; } r();",
    "var s = 'x'; while (true) { s = s + s; s.charAt(s.length - 1); }",
    "var a = []; while (true) { a.push('some text ' + a.length); }",
  };

  static final String[] NATIVE_LOOPS = {
    "Array.prototype.includes.call({length: 1e15}, 1)",
    "new Array(1e9).map(function (x) { return x; })",
    "var a = []; a.length = 4294967295; a.sort()",
    "Array.from({length: 1e9})",
    "new Set(new Array(1e9).keys())",
    "Math.max.apply(null, {length: 1e9})",
    "'x'.repeat(1e9)",
    "JSON.stringify(new Array(1e8))",
    "JSON.parse(new Array(100000).join('[') + new Array(100000).join(']'))",
    "/(a+)+$/.test('a'.repeat(30) + 'b')",
    "/^(\\w+\\s?)*$/.test('a'.repeat(40) + '!')",
    "var b = new Array(200000).fill(0); JSON.stringify(new Array(200000).fill(b))",
    "var s = 'x'.repeat(1 << 20); s.split('').map(function () { return s; }).join('')",
  };

  /**
   * The clock the gateway gives its event stream and session store: io.botgate.CoarseClock, or the system
   * clock in a build from before it (so that BASELINE runs measure what that build's gateway did).
   */
  static final LongSupplier GATEWAY_CLOCK = gatewayClock();

  static LongSupplier gatewayClock() {
    try {
      return (LongSupplier) Class.forName("io.botgate.CoarseClock").getField("MILLIS").get(null);
    } catch (ReflectiveOperationException e) {
      return System::currentTimeMillis;
    }
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    long limitMillis = args.length > 1 ? Long.parseLong(args[1]) : ScriptLimits.DEFAULTS.cpuMillis();
    ScriptEngine engine = new ScriptEngine(null, ScriptLimits.DEFAULTS, null, 1, 1);
    LocalSessionStore sessions = new LocalSessionStore(3_600_000, 20, GATEWAY_CLOCK);
    // An event ring the warm-up fills (20,000 events; the gateway's default is 200,000): measured in its
    // steady state, not while it allocates its segments for the first time.
    DebugStream stream = new DebugStream(null, 1000, 20_000, 60_000, GATEWAY_CLOCK);

    boolean throughputOnly = args.length > 2 && args[2].equals("throughput");
    warmUp(engine, sessions, stream);
    long cpu = processCpuNanos();
    double one = measure(engine, sessions, stream, 1, seconds);
    double cpuOne = (processCpuNanos() - cpu) / (one * seconds) / 1000;
    double bytesOne = allocated.sum() / (one * seconds);
    int cores = Runtime.getRuntime().availableProcessors();
    cpu = processCpuNanos();
    double all = measure(engine, sessions, stream, cores, seconds);
    double cpuAll = (processCpuNanos() - cpu) / (all * seconds) / 1000;
    double bytesAll = allocated.sum() / (all * seconds);
    System.out.printf("seed example, 1 thread:      %,12.0f executions/s  %6.2f µs CPU per run  %,6.0f bytes allocated per run%n",
      one, cpuOne, bytesOne);
    System.out.printf("seed example, %d threads:     %,12.0f executions/s  %6.2f µs CPU per run  %,6.0f bytes allocated per run  (%.2fx one thread)%n",
      cores, all, cpuAll, bytesAll, all / one);
    if (throughputOnly) {
      engine.close();
      return;
    }

    System.out.println("\nrunaway scripts under the default limits " + ScriptLimits.DEFAULTS + ":");
    for (String bomb : RUNAWAYS) {
      ScriptOutcome outcome = engine.runHere(bomb, bot(sessions, stream, "bomb"));
      System.out.printf("  stopped after %6.0f ms  %-70s %s%n", outcome.durationMicros() / 1000.0, bomb,
        outcome.error() == null ? "NOT STOPPED" : outcome.error().message());
    }
    ScriptOutcome after = engine.runHere(SEED, bot(sessions, stream, "after"));
    System.out.println("next script after the runaways: " + (after.ok() ? "ran normally" : after.error()));
    engine.close();

    ScriptLimits limits = new ScriptLimits(limitMillis, ScriptLimits.DEFAULTS.maxAllocatedBytes(),
      ScriptLimits.DEFAULTS.maxStackDepth(), ScriptLimits.DEFAULTS.maxStringLength(), ScriptLimits.DEFAULTS.maxArrayLength());
    ScriptEngine pool = new ScriptEngine(null, limits, null, new ScriptOptions(2, 100,
      ScriptOptions.DEFAULT_MAX_SOURCE_BYTES, ScriptOptions.DEFAULT_CACHE_BYTES));
    System.out.println("\nbuiltins that loop natively, through the pool, time limit " + limitMillis + " ms "
      + "(answer within limit + 1 s required):");
    for (String code : NATIVE_LOOPS) {
      long start = System.nanoTime();
      ScriptOutcome outcome = pool.run(code, bot(sessions, stream, "native")).toCompletionStage().toCompletableFuture()
        .get(5 * limitMillis + 10_000, TimeUnit.MILLISECONDS);
      double took = (System.nanoTime() - start) / 1e6;
      System.out.printf("  answered after %6.0f ms %-4s %-80s %s%n", took, took <= limitMillis + 1_000 ? "ok" : "LATE", code,
        outcome.error() == null ? "NOT STOPPED" : outcome.error().type() + ": " + outcome.error().message());
    }
    ScriptOutcome next = pool.run(SEED, bot(sessions, stream, "after")).toCompletionStage().toCompletableFuture()
      .get(10, TimeUnit.SECONDS);
    System.out.println("next script after the native loops: " + (next.ok() ? "ran normally" : next.error())
      + "; threads stopped " + pool.stoppedThreads() + ", abandoned and replaced " + pool.replacedThreads());
    pool.close();
  }

  /** CPU time of the whole process (every thread, the collector's included). */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
      .getProcessCpuTime();
  }

  static BotContext bot(LocalSessionStore sessions, DebugStream stream, String id) {
    Session session = sessions.open(id);
    if (session.lastResult() == null) {
      session.record(new IntegrationResult(id, "faqIntegration", true, "200", System.currentTimeMillis(), 3, 1, "bench"));
    }
    return new BotContext(new RequestScope(session, null, null, null), new Transcript(stream, id), Map.of(),
      "script", false);
  }

  /** Runs until the JIT has compiled the path: a count of runs, not seconds (a loaded machine gives few). */
  static void warmUp(ScriptEngine engine, LocalSessionStore sessions, DebugStream stream) {
    long until = System.nanoTime() + 120_000_000_000L;
    for (int i = 0; i < 300_000 && System.nanoTime() < until; i++) {
      engine.runHere(SEED, bot(sessions, stream, "warm-up"));
    }
  }

  static final com.sun.management.ThreadMXBean THREADS =
    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
  /** Bytes the measuring threads allocated in the last measurement (steadier still than CPU on a loaded machine). */
  static final LongAdder allocated = new LongAdder();

  /** Runs between two reads of the clock in a measurement (a few tens of microseconds). */
  static final int RUNS_PER_CHECK = 32;

  static double measure(ScriptEngine engine, LocalSessionStore sessions, DebugStream stream, int threads, int seconds)
    throws InterruptedException {
    LongAdder runs = new LongAdder();
    allocated.reset();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String id = "bench-" + t;
      Thread worker = new Thread(() -> {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        // The clock read every RUNS_PER_CHECK runs and the runs counted per thread: a clock read and a
        // counter shared by the threads per run were the harness's own cost, some 3 % of a run's CPU.
        long done = 0;
        while (done % RUNS_PER_CHECK != 0 || System.nanoTime() < end) {
          ScriptOutcome outcome = engine.runHere(SEED, bot(sessions, stream, id));
          if (!outcome.ok()) {
            throw new IllegalStateException(outcome.error().describe());
          }
          done++;
        }
        runs.add(done);
        allocated.add(THREADS.getCurrentThreadAllocatedBytes() - before);
      });
      workers.add(worker);
      worker.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    return runs.sum() / (double) seconds;
  }
}
