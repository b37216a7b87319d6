package io.botgate.integration;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** What an integration's finish event tells the console: the exchange as sent and received, and its phases. */
@ExtendWith(VertxExtension.class)
class ExchangeDetailsTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
  }

  private static JsonObject finish(JsonObject report) {
    return report.getJsonArray("events").stream().map(e -> (JsonObject) e)
      .filter(e -> "integration".equals(e.getString("kind")) && "finish".equals(e.getJsonObject("data").getString("phase")))
      .findFirst().orElseThrow().getJsonObject("data");
  }

  @Test
  void shouldShowHeadersMaskedTheResponseAndEveryPhaseInOrder() {
    JsonObject definition = new JsonObject().put("name", "flakyDetails").put("method", "GET")
      .put("url", "stub:/flaky/2").put("headers", new JsonObject().put("Authorization", "Bearer hunter2")
        .put("X-Trace", "t-1"))
      .put("transformScript", "botContext.printDebugMessage('transforming');")
      .put("customDataFields", new JsonObject().put("title", "{$.api_flakyDetails.results[i].title}"));
    JsonObject data = finish(result(gw.declareAndExecute("details", definition,
      new JsonObject().put("preProcess", "botContext.printDebugMessage('before');"))));

    assertThat(data.getString("method")).isEqualTo("GET");
    assertThat(data.getString("url")).endsWith("/flaky/2");
    assertThat(data.getJsonObject("requestHeaders").getString("Authorization")).isEqualTo("****");
    assertThat(data.getJsonObject("requestHeaders").getString("X-Trace")).isEqualTo("t-1");
    assertThat(data.encode()).doesNotContain("hunter2");
    JsonObject response = data.getJsonObject("response");
    assertThat(response.getInteger("status")).isEqualTo(200);
    assertThat(response.getJsonObject("headers").getString("Content-Type")).isEqualTo("application/json");
    assertThat(response.getJsonObject("body").getJsonObject("json").getJsonArray("results").getJsonObject(0)
      .getString("title")).isEqualTo("ok");
    List<String> phases = data.getJsonArray("phases").stream().map(p -> ((JsonObject) p).getString("name")).toList();
    assertThat(phases).containsExactly("preProcess", "attempt 1", "attempt 2", "attempt 3", "transformScript", "mapping");
    JsonArray all = data.getJsonArray("phases");
    assertThat(all.getJsonObject(1).getString("outcome")).isEqualTo("503");
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.getJsonObject(i).getDouble("startMs")).isGreaterThanOrEqualTo(all.getJsonObject(i - 1).getDouble("startMs"));
    }
  }

  @Test
  void shouldCapALargeBodyAndSayHowLargeItWas() {
    String big = "x".repeat(40_000);
    JsonObject definition = new JsonObject().put("name", "bigEcho").put("method", "POST").put("url", "stub:/echo")
      .put("body", new JsonObject().put("text", big).put("password", "s3cret"));
    JsonObject data = finish(result(gw.declareAndExecute("details", definition, null)));
    JsonObject body = data.getJsonObject("response").getJsonObject("body");
    assertThat(body.getInteger("bytes")).isGreaterThan(40_000);
    assertThat(body.getBoolean("truncated")).isTrue();
    assertThat(body.getString("text").length()).isLessThan(ExchangeTrace.BODY_BYTES_SHOWN + 100);
    assertThat(data.getJsonObject("requestBody").getInteger("bytes")).isGreaterThan(40_000);
  }

  @Test
  void shouldMaskSecretNamedMembersOfAJsonBody() {
    JsonObject definition = new JsonObject().put("name", "smallEcho").put("method", "POST").put("url", "stub:/echo")
      .put("body", new JsonObject().put("user", "ann").put("password", "s3cret"));
    JsonObject data = finish(result(gw.declareAndExecute("details", definition, null)));
    assertThat(data.getJsonObject("requestBody").getJsonObject("json").getString("password")).isEqualTo("****");
    assertThat(data.getJsonObject("requestBody").getJsonObject("json").getString("user")).isEqualTo("ann");
  }

  @Test
  void shouldMaskSecretNamedMembersOfMappedFieldsAsOfTheBodyTheyCameFrom() {
    JsonObject definition = new JsonObject().put("name", "fieldEcho").put("method", "GET").put("url", "stub:/echo")
      .put("headers", new JsonObject().put("X-Password", "s3cret-header"))
      .put("customDataFields", new JsonObject().put("sent", "{$.api_fieldEcho.headers}"));
    JsonObject report = result(gw.declareAndExecute("fieldDetails", definition, null));
    JsonObject data = finish(report);
    assertThat(data.getJsonObject("response").getJsonObject("body").getJsonObject("json").getJsonObject("headers")
      .getString("x-password")).isEqualTo("****");
    assertThat(data.getJsonObject("fields").getJsonObject("fieldEcho.sent").getString("x-password"))
      .as("the same value, mapped into a field, is masked in the event too").isEqualTo("****");
    assertThat(report.getJsonObject("variables").getJsonObject("fieldEcho.sent").getString("x-password"))
      .as("a value sent under a secret name is scrubbed wherever an echo of it is shown, as an env value is")
      .isEqualTo("****");
  }
}
