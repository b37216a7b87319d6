package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session id with a control character in it is refused wherever it comes in, before it reaches a session,
 * an event or a log line, where a newline in it would forge a line of its own.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class SessionIdsTest {

  static final String FORGED = "inj%0A2026-12-04T00:00:00.000Z%20ERROR%20Fake%20-%20forged";
  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
  }

  private static void assertRefused(HttpResponse<Buffer> r, String character) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_session");
    assertThat(error.getString("message")).contains("control characters").contains(character);
  }

  @Test
  void shouldRefuseASessionIdWithAControlCharacterOnEveryRoute() {
    int port = gw.gateway.port();
    assertRefused(result(gw.http.post(port, "127.0.0.1", "/api/sessions/" + FORGED + "/integrations/faqIntegration")
      .send()), "U+000A");
    assertRefused(result(gw.http.post(port, "127.0.0.1", "/api/sessions/nul%00/scripts")
      .sendJsonObject(new JsonObject().put("code", "botContext.sendMessage('x');"))), "U+0000");
    for (String path : List.of("/api/sessions/" + FORGED, "/api/sessions/" + FORGED + "/events")) {
      assertRefused(result(gw.http.get(port, "127.0.0.1", path).send()), "U+000A");
    }
    assertRefused(result(gw.http.delete(port, "127.0.0.1", "/api/sessions/tab%09").send()), "U+0009");

    assertThat(result(gw.http.get(port, "127.0.0.1", "/api/sessions").send()).bodyAsJsonObject()
      .getJsonArray("sessions").stream().map(s -> ((JsonObject) s).getString("session")))
      .as("no session was made").noneMatch(id -> id.startsWith("inj") || id.startsWith("nul"));
  }

  @Test
  void shouldSayABlankSessionIdIsOnlyWhiteSpaceAndATooLongOneHowLong() {
    int port = gw.gateway.port();
    HttpResponse<Buffer> blank = result(gw.http.post(port, "127.0.0.1", "/api/sessions/%20%20/scripts")
      .sendJsonObject(new JsonObject().put("code", "1")));
    assertThat(blank.statusCode()).isEqualTo(400);
    assertThat(blank.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("only white space");
    HttpResponse<Buffer> line = result(gw.http.post(port, "127.0.0.1", "/api/sessions/%E2%80%A8/scripts")
      .sendJsonObject(new JsonObject().put("code", "1")));
    assertThat(line.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("U+2028");
    HttpResponse<Buffer> tooLong = result(gw.http.post(port, "127.0.0.1", "/api/sessions/" + "s".repeat(201) + "/scripts")
      .sendJsonObject(new JsonObject().put("code", "1")));
    assertThat(tooLong.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("1-200 characters, not 201");
  }

  @Test
  void shouldRefuseAControlCharacterInThePassThroughSessionHeader() {
    HttpResponse<Buffer> r = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/faqIntegration/faq")
      .putHeader("X-Botgate-Session", "a\tb").send());

    assertRefused(r, "U+0009");
  }

  @Test
  void shouldRefuseTheConsolesNameForEverySessionAsASessionId() {
    int port = gw.gateway.port();
    for (HttpResponse<Buffer> r : List.of(
      result(gw.http.post(port, "127.0.0.1", "/api/sessions/*/scripts").sendJsonObject(new JsonObject().put("code", "1"))),
      result(gw.http.post(port, "127.0.0.1", "/api/sessions/*/integrations/faqIntegration").send()),
      result(gw.http.get(port, "127.0.0.1", "/proxy/faqIntegration/faq").putHeader("X-Botgate-Session", "*").send()))) {
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("'*'", "console");
    }
    assertThat(result(gw.http.post(port, "127.0.0.1", "/api/sessions/**/scripts")
      .sendJsonObject(new JsonObject().put("code", "1"))).statusCode()).as("only '*' itself is the console's").isEqualTo(200);
  }

  @Test
  void shouldRefuseADotSegmentAsASessionIdSinceNoPathCouldNameIt() {
    // made through the pass-through header (or the event bus), "." and ".." were listed by GET /api/sessions, but the
    // path normalised them away: the session could be neither read, nor deleted, nor its events paged
    for (String id : List.of(".", "..")) {
      HttpResponse<Buffer> r = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/faqIntegration/faq")
        .putHeader("X-Botgate-Session", id).send());

      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_session");
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("'" + id + "'");
    }
    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions").send()).bodyAsJsonObject()
      .getJsonArray("sessions").stream().map(s -> ((JsonObject) s).getString("session"))).doesNotContain(".", "..");
    assertThat(result(gw.execute("...", "faqIntegration", new JsonObject())).getJsonObject("result")
      .getString("session")).as("three dots are a name a path can hold").isEqualTo("...");
  }

  @Test
  void shouldStillServeOrdinaryIds() {
    JsonObject answer = result(gw.execute("ordinary-id_1.2@x", "faqIntegration",
      new JsonObject().put("variables", new JsonObject().put("question", "roaming"))));

    assertThat(answer.getJsonObject("result").getString("statusCode")).isEqualTo("200");
  }
}
