package io.botgate.integration;

import io.botgate.events.DebugEvent;
import io.botgate.events.DebugStream;
import io.botgate.events.Transcript;
import io.botgate.session.IntegrationResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The answer's text, written field by field: every field, in its order; the bus's object is that text decoded. */
class ExecutionReportTest {

  private final DebugStream stream = new DebugStream(null, 10, 1_000, 60_000, System::currentTimeMillis);

  @Test
  void shouldWriteEveryFieldOfTheAnswerInItsOrderLeavingOutOnlyReasonAndModeWhenThereAreNone() {
    Transcript transcript = new Transcript(stream, "s-1");
    transcript.encodedEvent(DebugEvent.INTEGRATION, "info", "faq: GET http://x/\u00e9", data -> { });
    transcript.message(new JsonObject().put("text", "Hello \"you\"\n").put("type", "text"));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("faq.title", new JsonArray().add("Reset \u2014 password").add("Two"));
    fields.put("faq.title.count", 2);
    fields.put("faq.empty", null);
    IntegrationResult result = new IntegrationResult("s-1", "faq", false, "502", 1_764_000_000_123L, 42, 3, "n1");
    ExecutionReport full = new ExecutionReport(result, "transport failure: refused", "GET http://x/", fields, null,
      "live", transcript, new JsonArray().add(new JsonObject().put("message", "boom")),
      new JsonObject().put("a", 1), null);
    ExecutionReport plain = new ExecutionReport(new IntegrationResult("s-2", "faq", true, "200", 5L, 1, 1, "n1"),
      null, null, Map.of(), 7L, null, null, null, new JsonObject(), null);

    JsonObject written = new JsonObject(full.toBuffer());
    assertThat(names(written)).containsExactly("result", "outcome", "reason", "request", "mode", "variables",
      "messages", "scriptErrors", "variableChanges", "events", "timings");
    assertThat(written.getJsonObject("result")).isEqualTo(result.toJson());
    assertThat(names(written.getJsonObject("result"))).isEqualTo(names(result.toJson()));
    assertThat(written.getString("outcome")).isEqualTo("failure");
    assertThat(written.getString("reason")).isEqualTo("transport failure: refused");
    assertThat(written.getString("request")).isEqualTo("GET http://x/");
    assertThat(written.getString("mode")).isEqualTo("live");
    assertThat(written.getJsonObject("variables")).isEqualTo(new JsonObject(fields));
    assertThat(names(written.getJsonObject("variables"))).containsExactly("faq.title", "faq.title.count", "faq.empty");
    assertThat(written.getJsonArray("messages")).isEqualTo(transcript.messages());
    assertThat(written.getJsonArray("scriptErrors")).isEqualTo(full.scriptErrors());
    assertThat(written.getJsonObject("variableChanges")).isEqualTo(full.variableChanges());
    assertThat(written.getJsonArray("events")).isEqualTo(transcript.eventsAsJson());
    assertThat(written.getJsonObject("result").getString("at")).isEqualTo("2025-11-24T16:00:00.123Z");
    assertThat(written.getJsonObject("timings")).isEqualTo(new JsonObject().put("totalMs", 42).putNull("upstreamMs"));
    assertThat(written.getJsonArray("events").getJsonObject(0).getString("text")).endsWith("\u00e9");
    assertThat(full.toJson()).as("the bus's object: the same text, decoded").isEqualTo(written);

    JsonObject bare = new JsonObject(plain.toBuffer());
    assertThat(names(bare)).containsExactly("result", "outcome", "request", "variables", "messages", "scriptErrors",
      "variableChanges", "events", "timings");
    assertThat(bare.getJsonArray("scriptErrors")).isEmpty();
    assertThat(bare.getJsonObject("variableChanges")).isEmpty();
    assertThat(bare.getString("request")).isNull();
    assertThat(bare.getJsonArray("messages")).isEmpty();
    assertThat(bare.getJsonArray("events")).isEmpty();
    assertThat(bare.getJsonObject("timings")).isEqualTo(new JsonObject().put("totalMs", 1).put("upstreamMs", 7));
  }

  private static List<String> names(JsonObject json) {
    return new ArrayList<>(json.fieldNames());
  }
}
