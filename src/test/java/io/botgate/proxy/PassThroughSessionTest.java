package io.botgate.proxy;

import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A pass-through call and the life of the session it began in: deleted or refilled while the call streams. */
@Timeout(120)
class PassThroughSessionTest {

  /** Each test's gateway in a Vert.x of its own: two gateways on one Vert.x asking for any port would share one. */
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    result(vertx.close());
  }

  private static TestGateway gateway(Vertx vertx, JsonObject config) {
    TestGateway gw = result(TestGateway.start(vertx, config));
    HttpResponse<Buffer> declared = result(gw.declare(new JsonObject().put("name", "held").put("method", "GET")
      .put("url", "stub:/held").put("capture", true)));
    assertThat(declared.statusCode()).as(declared.bodyAsString()).isIn(200, 201);
    return gw;
  }

  /** A call through the proxy that the stub upstream holds until the test releases it. */
  private static Future<HttpResponse<Buffer>> heldCall(TestGateway gw, String session) {
    Future<HttpResponse<Buffer>> call = gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/held/x")
      .putHeader("X-Botgate-Session", session).send();
    await().atMost(Duration.ofSeconds(60)).until(() -> gw.upstream.held() == 1);
    return call;
  }

  private static int delete(TestGateway gw, String session) {
    return result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session).send()).statusCode();
  }

  private static HttpResponse<Buffer> script(TestGateway gw, String session, String code) {
    return result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", code)));
  }

  private static List<JsonObject> warnings(TestGateway gw, String session) {
    JsonArray events = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/events")
      .send()).bodyAsJsonObject().getJsonArray("events");
    return events.stream().map(JsonObject.class::cast).filter(e -> "warning".equals(e.getString("kind"))).toList();
  }

  private static String refusedSessions(TestGateway gw) {
    return result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString().lines()
      .filter(line -> line.startsWith("botgate_sessions_refused")).findFirst().orElseThrow();
  }

  @Test
  void shouldKeepACallBegunBeforeADeleteOutOfTheSessionMadeAfterIt() {
    TestGateway gw = gateway(vertx, new JsonObject());
    Future<HttpResponse<Buffer>> call = heldCall(gw, "p1");
    assertThat(delete(gw, "p1")).isEqualTo(204);
    assertThat(script(gw, "p1", "botContext.setBotVariable('fresh', 'yes', true, false)").statusCode())
      .isEqualTo(200);
    gw.upstream.releaseHeld();

    HttpResponse<Buffer> answer = result(call);
    assertThat(answer.statusCode()).as("the caller's answer is the upstream's").isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getBoolean("released")).isTrue();
    JsonObject session = result(gw.session("p1"));
    assertThat(session.getJsonObject("variables").getString("fresh")).isEqualTo("yes");
    assertThat(session.getJsonObject("variables").fieldNames()).as("nothing captured into it").containsOnly("fresh");
    assertThat(session.getValue("lastResult")).as("the session made after the DELETE has no result").isNull();
    assertThat(warnings(gw, "p1")).anySatisfy(w -> assertThat(w.getString("text"))
      .contains("held: the call's outcome (HTTP 200) is not recorded").contains("deleted or expired"));
  }

  @Test
  void shouldNotRefuseAtRecordTimeACallWhoseSessionWasDeletedWhileTheGatewayFilledUp() {
    TestGateway gw = gateway(vertx, new JsonObject().put("session.max", 2));
    String refusedBefore = refusedSessions(gw);
    Future<HttpResponse<Buffer>> call = heldCall(gw, "q1");
    assertThat(delete(gw, "q1")).isEqualTo(204);
    assertThat(script(gw, "q2", "botContext.printDebugMessage('here')").statusCode()).isEqualTo(200);
    assertThat(script(gw, "q3", "botContext.printDebugMessage('here')").statusCode()).isEqualTo(200);
    gw.upstream.releaseHeld();

    assertThat(result(call).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(60)).until(() -> !warnings(gw, "q1").isEmpty());
    assertThat(warnings(gw, "q1")).singleElement().satisfies(w -> assertThat(w.getString("text"))
      .contains("is not recorded"));
    assertThat(refusedSessions(gw)).as("no new session was asked for").isEqualTo(refusedBefore);
    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/q1").send()).statusCode())
      .isEqualTo(404);
  }
}
