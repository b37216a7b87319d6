package io.botgate.integration;

import io.botgate.GatewayError;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * What a caller sends with an execution: {@code variables} (request scope), {@code slots},
 * {@code userMessage}, and optional {@code preProcess} / {@code postProcess} scripts.
 */
public record ExecutionRequest(JsonObject variables, JsonObject slots, String userMessage, String preProcess,
                               String postProcess) {

  private static final Set<String> KNOWN = Set.of("variables", "slots", "userMessage", "preProcess",
    "postProcess", "session", "integration");

  public static ExecutionRequest empty() {
    return new ExecutionRequest(null, null, null, null, null);
  }

  /** Reads and checks a request body; a wrong field answers 400 naming it. */
  public static ExecutionRequest fromJson(JsonObject json) {
    if (json == null) {
      return empty();
    }
    for (String key : json.fieldNames()) {
      if (!KNOWN.contains(key)) {
        throw GatewayError.badRequest("invalid_request", "unknown field '" + key + "'; known fields are "
          + new java.util.TreeSet<>(KNOWN));
      }
    }
    return new ExecutionRequest(object(json, "variables"), object(json, "slots"), string(json, "userMessage"),
      string(json, "preProcess"), string(json, "postProcess"));
  }

  private static JsonObject object(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v == null || v instanceof JsonObject) {
      return (JsonObject) v;
    }
    throw GatewayError.badRequest("invalid_request", "'" + key + "' must be a JSON object");
  }

  private static String string(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw GatewayError.badRequest("invalid_request", "'" + key + "' must be a string");
  }
}
