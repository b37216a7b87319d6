package io.botgate.script;

import org.mozilla.javascript.Context;
import org.mozilla.javascript.LambdaFunction;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Symbol;
import org.mozilla.javascript.SymbolKey;
import org.mozilla.javascript.Undefined;
import org.mozilla.javascript.regexp.RegExpImpl;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * State that Rhino keeps beside the objects, which freezing cannot reach, made per run:
 * <ul>
 * <li>the RegExp statics ({@code RegExp.$1}, {@code lastMatch}, {@code input}...) live in the context's
 * RegExp implementation: each run starts with an empty one (made at its first regular expression in a
 * fresh context, at the start of the run in a reused one), so no run reads another's last match;</li>
 * <li>{@code Symbol.for} registers in one JVM-wide table that never forgets a name: each run has its
 * own registry instead (a symbol cannot outlive its run anyway), so no run can grow memory for all;</li>
 * <li>{@code Math.random} draws from one JVM-wide generator whose outputs predict the next ones: each run
 * draws from its own generator, seeded from {@link SecureRandom} when first used.</li>
 * </ul>
 */
final class RunState {

  private static final SecureRandom SEEDS = new SecureRandom();

  private final Map<String, SymbolKey> symbols = new HashMap<>();
  private SplittableRandom random;

  private RunState() {
  }

  /**
   * Gives the run on this thread fresh state; called once per run, before the script. The registry and
   * the generator are made when the run first uses them, and so are the RegExp statics of a context no
   * run has used before (Rhino makes one per entry, with none: its first regular expression makes them).
   */
  static void begin(Context cx) {
    SandboxContextFactory.RunContext run = (SandboxContextFactory.RunContext) cx;
    run.state = null;
    if (run.runs++ > 0) { // a context reused: an earlier run may have left its last match there
      ScriptRuntime.setRegExpProxy(cx, new RegExpImpl());
    }
  }

  private static RunState of(Context cx) {
    if (!(cx instanceof SandboxContextFactory.RunContext run)) {
      return new RunState(); // not a sandbox context: nothing outlives the call
    }
    RunState state = run.state;
    if (state == null) {
      state = new RunState();
      run.state = state;
    }
    return state;
  }

  /** Replaces the builtins that would use JVM-wide state; before the shared scope is frozen. */
  static void install(ScriptableObject scope) {
    ScriptableObject symbol = (ScriptableObject) scope.get("Symbol", scope);
    replace(symbol, new LambdaFunction(scope, "for", 1, (cx, s, self, args) -> {
      String name = ScriptRuntime.toString(args.length > 0 ? args[0] : Undefined.instance);
      return of(cx).symbols.computeIfAbsent(name, k -> new SymbolKey(k, Symbol.Kind.REGISTERED));
    }, false));
    replace(symbol, new LambdaFunction(scope, "keyFor", 1, (cx, s, self, args) -> {
      if (args.length == 0 || !(args[0] instanceof SymbolKey key)) {
        throw ScriptRuntime.typeError("Symbol.keyFor: not a symbol");
      }
      return of(cx).symbols.get(key.getName()) == key ? key.getName() : Undefined.instance;
    }, false));
    ScriptableObject math = (ScriptableObject) scope.get("Math", scope);
    replace(math, new LambdaFunction(scope, "random", 0, (cx, s, self, args) -> {
      RunState state = of(cx);
      if (state.random == null) {
        state.random = new SplittableRandom(SEEDS.nextLong());
      }
      return state.random.nextDouble();
    }, false));
  }

  private static void replace(ScriptableObject owner, LambdaFunction function) {
    String name = function.getFunctionName();
    int attributes = owner.getAttributes(name);
    owner.delete(name);
    owner.defineProperty(name, function, attributes);
  }
}
