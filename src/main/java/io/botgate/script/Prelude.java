package io.botgate.script;

import org.mozilla.javascript.Context;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;

import java.util.List;

/**
 * Seals the shared standard scope so that no script can change a builtin another session relies on
 * (the size checks of builtins that loop natively are installed before, by {@link NativeGuards}).
 */
final class Prelude {

  private Prelude() {
  }

  /**
   * Freezes everything a script can reach from the shared scope (see {@link SharedGraph}), then seals the
   * scope itself so no global can be added; answers every object frozen.
   */
  static List<Scriptable> seal(Context cx, ScriptableObject scope) {
    List<Scriptable> frozen = SharedGraph.freeze(cx, scope);
    scope.sealObject();
    return frozen;
  }
}
