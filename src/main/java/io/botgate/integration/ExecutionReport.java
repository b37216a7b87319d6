package io.botgate.integration;

import io.botgate.JsonText;
import io.botgate.events.KnownSecrets;
import io.botgate.events.Transcript;
import io.botgate.session.IntegrationResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * The answer to an execution: the result, the outcome CB's rules branch on, why it failed when there is
 * no upstream status, the request line, the mapped fields, what the scripts did, and timings.
 */
public record ExecutionReport(IntegrationResult result, String reason, String requestLine,
                              Map<String, Object> fields, Long upstreamMs, String mode, Transcript transcript,
                              JsonArray scriptErrors, JsonObject variableChanges, Buffer text) {

  private static final JsonText.Key RESULT = JsonText.key("result");
  private static final JsonText.Key OUTCOME = JsonText.key("outcome");
  private static final JsonText.Key REASON = JsonText.key("reason");
  private static final JsonText.Key REQUEST = JsonText.key("request");
  private static final JsonText.Key MODE = JsonText.key("mode");
  private static final JsonText.Key VARIABLES = JsonText.key("variables");
  private static final JsonText.Key MESSAGES = JsonText.key("messages");
  private static final JsonText.Key SCRIPT_ERRORS = JsonText.key("scriptErrors");
  private static final JsonText.Key VARIABLE_CHANGES = JsonText.key("variableChanges");
  private static final JsonText.Key EVENTS = JsonText.key("events");
  private static final JsonText.Key TIMINGS = JsonText.key("timings");
  private static final JsonText.Key TOTAL_MS = JsonText.key("totalMs");
  private static final JsonText.Key UPSTREAM_MS = JsonText.key("upstreamMs");

  public String outcome() {
    return result.success() ? "success" : "failure";
  }

  /**
   * This answer with its text written now ({@link #toBuffer()}), for a large one, on a worker: its text is then not
   * written again on the event loop that sends it. The transcript, errors and changes must be complete.
   */
  ExecutionReport written() {
    return new ExecutionReport(result, reason, requestLine, fields, upstreamMs, mode, transcript, scriptErrors,
      variableChanges, toBuffer());
  }

  /**
   * The answer as a JSON object, as the event bus carries it: {@link #toBuffer()}'s text decoded, so the two
   * never differ (the events, most of it, are decoded from their text either way).
   */
  public JsonObject toJson() {
    return new JsonObject(toBuffer());
  }

  /**
   * The answer as JSON text, with the events spliced in as they were encoded when emitted; written field by
   * field, without building the objects only to encode them; or {@link #text}, when it was written already.
   */
  public Buffer toBuffer() {
    if (text != null) {
      return text;
    }
    KnownSecrets known = transcript == null ? KnownSecrets.NONE : transcript.secrets();
    JsonText.Fields out = JsonText.fields().value(RESULT, result.members()).string(OUTCOME, outcome());
    if (reason != null) {
      out.string(REASON, known.scrub(reason));
    }
    out.string(REQUEST, known.scrub(requestLine)); // may quote a variable holding what an upstream echoed
    if (mode != null) {
      out.string(MODE, mode);
    }
    out.value(VARIABLES, known.scrub(fields)).value(MESSAGES, transcript == null ? List.of() : transcript.messages());
    // empty rather than absent when no script failed or changed anything: the answer keeps one shape
    out.value(SCRIPT_ERRORS, scriptErrors == null ? List.of() : known.scrub(scriptErrors))
      .value(VARIABLE_CHANGES, variableChanges == null ? Map.of() : known.scrub(variableChanges));
    out.value(EVENTS, transcript == null ? List.of() : transcript.events())
      .value(TIMINGS, (JsonText.Members) t -> t.number(TOTAL_MS, result.durationMs()).value(UPSTREAM_MS, upstreamMs));
    return JsonText.buffer(out.done());
  }
}
