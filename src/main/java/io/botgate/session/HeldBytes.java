package io.botgate.session;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * How many bytes a session is charged for what it holds: about what the value takes in the heap, counted
 * without walking more than its items. A string costs {@link #STRING} plus its length in characters (its
 * object and its array; one byte a character, as Java keeps Latin-1 text), a number {@link #NUMBER} (boxed),
 * a boolean 5, null 4; an array {@link #ARRAY} plus each item and {@link #ITEM} per item; an object
 * {@link #OBJECT} plus, per entry, {@link #ENTRY}, its key's length and its value. A variable adds its name
 * and {@link #VARIABLE} for the entry; each result kept (history and per-integration) costs {@link #RESULT}.
 * Counting the JSON text instead let a script hold 33 times its charge in the heap (an array of empty
 * objects costs 3 bytes of text each and about 80 in memory), so that {@code session.total.mb} did not bound
 * memory. The same count bounds a value while a script's value is converted, so a value too large is refused
 * before it is built.
 */
public final class HeldBytes {

  public static final int VARIABLE = 48;
  public static final int RESULT = 64;
  /** A String and its byte array, before the characters. */
  public static final int STRING = 40;
  /** A boxed number and the reference to it. */
  public static final int NUMBER = 20;
  public static final int BOOLEAN = 5;
  public static final int NULL = 4;
  /** A JsonArray and its list. */
  public static final int ARRAY = 40;
  /** A reference in an array, with its list's room to grow. */
  public static final int ITEM = 6;
  /** A JsonObject and its map's table. */
  public static final int OBJECT = 88;
  /** A map entry and its slot in the table (the key's characters are counted beside it). */
  public static final int ENTRY = 48;
  /** The least an array item can cost: null, and its reference. */
  public static final int MIN_ITEM = NULL + ITEM;

  private HeldBytes() {
  }

  /** The charge for a variable: its entry, its name and its value. */
  public static long variable(String name, Object value) {
    return variable(name, value, Long.MAX_VALUE);
  }

  /** As {@link #variable(String, Object)}, counted no further than past {@code cap} ({@link #of(Object, long)}). */
  public static long variable(String name, Object value, long cap) {
    long entry = VARIABLE + name.length();
    return entry + of(value, cap - entry);
  }

  /**
   * The charge for variables, name to value (their values unwrapped, as a JsonObject's map holds them), counted no
   * further than past {@code cap}: whether they are more than an event loop handles ({@code OnLoop.MAX_BYTES}) is
   * told by a walk of at most that much.
   */
  public static long variables(Map<String, Object> variables, long cap) {
    long bytes = 0;
    for (Map.Entry<String, Object> variable : variables.entrySet()) {
      bytes += variable(variable.getKey(), variable.getValue(), cap - bytes);
      if (bytes > cap) {
        break;
      }
    }
    return bytes;
  }

  public static long string(int length) {
    return STRING + (long) length;
  }

  /** The charge for a JSON value (String, Number, Boolean, JsonArray/List, JsonObject/Map or null). */
  public static long of(Object value) {
    return of(value, Long.MAX_VALUE);
  }

  /**
   * The charge for a JSON value, or some number past {@code cap} as soon as the count passes it: a value above the
   * bound it is checked against is refused whatever its exact size. The count walks each part as often as the value
   * holds it, and the matches of a deep scan ({@code ..}) over an upstream's answer hold each other: 1,000 of them
   * nested in a 0.8 MB answer were a walk of 3.8 GB, seconds of the event loop, before a refusal.
   */
  public static long of(Object value, long cap) {
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
      return of(arr.getList(), cap);
    }
    if (value instanceof JsonObject obj) {
      return of(obj.getMap(), cap);
    }
    if (value instanceof List<?> list) {
      long total = ARRAY;
      for (Object item : list) {
        if (total > cap) {
          return total;
        }
        total += of(item, cap - total) + ITEM;
      }
      return total;
    }
    if (value instanceof Map<?, ?> map) {
      long total = OBJECT;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (total > cap) {
          return total;
        }
        total += ENTRY + String.valueOf(e.getKey()).length() + of(e.getValue(), cap - total);
      }
      return total;
    }
    return string(String.valueOf(value).length());
  }
}
