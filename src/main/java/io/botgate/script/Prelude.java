package io.botgate.script;

import org.mozilla.javascript.Context;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.ScriptableObject;

/**
 * Seals the shared standard scope so that no script can change a builtin another session relies on
 * (the size checks of builtins that loop natively are installed before, by {@link NativeGuards}).
 */
final class Prelude {

  private Prelude() {
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
