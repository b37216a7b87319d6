package io.botgate.script;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.NativeArray;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Undefined;

import java.util.List;
import java.util.Map;

/**
 * Converts values both ways between bot variables (JSON values) and plain JavaScript values, so no Java
 * object ever reaches a script: strings, numbers, booleans, arrays and objects only.
 */
final class JsValues {

  static final int MAX_DEPTH = 32;

  private JsValues() {
  }

  static Object toJs(Object value, Context cx, Scriptable scope) {
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
      return toJs(arr.getList(), cx, scope);
    }
    if (value instanceof JsonObject obj) {
      return toJs(obj.getMap(), cx, scope);
    }
    if (value instanceof List<?> list) {
      Object[] items = new Object[list.size()];
      for (int i = 0; i < items.length; i++) {
        items[i] = toJs(list.get(i), cx, scope);
      }
      return cx.newArray(scope, items);
    }
    if (value instanceof Map<?, ?> map) {
      Scriptable obj = cx.newObject(scope);
      map.forEach((k, v) -> ScriptableObject.putProperty(obj, String.valueOf(k), toJs(v, cx, scope)));
      return obj;
    }
    return String.valueOf(value);
  }

  /** A JavaScript value as a JSON value: String, Integer/Long/Double, Boolean, JsonArray, JsonObject or null. */
  static Object toJava(Object value) {
    return toJava(value, 0);
  }

  private static Object toJava(Object value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new EvaluatorException("value nested deeper than " + MAX_DEPTH + " levels (a cycle?)");
    }
    if (value == null || value instanceof Undefined || value == Scriptable.NOT_FOUND) {
      return null;
    }
    if (value instanceof CharSequence cs) {
      return cs.toString();
    }
    if (value instanceof Boolean) {
      return value;
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
        long l = (long) d;
        return l == (int) l ? (Object) (int) l : (Object) l;
      }
      return d;
    }
    if (value instanceof NativeArray arr) {
      JsonArray out = new JsonArray();
      long length = arr.getLength();
      for (int i = 0; i < length; i++) {
        out.add(toJava(arr.get(i, arr), depth + 1));
      }
      return out;
    }
    if (value instanceof Function) {
      throw new EvaluatorException("a function cannot be stored in a bot variable");
    }
    if (value instanceof Scriptable obj) {
      JsonObject out = new JsonObject();
      for (Object id : obj.getIds()) {
        String key = String.valueOf(id);
        Object v = id instanceof Integer i ? obj.get(i, obj) : obj.get(key, obj);
        out.put(key, toJava(v, depth + 1));
      }
      return out;
    }
    return String.valueOf(value);
  }

  /** How a value reads as text: JavaScript's own conversion. */
  static String text(Object value) {
    if (value == null || value instanceof Undefined) {
      return String.valueOf(value instanceof Undefined ? "undefined" : "null");
    }
    return Context.toString(value);
  }
}
