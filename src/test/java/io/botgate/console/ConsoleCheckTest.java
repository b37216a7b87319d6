package io.botgate.console;

import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /console/check} answers what a console handshake sent with the same headers would be answered, as
 * JSON the page can read (a browser hides a refused handshake's status from it): the same status, code and
 * message, whatever the reason; and to a page of another origin nothing but that origin's refusal.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsoleCheckTest {

  static final String TOKEN = "check-token";

  /** The handshake's answer, as {status, body}; 101 when it was taken. */
  private static JsonObject handshake(TestGateway gw, Map<String, String> headers) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.gateway.port())
      .setURI("/console");
    headers.forEach(options::addHeader);
    Future<ConsoleClient> tried = ConsoleClient.connect(gw.vertx, options);
    await().until(tried::isComplete);
    if (tried.succeeded()) {
      tried.result().close();
      return new JsonObject().put("status", 101);
    }
    assertThat(tried.cause()).isInstanceOf(UpgradeRejectedException.class);
    UpgradeRejectedException refused = (UpgradeRejectedException) tried.cause();
    return new JsonObject().put("status", refused.getStatus()).put("body", new JsonObject(refused.getBody()));
  }

  private static HttpResponse<Buffer> check(TestGateway gw, Map<String, String> headers) {
    HttpRequest<Buffer> request = gw.http.request(HttpMethod.POST, gw.gateway.port(), "127.0.0.1", "/console/check");
    headers.forEach((name, value) -> {
      if (name.equals("Host")) {
        request.virtualHost(value);
      } else {
        request.putHeader(name, value);
      }
    });
    return result(request.send());
  }

  /** The check says what the handshake met: the same refusal, or 200 where the handshake was taken. */
  private static JsonObject sameDecision(TestGateway gw, Map<String, String> headers) {
    HttpResponse<Buffer> checked = check(gw, headers);
    JsonObject handshake = handshake(gw, headers);
    assertThat(checked.getHeader("Access-Control-Allow-Origin")).as("no other origin may read it").isNull();
    assertThat(checked.getHeader("Content-Type")).isEqualTo("application/json");
    if (handshake.getInteger("status") == 101) {
      assertThat(checked.statusCode()).as(checked.bodyAsString()).isEqualTo(200);
      assertThat(checked.bodyAsJsonObject()).isEqualTo(new JsonObject().put("accepted", true));
      return null;
    }
    assertThat(checked.statusCode()).isEqualTo(handshake.getInteger("status"));
    assertThat(checked.bodyAsJsonObject()).isEqualTo(handshake.getJsonObject("body"));
    return checked.bodyAsJsonObject().getJsonObject("error");
  }

  @Test
  void shouldAnswerTheSameDecisionAsTheHandshakeForEachReason(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("auth.token", TOKEN)
      .put("console.connections", 1)));
    String own = "http://127.0.0.1:" + gw.gateway.port();
    Map<String, String> page = Map.of("Origin", own, "Authorization", "Bearer " + TOKEN);

    assertThat(sameDecision(gw, page)).as("taken").isNull();
    assertThat(sameDecision(gw, Map.of("Origin", own)).getString("code")).isEqualTo("unauthorized");
    assertThat(sameDecision(gw, Map.of("Origin", own, "Authorization", "Bearer wrong")).getString("code"))
      .isEqualTo("unauthorized");
    assertThat(sameDecision(gw, Map.of("Origin", "http://localhost:3000", "Authorization", "Bearer " + TOKEN))
      .getString("code")).isEqualTo("origin_not_allowed");
    assertThat(sameDecision(gw, Map.of("Host", "rebound.example", "Origin", "http://rebound.example",
      "Authorization", "Bearer " + TOKEN)).getString("code")).isEqualTo("host_not_allowed");

    // the first handshake's console gives its place back when the gateway sees its connection close, which the
    // client's close() does not wait for: with console.connections 1, the next console waits for that
    await().untilAsserted(() -> assertThat(check(gw, page).statusCode()).isEqualTo(200));
    ConsoleClient open = result(ConsoleClient.connect(gw.vertx, new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(gw.gateway.port()).setURI("/console?access_token=" + TOKEN)));
    open.awaitFrame(f -> "hello".equals(f.getString("op")));
    JsonObject full = sameDecision(gw, page);
    assertThat(full.getString("code")).isEqualTo("too_many_consoles");
    assertThat(full.getString("message")).contains("console.connections");
    open.close();
    await().untilAsserted(() -> assertThat(check(gw, page).statusCode()).as("no place was taken by a check")
      .isEqualTo(200));
  }

  @Test
  void shouldTellAPageOfAnotherOriginNothingButThatItIsRefused(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("auth.token", TOKEN)
      .put("console.connections", 1)));
    ConsoleClient open = result(ConsoleClient.connect(gw.vertx, new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(gw.gateway.port()).setURI("/console?access_token=" + TOKEN)));
    open.awaitFrame(f -> "hello".equals(f.getString("op")));

    for (Map<String, String> foreign : java.util.List.of(Map.of("Origin", "https://attacker.example"),
      Map.of("Origin", "https://attacker.example", "Authorization", "Bearer " + TOKEN), Map.of("Origin", "null"))) {
      HttpResponse<Buffer> answer = check(gw, foreign);
      assertThat(answer.statusCode()).as("whether a token is needed, or the consoles full, is not said").isEqualTo(403);
      assertThat(answer.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("origin_not_allowed");
      assertThat(answer.getHeader("Access-Control-Allow-Origin")).isNull();
    }
    open.close();
  }
}
