package io.botgate.script;

import io.botgate.Tally;
import io.botgate.cb.context.ContextStore;
import io.botgate.events.DebugEvent;
import io.botgate.events.KnownSecrets;
import io.botgate.events.Transcript;
import io.botgate.session.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.Map;
import java.util.function.Function;

/**
 * Runs one named script of a request (preProcess, transformScript, postProcess, or a script on its own)
 * and tells the console: started, finished, or the error with line and column. A script error never
 * fails the request: as in CB, the flow goes on; it is logged, with the session and the integration.
 */
public final class ScriptRunner {

  private static final Logger LOG = LoggerFactory.getLogger(ScriptRunner.class);

  private final ScriptEngine engine;
  private final Map<String, String> env;
  private final ContextStore contextStore;
  private final Tally<String> counts = new Tally<>();
  /** Told of every run's outcome and duration (the metrics' histogram); none by default. */
  private volatile Finished finished = (outcome, micros) -> { };

  /** A listener of finished runs: how each ended ({@link #counts}' labels) and how long it took. */
  @FunctionalInterface
  public interface Finished {
    void run(String outcome, long durationMicros);
  }

  public ScriptRunner(ScriptEngine engine, Map<String, String> env) {
    this(engine, env, null);
  }

  /** @param contextStore the Conversation Context Service scripts use, or null for none */
  public ScriptRunner(ScriptEngine engine, Map<String, String> env, ContextStore contextStore) {
    this.engine = engine;
    this.env = Map.copyOf(env);
    this.contextStore = contextStore;
  }

  /** The env names scripts may not read, each with who withholds it (a credential's name), or null. */
  private volatile Function<String, String> withheld = name -> null;

  /**
   * Withholds from scripts the env values {@code heldBy} names a holder of: a credential's secret, which the
   * credential sends and no script needs (one read could be split across messages past any scrubbing).
   */
  public ScriptRunner withholding(Function<String, String> heldBy) {
    this.withheld = heldBy;
    return this;
  }

  /**
   * What a run produced: how it ended, the variables it set, and the interaction it named with
   * setTriggerNextMessage and the delay it set with setMessageDelay (null when not called).
   */
  public record Result(ScriptOutcome outcome, JsonObject changes, String next, Long delayMs) {
  }

  public ScriptEngine engine() {
    return engine;
  }

  /** Tells {@code listener} of every run from now on, in place of the one before. */
  public void onFinished(Finished listener) {
    this.finished = listener;
  }

  /** How many runs ended how: "ok", "syntax", "runtime" or "limit". */
  public Map<String, Long> counts() {
    return counts.snapshot();
  }

  public Future<Result> run(String name, String code, RequestScope scope, Transcript transcript, boolean inTransform) {
    return run(name, code, scope, transcript, inTransform, null, null, null);
  }

  /** The same for a script of an integration's execution, named in the log line of an error. */
  public Future<Result> run(String name, String code, RequestScope scope, Transcript transcript, boolean inTransform,
                            String integration) {
    return run(name, code, scope, transcript, inTransform, integration, null, null);
  }

  /**
   * Runs a script of an imported CB bot: its id for getChatBotId, its global functions defined before the
   * script.
   */
  public Future<Result> run(String name, String code, RequestScope scope, Transcript transcript, boolean inTransform,
                            String botId, String botGlobals) {
    return run(name, code, scope, transcript, inTransform, null, botId, botGlobals);
  }

  private Future<Result> run(String name, String code, RequestScope scope, Transcript transcript, boolean inTransform,
                             String integration, String botId, String botGlobals) {
    BotContext bot = new BotContext(scope, transcript, env, name, inTransform,
      new BotContext.Bot(contextStore, botId, botGlobals)).withholding(withheld);
    transcript.event(DebugEvent.SCRIPT, "debug", name + " started", new JsonObject().put("script", name)
      .put("phase", "start"));
    return engine.run(code, bot).map(outcome -> {
      JsonObject data = new JsonObject().put("script", name).put("durationMs", outcome.durationMicros() / 1000.0);
      if (outcome.ok()) {
        transcript.event(DebugEvent.SCRIPT, "debug", name + " finished in " + outcome.durationMicros() / 1000.0
          + " ms" + (outcome.stoppedByImmediateReply() ? " (sendImmediateReply)" : ""), data.put("phase", "finish"));
      } else {
        transcript.event(DebugEvent.SCRIPT, "error", outcome.error().describe(),
          data.put("phase", "error").put("error", outcome.error().toJson())
            .put("source", around(code, outcome.error().line())));
        log(outcome.error(), transcript.session(), integration, transcript.secrets());
      }
      String ended = outcome.ok() ? "ok" : outcome.error().type();
      counts.increment(ended);
      finished.run(ended, outcome.durationMicros());
      return new Result(outcome, bot.changes(), bot.next(), bot.delayMs());
    });
  }

  /** A limit hit is a warning for the operator (a bound doing its job); any other script error too. */
  private static void log(ScriptError error, String session, String integration, KnownSecrets secrets) {
    LoggingEventBuilder line = LOG.atWarn().addKeyValue("session", session);
    if (integration != null) {
      line = line.addKeyValue("integration", integration);
    }
    line = line.addKeyValue("script", error.script()).addKeyValue("error", error.type());
    if (error.line() > 0) {
      line = line.addKeyValue("line", error.line()).addKeyValue("column", error.column());
    }
    line.log(error.type().equals("limit") ? "script limit hit: {}" : "script error: {}",
      secrets.scrub(error.describe())); // a script may throw what an upstream echoed
  }

  /** Lines shown on each side of an error's line, and at most this many characters of each. */
  static final int SOURCE_CONTEXT = 2;
  static final int SOURCE_LINE_CHARS = 200;

  /**
   * The source lines around an error, for the console: {@code {"firstLine": n, "lines": [...]}}, or null
   * when the line is unknown.
   */
  static JsonObject around(String code, int line) {
    if (line <= 0) {
      return null;
    }
    String[] lines = code.split("\\r?\\n|\\r", -1);
    if (line > lines.length) {
      return null;
    }
    int first = Math.max(1, line - SOURCE_CONTEXT);
    int last = Math.min(lines.length, line + SOURCE_CONTEXT);
    JsonArray shown = new JsonArray();
    for (int i = first; i <= last; i++) {
      String text = lines[i - 1];
      shown.add(text.length() > SOURCE_LINE_CHARS ? text.substring(0, SOURCE_LINE_CHARS) + "..." : text);
    }
    return new JsonObject().put("firstLine", first).put("lines", shown);
  }
}
