package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The headers of a bridge frame the bridge turns into delivery options rather than message headers: one it would
 * throw on while dispatching the frame must be refused before, or the bridge's parser is left out of step.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BridgeDeliveryHeadersTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("bridge.port", 0)));
  }

  private static String errorCode(JsonObject err) {
    return new JsonObject(err.getString("message")).getJsonObject("error").getString("code");
  }

  @ParameterizedTest
  @ValueSource(strings = {"string", "jsonobject", "no-such-codec"})
  void shouldRefuseACodecNameHeaderAndKeepServingTheConnection(String codec) throws IOException {
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort())) {
      // a codec the body is not of (or none of that name) threw inside the bridge's parser, which then read the
      // JSON of the frames after it as lengths: the request never answered, the connection deaf and buffering
      client.write(client.frame("send", EventBusApi.SESSION_GET).put("replyAddress", "mine")
        .put("headers", new JsonObject().put("codecName", codec)).put("body", new JsonObject().put("session", "s")));
      client.write(client.frame("send", EventBusApi.SESSION_GET).put("headers", new JsonObject().put("codecName", codec))
        .put("body", new JsonObject().put("session", "s")));
      client.write(new JsonObject().put("type", "ping"));

      JsonObject err = client.read().orElseThrow();
      assertThat(err.getString("address")).as("the request fails at once").isEqualTo("mine");
      assertThat(err.getInteger("failureCode")).isEqualTo(400);
      assertThat(errorCode(err)).isEqualTo("invalid_frame");
      assertThat(new JsonObject(err.getString("message")).getJsonObject("error").getString("message"))
        .contains("codecName");
      assertThat(errorCode(client.read().orElseThrow())).as("without a reply address too").isEqualTo("invalid_frame");
      assertThat(client.read().orElseThrow().getString("type")).as("the next frame is read as a frame").isEqualTo("pong");
      String reply = client.request(EventBusApi.SESSION_GET, new JsonObject().put("session", "s"));
      assertThat(client.readUntil(f -> reply.equals(f.getString("address"))).getInteger("failureCode"))
        .as("and a request after it is answered").isEqualTo(404);
    }
    gw.assertHealthy();
  }
}
