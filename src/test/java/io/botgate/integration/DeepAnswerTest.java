package io.botgate.integration;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream answer nested as deeply as the JSON parser accepts (1,000 levels) is an answer like any other: its
 * finish event, which wraps it in a few levels more, must not take the execution down with it.
 */
@ExtendWith(VertxExtension.class)
class DeepAnswerTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("env", new JsonObject().put("API_TOKEN", "s3cr3t-token-value"))));
    // an env value sent once: from then on the gateway knows a secret, and scrubs every event's data of it
    result(gw.declareAndExecute("deep-secret", new JsonObject().put("name", "withToken").put("method", "GET")
      .put("url", "stub:/echo").put("headers", new JsonObject().put("X-Token", "{$env.API_TOKEN}")), null));
  }

  private static JsonObject finish(JsonObject report) {
    return report.getJsonArray("events").stream().map(e -> (JsonObject) e)
      .filter(e -> "integration".equals(e.getString("kind")) && "finish".equals(e.getJsonObject("data").getString("phase")))
      .findFirst().orElseThrow().getJsonObject("data");
  }

  @Test
  void shouldAnswerAnAnswerNestedAsDeepAsTheParserAllows() {
    JsonObject report = result(gw.declareAndExecute("deep", new JsonObject().put("name", "deepAnswer")
      .put("method", "GET").put("url", "stub:/nested/999").put("retries", 0)
      .put("customDataFields", new JsonObject().put("inner", "{$.api_deepAnswer.a[0]}")), null));

    assertThat(report.getString("outcome")).isEqualTo("success");
    assertThat(report.getJsonObject("variables").getInteger("deepAnswer.inner.count")).isEqualTo(1);
    JsonObject data = finish(report);
    assertThat(data.getString("statusCode")).isEqualTo("200");
    assertThat(data.getJsonObject("response").getJsonObject("body").getString("text"))
      .startsWith("(JSON nested too deep to show as a tree)");
    assertThat(data.getJsonObject("fields").getString("deepAnswer.inner")).contains("nested too deep");
    gw.assertHealthy();
  }

  /**
   * A request body is measured for depth in the text the console shows, which is not as long as the bytes sent: a
   * character past ASCII is two bytes or more, and a masked secret is shorter than its value. Measured by the bytes,
   * the walk ran off the end of the text and the execution answered 500.
   */
  @Test
  void shouldShowARequestBodyWhoseTextIsShorterThanItsBytes() {
    JsonObject accented = result(gw.declareAndExecute("long-body", new JsonObject().put("name", "accentedBody")
      .put("method", "POST").put("url", "stub:/echo").put("retries", 0)
      .put("body", new JsonObject().put("note", "\u00e9".repeat(1_500))), null));
    assertThat(accented.getString("outcome")).isEqualTo("success");
    assertThat(finish(accented).getJsonObject("requestBody").getJsonObject("json").getString("note"))
      .isEqualTo("\u00e9".repeat(1_500));

    JsonObject masked = result(gw.declareAndExecute("long-body", new JsonObject().put("name", "secretBody")
      .put("method", "POST").put("url", "stub:/echo").put("retries", 0)
      .put("body", new JsonObject().put("token", "{$env.API_TOKEN}").put("note", "x".repeat(2_000))), null));
    assertThat(masked.getString("outcome")).isEqualTo("success");
    assertThat(finish(masked).getJsonObject("requestBody").encode()).doesNotContain("s3cr3t-token-value");
    gw.assertHealthy();
  }
}
