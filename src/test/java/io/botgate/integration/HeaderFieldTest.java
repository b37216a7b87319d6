package io.botgate.integration;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** Header fields that could never be sent are refused before anything is sent, their values never shown. */
@ExtendWith(VertxExtension.class)
class HeaderFieldTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("env", new JsonObject().put("BELL", "Env-Secret-7\u0007"))));
  }

  private static JsonObject withToken(String name, String header, String value) {
    return new JsonObject().put("name", name).put("method", "GET").put("url", "stub:/echo/" + name).put("retries", 0)
      .put("headers", new JsonObject().put(header, value));
  }

  @Test
  void shouldRejectAControlCharacterInARenderedHeaderValueAs440WithoutShowingTheValue() {
    for (String control : List.of("\u000b", "\u0000", "\u001f", "\u007f")) {
      String secret = "TopSecret-42" + control;
      JsonObject report = result(gw.declareAndExecute("h1", withToken("hdr", "X-User-Token", "{$botContext.tok}"),
        new JsonObject().put("variables", new JsonObject().put("tok", secret))));
      JsonObject outcome = report.getJsonObject("result");
      assertThat(outcome.getString("statusCode")).as("U+%04X", (int) control.charAt(0)).isEqualTo("440");
      assertThat(report.getString("reason")).contains("header 'X-User-Token'").contains("{$botContext.tok}")
        .contains("control character");
      assertThat(report.encode()).as("the answer and its events").doesNotContain("TopSecret-42");
      String kept = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/h1/events?after=0").send())
        .bodyAsString();
      assertThat(kept).as("the session's kept events").contains("control character").doesNotContain("TopSecret-42");
    }
    assertThat(gw.upstream.hits("/echo/hdr")).isZero();
  }

  @Test
  void shouldRejectAnEnvValueWithAControlCharacterInAHeaderWithoutShowingIt() {
    JsonObject report = result(gw.declareAndExecute("h2", withToken("envHdr", "X-Custom", "Bearer {$env.BELL}"), null));
    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("440");
    assertThat(report.getString("reason")).contains("header 'X-Custom'").contains("{$env.BELL}");
    assertThat(report.encode()).doesNotContain("Env-Secret-7");
    assertThat(gw.upstream.hits("/echo/envHdr")).isZero();
  }

  @Test
  void shouldRefuseACharacterPastLatin1InAHeaderRatherThanSendItAsAQuestionMark() {
    JsonObject report = result(gw.declareAndExecute("h4", withToken("wideHdr", "X-Name", "{$botContext.who}"),
      new JsonObject().put("variables", new JsonObject().put("who", "w\u00f6rld\ud83d\ude00"))));
    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("440");
    assertThat(report.getString("reason")).contains("header 'X-Name'").contains("U+1F600 at character 6")
      .contains("past Latin-1");
    assertThat(gw.upstream.hits("/echo/wideHdr")).isZero();
    HttpResponse<Buffer> literal = result(gw.declare(withToken("wideLiteral", "X-Mark", "done \u2713")));
    assertThat(literal.statusCode()).isEqualTo(400);
    assertThat(literal.bodyAsString()).contains("headers.X-Mark").contains("U+2713 at character 6");
    JsonObject latin1 = result(gw.declareAndExecute("h5", withToken("latinHdr", "X-Name", "{$botContext.who}"),
      new JsonObject().put("variables", new JsonObject().put("who", "h\u00e9llo"))));
    assertThat(latin1.getJsonObject("result").getString("statusCode")).as("Latin-1 goes as it is").isEqualTo("200");
  }

  @Test
  void shouldSendATabInsideAHeaderValue() {
    JsonObject report = result(gw.declareAndExecute("h3", withToken("tabHdr", "X-Words", "{$botContext.words}"),
      new JsonObject().put("variables", new JsonObject().put("words", "a\tb"))));
    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    assertThat(gw.upstream.hits("/echo/tabHdr")).isEqualTo(1);
  }
}
