package io.botgate.session;

import io.botgate.JsonText;
import io.botgate.Timestamps;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * The outcome of one integration execution, as published on {@code botgate.results}.
 * {@code statusCode} is always a string, as in Conversation Builder. {@code atMillis} is when the execution
 * started, in epoch milliseconds: a session keeps its last results, and an {@code Instant} each would be one
 * object more for the collector to copy (the JSON shows milliseconds only).
 */
public record IntegrationResult(String session, String integration, boolean success, String statusCode,
                                long atMillis, long durationMs, int attempts, String node) {

  private static final JsonText.Key SESSION = JsonText.key("session");
  private static final JsonText.Key INTEGRATION = JsonText.key("integration");
  private static final JsonText.Key SUCCESS = JsonText.key("success");
  private static final JsonText.Key STATUS_CODE = JsonText.key("statusCode");
  private static final JsonText.Key AT = JsonText.key("at");
  private static final JsonText.Key DURATION_MS = JsonText.key("durationMs");
  private static final JsonText.Key ATTEMPTS = JsonText.key("attempts");
  private static final JsonText.Key NODE = JsonText.key("node");

  public JsonObject toJson() {
    return new JsonObject()
      .put("session", session)
      .put("integration", integration)
      .put("success", success)
      .put("statusCode", statusCode)
      .put("at", Timestamps.iso(atMillis))
      .put("durationMs", durationMs)
      .put("attempts", attempts)
      .put("node", node);
  }

  /** The fields of {@link #toJson()}, in its order, written as JSON text without the object being built. */
  public JsonText.Members members() {
    return out -> out.string(SESSION, session).string(INTEGRATION, integration).value(SUCCESS, success)
      .string(STATUS_CODE, statusCode).timestamp(AT, atMillis).number(DURATION_MS, durationMs)
      .number(ATTEMPTS, attempts).string(NODE, node);
  }

  public static IntegrationResult fromJson(JsonObject json) {
    long atMillis = Instant.parse(json.getString("at")).toEpochMilli();
    return new IntegrationResult(json.getString("session"), json.getString("integration"),
      json.getBoolean("success", false), json.getString("statusCode"), atMillis, json.getLong("durationMs", 0L),
      json.getInteger("attempts", 0), json.getString("node"));
  }
}
