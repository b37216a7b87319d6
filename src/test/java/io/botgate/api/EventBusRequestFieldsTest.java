package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** What an event-bus request whose fields are of the wrong type is told. */
@ExtendWith(VertxExtension.class)
class EventBusRequestFieldsTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
  }

  private static String refusal(String address, JsonObject body) {
    Throwable refused = failure(gw.vertx.eventBus().request(address, body));
    assertThat(((ReplyException) refused).failureCode()).isEqualTo(400);
    return new JsonObject(refused.getMessage()).getJsonObject("error").getString("message");
  }

  @Test
  void shouldSayAFieldGivenWithTheWrongTypeMustBeAStringRatherThanThatItIsMissing() {
    assertThat(refusal(EventBusApi.EXECUTE, new JsonObject().put("session", 42).put("integration", "faqIntegration")))
      .isEqualTo("'session' must be a string, not 42");
    assertThat(refusal(EventBusApi.EXECUTE, new JsonObject().put("session", "s1")
      .put("integration", new JsonArray().add("faqIntegration"))))
      .isEqualTo("'integration' must be a string, not [\"faqIntegration\"]");
    assertThat(refusal(EventBusApi.SESSION_GET, new JsonObject().put("session", true)))
      .isEqualTo("'session' must be a string, not true");
    assertThat(refusal(EventBusApi.SESSION_GET, new JsonObject())).isEqualTo("'session' is required (a non-empty string)");
  }
}
