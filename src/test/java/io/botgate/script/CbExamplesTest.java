package io.botgate.script;

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

/**
 * The examples of CB's "Get Integration Data" page, verbatim, against real executions: the debug and
 * sent messages must be exactly those a CB user would see.
 */
@ExtendWith(VertxExtension.class)
class CbExamplesTest {

  static final String SUCCESS_EXAMPLE = """
    // check to see if API was executed
    var isApiExecutionSuccessful = botContext.isApiExecutionSuccessful();
    if(isApiExecutionSuccessful){
      var apiStatusCode = botContext.getApiStatusCode();
      botContext.printDebugMessage("API Execution Successful with Status Code: "+apiStatusCode);
     \s
      if(apiStatusCode == "200"|apiStatusCode == "201"|apiStatusCode == "203"){
        // request was successful
        botContext.printDebugMessage("All is well.");
      }else{
        // request was not successful
        botContext.printDebugMessage("Something went wrong!");
      } \s
        \s
    }
    """;
  static final String STATUS_EXAMPLE = "var apiStatusCode = botContext.getApiStatusCode();";
  static final String COUNT_EXAMPLE = """
    var results = botContext.getBotVariable('faqIntegration.title.count');
    if (results < 1) {
          botContext.sendMessage('Sorry, I was not able to find any notes for this contact.');
    }
    """;

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("script.cpu.ms", 1000)));
  }

  private static JsonObject statusIntegration(String name, int status, int... successCodes) {
    JsonArray codes = new JsonArray();
    for (int c : successCodes) {
      codes.add(c);
    }
    JsonObject d = new JsonObject().put("name", name).put("method", "GET").put("url", "stub:/status/" + status)
      .put("retries", 0);
    return successCodes.length == 0 ? d : d.put("successCodes", codes);
  }

  private static List<String> debugTexts(JsonObject answer) {
    return answer.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> e.getString("kind").equals("debug")).map(e -> e.getString("text")).toList();
  }

  private static List<String> sent(JsonObject answer) {
    return answer.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")).toList();
  }

  private static JsonObject runAfter(String session, JsonObject integration, String postProcess) {
    return result(gw.declareAndExecute(session, integration, new JsonObject().put("postProcess", postProcess)));
  }

  @Test
  void shouldPrintAllIsWellAfterA200() {
    JsonObject answer = runAfter("ex-200", statusIntegration("s200", 200), SUCCESS_EXAMPLE);
    assertThat(debugTexts(answer)).containsExactly("API Execution Successful with Status Code: 200", "All is well.");
    assertThat(answer.getJsonArray("scriptErrors")).isEmpty();
  }

  @Test
  void shouldPrintAllIsWellAfterA201() {
    JsonObject answer = runAfter("ex-201", statusIntegration("s201", 201), SUCCESS_EXAMPLE);
    assertThat(debugTexts(answer)).containsExactly("API Execution Successful with Status Code: 201", "All is well.");
  }

  @Test
  void shouldPrintNothingAfterA404() {
    JsonObject answer = runAfter("ex-404", statusIntegration("s404", 404), SUCCESS_EXAMPLE);
    assertThat(debugTexts(answer)).isEmpty();
    assertThat(sent(answer)).isEmpty();
  }

  @Test
  void shouldTreatA203AsCbDoesDependingOnTheSuccessCodes() {
    assertThat(debugTexts(runAfter("ex-203", statusIntegration("s203", 203), SUCCESS_EXAMPLE))).isEmpty();
    JsonObject accepted = runAfter("ex-203b", statusIntegration("s203ok", 203, 200, 201, 203), SUCCESS_EXAMPLE);
    assertThat(debugTexts(accepted)).containsExactly("API Execution Successful with Status Code: 203", "All is well.");
    JsonObject other = runAfter("ex-202", statusIntegration("s202ok", 202, 200, 202), SUCCESS_EXAMPLE);
    assertThat(debugTexts(other)).containsExactly("API Execution Successful with Status Code: 202",
      "Something went wrong!");
  }

  @Test
  void shouldReadTheStatusAsAStringInTheNextInteraction() {
    runAfter("ex-status", statusIntegration("sStatus", 404), STATUS_EXAMPLE);
    JsonObject answer = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/ex-status/scripts")
      .sendJsonObject(new JsonObject().put("code", STATUS_EXAMPLE
        + "\nbotContext.printDebugMessage(typeof apiStatusCode + ' ' + apiStatusCode + ' ' + (apiStatusCode === 404));")))
      .bodyAsJsonObject();
    assertThat(debugTexts(answer)).containsExactly("string 404 false");
  }

  @Test
  void shouldApologiseWhenTheIntegrationReturnsNoTitles() {
    JsonObject faq = new JsonObject().put("name", "faqIntegration").put("method", "GET").put("url", "stub:/faq")
      .put("query", new JsonObject().put("q", "{$botContext.question}"))
      .put("customDataFields", new JsonObject().put("title", "{$.api_faqIntegration.results[i].title}"));
    try {
      JsonObject none = result(gw.declareAndExecute("ex-count", faq, new JsonObject()
        .put("variables", new JsonObject().put("question", "nothing")).put("postProcess", COUNT_EXAMPLE)));
      assertThat(sent(none)).containsExactly("Sorry, I was not able to find any notes for this contact.");

      JsonObject some = result(gw.execute("ex-count", "faqIntegration", new JsonObject()
        .put("variables", new JsonObject().put("question", "roaming")).put("postProcess", COUNT_EXAMPLE)));
      assertThat(sent(some)).isEmpty();
    } finally {
      result(gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/integrations/faqIntegration")
        .sendJsonObject(new JsonObject().put("method", "GET").put("url", "/demo/faq")
          .put("query", new JsonObject().put("q", "{$botContext.question}"))
          .put("customDataFields", new JsonObject().put("title", "{$.api_faqIntegration.results[i].title}"))));
    }
  }

  @Test
  void shouldDescribeOnlyTheMostRecentIntegration() {
    result(gw.declareAndExecute("trap", statusIntegration("first200", 200), null));
    result(gw.declareAndExecute("trap", statusIntegration("then404", 404), null));
    JsonObject answer = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/trap/scripts")
      .sendJsonObject(new JsonObject().put("code", SUCCESS_EXAMPLE + """
        botContext.printDebugMessage('last: ' + botContext.getApiStatusCode()
          + ', first200: ' + botContext.getApiStatusCode('first200')
          + ' ' + botContext.isApiExecutionSuccessful('first200')
          + ', via variable: ' + botContext.getBotVariable('api_first200Status'));
        """))).bodyAsJsonObject();
    assertThat(debugTexts(answer)).containsExactly("last: 404, first200: 200 true, via variable: 200");
  }

  @Test
  void shouldWarnThatTheSuccessFlagReadsFalseInTheTransformScript() {
    JsonObject integration = statusIntegration("transformTrap", 200).put("transformScript", """
      botContext.printDebugMessage('in transform: ' + botContext.isApiExecutionSuccessful());
      """);
    JsonObject answer = result(gw.declareAndExecute("transform-trap", integration,
      new JsonObject().put("postProcess", "botContext.printDebugMessage('after: ' + botContext.isApiExecutionSuccessful());")));
    assertThat(debugTexts(answer)).containsExactly("in transform: false", "after: true");
    assertThat(answer.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> e.getString("kind").equals("warning")).map(e -> e.getString("text")))
      .singleElement().asString().contains("transform script always returns false").contains("postProcess");
  }

  @Test
  void shouldReadFalseInTheTransformEvenAfterAnEarlierSuccessInTheSameSession() {
    // A fresh session reads false anyway: only a session whose last result was a success shows the reset.
    result(gw.declareAndExecute("transform-after-success", statusIntegration("earlierSuccess", 200), null));
    JsonObject integration = statusIntegration("transformAfterSuccess", 200).put("transformScript", """
      botContext.printDebugMessage('in transform: ' + botContext.isApiExecutionSuccessful());
      """);
    JsonObject answer = result(gw.declareAndExecute("transform-after-success", integration,
      new JsonObject().put("postProcess", "botContext.printDebugMessage('after: ' + botContext.isApiExecutionSuccessful());")));
    assertThat(debugTexts(answer)).containsExactly("in transform: false", "after: true");
  }

  @Test
  void shouldLetTheTransformRewriteTheDataTheFieldsRead() {
    JsonObject integration = new JsonObject().put("name", "wrapped").put("method", "GET").put("url", "stub:/array")
      .put("transformScript", """
        var raw = JSON.parse(botContext.getBotVariable('api_wrapped').jsonData);
        var titles = raw.api_wrapped.map(function (r) { return { title: r.title.toUpperCase() }; });
        botContext.setBotVariable('api_wrapped', { jsonData: JSON.stringify({ api_wrapped: { results: titles } }) }, true, false);
        """)
      .put("customDataFields", new JsonObject().put("title", "{$.api_wrapped.results[i].title}"));
    JsonObject answer = result(gw.declareAndExecute("transform", integration, null));
    assertThat(answer.getString("outcome")).isEqualTo("success");
    assertThat(answer.getJsonObject("variables").getJsonArray("wrapped.title")).containsExactly("X", "Y");
    assertThat(answer.getJsonObject("variables").getInteger("wrapped.title.count")).isEqualTo(2);
  }

  @Test
  void shouldAnswer450WhenTheTransformFails() {
    JsonObject integration = statusIntegration("badTransform", 200).put("transformScript", "var x = null; x.boom();");
    JsonObject answer = result(gw.declareAndExecute("transform-450", integration,
      new JsonObject().put("postProcess", "botContext.printDebugMessage('status ' + botContext.getApiStatusCode());")));
    assertThat(answer.getJsonObject("result").getString("statusCode")).isEqualTo("450");
    assertThat(answer.getString("outcome")).isEqualTo("failure");
    assertThat(answer.getString("reason")).contains("transformScript").contains("TypeError").contains("at 1:");
    assertThat(debugTexts(answer)).containsExactly("status 450");
  }

  @Test
  void shouldKeepTheCallsOwnFailureWhenTheTransformFailsOnACallThatGotNoAnswer() {
    JsonObject integration = new JsonObject().put("name", "unreached").put("method", "GET").put("retries", 0)
      .put("url", "http://127.0.0.1:9/nothing-listens")
      .put("transformScript", "JSON.parse(botContext.getBotVariable('api_unreached').jsonData).api_unreached.items.length;");
    JsonObject answer = result(gw.declareAndExecute("transform-unreached", integration,
      new JsonObject().put("postProcess", "botContext.printDebugMessage('status ' + botContext.getApiStatusCode());")));
    assertThat(answer.getJsonObject("result").getString("statusCode")).as(answer.encode()).isEqualTo("502");
    assertThat(answer.getString("reason")).contains("; the transform script then failed too: ").contains("TypeError");
    assertThat(debugTexts(answer)).containsExactly("status 502");
  }

  @Test
  void shouldAnswer450WhenTheTransformRunsOutOfTime() {
    JsonObject integration = statusIntegration("slowTransform", 200).put("transformScript", "while (true) {}");
    JsonObject answer = result(gw.declareAndExecute("transform-timeout", integration, null));
    assertThat(answer.getJsonObject("result").getString("statusCode")).isEqualTo("450");
    assertThat(answer.getString("reason")).contains("time limit of 1000 ms exceeded");
  }

  @Test
  void shouldGoOnWithTheFlowAfterAPreProcessError() {
    JsonObject answer = result(gw.declareAndExecute("pre-error", statusIntegration("afterPre", 200),
      new JsonObject().put("preProcess", "botContext.printDebugMessage('before');\nvar = 1;")));
    assertThat(answer.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    JsonObject error = answer.getJsonArray("scriptErrors").getJsonObject(0);
    assertThat(error.getString("type")).isEqualTo("syntax");
    assertThat(error.getString("script")).isEqualTo("preProcess");
    assertThat(error.getInteger("line")).isEqualTo(2);
    assertThat(answer.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> e.getString("level").equals("error")).map(e -> e.getString("text")))
      .singleElement().asString().startsWith("preProcess: syntax error at 2:");
  }

  @Test
  void shouldUseVariablesSetInPreProcessInTheRequest() {
    JsonObject integration = new JsonObject().put("name", "preVars").put("method", "GET").put("url", "stub:/echo")
      .put("query", new JsonObject().put("q", "{$botContext.q}"));
    JsonObject answer = result(gw.declareAndExecute("pre-vars", integration, new JsonObject()
      .put("preProcess", "botContext.setBotVariable('q', 'from ' + botContext.getCurrentUserMessage(), false, false);")
      .put("userMessage", "pre")));
    assertThat(answer.getString("request")).endsWith("/echo?q=from%20pre");
    assertThat(answer.getJsonObject("variableChanges").getString("q")).isEqualTo("from pre");
  }
}
