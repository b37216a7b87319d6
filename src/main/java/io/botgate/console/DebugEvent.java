package io.botgate.console;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * One entry of a session's debug stream. {@code seq} increases strictly within a session, so a client
 * resumes with {@code after=<seq>} without gaps or duplicates.
 */
public record DebugEvent(long seq, String session, Instant ts, String kind, String level, String text,
                         JsonObject data) {

  public static final String DEBUG = "debug";
  public static final String MESSAGE = "message";
  public static final String INTEGRATION = "integration";
  public static final String SCRIPT = "script";
  public static final String VARIABLE = "variable";
  public static final String WARNING = "warning";
  public static final String ERROR = "error";
  public static final String DROPPED = "dropped";

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("seq", seq)
      .put("session", session)
      .put("ts", ts.toString())
      .put("kind", kind)
      .put("level", level)
      .put("text", text);
    if (data != null) {
      json.put("data", data);
    }
    return json;
  }
}
