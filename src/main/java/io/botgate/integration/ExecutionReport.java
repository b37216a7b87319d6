package io.botgate.integration;

import io.botgate.console.Transcript;
import io.botgate.session.IntegrationResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer to an execution: the result, the outcome CB's rules branch on, why it failed when there is
 * no upstream status, the request line, the mapped fields, what the scripts did, and timings.
 */
public record ExecutionReport(IntegrationResult result, String reason, String requestLine,
                              Map<String, Object> fields, Long upstreamMs, JsonArray messages, JsonArray events,
                              JsonArray scriptErrors, JsonObject variableChanges) {

  public String outcome() {
    return result.success() ? "success" : "failure";
  }

  ExecutionReport with(Transcript transcript, JsonArray errors, JsonObject changes) {
    return new ExecutionReport(result, reason, requestLine, fields, upstreamMs, transcript.messages(),
      transcript.events(), errors, changes);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("result", result.toJson())
      .put("outcome", outcome());
    if (reason != null) {
      json.put("reason", reason);
    }
    json.put("request", requestLine);
    json.put("variables", new JsonObject(new LinkedHashMap<>(fields)));
    json.put("messages", messages == null ? new JsonArray() : messages);
    if (scriptErrors != null && !scriptErrors.isEmpty()) {
      json.put("scriptErrors", scriptErrors);
    }
    if (variableChanges != null && !variableChanges.isEmpty()) {
      json.put("variableChanges", variableChanges);
    }
    json.put("events", events == null ? new JsonArray() : events);
    json.put("timings", new JsonObject().put("totalMs", result.durationMs()).put("upstreamMs", upstreamMs));
    return json;
  }
}
