package io.botgate.script;

import io.botgate.GatewayError;
import io.botgate.Typos;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.EcmaError;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.JavaScriptException;
import org.mozilla.javascript.NativeObject;
import org.mozilla.javascript.RhinoException;
import org.mozilla.javascript.Script;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs bot scripts with Mozilla Rhino on its own bounded pool of worker threads ({@link ScriptWorkers}),
 * never on an event loop, and answers on the caller's Vert.x context. Each run gets a fresh scope over
 * one sealed standard scope shared by all threads, so runs cannot see or change each other; each
 * distinct script is compiled once, in a cache bounded in bytes (but one with a template literal once per
 * run, see {@link #shareable}). Compiling counts toward the run's time limit, and a source over
 * {@code script.maxSourceBytes} is refused before it is parsed.
 */
public final class ScriptEngine {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScriptEngine.class);

  private final Vertx vertx;
  private final SandboxContextFactory factory;
  private final ScriptLimits limits;
  /**
   * The sealed standard scope, built once on a thread of its own ({@link #prepare}): freezing the standard
   * objects takes a few hundred milliseconds of CPU that a start need not wait for.
   */
  private final CompletableFuture<ScriptableObject> sandbox = new CompletableFuture<>();
  private final AtomicBoolean building = new AtomicBoolean();
  private final Script globals;
  /** The global functions' source when they must be compiled per run (see {@link #shareable}), else null. */
  private final String globalsPerRun;
  private final ScriptOptions options;
  private final ScriptWorkers workers;
  private final CompiledScripts compiled;

  /**
   * @param globalsSource bot-level global functions available to every script, or null
   * @param threads       worker threads for scripts
   * @param queue         runs waiting for a thread before new ones are refused
   * @throws IllegalArgumentException when the global functions do not compile
   */
  public ScriptEngine(Vertx vertx, ScriptLimits limits, String globalsSource, int threads, int queue) {
    this(vertx, limits, globalsSource, new ScriptOptions(threads, queue, ScriptOptions.DEFAULT_MAX_SOURCE_BYTES,
      ScriptOptions.DEFAULT_CACHE_BYTES));
  }

  /**
   * @param globalsSource bot-level global functions available to every script, or null
   * @throws IllegalArgumentException when the global functions do not compile
   */
  public ScriptEngine(Vertx vertx, ScriptLimits limits, String globalsSource, ScriptOptions options) {
    this.vertx = vertx;
    this.factory = new SandboxContextFactory(limits, options.memoryTotalBytes());
    if (limits.maxAllocatedBytes() > options.memoryTotalBytes()) {
      LOG.warn("script.memory.mb ({} MiB) is more than script.memory.total.mb ({} MiB, of a {} MiB heap): a script "
          + "is stopped at the total, however little the others use", limits.maxAllocatedBytes() >> 20,
        options.memoryTotalBytes() >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }
    this.options = options;
    ScriptSyntax.limitSourceTo(options.maxSourceBytes());
    this.compiled = new CompiledScripts(options.cacheBytes());
    this.workers = new ScriptWorkers(options.threads(), options.queue(), limits.cpuMillis(),
      limits.maxAllocatedBytes());
    this.limits = limits;
    Context cx = factory.enterContext();
    try {
      globals = globalsSource == null ? null : compileGlobals(cx, globalsSource);
      globalsPerRun = globalsSource == null || shareable(globalsSource) ? null : globalsSource;
    } finally {
      Context.exit();
    }
  }

  /**
   * Starts building the sandbox on a thread of its own, unless it is built or being built; the first run
   * starts it otherwise. The gateway calls it once it is listening, so the build is not on the way to the
   * first answers.
   */
  public CompletableFuture<ScriptableObject> prepare() {
    // read first: every run calls this, and a compare-and-set is a locked write even when it fails
    if (!building.get() && building.compareAndSet(false, true)) {
      Thread builder = new Thread(() -> {
        try {
          sandbox.complete(buildSandbox());
        } catch (RuntimeException | Error e) {
          sandbox.completeExceptionally(e);
        }
      }, "botgate-script-sandbox");
      builder.setDaemon(true);
      builder.start();
    }
    return sandbox;
  }

  private ScriptableObject buildSandbox() {
    Context cx = factory.enterContext();
    try {
      ScriptableObject shared = cx.initSafeStandardObjects(null, false);
      NativeGuards.install(shared, limits);
      shared.defineProperty("botContext", new BotContextObject(shared), ScriptableObject.READONLY
        | ScriptableObject.PERMANENT);
      Prelude.seal(cx, shared);
      return shared;
    } finally {
      Context.exit();
    }
  }

  private static Script compileGlobals(Context cx, String source) {
    try {
      return cx.compileString(source, "globals", 1, null);
    } catch (EvaluatorException e) {
      throw new IllegalArgumentException("global functions: syntax error at " + e.lineNumber() + ":"
        + e.columnNumber() + ": " + ScriptSyntax.message(e));
    }
  }

  /**
   * Runs a script on the pool and completes on the caller's Vert.x context (on the pool's thread
   * without Vert.x); the future fails only when the queue is full.
   */
  public Future<ScriptOutcome> run(String code, BotContext bot) {
    io.vertx.core.Context caller = vertx == null ? null : vertx.getOrCreateContext();
    if (!prepare().isDone()) {
      // Waits here, not on a worker: the build is no part of the run's time limit.
      return caller == null ? Future.fromCompletionStage(sandbox).compose(s -> run(code, bot))
        : Future.fromCompletionStage(sandbox, caller).compose(s -> run(code, bot));
    }
    Promise<ScriptOutcome> answer = Promise.promise();
    boolean queued = workers.submit(bot.scriptName(), () -> runHere(code, bot), outcome -> {
      if (caller == null) {
        answer.complete(outcome);
      } else {
        caller.runOnContext(v -> answer.complete(outcome));
      }
    });
    if (!queued) {
      return Future.failedFuture(new GatewayError(503, "scripts_busy", "too many scripts are queued ("
        + options.queue() + "); try again shortly"));
    }
    return answer.future();
  }

  /**
   * Runs a script on the calling thread (a pool worker, or a benchmark's own thread). Outside the pool
   * nothing watches the run: a builtin that never returns keeps the calling thread.
   */
  public ScriptOutcome runHere(String code, BotContext bot) {
    long start = System.nanoTime();
    String name = bot.scriptName();
    ScriptError tooLarge = checkSize(code, name);
    if (tooLarge != null) {
      return new ScriptOutcome(tooLarge, false, micros(start));
    }
    ScriptableObject shared = prepare().join();
    Context cx = factory.enterContext();
    try {
      factory.startBudget(cx, start);
      Script script = compile(cx, code, name);
      // A plain object over the sealed shared scope (cx.newObject would look up the Object constructor).
      Scriptable scope = new NativeObject();
      scope.setPrototype(shared);
      scope.setParentScope(null);
      BotContextObject.bind(cx, bot);
      if (globalsPerRun != null) {
        SandboxContextFactory.chargeCpuFromNow(cx);
        cx.compileString(globalsPerRun, "globals", 1, null).exec(cx, scope);
      } else if (globals != null) {
        globals.exec(cx, scope);
      }
      if (bot.globals() != null) {
        compile(cx, bot.globals(), "botGlobals").exec(cx, scope);
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
      boolean tooDeep = e.details().startsWith("Exceeded maximum stack depth");
      String message = tooDeep ? "stack depth limit exceeded (" + e.details() + ")"
        : syntax ? ScriptSyntax.message(e) : e.details();
      return new ScriptOutcome(new ScriptError(tooDeep ? "limit" : syntax ? "syntax" : "runtime", bot.errorText(message), name,
        e.lineNumber(), e.columnNumber()), false, micros(start));
    } catch (EcmaError e) {
      return new ScriptOutcome(new ScriptError(NativeGuards.refused(e) ? "limit" : "runtime", bot.errorText(e.getName()
        + ": " + missingFunction(e.getErrorMessage(), bot.missing(), botContextFunctions())), name,
        e.lineNumber(), e.columnNumber()), false, micros(start));
    } catch (JavaScriptException e) {
      return new ScriptOutcome(new ScriptError("runtime", bot.errorText("uncaught exception: " + e.details()), name,
        e.lineNumber(), e.columnNumber()), false, micros(start));
    } catch (RhinoException e) {
      return new ScriptOutcome(new ScriptError("runtime", bot.errorText(e.details()), name, e.lineNumber(), e.columnNumber()),
        false, micros(start));
    } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
      // Rhino's string ropes count length in an int: doubling past 2^31 characters wraps around.
      return new ScriptOutcome(new ScriptError("limit", "memory limit exceeded: a string grew past the largest "
        + "size the engine can hold", name, 0, 0), false, micros(start));
    } catch (RuntimeException e) {
      return new ScriptOutcome(new ScriptError("runtime", "the script failed inside a builtin: " + e, name, 0, 0),
        false, micros(start));
    } finally {
      factory.endBudget(cx);
      Context.exit();
    }
  }

  /**
   * Rhino's message for calling a function that does not exist, said so that it names the botContext
   * function botgate lacks, when that is what the script called ({@code missing}: the last name read
   * from botContext that it does not have), and the one it has that the name is a typo of, if any
   * ({@code setBotVarible}: a developer reading "botgate lacks it" would look for a workaround, not a typo).
   */
  static String missingFunction(String message, String missing, Iterable<String> provided) {
    if (missing == null || !(message.equals("Cannot find function " + missing + ".")
      || message.startsWith("Cannot find function " + missing + " in object [object BotContext]"))) {
      return message;
    }
    String near = Typos.closest(missing, provided).orElse(null);
    return near != null ? "botContext." + missing + " is not a function: did you mean botContext." + near + "?"
      : "botContext." + missing + " is not a function botgate provides (the README's \"botContext "
      + "functions\" table lists what it has and what it lacks)";
  }

  /** The names of the functions {@code botContext} offers. */
  private List<String> botContextFunctions() {
    Object botContext = ScriptableObject.getProperty(prepare().join(), "botContext");
    return botContext instanceof ScriptableObject object
      ? Arrays.stream(object.getIds()).map(String::valueOf).toList() : List.of();
  }

  /** A limit error when the source is over {@code script.maxSourceBytes} in UTF-8, else null. */
  ScriptError checkSize(String code, String name) {
    int max = options.maxSourceBytes();
    if ((long) code.length() * 3 <= max) {
      return null; // at most 3 bytes per UTF-16 char: certainly under, without encoding it
    }
    long bytes = code.getBytes(StandardCharsets.UTF_8).length;
    if (bytes <= max) {
      return null;
    }
    return new ScriptError("limit", "the script is " + bytes + " bytes, more than script.maxSourceBytes (" + max
      + "): it was not compiled", name, 0, 0);
  }

  private Script compile(Context cx, String code, String name) {
    // Reading the cache changes nothing a stop could leave half done; writing it is entered as shared code,
    // so the watchdog's stop never lands inside it. Only shareable scripts are ever cached, so a hit needs no
    // scan of the source for a backtick.
    Script script = compiled.get(code);
    if (script == null && !shareable(code)) {
      SandboxContextFactory.chargeCpuFromNow(cx);
      return cx.compileString(code, name, 1, null);
    }
    if (script == null) {
      SandboxContextFactory.chargeCpuFromNow(cx);
      Script fresh = cx.compileString(code, name, 1, null);
      ScriptWorkers.shared(() -> {
        compiled.put(code, fresh);
        return null;
      });
      script = fresh;
    }
    return script;
  }

  /**
   * Whether one compiled script of this source may serve every run. Not when it may hold a tagged template:
   * Rhino's interpreter makes a template's call-site object on first use and keeps it in the compiled
   * script, created in that first run's scope, so a shared script would pin the first run's globals (heap
   * the cache bound never counts) and hand the same object, parented to them, to every later run in any
   * session. A backtick anywhere (even in a string or comment) is taken as a template: such scripts are
   * compiled per run, which costs their compile time each run and nothing else.
   */
  static boolean shareable(String source) {
    return source.indexOf('`') < 0;
  }

  /** Whether the compiled script of this source is in the cache (for tests). */
  boolean isCached(String code) {
    return compiled.get(code) != null;
  }

  /** The pool's queue, threads and watchdog now, for /health. */
  public PoolState poolState() {
    return workers.state();
  }

  /** Threads the watchdog stopped inside a builtin that did not return (each replaced). */
  public long stoppedThreads() {
    return workers.stopped();
  }

  /** Threads that could not be stopped, abandoned and replaced. */
  public long replacedThreads() {
    return workers.abandoned();
  }

  /** The estimated heap held by compiled scripts (at most {@code script.cache.bytes}). */
  public long cachedBytes() {
    return compiled.bytes();
  }

  private static long micros(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000;
  }

  public void close() {
    workers.close();
  }
}
