package io.botgate.console;

import io.botgate.session.SessionId;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One frame a console client sent, read and checked whole before anything is done with it: a frame with
 * a wrong type anywhere is refused with a message saying what and where, and changes nothing.
 */
record ConsoleCommand(String op, String session, long after, Map<String, Long> afterBySession) {

  static final String SUBSCRIBE = "subscribe";
  static final String UNSUBSCRIBE = "unsubscribe";
  static final String PING = "ping";
  private static final int MAX_QUOTED = 60;
  private static final int MAX_PARSER_MESSAGE = 200;
  private static final Pattern LOCATION = Pattern.compile("line: (\\d+), column: (\\d+)");

  /** A frame that cannot be used; the message is meant for the client. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** Where to resume a session: after the seq given for it, else after the one for all. */
  long after(String s) {
    return afterBySession == null ? after : afterBySession.getOrDefault(s, 0L);
  }

  static ConsoleCommand parse(String text) throws Invalid {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new Invalid("the frame is not a JSON object: " + notAnObject(text, e));
    }
    Object op = frame.getValue("op");
    if (op == null) {
      throw new Invalid("a frame needs \"op\": subscribe, unsubscribe or ping");
    }
    if (!(op instanceof String name)) {
      throw new Invalid("\"op\" must be a string (subscribe, unsubscribe or ping), got " + describe(op));
    }
    return switch (name) {
      case PING -> new ConsoleCommand(PING, null, 0, null);
      case UNSUBSCRIBE -> new ConsoleCommand(UNSUBSCRIBE, session(frame), 0, null);
      case SUBSCRIBE -> subscribe(frame);
      default -> throw new Invalid("unknown op '" + shorten(name, MAX_QUOTED) + "': use subscribe, unsubscribe or ping");
    };
  }

  private static ConsoleCommand subscribe(JsonObject frame) throws Invalid {
    String session = session(frame);
    Object after = frame.getValue("after");
    if (after == null) {
      return new ConsoleCommand(SUBSCRIBE, session, 0, null);
    }
    if (after instanceof JsonObject && !session.equals("*")) {
      // kept with the subscription, up to console.subscriptions of them: 256 KB frames of names held 17 MB a connection
      throw new Invalid("\"after\" must be a sequence number for one session (an object of session to sequence "
        + "number is for \"*\"), got an object");
    }
    if (after instanceof JsonObject map) {
      Map<String, Long> bySession = new HashMap<>();
      for (Map.Entry<String, Object> e : map) {
        String key = e.getKey();
        String problem = SessionId.problem(key);
        if (problem != null) {
          throw new Invalid("\"after\": the key " + describe(key) + " is not a session id: " + problem);
        }
        bySession.put(key, seq(e.getValue(), "\"after\"." + describe(key)));
      }
      return new ConsoleCommand(SUBSCRIBE, session, 0, bySession);
    }
    if (after instanceof Number) {
      return new ConsoleCommand(SUBSCRIBE, session, seq(after, "\"after\""), null);
    }
    throw new Invalid("\"after\" must be a sequence number, or for \"*\" an object of session to sequence number, got "
      + describe(after));
  }

  private static String session(JsonObject frame) throws Invalid {
    Object session = frame.getValue("session");
    if (session == null) {
      throw new Invalid("\"session\" is required: a session id, or \"*\" for every session");
    }
    if (!(session instanceof String s)) {
      throw new Invalid("\"session\" must be a string (a session id, or \"*\" for every session), got " + describe(session));
    }
    if (s.isBlank()) {
      throw new Invalid("\"session\" must not be blank");
    }
    if (s.length() > SessionId.MAX_LENGTH) {
      throw new Invalid("\"session\" is longer than " + SessionId.MAX_LENGTH + " characters");
    }
    String problem = s.equals("*") ? null : SessionId.problem(s);
    if (problem != null) {
      throw new Invalid("\"session\": " + problem);
    }
    return s;
  }

  /** A sequence number: a whole number from 0 up. */
  private static long seq(Object value, String where) throws Invalid {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      long n = ((Number) value).longValue();
      if (n >= 0) {
        return n;
      }
    } else if (value instanceof BigInteger || value instanceof BigDecimal
      || (value instanceof Double || value instanceof Float) && Double.isFinite(((Number) value).doubleValue())) {
      BigDecimal n = new BigDecimal(value.toString());
      if (n.signum() >= 0 && n.stripTrailingZeros().scale() <= 0 && n.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
        return n.longValueExact();
      }
    }
    throw new Invalid(where + " must be a whole number from 0 up (a sequence number), got " + describe(value));
  }

  /** The value as a client would recognise it, short. */
  static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return "\"" + shorten(s, MAX_QUOTED).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    return shorten(String.valueOf(value), MAX_QUOTED);
  }

  /** The parser's first line, with where it stopped; never the text it read. */
  /** What the frame is instead: other JSON (the parser only says it failed to decode it), or where it stops being JSON. */
  private static String notAnObject(String text, RuntimeException e) {
    try {
      return "it is " + describe(Json.decodeValue(text));
    } catch (DecodeException notJson) {
      return parserMessage(e.getMessage());
    }
  }

  private static String parserMessage(String message) {
    if (message == null) {
      return "unreadable";
    }
    String first = message.lines().findFirst().orElse("").replaceFirst("^Failed to decode: ?", "");
    Matcher where = LOCATION.matcher(message);
    return shorten(first, MAX_PARSER_MESSAGE) + (where.find() ? " at line " + where.group(1) + ", column " + where.group(2) : "");
  }

  private static String shorten(String text, int max) {
    if (text == null) {
      return "";
    }
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }
}
