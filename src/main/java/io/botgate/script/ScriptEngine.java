package io.botgate.script;

import io.botgate.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.EcmaError;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.JavaScriptException;
import org.mozilla.javascript.RhinoException;
import org.mozilla.javascript.Script;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs bot scripts with Mozilla Rhino on a bounded worker pool, never on an event loop. Each run gets a
 * fresh scope over one sealed standard scope shared by all threads, so runs cannot see or change each
 * other; each distinct script is compiled once.
 */
public final class ScriptEngine {

  public static final String WORKER_POOL = "botgate-scripts";
  static final int CACHE_SIZE = 1_000;

  private final SandboxContextFactory factory;
  private final ScriptableObject shared;
  private final Script globals;
  private final WorkerExecutor workers;
  private final AtomicInteger pending = new AtomicInteger();
  private final int maxPending;
  private final Map<String, Script> compiled = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Script> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  /**
   * @param globalsSource bot-level global functions available to every script, or null
   * @param threads       worker threads for scripts
   * @param maxPending    runs queued or running at once before new ones are refused
   * @throws IllegalArgumentException when the global functions do not compile
   */
  public ScriptEngine(Vertx vertx, ScriptLimits limits, String globalsSource, int threads, int maxPending) {
    this.factory = new SandboxContextFactory(limits);
    this.maxPending = maxPending;
    this.workers = vertx == null ? null : vertx.createSharedWorkerExecutor(WORKER_POOL, threads);
    Context cx = factory.enterContext();
    try {
      shared = cx.initSafeStandardObjects(null, false);
      Prelude.install(cx, shared, limits);
      shared.defineProperty("botContext", new BotContextObject(shared), ScriptableObject.READONLY
        | ScriptableObject.PERMANENT);
      Prelude.seal(cx, shared);
      globals = globalsSource == null ? null : compileGlobals(cx, globalsSource);
    } finally {
      Context.exit();
    }
  }

  private static Script compileGlobals(Context cx, String source) {
    try {
      return cx.compileString(source, "globals", 1, null);
    } catch (EvaluatorException e) {
      throw new IllegalArgumentException("global functions: syntax error at " + e.lineNumber() + ":"
        + e.columnNumber() + ": " + e.details());
    }
  }

  /** Runs a script on the worker pool; the future fails only when the pool is saturated. */
  public Future<ScriptOutcome> run(String code, BotContext bot) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      return Future.failedFuture(new GatewayError(503, "scripts_busy", "too many scripts are queued ("
        + maxPending + "); try again shortly"));
    }
    return workers.executeBlocking(() -> runHere(code, bot), false).andThen(done -> pending.decrementAndGet());
  }

  /** Runs a script on the calling thread (a worker, or a benchmark's own thread). */
  public ScriptOutcome runHere(String code, BotContext bot) {
    long start = System.nanoTime();
    String name = bot.scriptName();
    Context cx = factory.enterContext();
    try {
      factory.startBudget(cx);
      Script script = compile(cx, code, name);
      Scriptable scope = cx.newObject(shared);
      scope.setPrototype(shared);
      scope.setParentScope(null);
      BotContextObject.bind(cx, bot);
      if (globals != null) {
        globals.exec(cx, scope);
      }
      script.exec(cx, scope);
      return new ScriptOutcome(null, false, micros(start));
    } catch (ImmediateReply stop) {
      return new ScriptOutcome(null, true, micros(start));
    } catch (LimitExceeded e) {
      return new ScriptOutcome(new ScriptError("limit", e.getMessage(), name, 0, 0), false, micros(start));
    } catch (OutOfMemoryError e) {
      // One allocation too large to make (a flattened giant string): it failed as a whole, nothing is held.
      return new ScriptOutcome(new ScriptError("limit", "memory limit exceeded: the script tried to build a value "
        + "too large for memory", name, 0, 0), false, micros(start));
    } catch (StackOverflowError e) {
      return new ScriptOutcome(new ScriptError("limit", "stack depth limit exceeded", name, 0, 0), false,
        micros(start));
    } catch (EvaluatorException e) {
      boolean syntax = e.getScriptStack().length == 0;
      String message = e.details().startsWith("Exceeded maximum stack depth")
        ? "stack depth limit exceeded (" + e.details() + ")" : e.details();
      return new ScriptOutcome(new ScriptError(syntax ? "syntax" : "runtime", message, name, e.lineNumber(),
        e.columnNumber()), false, micros(start));
    } catch (EcmaError e) {
      return new ScriptOutcome(new ScriptError("runtime", e.getName() + ": " + e.getErrorMessage(), name,
        e.lineNumber(), e.columnNumber()), false, micros(start));
    } catch (JavaScriptException e) {
      return new ScriptOutcome(new ScriptError("runtime", "uncaught exception: " + e.details(), name,
        e.lineNumber(), e.columnNumber()), false, micros(start));
    } catch (RhinoException e) {
      return new ScriptOutcome(new ScriptError("runtime", e.details(), name, e.lineNumber(), e.columnNumber()),
        false, micros(start));
    } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
      // Rhino's string ropes count length in an int: doubling past 2^31 characters wraps around.
      return new ScriptOutcome(new ScriptError("limit", "memory limit exceeded: a string grew past the largest "
        + "size the engine can hold", name, 0, 0), false, micros(start));
    } catch (RuntimeException e) {
      return new ScriptOutcome(new ScriptError("runtime", "the script failed inside a builtin: " + e, name, 0, 0),
        false, micros(start));
    } finally {
      Context.exit();
    }
  }

  private Script compile(Context cx, String code, String name) {
    synchronized (compiled) {
      Script script = compiled.get(code);
      if (script != null) {
        return script;
      }
    }
    Script script = cx.compileString(code, name, 1, null);
    synchronized (compiled) {
      compiled.put(code, script);
    }
    return script;
  }

  private static long micros(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000;
  }

  public void close() {
    if (workers != null) {
      workers.close();
    }
  }
}
