package io.botgate.integration;

import io.botgate.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an execution takes from its request and its transform script is worked on off the event loop when it is large:
 * the request's variables copied into its scope, the text a transform leaves in {@code api_<rdv>} decoded. Its answer
 * is the same as a small one's; the usual few variables and small answer stay on the loop, without a hop.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class LargeRequestInputsTest {

  static TestGateway gw;
  static HttpServer upstream;
  /** Whether each large input the executor worked on off its path ran on an event loop, in order. */
  static final List<Boolean> onLoop = new CopyOnWriteArrayList<>();
  /** Whether each result was recorded, and each large answer's text written, on an event loop, in order. */
  static final List<Boolean> recordedOnLoop = new CopyOnWriteArrayList<>();
  static final List<Boolean> writtenOnLoop = new CopyOnWriteArrayList<>();
  /** 200 kB of JSON: more than an event loop reads itself. */
  static final String LARGE = large();

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("session.maxBytes", 8_000_000)));
    upstream = vertx.createHttpServer().requestHandler(req -> req.response()
      .putHeader("Content-Type", "application/json")
      .end(req.path().equals("/large") ? LARGE : new JsonObject().put("q", req.getParam("q")).encode()));
    result(upstream.listen(0, "127.0.0.1"));
    gw.gateway.executor().whileReading = thread -> onLoop.add(Context.isOnEventLoopThread());
    gw.gateway.executor().whileWriting = thread -> writtenOnLoop.add(Context.isOnEventLoopThread());
    gw.gateway.executor().onResult(result -> recordedOnLoop.add(Context.isOnEventLoopThread()));
  }

  @AfterAll
  static void stop() {
    result(upstream.close());
  }

  @BeforeEach
  void forget() {
    onLoop.clear();
    recordedOnLoop.clear();
    writtenOnLoop.clear();
  }

  private static String large() {
    StringBuilder out = new StringBuilder("{\"items\":[");
    for (int i = 0; out.length() < 200_000; i++) {
      out.append(i == 0 ? "" : ",").append("{\"title\":\"item ").append(i).append("\"}");
    }
    return out.append("]}").toString();
  }

  private static JsonObject echo(String name) {
    return new JsonObject().put("name", name).put("method", "GET")
      .put("url", "http://127.0.0.1:" + upstream.actualPort() + "/echo").put("query", new JsonObject()
        .put("q", "{$botContext.v4999}")).put("customDataFields", new JsonObject().put("q", "{$.api_" + name + ".q}"));
  }

  @Test
  void shouldCopyALargeRequestsVariablesIntoItsScopeOffTheEventLoop() {
    JsonObject variables = new JsonObject();
    for (int i = 0; i < 5_000; i++) {
      variables.put("v" + i, "value " + i);
    }

    JsonObject report = result(gw.declareAndExecute("many-variables", echo("manyVariables"),
      new JsonObject().put("variables", variables)));

    assertThat(report.getJsonObject("result").getBoolean("success")).as(report.encode()).isTrue();
    assertThat(report.getJsonObject("variables").getString("manyVariables.q")).isEqualTo("value 4999");
    assertThat(onLoop).as("where the variables were copied").containsExactly(false);
  }

  private static JsonObject manyVariables() {
    JsonObject variables = new JsonObject();
    for (int i = 0; i < 5_000; i++) {
      variables.put("v" + i, "value " + i);
    }
    return variables;
  }

  /** A context of 5,000 engagement attributes (about 150 kB), and the customer's first name. */
  private static JsonObject largeContext() {
    JsonObject attributes = new JsonObject();
    for (int i = 0; i < 5_000; i++) {
      attributes.put("a" + i, "attribute " + i);
    }
    return new JsonObject().put("engagementAttributes", attributes)
      .put("customerInfo", new JsonObject().put("firstName", "Ann"));
  }

  private static JsonObject post(String path, JsonObject body) {
    var answer = result(gw.http.post(gw.gateway.port(), "127.0.0.1", path).sendJsonObject(body));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    return answer.bodyAsJsonObject();
  }

  @Test
  void shouldCopyAScriptRunsLargeVariablesIntoItsScopeOffTheEventLoop() {
    JsonObject answer = post("/api/sessions/script-variables/scripts", new JsonObject().put("variables", manyVariables())
      .put("code", "botContext.sendMessage(botContext.getBotVariable('v4999'));"));

    assertThat(answer.getJsonArray("messages").getJsonObject(0).getString("text")).isEqualTo("value 4999");
    assertThat(onLoop).as("where the variables were copied").containsExactly(false);
  }

  @Test
  void shouldCopyAScriptRunsFewVariablesOnTheEventLoopWithoutAHop() {
    JsonObject answer = post("/api/sessions/script-few/scripts", new JsonObject()
      .put("variables", new JsonObject().put("v", "the one")).put("context", new JsonObject().put("channel", "web"))
      .put("code", "botContext.sendMessage(botContext.getBotVariable('v') + ' on ' + botContext.getUserChannel());"));

    assertThat(answer.getJsonArray("messages").getJsonObject(0).getString("text")).isEqualTo("the one on web");
    assertThat(onLoop).as("nothing worked on off the path").isEmpty();
  }

  /** A large context is merged into the session's and counted on a worker; a later request reads it as before. */
  @Test
  void shouldKeepALargeContextOffTheEventLoop() {
    JsonObject report = result(gw.declareAndExecute("large-context", echo("largeContext"),
      new JsonObject().put("variables", new JsonObject().put("v4999", "x")).put("context", largeContext())));

    assertThat(report.getJsonObject("result").getBoolean("success")).as(report.encode()).isTrue();
    assertThat(onLoop).as("where the context was kept").containsExactly(false);
    onLoop.clear();
    JsonObject answer = post("/api/sessions/large-context/scripts", new JsonObject().put("code",
      "botContext.sendMessage(botContext.getLPEngagementAttribute('a4999') + ' for ' "
        + "+ botContext.getLPCustomerInfo().firstName);").put("context", new JsonObject().put("channel", "web")));
    assertThat(answer.getJsonArray("messages").getJsonObject(0).getString("text")).isEqualTo("attribute 4999 for Ann");
    assertThat(onLoop).as("where a small context was merged into the large one kept").containsExactly(false);
  }

  /** An imported interaction's context and variables: kept, and copied into its script's scope, on a worker. */
  @Test
  void shouldKeepTheContextAndCopyTheVariablesOfALargeInteractionOffTheEventLoop() throws Exception {
    JsonObject export = new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of(
      "src/test/resources/cb/greeter.json")));
    var imported = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/import/cb")
      .sendJsonObject(new JsonObject().put("export", export)));
    assertThat(imported.statusCode()).as(imported.bodyAsString()).isEqualTo(201);

    JsonObject answer = post("/api/sessions/large-interaction/bots/Greeter/interactions/dialog_starter",
      new JsonObject().put("variables", manyVariables()).put("context", largeContext()));

    assertThat(answer.getJsonArray("messages").getJsonObject(0).getString("text"))
      .isEqualTo("greeter says the greeter to Ann");
    assertThat(onLoop).as("where the context was kept, then where the variables were copied")
      .containsExactly(false, false);
  }

  @Test
  void shouldCopyAFewVariablesOnTheEventLoopWithoutAHop() {
    JsonObject report = result(gw.declareAndExecute("few-variables", echo("fewVariables"),
      new JsonObject().put("variables", new JsonObject().put("v4999", "the one"))));

    assertThat(report.getJsonObject("variables").getString("fewVariables.q")).isEqualTo("the one");
    assertThat(onLoop).as("nothing worked on off the path").isEmpty();
    assertThat(recordedOnLoop).as("where the result was recorded").containsExactly(true);
    assertThat(writtenOnLoop).as("no answer's text written on a worker").isEmpty();
  }

  /**
   * A transform that leaves a large {@code jsonData} of its own in {@code api_<rdv>} lists it in {@code variableChanges}:
   * the answer holding it is written on a worker (a 5 MB one held the event loop 14 ms), with the recording before it.
   */
  @Test
  void shouldWriteTheAnswerOfATransformThatSetALargeValueOffTheEventLoop() {
    JsonObject definition = new JsonObject().put("name", "largeRewritten").put("method", "GET")
      .put("url", "http://127.0.0.1:" + upstream.actualPort() + "/echo")
      .put("transformScript", "botContext.setBotVariable('api_largeRewritten', {jsonData: "
        + "JSON.stringify({api_largeRewritten: {big: new Array(200001).join('x')}})}, true, false);");

    JsonObject report = result(gw.declareAndExecute("large-rewritten", definition, null));

    assertThat(report.getJsonObject("result").getBoolean("success")).as(report.encode()).isTrue();
    String jsonData = report.getJsonObject("variableChanges").getJsonObject("api_largeRewritten").getString("jsonData");
    assertThat(new JsonObject(jsonData).getJsonObject("api_largeRewritten").getString("big")).hasSize(200_000);
    assertThat(recordedOnLoop).as("where the result was recorded").containsExactly(false);
    assertThat(writtenOnLoop).as("where the answer's text was written").containsExactly(false);
  }

  /** The same for a large value a postProcess sets: the answer is written on a worker once it ran. */
  @Test
  void shouldWriteTheAnswerOfAPostProcessThatSetALargeValueOffTheEventLoop() {
    JsonObject report = result(gw.declareAndExecute("large-post", echo("largePost"), new JsonObject()
      .put("postProcess", "botContext.setBotVariable('big', new Array(200001).join('y'), false, false);")));

    assertThat(report.getJsonObject("variableChanges").getString("big")).hasSize(200_000);
    assertThat(report.getJsonArray("scriptErrors")).isEmpty();
    assertThat(recordedOnLoop).as("where the result was recorded (the usual answer)").containsExactly(true);
    assertThat(writtenOnLoop).as("where the answer's text was written").containsExactly(false);
  }

  @Test
  void shouldDecodeWhatATransformLeftLargeOffTheEventLoop() {
    JsonObject definition = new JsonObject().put("name", "largeTransformed").put("method", "GET")
      .put("url", "http://127.0.0.1:" + upstream.actualPort() + "/large").put("transformScript", "var kept = 1;")
      .put("customDataFields", new JsonObject().put("first", "{$.api_largeTransformed.items[0].title}"));

    JsonObject report = result(gw.declareAndExecute("large-transformed", definition, null));

    assertThat(report.getJsonObject("result").getBoolean("success")).as(report.encode()).isTrue();
    assertThat(report.getJsonObject("variables").getString("largeTransformed.first")).isEqualTo("item 0");
    assertThat(onLoop).as("where the answer was read, then where the transform's text was decoded")
      .containsExactly(false, false);
  }

  @Test
  void shouldWarnOfALargeTextATransformLeftThatIsNotJson() {
    JsonObject definition = new JsonObject().put("name", "largeBroken").put("method", "GET")
      .put("url", "http://127.0.0.1:" + upstream.actualPort() + "/large")
      .put("transformScript", "var d = botContext.getBotVariable('api_largeBroken');"
        + " botContext.setBotVariable('api_largeBroken', {jsonData: d.jsonData + ' trailing'}, true, false);")
      .put("customDataFields", new JsonObject().put("first", "{$.api_largeBroken.items[0].title}"));

    JsonObject report = result(gw.declareAndExecute("large-broken", definition, null));

    assertThat(report.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("text")))
      .anyMatch(text -> text.startsWith("api_largeBroken.jsonData set by the transform script is not JSON"));
    assertThat(report.getJsonObject("variables").getValue("largeBroken.first")).isNull();
    assertThat(onLoop).as("where the answer was read, then where the transform's text was decoded")
      .containsExactly(false, false);
  }
}
