package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP and event-bus contracts of DESIGN.md, including every error case. */
@ExtendWith(VertxExtension.class)
class ApiTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("body.limit.bytes", 2048)));
  }

  private HttpRequest<Buffer> request(io.vertx.core.http.HttpMethod method, String path) {
    return gw.http.request(method, gw.gateway.port(), "127.0.0.1", path);
  }

  private static JsonObject error(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonObject("error");
  }

  @Test
  void shouldRunTheDemoIntegrationEndToEnd() {
    JsonObject report = result(gw.execute("demo", "faqIntegration",
      new JsonObject().put("variables", new JsonObject().put("question", "roaming"))));
    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    assertThat(report.getJsonObject("variables").getInteger("faqIntegration.title.count")).isGreaterThan(0);
    assertThat(report.getJsonObject("variables").getJsonArray("faqIntegration.title"))
      .contains("How do I turn on roaming?");
    // every member the README's contract lists is there without scripts too: a runtime reads them unguarded
    assertThat(report.fieldNames()).contains("result", "outcome", "request", "mode", "variables", "messages",
      "scriptErrors", "variableChanges", "events", "timings");
    assertThat(report.getJsonArray("scriptErrors")).isEmpty();
    assertThat(report.getJsonObject("variableChanges")).isEmpty();
  }

  @Test
  void shouldCreateReadReplaceAndDeleteAnIntegration() {
    JsonObject definition = new JsonObject().put("name", "crud").put("method", "get").put("url", "https://example.com/x");
    HttpResponse<Buffer> created = result(gw.declare(definition));
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.bodyAsJsonObject().getString("method")).isEqualTo("GET");
    assertThat(created.bodyAsJsonObject().getInteger("retries")).isEqualTo(3);
    assertThat(created.bodyAsJsonObject().getLong("timeoutMs")).isEqualTo(20000L);
    assertThat(created.bodyAsJsonObject().getString("responseDataVariable")).isEqualTo("crud");

    assertThat(result(gw.declare(definition.copy().put("retries", 1))).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> read = result(request(io.vertx.core.http.HttpMethod.GET, "/api/integrations/crud").send());
    assertThat(read.bodyAsJsonObject().getInteger("retries")).isEqualTo(1);

    JsonArray all = result(request(io.vertx.core.http.HttpMethod.GET, "/api/integrations").send()).bodyAsJsonArray();
    assertThat(all.stream().map(o -> ((JsonObject) o).getString("name"))).contains("crud", "faqIntegration");

    assertThat(result(request(io.vertx.core.http.HttpMethod.DELETE, "/api/integrations/crud").send()).statusCode())
      .isEqualTo(204);
    HttpResponse<Buffer> gone = result(request(io.vertx.core.http.HttpMethod.GET, "/api/integrations/crud").send());
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(error(gone).getString("code")).isEqualTo("unknown_integration");
  }

  @Test
  void shouldListEveryProblemOfAnInvalidDefinition() {
    JsonObject bad = new JsonObject().put("name", "bad").put("method", "FETCH").put("url", "ftp://x")
      .put("successCodes", new JsonArray().add(999)).put("timeoutMs", -5).put("retries", "three")
      .put("sucessCodes", new JsonArray())
      .put("customDataFields", new JsonObject().put("title", "{$.api_other.results[i].title}"))
      .put("query", new JsonObject().put("q", "{$botcontext.typo}"));
    HttpResponse<Buffer> r = result(gw.declare(bad));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).getString("code")).isEqualTo("invalid_integration");
    JsonArray problems = error(r).getJsonArray("problems");
    assertThat(problems.stream().map(p -> ((JsonObject) p).getString("field")))
      .containsExactlyInAnyOrder("method", "url", "successCodes", "timeoutMs", "retries", "sucessCodes",
        "customDataFields.title", "query.q");
    assertThat(problems.stream().map(p -> ((JsonObject) p).getString("integration"))).containsOnly("bad");
    assertThat(result(request(io.vertx.core.http.HttpMethod.GET, "/api/integrations/bad").send()).statusCode())
      .isEqualTo(404);
  }

  @Test
  void shouldRefuseANameThatDiffersFromThePath() {
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.PUT, "/api/integrations/one")
      .sendJsonObject(new JsonObject().put("name", "two").put("method", "GET").put("url", "https://x.example")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).getString("message")).contains("does not match the name in the path");
  }

  @Test
  void shouldAnswer404ForAnUnknownIntegration() {
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.POST,
      "/api/sessions/s/integrations/nope").send());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(error(r).getString("code")).isEqualTo("unknown_integration");
    assertThat(error(r).getString("message")).contains("nope");
  }

  @Test
  void shouldSuggestTheFieldAMisspeltOneMeant() {
    HttpResponse<Buffer> definition = result(gw.declare(new JsonObject().put("name", "typo-field").put("method", "GET")
      .put("url", "https://example.com/x").put("sucessCodes", new JsonArray().add(200))));
    assertThat(error(definition).getJsonArray("problems").getJsonObject(0).getString("message"))
      .startsWith("unknown field (did you mean 'successCodes'?); known fields are [");

    HttpResponse<Buffer> execution = result(request(io.vertx.core.http.HttpMethod.POST,
      "/api/sessions/typo-field/integrations/faqIntegration").sendJsonObject(new JsonObject()
      .put("variabels", new JsonObject().put("question", "roaming"))));
    assertThat(error(execution).getString("message"))
      .startsWith("unknown field 'variabels' (did you mean 'variables'?); known fields are [");
  }

  @Test
  void shouldNameAMisnamedScriptFieldRatherThanOnlyAskForCode() {
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.POST, "/api/sessions/s/scripts")
      .sendJsonObject(new JsonObject().put("script", "botContext.sendMessage('hi');")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).getString("message")).startsWith("unknown field 'script'; known fields are [code,");
  }

  @Test
  void shouldShowAnUnknownIntegrationInTheSessionsConsole() {
    // a session never seen keeps nothing of it: ids made up call after call would each keep a history
    assertThat(result(request(io.vertx.core.http.HttpMethod.POST, "/api/sessions/typo-new/integrations/faqIntegratoin")
      .sendJsonObject(new JsonObject())).statusCode()).isEqualTo(404);
    assertThat(gw.gateway.stream().lastSeq("typo-new")).isZero();
    // the conversation under way, then the typo
    assertThat(result(request(io.vertx.core.http.HttpMethod.POST, "/api/sessions/typo-console/scripts")
      .sendJsonObject(new JsonObject().put("code", "1"))).statusCode()).isEqualTo(200);
    long before = gw.gateway.stream().lastSeq("typo-console");
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.POST,
      "/api/sessions/typo-console/integrations/faqIntegratoin").sendJsonObject(new JsonObject()));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(error(r).getString("message")).contains("did you mean 'faqIntegration'?");

    JsonArray events = result(request(io.vertx.core.http.HttpMethod.GET, "/api/sessions/typo-console/events?after="
      + before).send()).bodyAsJsonObject().getJsonArray("events");
    assertThat(events).hasSize(1);
    JsonObject event = events.getJsonObject(0);
    assertThat(event.getString("level")).isEqualTo("error");
    assertThat(event.getString("text")).contains("no integration named 'faqIntegratoin'")
      .contains("did you mean 'faqIntegration'?");
  }

  @Test
  void shouldSuggestTheBotContextFunctionAScriptMisspelt() {
    JsonObject answer = result(request(io.vertx.core.http.HttpMethod.POST, "/api/sessions/typo-script/scripts")
      .sendJsonObject(new JsonObject().put("code", "var a = 1;\nbotContext.setBotVarible('a', a, true, false);")))
      .bodyAsJsonObject();

    JsonObject error = answer.getJsonObject("error");
    assertThat(error.getString("message"))
      .isEqualTo("TypeError: botContext.setBotVarible is not a function: did you mean botContext.setBotVariable?");
    assertThat(error.getInteger("line")).isEqualTo(2);
  }

  @Test
  void shouldRefuseANumberNoDoubleHoldsRatherThanKeepItAsInfinity() {
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.POST,
      "/api/sessions/huge-number/integrations/faqIntegration").putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{\"variables\": {\"question\": \"roaming\", \"list\": [1, {\"n\": -1e400}]}}")));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).getString("code")).isEqualTo("invalid_request");
    assertThat(error(r).getString("message")).startsWith("'variables.list[1].n' is a number beyond what a double holds");
    assertThat(result(request(io.vertx.core.http.HttpMethod.GET, "/api/sessions/huge-number").send()).statusCode())
      .as("nothing was kept").isEqualTo(404);
  }

  @Test
  void shouldAnswer400ForMalformedJsonSayingWhere() {
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.POST,
      "/api/sessions/s/integrations/faqIntegration").putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{\"variables\": {\"question\": }")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).getString("code")).isEqualTo("malformed_json");
    assertThat(error(r).getString("message")).contains("line 1, column 28: Unexpected character").doesNotContain("Source");
  }

  @Test
  void shouldAnswer400ForAWrongFieldType() {
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.POST,
      "/api/sessions/s/integrations/faqIntegration").sendJsonObject(new JsonObject().put("variables", "x")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).getString("message")).contains("'variables' must be a JSON object");
  }

  @Test
  void shouldAnswer400ForAWrongFieldTypeInAScriptRun() {
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.POST, "/api/sessions/s/scripts")
      .sendJsonObject(new JsonObject().put("code", "1;").put("userMessage", 5)));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r).getString("message")).contains("'userMessage' must be a string");
    HttpResponse<Buffer> unknown = result(request(io.vertx.core.http.HttpMethod.POST, "/api/sessions/s/scripts")
      .sendJsonObject(new JsonObject().put("code", "1;").put("cod", "typo")));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(error(unknown).getString("message")).contains("unknown field 'cod'");
    // code sent, but not as text: the answer says so, rather than that it is missing
    HttpResponse<Buffer> number = result(request(io.vertx.core.http.HttpMethod.POST, "/api/sessions/s/scripts")
      .sendJsonObject(new JsonObject().put("code", 5)));
    assertThat(number.statusCode()).isEqualTo(400);
    assertThat(error(number).getString("message")).contains("'code' must be a string").contains("5");
  }

  @Test
  void shouldAnswer415ForAnotherContentType() {
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.POST,
      "/api/sessions/s/integrations/faqIntegration").putHeader("Content-Type", "text/plain")
      .sendBuffer(Buffer.buffer("question=roaming")));
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(error(r).getString("code")).isEqualTo("unsupported_media_type");
  }

  @Test
  void shouldAnswer413ForABodyOverTheLimit() {
    JsonObject big = new JsonObject().put("variables", new JsonObject().put("question", "x".repeat(5000)));
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.POST,
      "/api/sessions/s/integrations/faqIntegration").sendJsonObject(big));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(error(r).getString("code")).isEqualTo("payload_too_large");
  }

  @Test
  void shouldShowAndResetASession() {
    result(gw.execute("reset-me", "faqIntegration",
      new JsonObject().put("variables", new JsonObject().put("question", "bill"))));
    JsonObject session = result(gw.session("reset-me"));
    assertThat(session.getJsonObject("lastResult").getString("integration")).isEqualTo("faqIntegration");
    assertThat(session.getJsonObject("variables").getInteger("faqIntegration.title.count")).isGreaterThan(0);

    assertThat(result(request(io.vertx.core.http.HttpMethod.DELETE, "/api/sessions/reset-me").send()).statusCode())
      .isEqualTo(204);
    HttpResponse<Buffer> gone = result(request(io.vertx.core.http.HttpMethod.GET, "/api/sessions/reset-me").send());
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(error(gone).getString("code")).isEqualTo("unknown_session");
  }

  @Test
  void shouldKeepOnlyTheLast20Results() {
    for (int i = 0; i < 23; i++) {
      result(gw.execute("many", "faqIntegration", new JsonObject().put("variables",
        new JsonObject().put("question", "plan"))));
    }
    assertThat(result(gw.session("many")).getJsonArray("recentResults")).hasSize(20);
  }

  @Test
  void shouldExecuteAndReadSessionsOverTheEventBus() {
    JsonObject reply = result(gw.vertx.eventBus().<JsonObject>request("botgate.integration.execute",
      new JsonObject().put("session", "bus").put("integration", "faqIntegration")
        .put("variables", new JsonObject().put("question", "voicemail")))).body();
    assertThat(reply.getString("outcome")).isEqualTo("success");
    assertThat(reply.getJsonObject("variables").getJsonArray("faqIntegration.title"))
      .containsExactly("How do I set up voicemail?");

    JsonObject session = result(gw.vertx.eventBus().<JsonObject>request("botgate.session.get",
      new JsonObject().put("session", "bus"))).body();
    assertThat(session.getJsonObject("lastResult").getString("statusCode")).isEqualTo("200");
  }

  @Test
  void shouldReplyToABadEventBusRequestWithTheHttpStatus() {
    Throwable unknown = failure(gw.vertx.eventBus().request("botgate.integration.execute",
      new JsonObject().put("session", "bus").put("integration", "nope")));
    assertThat(((ReplyException) unknown).failureCode()).isEqualTo(404);
    assertThat(new JsonObject(unknown.getMessage()).getJsonObject("error").getString("code"))
      .isEqualTo("unknown_integration");

    Throwable missing = failure(gw.vertx.eventBus().request("botgate.session.get", new JsonObject()));
    assertThat(((ReplyException) missing).failureCode()).isEqualTo(400);
    assertThat(missing.getMessage()).contains("'session' is required");
  }

  @Test
  void shouldReportHealth() {
    JsonObject health = gw.assertHealthy();
    JsonObject scripts = health.getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(c -> c.getString("id").equals("scripts")).findFirst().orElseThrow().getJsonObject("data");
    assertThat(scripts.getInteger("threads")).isPositive();
    assertThat(scripts.getInteger("queued")).isLessThan(scripts.getInteger("queueCapacity"));
  }

  @Test
  void shouldCountExecutionsAndScriptsInPrometheusText() {
    result(gw.execute("metrics", "faqIntegration", new JsonObject().put("variables", new JsonObject().put("question", "pin"))));
    result(request(io.vertx.core.http.HttpMethod.POST, "/api/sessions/metrics/scripts")
      .sendJsonObject(new JsonObject().put("code", "var x = ;")));
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.GET, "/metrics").send());
    assertThat(r.getHeader("Content-Type")).startsWith("text/plain");
    String text = r.bodyAsString();
    assertThat(text).containsPattern("botgate_executions_total\\{integration=\"faqIntegration\",outcome=\"success\","
      + "status=\"200\"} [1-9]");
    assertThat(text).containsPattern("botgate_scripts_total\\{outcome=\"syntax\"} [1-9]");
    assertThat(text).containsPattern("(?m)^botgate_sessions [1-9]");
    assertThat(text).containsPattern("(?m)^botgate_events_total [1-9]");
  }

  @Test
  void shouldAnswerUnknownApiRoutesWithJson() {
    HttpResponse<Buffer> r = result(request(io.vertx.core.http.HttpMethod.GET, "/api/nothing").send());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(error(r).getString("code")).isEqualTo("not_found");
  }
}
