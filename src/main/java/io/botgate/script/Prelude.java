package io.botgate.script;

import org.mozilla.javascript.Context;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;

/**
 * Prepares the shared standard scope: builtins that build a large string or array in one native call
 * (which the instruction observer cannot interrupt) check the size first, then everything is sealed so
 * that no script can change a builtin another session relies on.
 */
final class Prelude {

  /** A function of the limits object, so the prelude leaves no global name behind. */
  static final String SOURCE = """
    (function (limits) {
      function guard(owner, name, kind, size) {
        var original = owner[name];
        if (typeof original !== 'function') return;
        Object.defineProperty(owner, name, { writable: false, enumerable: false, configurable: false,
          value: function () {
            var n = size.apply(this, arguments);
            if (n > limits[kind]) {
              throw new RangeError(name + ' would build ' + (kind === 'array' ? 'an array' : 'a string')
                + ' of length ' + n + '; the limit is '
                + limits[kind]);
            }
            return original.apply(this, arguments);
          } });
      }
      function joinedLength(sep) {
        var len = this.length >>> 0, s = sep === undefined ? 1 : String(sep).length;
        var total = len > 0 ? (len - 1) * s : 0;
        for (var i = 0; i < len && total <= limits.string; i++) {
          var v = this[i];
          if (v !== undefined && v !== null) total += String(v).length;
        }
        return total;
      }
      guard(String.prototype, 'repeat', 'string', function (n) { return String(this).length * Number(n); });
      guard(String.prototype, 'padStart', 'string', function (n) { return Number(n); });
      guard(String.prototype, 'padEnd', 'string', function (n) { return Number(n); });
      guard(Array.prototype, 'join', 'string', joinedLength);
      guard(Array.prototype, 'toString', 'string', function () { return joinedLength.call(this); });
      guard(Array.prototype, 'fill', 'array', function () { return this.length >>> 0; });
      guard(Array, 'from', 'array', function (src) { return src == null ? 0 : (src.length >>> 0); });
    })
    """;

  private Prelude() {
  }

  static void install(Context cx, ScriptableObject scope, ScriptLimits limits) {
    Scriptable values = cx.newObject(scope);
    ScriptableObject.putProperty(values, "string", limits.maxStringLength());
    ScriptableObject.putProperty(values, "array", limits.maxArrayLength());
    ((ScriptableObject) values).sealObject();
    Function prelude = (Function) cx.evaluateString(scope, SOURCE, "prelude", 1, null);
    prelude.call(cx, scope, scope, new Object[] {values});
  }

  /**
   * Freezes everything a script can reach from the shared scope (see {@link SharedGraph}), then seals the
   * scope itself so no global can be added; answers every object frozen.
   */
  static java.util.List<Scriptable> seal(Context cx, ScriptableObject scope) {
    java.util.List<Scriptable> frozen = SharedGraph.freeze(cx, scope);
    scope.sealObject();
    return frozen;
  }
}
