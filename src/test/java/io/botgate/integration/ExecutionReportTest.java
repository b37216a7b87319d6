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

/** The HTTP answer's text, written field by field, says what the bus's object says, in the same order. */
class ExecutionReportTest {

  private final DebugStream stream = new DebugStream(null, 10, 1_000, 60_000, System::currentTimeMillis);

  @Test
  void shouldWriteTheAnswerAsTheBusObjectSaysItEveryFieldInItsOrder() {
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
      new JsonObject().put("a", 1));
    ExecutionReport plain = new ExecutionReport(new IntegrationResult("s-2", "faq", true, "200", 5L, 1, 1, "n1"),
      null, null, Map.of(), 7L, null, null, null, new JsonObject());

    for (ExecutionReport report : List.of(full, plain)) {
      JsonObject bus = report.toJson();
      JsonObject written = new JsonObject(report.toBuffer());
      assertThat(written).isEqualTo(bus);
      assertThat(names(written)).isEqualTo(names(bus));
      assertThat(names(written.getJsonObject("result"))).isEqualTo(names(bus.getJsonObject("result")));
    }
    JsonObject written = new JsonObject(full.toBuffer());
    assertThat(written.getJsonObject("result").getString("at")).isEqualTo("2025-11-24T16:00:00.123Z");
    assertThat(written.getJsonObject("timings").getValue("upstreamMs")).isNull();
    assertThat(written.getJsonArray("events").getJsonObject(0).getString("text")).endsWith("\u00e9");
    assertThat(new JsonObject(plain.toBuffer()).fieldNames()).doesNotContain("reason", "mode", "scriptErrors",
      "variableChanges");
  }

  private static List<String> names(JsonObject json) {
    return new ArrayList<>(json.fieldNames());
  }
}
