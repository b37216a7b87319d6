package io.botgate.session;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * How many bytes a session is charged for what it holds: about the length of the value written as JSON,
 * counted without encoding it. A string costs its length in characters plus 2 (its quotes, escapes not
 * counted), a number 8, a boolean 5, null 4; an array 2 plus each item and 1 separator per item; an
 * object 2 plus, per entry, its key as a string, 1 colon, its value and 1 separator. A variable adds its
 * name and {@link #VARIABLE} for the entry; each result kept (history and per-integration) costs
 * {@link #RESULT}. The same count bounds a value while a script's value is converted, so a value too
 * large is refused before it is built.
 */
public final class HeldBytes {

  public static final int VARIABLE = 16;
  public static final int RESULT = 64;
  public static final int NUMBER = 8;
  public static final int BOOLEAN = 5;
  public static final int NULL = 4;
  /** Brackets or braces of an array or object. */
  public static final int CONTAINER = 2;
  /** The least an array item can cost: an empty string, array or object, and its separator. */
  public static final int MIN_ITEM = 3;

  private HeldBytes() {
  }

  /** The charge for a variable: its entry, its name and its value. */
  public static long variable(String name, Object value) {
    return VARIABLE + name.length() + of(value);
  }

  public static long string(int length) {
    return length + 2L;
  }

  /** The charge for a JSON value (String, Number, Boolean, JsonArray/List, JsonObject/Map or null). */
  public static long of(Object value) {
    if (value == null) {
      return NULL;
    }
    if (value instanceof CharSequence s) {
      return string(s.length());
    }
    if (value instanceof Number) {
      return NUMBER;
    }
    if (value instanceof Boolean) {
      return BOOLEAN;
    }
    if (value instanceof JsonArray arr) {
      return of(arr.getList());
    }
    if (value instanceof JsonObject obj) {
      return of(obj.getMap());
    }
    if (value instanceof List<?> list) {
      long total = CONTAINER;
      for (Object item : list) {
        total += of(item) + 1;
      }
      return total;
    }
    if (value instanceof Map<?, ?> map) {
      long total = CONTAINER;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        total += string(String.valueOf(e.getKey()).length()) + 1 + of(e.getValue()) + 1;
      }
      return total;
    }
    return string(String.valueOf(value).length());
  }
}
