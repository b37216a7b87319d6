import io.botgate.console.DebugStream;
import io.botgate.console.Transcript;
import io.botgate.script.BotContext;
import io.botgate.script.ScriptEngine;
import io.botgate.script.ScriptLimits;
import io.botgate.script.ScriptOutcome;
import io.botgate.session.IntegrationResult;
import io.botgate.session.RequestScope;
import io.botgate.session.Session;
import io.botgate.session.SessionStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Executions per second of the seed's first example (isApiExecutionSuccessful / getApiStatusCode),
 * each in a fresh scope with a fresh botContext, on one thread and on every core; then how long each
 * runaway script takes to be stopped under the default limits.
 *   java -cp target/botgate.jar bench/ScriptThroughput.java [seconds per measurement, default 10]
 */
public class ScriptThroughput {

  static final String SEED = """
    var isApiExecutionSuccessful = botContext.isApiExecutionSuccessful();
    if(isApiExecutionSuccessful){
      var apiStatusCode = botContext.getApiStatusCode();
      botContext.printDebugMessage("API Execution Successful with Status Code: "+apiStatusCode);
      if(apiStatusCode == "200"|apiStatusCode == "201"|apiStatusCode == "203"){
        botContext.printDebugMessage("All is well.");
      }else{
        botContext.printDebugMessage("Something went wrong!");
      }
    }
    """;

  static final String[] RUNAWAYS = {
    "while (true) {}",
    "try { while (true) {} } catch (e) {}",
    "function g() { try { g(); } catch (e) { g(); } } g();",
    "function r() { return r() + 1; } r();",
    "var s = 'x'; while (true) { s = s + s; s.charAt(s.length - 1); }",
    "var a = []; while (true) { a.push('some text ' + a.length); }",
  };

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    ScriptEngine engine = new ScriptEngine(null, ScriptLimits.DEFAULTS, null, 1, 1);
    SessionStore sessions = new SessionStore(3_600_000, 20, System::currentTimeMillis);
    DebugStream stream = new DebugStream(null, 1000, 200_000, 60_000, System::currentTimeMillis);

    measure(engine, sessions, stream, 1, 3);  // warm-up
    double one = measure(engine, sessions, stream, 1, seconds);
    int cores = Runtime.getRuntime().availableProcessors();
    double all = measure(engine, sessions, stream, cores, seconds);
    System.out.printf("seed example, 1 thread:      %,12.0f executions/s%n", one);
    System.out.printf("seed example, %d threads:     %,12.0f executions/s  (%.2fx one thread)%n", cores, all, all / one);

    System.out.println("\nrunaway scripts under the default limits " + ScriptLimits.DEFAULTS + ":");
    for (String bomb : RUNAWAYS) {
      ScriptOutcome outcome = engine.runHere(bomb, bot(sessions, stream, "bomb"));
      System.out.printf("  stopped after %6.0f ms  %-70s %s%n", outcome.durationMicros() / 1000.0, bomb,
        outcome.error() == null ? "NOT STOPPED" : outcome.error().message());
    }
    ScriptOutcome after = engine.runHere(SEED, bot(sessions, stream, "after"));
    System.out.println("next script after the runaways: " + (after.ok() ? "ran normally" : after.error()));
    engine.close();
  }

  static BotContext bot(SessionStore sessions, DebugStream stream, String id) {
    Session session = sessions.open(id);
    if (session.lastResult() == null) {
      session.record(new IntegrationResult(id, "faqIntegration", true, "200", Instant.now(), 3, 1, "bench"));
    }
    return new BotContext(new RequestScope(session, null, null, null), new Transcript(stream, id), Map.of(),
      "script", false);
  }

  static double measure(ScriptEngine engine, SessionStore sessions, DebugStream stream, int threads, int seconds)
    throws InterruptedException {
    LongAdder runs = new LongAdder();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String id = "bench-" + t;
      Thread worker = new Thread(() -> {
        while (System.nanoTime() < end) {
          ScriptOutcome outcome = engine.runHere(SEED, bot(sessions, stream, id));
          if (!outcome.ok()) {
            throw new IllegalStateException(outcome.error().describe());
          }
          runs.increment();
        }
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
