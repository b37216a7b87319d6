package io.botgate.integration;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * How deeply a JSON value nests objects and arrays, measured without recursion: the value may be as deep as
 * the JSON parser allows, which is far deeper than the recursive walks over a definition may go.
 */
public final class JsonNesting {

  private JsonNesting() {
  }

  /** Whether {@code value} nests more than {@code limit} objects and arrays (a scalar nests none). */
  public static boolean deeperThan(Object value, int limit) {
    Deque<Iterator<?>> open = new ArrayDeque<>();
    Collection<?> children = children(value);
    if (children != null) {
      open.push(children.iterator());
    }
    while (!open.isEmpty()) {
      if (open.size() > limit) {
        return true;
      }
      Iterator<?> next = open.peek();
      if (!next.hasNext()) {
        open.pop();
        continue;
      }
      Collection<?> inner = children(next.next());
      if (inner != null) {
        open.push(inner.iterator());
      }
    }
    return false;
  }

  private static Collection<?> children(Object value) {
    if (value instanceof JsonObject obj) {
      return obj.getMap().values();
    }
    if (value instanceof JsonArray arr) {
      return arr.getList();
    }
    if (value instanceof Map<?, ?> map) {
      return map.values();
    }
    return value instanceof List<?> list ? list : null;
  }
}
