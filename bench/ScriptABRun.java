import io.botgate.events.DebugStream;
import io.botgate.events.Transcript;
import io.botgate.script.BotContext;
import io.botgate.script.ScriptEngine;
import io.botgate.script.ScriptLimits;
import io.botgate.script.ScriptOutcome;
import io.botgate.session.IntegrationResult;
import io.botgate.session.LocalSessionStore;
import io.botgate.session.RequestScope;
import io.botgate.session.Session;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One build's side of {@code ScriptAB}: compiled against that build's jar and loaded in a class loader of
 * its own, it runs the seed example as {@code ScriptThroughput} does (a fresh botContext per run, the
 * gateway's clock for events and sessions).
 */
public class ScriptABRun {

  /** The seed's first example (bench/seed-example.js, read by ScriptAB). */
  private final String seed;

  static final com.sun.management.ThreadMXBean THREADS =
    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  private final ScriptEngine engine = new ScriptEngine(null, ScriptLimits.DEFAULTS, null, 1, 1);
  private final LongSupplier clock = gatewayClock();
  private final LocalSessionStore sessions = new LocalSessionStore(3_600_000, 20, clock);
  private final DebugStream stream = new DebugStream(null, 1000, 20_000, 60_000, clock);

  public ScriptABRun(String seed) {
    this.seed = seed;
  }

  /** io.botgate.CoarseClock where the build has it (the gateway's clock then), else the system clock. */
  static LongSupplier gatewayClock() {
    try {
      return (LongSupplier) Class.forName("io.botgate.CoarseClock").getField("MILLIS").get(null);
    } catch (ReflectiveOperationException e) {
      return System::currentTimeMillis;
    }
  }

  private BotContext bot(String id) {
    Session session = sessions.open(id);
    if (session.lastResult() == null) {
      session.record(new IntegrationResult(id, "faqIntegration", true, "200", System.currentTimeMillis(), 3, 1, "bench"));
    }
    return new BotContext(new RequestScope(session, null, null, null), new Transcript(stream, id), Map.of(),
      "script", false);
  }

  /** Runs the seed example for about {@code nanos}; returns {runs, this thread's CPU ns, bytes it allocated}. */
  public long[] batch(long nanos, String session) {
    long cpu = THREADS.getCurrentThreadCpuTime();
    long allocated = THREADS.getCurrentThreadAllocatedBytes();
    long end = System.nanoTime() + nanos;
    long runs = 0;
    while (runs % 32 != 0 || System.nanoTime() < end) {
      ScriptOutcome outcome = engine.runHere(seed, bot(session));
      if (!outcome.ok()) {
        throw new IllegalStateException(outcome.error().describe());
      }
      runs++;
    }
    return new long[] {runs, THREADS.getCurrentThreadCpuTime() - cpu,
      THREADS.getCurrentThreadAllocatedBytes() - allocated};
  }
}
