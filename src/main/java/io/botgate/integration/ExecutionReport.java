package io.botgate.integration;

import io.botgate.JsonText;
import io.botgate.events.Transcript;
import io.botgate.session.IntegrationResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The answer to an execution: the result, the outcome CB's rules branch on, why it failed when there is
 * no upstream status, the request line, the mapped fields, what the scripts did, and timings.
 */
public record ExecutionReport(IntegrationResult result, String reason, String requestLine,
                              Map<String, Object> fields, Long upstreamMs, String mode, Transcript transcript,
                              JsonArray scriptErrors, JsonObject variableChanges) {

  public String outcome() {
    return result.success() ? "success" : "failure";
  }

  ExecutionReport with(Transcript transcript, JsonArray errors, JsonObject changes) {
    return new ExecutionReport(result, reason, requestLine, fields, upstreamMs, mode, transcript, errors, changes);
  }

  /** The answer as a JSON object, as the event bus carries it. */
  public JsonObject toJson() {
    return toJson(transcript == null ? new JsonArray() : transcript.eventsAsJson());
  }

  /** The answer as JSON text, with the events spliced in as they were encoded when emitted. */
  public Buffer toBuffer() {
    return JsonText.toBuffer(toJson(transcript == null ? new JsonArray() : transcript.events()));
  }

  private JsonObject toJson(Object events) {
    JsonObject json = new JsonObject()
      .put("result", result.toJson())
      .put("outcome", outcome());
    if (reason != null) {
      json.put("reason", reason);
    }
    json.put("request", requestLine);
    if (mode != null) {
      json.put("mode", mode); // which upstream mode answered: live, mock or record
    }
    json.put("variables", new JsonObject(fields)); // read only: the map is not changed after mapping
    json.put("messages", transcript == null ? new JsonArray() : transcript.messages());
    if (scriptErrors != null && !scriptErrors.isEmpty()) {
      json.put("scriptErrors", scriptErrors);
    }
    if (variableChanges != null && !variableChanges.isEmpty()) {
      json.put("variableChanges", variableChanges);
    }
    json.put("events", events);
    json.put("timings", new JsonObject().put("totalMs", result.durationMs()).put("upstreamMs", upstreamMs));
    return json;
  }
}
