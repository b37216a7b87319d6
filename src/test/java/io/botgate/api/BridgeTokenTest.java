package io.botgate.api;

import io.botgate.BotgateVerticle;
import io.botgate.GatewayConfig;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** The bridge of a gateway with {@code auth.token}: every frame carries it, or is refused. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BridgeTokenTest {

  static final String TOKEN = "bridge-test-token";
  static TestGateway gw;
  static final List<MultiMap> executeHeaders = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("auth.token", TOKEN).put("bridge.port", 0)));
    vertx.eventBus().addInboundInterceptor(delivery -> {
      if (EventBusApi.EXECUTE.equals(delivery.message().address())) {
        executeHeaders.add(delivery.message().headers());
      }
      delivery.next();
    });
  }

  private static JsonObject execution(String session) {
    return new JsonObject().put("session", session).put("integration", "faqIntegration")
      .put("variables", new JsonObject().put("question", "roaming"));
  }

  private static void assertUnauthorized(JsonObject err) {
    assertThat(err.getString("type")).isEqualTo("err");
    assertThat(err.getInteger("failureCode")).isEqualTo(401);
    JsonObject error = new JsonObject(err.getString("message")).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("unauthorized");
    assertThat(error.getString("message")).contains("\"token\"");
  }

  @Test
  void shouldRefuseARequestWithoutTheTokenAndFailItsReplyAtOnce() throws IOException {
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort())) {
      String replyAddress = client.request(EventBusApi.EXECUTE, execution("no-token"));
      JsonObject err = client.read().orElseThrow();
      assertUnauthorized(err);
      assertThat(err.getString("address")).as("addressed to the pending reply").isEqualTo(replyAddress);
      assertThat(result(gw.gateway.sessions().describe("no-token"))).isNull();
    }
  }

  @Test
  void shouldShowNothingOfARequestWithoutTheTokenInTheConsoleOfTheSessionItNames() throws IOException {
    String session = "token-console";
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort(), TOKEN)) {
      String run = client.request(EventBusApi.SCRIPT_RUN, new JsonObject().put("session", session).put("code", "1"));
      assertThat(client.readUntil(f -> run.equals(f.getString("address"))).getString("type")).isEqualTo("message");
    }
    long before = gw.gateway.stream().lastSeq(session);
    assertThat(before).isPositive();
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort())) {
      client.request(EventBusApi.SCRIPT_RUN, new JsonObject().put("session", session).put("cod", "1"));
      assertUnauthorized(client.read().orElseThrow());
      client.write(client.frame("publish", EventBusApi.EXECUTE).put("body", execution(session)));
      assertUnauthorized(client.read().orElseThrow());
    }
    assertThat(gw.gateway.stream().lastSeq(session)).as("no one without the token writes into a console")
      .isEqualTo(before);
  }

  @Test
  void shouldRefuseAWrongToken() throws IOException {
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort(), TOKEN + "x")) {
      client.request(EventBusApi.EXECUTE, execution("wrong-token"));
      assertUnauthorized(client.read().orElseThrow());
      client.register("botgate.results");
      assertUnauthorized(client.read().orElseThrow());
      client.write(client.frame("publish", EventBusApi.EXECUTE).put("body", execution("wrong-token")));
      assertUnauthorized(client.read().orElseThrow());
      assertThat(result(gw.gateway.sessions().describe("wrong-token"))).isNull();
    }
  }

  @Test
  void shouldNotDeliverResultsToAConnectionWhoseRegistrationWasRefused() throws IOException {
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort())) {
      client.register("botgate.results");
      assertUnauthorized(client.read().orElseThrow());
      result(gw.vertx.eventBus().request(EventBusApi.EXECUTE, execution("unseen")));
      client.write(new JsonObject().put("type", "ping"));
      assertThat(client.read().orElseThrow().getString("type")).as("the frame after the execution").isEqualTo("pong");
    }
  }

  @Test
  void shouldServeTheRightTokenAndKeepItOffTheBus() throws IOException {
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort(), TOKEN)) {
      client.register("botgate.results");
      JsonObject frame = client.frame("send", EventBusApi.EXECUTE).put("replyAddress", "r-token")
        .put("body", execution("with-token"));
      frame.getJsonObject("headers").put("trace", "t-1");
      client.write(frame);
      JsonObject reply = client.readUntil(f -> "r-token".equals(f.getString("address")));
      assertThat(reply.getJsonObject("body").getJsonObject("result").getString("statusCode")).isEqualTo("200");
      JsonObject published = client.readUntil(f -> "botgate.results".equals(f.getString("address")));
      assertThat(published.getJsonObject("body").getString("session")).isEqualTo("with-token");

      MultiMap headers = executeHeaders.stream().filter(h -> "t-1".equals(h.get("trace"))).findFirst().orElseThrow();
      assertThat(headers.contains("token")).as("the token travelled on the bus").isFalse();
    }
  }

  @Test
  void shouldAnswerPingsWithoutTheToken() throws IOException {
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort())) {
      client.write(new JsonObject().put("type", "ping"));
      assertThat(client.read().orElseThrow().getString("type")).isEqualTo("pong");
    }
  }

  @Test
  void shouldRefuseToBindANonLoopbackBridgeWithoutAToken() {
    Vertx own = Vertx.vertx();
    try {
      Throwable refused = failure(own.deployVerticle(new BotgateVerticle(GatewayConfig.of(new JsonObject()
        .put("http.port", 0).put("bridge.port", 0).put("bridge.host", "0.0.0.0")))));
      assertThat(refused).hasMessageContaining("bridge.host=0.0.0.0").hasMessageContaining("auth.token");
    } finally {
      result(own.close());
    }
  }
}
