package io.botgate.session;

import io.botgate.OnLoop;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One request against a session (CB's "user turn"): the request-scope variables, slots and the user's
 * message, over the session's own variables. Lookups read the request scope first.
 */
public final class RequestScope {

  private final Session session;
  private final Map<String, Object> variables = new LinkedHashMap<>();
  private final Map<String, Object> slots;
  private final String userMessage;
  /** What this request's own variables hold, bounded by session.maxBytes as a session's are. */
  private long requestBytes;

  public RequestScope(Session session, JsonObject variables, JsonObject slots, String userMessage) {
    this(session, slots == null ? Map.of() : slots.getMap(), userMessage);
    if (variables != null) {
      this.variables.putAll(variables.getMap());
      this.variables.forEach((name, value) -> requestBytes += HeldBytes.variable(name, value));
    }
  }

  /**
   * As the constructor, or null when the variables hold more than {@link OnLoop#MAX_BYTES} (as {@link HeldBytes} counts
   * them; an execute body of 20,000 variables, a megabyte, was copied and counted on the loop in 3 to 10 ms): such a scope is made on a
   * worker. They are counted before they are copied, the count stopping past the bound, so the usual request of a
   * few variables is walked once, as the constructor walks it, and a large one only up to the bound.
   */
  public static RequestScope onLoop(Session session, JsonObject variables, JsonObject slots, String userMessage) {
    long bytes = variables == null ? 0 : HeldBytes.variables(variables.getMap(), OnLoop.MAX_BYTES);
    if (bytes > OnLoop.MAX_BYTES) {
      return null;
    }
    RequestScope scope = new RequestScope(session, slots == null ? Map.of() : slots.getMap(), userMessage);
    if (variables != null) {
      scope.variables.putAll(variables.getMap());
      scope.requestBytes = bytes;
    }
    return scope;
  }

  private RequestScope(Session session, Map<String, Object> slots, String userMessage) {
    this.session = session;
    this.slots = slots;
    this.userMessage = userMessage;
  }

  public Session session() {
    return session;
  }

  /** This request over another copy of its session (the one a turn holds). */
  public RequestScope on(Session other) {
    RequestScope moved = new RequestScope(other, slots, userMessage);
    moved.variables.putAll(variables);
    moved.requestBytes = requestBytes;
    return moved;
  }

  public String userMessage() {
    return userMessage;
  }

  public Object slot(String name) {
    return slots.get(name);
  }

  /** The variable's value, request scope first, then session; null when unset. */
  public Object variable(String name) {
    synchronized (this) {
      if (variables.containsKey(name)) {
        return variables.get(name);
      }
    }
    return session.variable(name);
  }

  /**
   * Sets a variable for this request only, or for the session when {@code forSession}.
   *
   * @throws SessionLimitExceeded when the session, or this request's own variables, would hold more
   *                              than {@code session.maxBytes}; nothing changes then
   */
  public void setVariable(String name, Object value, boolean forSession) {
    if (forSession) {
      session.setVariable(name, value);
      synchronized (this) {
        Object old = variables.remove(name);
        requestBytes -= old == null ? 0 : HeldBytes.variable(name, old);
      }
    } else {
      synchronized (this) {
        Object old = variables.get(name);
        long delta = (value == null ? 0 : HeldBytes.variable(name, value)) - (old == null ? 0 : HeldBytes.variable(name, old));
        if (delta > 0 && requestBytes + delta > session.maxBytes()) {
          throw SessionLimitExceeded.of(session.maxBytes(), "setting '" + name + "' would make this request's "
            + "variables hold about " + (requestBytes + delta) + " bytes; they keep their previous values");
        }
        variables.put(name, value);
        requestBytes += delta;
      }
    }
  }

  /** How a value reads inside a template or a message: text, with lists joined by ", ". */
  public static String asText(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      // a whole number written out up to 1e21, from its shortest decimal form as JavaScript does (1e19 was clamped
      // to 9223372036854775807); past that, Java's exponent form
      return Math.abs(d) < 1e15 ? Long.toString(d.longValue())
        : Math.abs(d) < 1e21 ? new BigDecimal(Double.toString(d)).toPlainString() : String.valueOf(d);
    }
    if (value instanceof JsonArray arr) {
      return arr.stream().map(v -> v == null ? "" : asText(v)).collect(Collectors.joining(", "));
    }
    if (value instanceof JsonObject obj) {
      return obj.encode();
    }
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      return asText(JsonObject.of("v", value).getValue("v"));
    }
    return String.valueOf(value);
  }
}
