package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** What a bridge client that publishes is told to do instead. */
@ExtendWith(VertxExtension.class)
class BridgePublishRefusalTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("bridge.port", 0)));
  }

  private static JsonObject refusal(String address) throws IOException {
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort())) {
      client.write(client.frame("publish", address).put("body", new JsonObject().put("session", "p1")));
      return new JsonObject(client.read().orElseThrow().getString("message")).getJsonObject("error");
    }
  }

  @Test
  void shouldNotAdviseSendingToAnAddressThatTakesNoRequests() throws IOException {
    JsonObject results = refusal("botgate.results");
    assertThat(results.getString("code")).isEqualTo("publish_refused");
    assertThat(results.getString("message")).doesNotContain("Use \"type\": \"send\"")
      .contains("'botgate.results' takes no requests")
      .contains("botgate.integration.execute, botgate.script.run, botgate.session.get");
    assertThat(refusal("botgate.integration.execute").getString("message")).contains("Use \"type\": \"send\"");
  }
}
