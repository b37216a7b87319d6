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
   * Makes one builtin immutable: every data property read-only and permanent, no new property. The
   * properties that scripts commonly give their own objects ({@code toString}, {@code message}...) become
   * accessors on prototypes: assigning on an instance defines an own property there (as it would in an
   * unfrozen realm), assigning on the shared prototype itself throws.
   */
  static final String LOCK = """
    (function () {
      var overridable = ['toString', 'valueOf', 'constructor', 'toLocaleString', 'toJSON', 'message', 'name',
        'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable'];
      function tame(o, n, d) {
        var value = d.value;
        Object.defineProperty(o, n, { configurable: false, enumerable: d.enumerable,
          get: function () { return value; },
          set: function (v) {
            if (this === o) throw new TypeError('builtins are shared by every session and cannot be changed: ' + n);
            Object.defineProperty(this, n, { value: v, writable: true, enumerable: true, configurable: true });
          } });
      }
      return function lock(o, isPrototype) {
        var keys = Object.getOwnPropertyNames(o);
        if (typeof Object.getOwnPropertySymbols === 'function') keys = keys.concat(Object.getOwnPropertySymbols(o));
        keys.forEach(function (n) {
          var d = Object.getOwnPropertyDescriptor(o, n);
          if (!d || (!d.configurable && !d.writable)) return;
          if (!d.configurable) Object.defineProperty(o, n, { writable: false });
          else if (!('value' in d)) Object.defineProperty(o, n, { configurable: false });
          else if (isPrototype && overridable.indexOf(n) >= 0) tame(o, n, d);
          else Object.defineProperty(o, n, { writable: false, configurable: false });
        });
        Object.preventExtensions(o);
      };
    })()
    """;

  /** Locks every builtin and its prototype, then seals the scope so no global can be added. */
  static void seal(Context cx, ScriptableObject scope) {
    Function lock = (Function) cx.evaluateString(scope, LOCK, "lock", 1, null);
    for (Object id : scope.getAllIds()) {
      Object value;
      try {
        value = scope.get(String.valueOf(id), scope);
      } catch (IllegalStateException e) {
        continue; // a lazily built constructor that the safe standard objects leave out
      }
      if (value instanceof ScriptableObject builtin && builtin != scope) {
        if (builtin instanceof Function f && f.get("prototype", f) instanceof ScriptableObject proto) {
          lock.call(cx, scope, scope, new Object[] {proto, true});
        }
        lock.call(cx, scope, scope, new Object[] {builtin, false});
      }
    }
    scope.sealObject();
  }
}
