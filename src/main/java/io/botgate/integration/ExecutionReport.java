package io.botgate.integration;

import io.botgate.session.IntegrationResult;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The answer to an execution: the result, the outcome CB's rules branch on, why it failed when there is
 * no upstream status, the request line, the mapped fields and timings.
 */
public record ExecutionReport(IntegrationResult result, String reason, String requestLine,
                              Map<String, Object> fields, Long upstreamMs) {

  public String outcome() {
    return result.success() ? "success" : "failure";
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("result", result.toJson())
      .put("outcome", outcome());
    if (reason != null) {
      json.put("reason", reason);
    }
    json.put("request", requestLine);
    json.put("variables", new JsonObject(new java.util.LinkedHashMap<>(fields)));
    json.put("timings", new JsonObject().put("totalMs", result.durationMs()).put("upstreamMs", upstreamMs));
    return json;
  }
}
