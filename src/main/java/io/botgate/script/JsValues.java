package io.botgate.script;

import io.botgate.session.HeldBytes;
import io.botgate.session.SessionLimitExceeded;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.NativeArray;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Undefined;
import org.mozilla.javascript.typedarrays.NativeTypedArrayView;

import java.util.List;
import java.util.Map;

/**
 * Converts values both ways between bot variables (JSON values) and plain JavaScript values, so no Java
 * object ever reaches a script: strings, numbers, booleans, arrays and objects only.
 */
final class JsValues {

  static final int MAX_DEPTH = 32;
  /** Objects JSON.stringify writes as a value rather than as their (no) own properties. */
  private static final java.util.Set<String> JSON_AS_VALUE = java.util.Set.of("Date", "Number", "String", "Boolean");

  private JsValues() {
  }

  static Object toJs(Object value, Context cx, Scriptable scope) {
    return new Build(cx, scope, false).toJs(value);
  }

  /**
   * As {@link #toJs(Object, Context, Scriptable)}, checking the run's limits every {@link Build#CHECK_EVERY} values
   * built: a value as large as a whole Context Service namespace (up to {@code context.maxBytes}) is built in one
   * botContext call, where neither the instruction observer nor the watchdog's stop reaches, so the build itself
   * ends the run at its time limit, a stop, or past its memory budget.
   */
  static Object toJsChecked(Object value, Context cx, Scriptable scope) {
    return new Build(cx, scope, true).toJs(value);
  }

  /** One conversion to JavaScript values, and how many it has built since it last checked the run's limits. */
  private static final class Build {
    static final int CHECK_EVERY = 256;

    private final Context cx;
    private final Scriptable scope;
    private final boolean checked;
    private int sinceCheck;

    Build(Context cx, Scriptable scope, boolean checked) {
      this.cx = cx;
      this.scope = scope;
      this.checked = checked;
    }

    Object toJs(Object value) {
      if (checked && ++sinceCheck == CHECK_EVERY) {
        sinceCheck = 0;
        SandboxContextFactory.checkWhileBuilding(cx);
      }
      if (value == null) {
        return null;
      }
      if (value instanceof String || value instanceof Boolean) {
        return value;
      }
      if (value instanceof Number n) {
        return n instanceof Integer || n instanceof Double ? n : n.doubleValue();
      }
      if (value instanceof JsonArray arr) {
        return toJs(arr.getList());
      }
      if (value instanceof JsonObject obj) {
        return toJs(obj.getMap());
      }
      if (value instanceof List<?> list) {
        Object[] items = new Object[list.size()];
        for (int i = 0; i < items.length; i++) {
          items[i] = toJs(list.get(i));
        }
        return cx.newArray(scope, items);
      }
      if (value instanceof Map<?, ?> map) {
        Scriptable obj = cx.newObject(scope);
        map.forEach((k, v) -> ScriptableObject.putProperty(obj, String.valueOf(k), toJs(v)));
        return obj;
      }
      return String.valueOf(value);
    }
  }

  /** A JavaScript value as a JSON value: String, Integer/Long/Double, Boolean, JsonArray, JsonObject or null. */
  static Object toJava(Object value) {
    return new Conversion(Long.MAX_VALUE, null).toJava(value, 0);
  }

  /**
   * As {@link #toJava(Object)}, refusing a value that {@link HeldBytes} counts above {@code maxBytes}
   * before building it: the budget is spent as the value is walked, and an array's length is checked
   * against it before its first item, so a sparse array of ten million holes costs nothing.
   *
   * @throws EvaluatorException naming {@code session.maxBytes} when the value is larger
   */
  static Object toJava(Object value, long maxBytes, String name) {
    return new Conversion(maxBytes, name).toJava(value, 0);
  }

  /** One conversion and what is left of its byte budget. */
  private static final class Conversion {
    private final long maxBytes;
    private final String name;
    private long left;

    Conversion(long maxBytes, String name) {
      this.maxBytes = maxBytes;
      this.name = name;
      this.left = maxBytes;
    }

    private void spend(long bytes) {
      left -= bytes;
      if (left < 0) {
        throw new EvaluatorException(SessionLimitExceeded.of(maxBytes, "the value for '" + name
          + "' is larger than a session may hold; nothing was set").getMessage());
      }
    }

    /** Refuses now what will cost at least {@code bytes}, before anything of it is built. */
    private void refuseIfLeftBelow(long bytes) {
      if (bytes > left) {
        spend(bytes);
      }
    }

    Object toJava(Object value, int depth) {
      if (depth > MAX_DEPTH) {
        throw new EvaluatorException("value nested deeper than " + MAX_DEPTH + " levels (a cycle?)");
      }
      if (value == null || value instanceof Undefined || value == Scriptable.NOT_FOUND) {
        spend(HeldBytes.NULL);
        return null;
      }
      if (value instanceof CharSequence cs) {
        spend(HeldBytes.string(cs.length()));
        return cs.toString();
      }
      if (value instanceof Boolean) {
        spend(HeldBytes.BOOLEAN);
        return value;
      }
      if (value instanceof Number n) {
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
          // as JSON.stringify writes it: kept as a number, it was read back as Infinity here and as the string
          // "Infinity" in every JSON answer (and by a system writing the data back)
          spend(HeldBytes.NULL);
          return null;
        }
        spend(HeldBytes.NUMBER);
        if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
          long l = (long) d;
          return l == (int) l ? (Object) (int) l : (Object) l;
        }
        return d;
      }
      if (value instanceof NativeArray arr) {
        long length = arr.getLength();
        refuseIfLeftBelow(HeldBytes.ARRAY + length * HeldBytes.MIN_ITEM);
        spend(HeldBytes.ARRAY);
        JsonArray out = new JsonArray();
        for (int i = 0; i < length; i++) {
          spend(HeldBytes.ITEM);
          out.add(toJava(arr.get(i, arr), depth + 1));
        }
        return out;
      }
      if (value instanceof Function) {
        throw new EvaluatorException("a function cannot be stored in a bot variable");
      }
      if (value instanceof NativeTypedArrayView<?> view) {
        // Its ids would be one object per element: check the length first, as for an array.
        refuseIfLeftBelow(HeldBytes.OBJECT + (long) view.getArrayLength() * (HeldBytes.ENTRY + 1 + HeldBytes.NUMBER));
      }
      if (value instanceof Scriptable obj && JSON_AS_VALUE.contains(obj.getClassName())
        && Context.getCurrentContext() != null) {
        // As JSON.stringify writes them: a Date as its ISO text (null when invalid), a wrapped primitive as itself;
        // as objects they have no own properties and were kept as {}
        return toJava(plainValue(obj), depth + 1);
      }
      if (value instanceof Scriptable obj) {
        spend(HeldBytes.OBJECT);
        JsonObject out = new JsonObject();
        for (Object id : obj.getIds()) {
          String key = String.valueOf(id);
          spend(HeldBytes.ENTRY + key.length());
          Object v = id instanceof Integer i ? obj.get(i, obj) : obj.get(key, obj);
          out.put(key, toJava(v, depth + 1));
        }
        return out;
      }
      String text = String.valueOf(value);
      spend(HeldBytes.string(text.length()));
      return text;
    }
  }

  /**
   * A Date's ISO text (null when it is invalid) or a wrapped primitive's value, through the builtin of its frozen
   * prototype: never a {@code toJSON} or {@code valueOf} the script gave the object itself.
   */
  private static Object plainValue(Scriptable obj) {
    Context cx = Context.getCurrentContext();
    Scriptable scope = ScriptableObject.getTopLevelScope(obj);
    boolean date = obj.getClassName().equals("Date");
    Object method = ScriptableObject.getProperty(ScriptableObject.getClassPrototype(scope, obj.getClassName()),
      date ? "toISOString" : "valueOf");
    try {
      return ((Function) method).call(cx, scope, obj, new Object[0]);
    } catch (org.mozilla.javascript.EcmaError invalidDate) {
      return null; // toISOString of an invalid Date: JSON.stringify writes null
    }
  }

  /** How a value reads as text: JavaScript's own conversion. */
  static String text(Object value) {
    if (value == null || value instanceof Undefined) {
      return String.valueOf(value instanceof Undefined ? "undefined" : "null");
    }
    return Context.toString(value);
  }
}
