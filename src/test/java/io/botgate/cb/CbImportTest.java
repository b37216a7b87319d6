package io.botgate.cb;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A CB bot export (written in the format of LivePerson's public ConversationBuilder-Samples, covering every
 * mapped field) imported into a real gateway and its interactions run end to end against a stub upstream.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class CbImportTest {

  static TestGateway gw;
  static JsonObject imported;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    gw = result(TestGateway.start(vertx, new JsonObject().put("env", new JsonObject().put("TICKET_KEY", "k-123"))));
    HttpResponse<Buffer> r = importBot("store-helper.json", false);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    imported = r.bodyAsJsonObject();
  }

  static JsonObject fixture(String name) throws Exception {
    return new JsonObject(Files.readString(Path.of("src/test/resources/cb/" + name)));
  }

  /** The samples' hosts no longer answer: every webhook prefix is pointed at the stub. */
  static JsonObject baseUrls() {
    String stub = gw.upstream.url("");
    return new JsonObject().put("https://stores.example.com/api", stub).put("https://quiz.example.com/random", stub)
      .put("https://tickets.example.com/api", stub);
  }

  static HttpResponse<Buffer> importBot(String fixture, boolean replace) throws Exception {
    return importExport(new JsonObject().put("export", fixture(fixture)).put("baseUrls", baseUrls())
      .put("replace", replace));
  }

  static HttpResponse<Buffer> importExport(JsonObject body) {
    return result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/import/cb").sendJsonObject(body));
  }

  static JsonObject interaction(String session, String bot, String name, JsonObject body) {
    HttpResponse<Buffer> r = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/bots/"
      + bot.replace(" ", "%20") + "/interactions/" + name.replace(" ", "%20")).sendJsonObject(body));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  static HttpResponse<Buffer> get(String path) {
    return result(gw.http.get(gw.gateway.port(), "127.0.0.1", path).send());
  }

  static List<String> texts(JsonObject answer) {
    return answer.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")).toList();
  }

  @Test
  void shouldListWhatWasImportedAndEverySkippedItemWithItsReason() {
    assertThat(imported.getString("bot")).isEqualTo("Store Helper");
    assertThat(imported.getBoolean("globalFunctions")).isTrue();
    assertThat(imported.getJsonArray("integrations").stream().map(i -> ((JsonObject) i).getString("name")))
      .containsExactlyInAnyOrder("Locations", "Trivia", "CreateTicket", "Orders");
    JsonObject locations = imported.getJsonArray("integrations").stream().map(JsonObject.class::cast)
      .filter(i -> i.getString("name").equals("Locations")).findFirst().orElseThrow();
    assertThat(locations.getString("url")).isEqualTo(gw.upstream.url("/array"));
    assertThat(locations.getString("rewrittenFrom")).isEqualTo("https://stores.example.com/api/array");
    assertThat(imported.getJsonArray("interactions").stream().map(i -> ((JsonObject) i).getString("name")))
      .containsExactlyInAnyOrder("route", "find stores", "show stores", "trivia", "open ticket", "order status",
        "dialog_starter");
    String skipped = imported.getJsonArray("skipped").stream().map(JsonObject.class::cast)
      .map(s -> s.getString("kind") + " " + s.getString("name") + ": " + s.getString("reason"))
      .collect(Collectors.joining("\n"));
    assertThat(skipped).contains("responder KbSearch: integrationType KNOWLEDGE_BASE is not an API call")
      .contains("credential Orders: the export holds no secrets")
      .contains("interaction welcome: no code and no integration")
      .contains("interaction sorry:", "export groups:", "export platforms:");
  }

  @Test
  void shouldMapEveryResponderFieldIntoTheIntegration() {
    JsonObject ticket = get("/api/integrations/CreateTicket").bodyAsJsonObject();
    assertThat(ticket.getString("method")).isEqualTo("POST");
    assertThat(ticket.getString("url")).isEqualTo(gw.upstream.url("/echo/tickets"));
    assertThat(ticket.getString("responseDataVariable")).isEqualTo("ticket");
    assertThat(ticket.getJsonObject("headers").getString("X-User")).isEqualTo("{$botContext.userId}");
    assertThat(ticket.getString("body")).contains("\"count\": {$botContext.count}");
    assertThat(ticket.getJsonObject("customDataFields").getString("method")).isEqualTo("{$.api_ticket.method}");
    assertThat(get("/api/integrations/Locations").bodyAsJsonObject().getString("transformScript"))
      .contains("\"stores\": jsonData.api_Locations");
  }

  @Test
  void shouldRunAnInteractionsCodeAroundItsIntegrationAndWrapATopLevelArray() {
    JsonObject context = new JsonObject().put("userPlatformId", "shopper-1").put("channel", "lp_web")
      .put("engagementAttributes", new JsonObject().put("campaignId", "summer"));

    JsonObject answer = interaction("store-1", "Store Helper", "find stores", new JsonObject().put("context", context));

    assertThat(answer.getString("outcome")).isEqualTo("success");
    assertThat(answer.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    assertThat(answer.getJsonObject("variables").getJsonArray("Locations.city")).containsExactly("x", "y");
    assertThat(texts(answer)).containsExactly("Found 2 stores: x, y");
    assertThat(answer.getString("next")).as("the rule on success").isEqualTo("show stores");
    assertThat(answer.getLong("delayMs")).isEqualTo(750L);
    assertThat(answer.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("text")))
      .contains("looking on lp_web for summer");
    assertThat(answer.getJsonArray("scriptErrors")).as(answer.encodePrettily()).isEmpty();
  }

  @Test
  void shouldLetAnotherConversationOfTheSameUserReadTheContextData() {
    JsonObject sameUser = new JsonObject().put("context", new JsonObject().put("userPlatformId", "shopper-2"));
    interaction("store-2a", "Store Helper", "find stores", sameUser);

    JsonObject answer = interaction("store-2b", "Store Helper", "show stores", sameUser);
    JsonObject stranger = interaction("store-2c", "Store Helper", "show stores",
      new JsonObject().put("context", new JsonObject().put("userPlatformId", "someone-else")));

    assertThat(texts(answer)).containsExactly("You saw 2 stores before, yes");
    assertThat(texts(stranger)).containsExactly("You saw null stores before, yes");
    JsonObject viaHttp = get("/api/context/namespaces/store/users/shopper-2/stores").bodyAsJsonObject();
    assertThat(viaHttp.getInteger("value")).isEqualTo(2);
  }

  @Test
  void shouldReadAnIndexedCustomFieldOfATopLevelArray() {
    JsonObject answer = interaction("trivia-1", "Store Helper", "trivia", new JsonObject());

    assertThat(answer.getJsonObject("variables").getString("Trivia.answer")).isEqualTo("x");
    assertThat(answer.getJsonObject("variables").getInteger("Trivia.answer.count")).isEqualTo(1);
    assertThat(texts(answer)).containsExactly("x then y");
    assertThat(answer.getLong("delayMs")).as("the interaction's own delay").isEqualTo(500L);
    assertThat(answer.getString("next")).isNull();
  }

  @Test
  void shouldSendThePostBodyAndHeadersWithTheirPlaceholdersFilled() {
    JsonObject answer = interaction("ticket-1", "Store Helper", "open ticket",
      new JsonObject().put("context", new JsonObject().put("userPlatformId", "u\"7")));

    assertThat(answer.getString("outcome")).as(answer.encodePrettily()).isEqualTo("success");
    assertThat(answer.getJsonObject("variables").getString("CreateTicket.method")).isEqualTo("POST");
    JsonObject sent = new JsonObject(answer.getJsonObject("variables").getString("CreateTicket.sent"));
    assertThat(sent).isEqualTo(new JsonObject().put("subject", "Help \"now\"").put("user", "u\"7").put("count", 2));
    var received = gw.upstream.received.stream().filter(r -> r.uri().equals("/echo/tickets")).reduce((a, b) -> b)
      .orElseThrow();
    assertThat(received.headers().getString("x-api-key")).isEqualTo("k-123");
    assertThat(received.headers().getString("x-user")).isEqualTo("u\"7");
    assertThat(received.headers().getString("content-type")).isEqualTo("application/json");
  }

  @Test
  void shouldReportTheInteractionSetTriggerNextMessageNamedFromAGlobalFunction() {
    JsonObject tickets = interaction("route-1", "Store Helper", "route", new JsonObject().put("userMessage", "tickets"));
    JsonObject stores = interaction("route-2", "Store Helper", "route", new JsonObject().put("userMessage", "stores"));

    assertThat(tickets.getString("next")).isEqualTo("open ticket");
    assertThat(stores.getString("next")).isEqualTo("find stores");
    assertThat(tickets.getValue("result")).isNull();
    assertThat(tickets.getString("outcome")).isEqualTo("ok");
  }

  @Test
  void shouldKeepEachBotsOwnInteractionsAndGlobalFunctions() throws Exception {
    HttpResponse<Buffer> greeter = importBot("greeter.json", false);
    assertThat(greeter.statusCode()).as(greeter.bodyAsString()).isEqualTo(201);

    JsonObject store = interaction("starter-1", "Store Helper", "dialog_starter", new JsonObject());
    JsonObject greeting = interaction("starter-2", "Greeter", "dialog_starter",
      new JsonObject().put("context", new JsonObject().put("customerInfo", new JsonObject().put("firstName", "Ada"))));

    assertThat(texts(store)).containsExactly("store says store helper");
    assertThat(texts(greeting)).containsExactly("greeter says the greeter to Ada");
    assertThat(get("/api/bots").bodyAsJsonArray().stream().map(b -> ((JsonObject) b).getString("name")))
      .contains("Store Helper", "Greeter");
  }

  /** CB's bot answers a failed call that no failure rule handles with its own "Sorry"; a failure rule silences it. */
  @Test
  void shouldAnswerAFailureNoRuleHandlesAsCbDoes() throws Exception {
    JsonObject export = new JsonObject(fixture("store-helper.json").encode().replace("/api/status/200", "/api/status/404"))
      .put("bot", new JsonObject().put("name", "Fallbacks"));
    try {
      HttpResponse<Buffer> r = importExport(new JsonObject().put("export", export).put("baseUrls", baseUrls())
        .put("replace", true));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
      JsonObject unhandled = interaction("fallback-1", "Fallbacks", "order status", new JsonObject());
      assertThat(unhandled.getString("outcome")).isEqualTo("failure");
      assertThat(texts(unhandled)).containsExactly("Sorry, I could not find anything for that.");
      assertThat(unhandled.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("text")))
        .contains("Sorry, I could not find anything for that.");

      JsonObject orders = export.getJsonArray("conversationMessage").stream().map(JsonObject.class::cast)
        .filter(m -> m.getString("name").equals("order status")).findFirst().orElseThrow();
      orders.put("responseMatches", new JsonArray().add(new JsonObject()
        .put("conditions", new JsonArray().add(new JsonObject().put("matchType", "API_RESULT")
          .put("apiResultsMatch", new JsonObject().put("status", "FAILURE"))))
        .put("action", new JsonObject().put("name", "INTERACTION").put("value", "next"))));
      r = importExport(new JsonObject().put("export", export).put("baseUrls", baseUrls()).put("replace", true));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200); // the bot imported again
      JsonObject handled = interaction("fallback-2", "Fallbacks", "order status", new JsonObject());
      assertThat(handled.getString("outcome")).isEqualTo("failure");
      assertThat(texts(handled)).isEmpty();
    } finally {
      result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/bots/Fallbacks").send());
    }
  }

  /**
   * Rules botgate cannot evaluate (patterns and intents are CB's NLU; context conditions; other actions) are left out
   * and listed, once for their interaction: a bot routing by them went to the next interaction without a word, and a
   * success rule with a context condition was taken whatever the condition said.
   */
  @Test
  void shouldListTheRulesItCannotFollowAndNotTakeThem() throws Exception {
    JsonObject export = fixture("store-helper.json").put("bot", new JsonObject().put("name", "Routes"));
    JsonObject stores = export.getJsonArray("conversationMessage").stream().map(JsonObject.class::cast)
      .filter(m -> m.getString("name").equals("find stores")).findFirst().orElseThrow();
    JsonObject success = new JsonObject().put("matchType", "API_RESULT")
      .put("apiResultsMatch", new JsonObject().put("status", "SUCCESS"));
    JsonObject toNoStores = new JsonObject().put("name", "INTERACTION").put("value", "00000000000000000000000000000000a11ce004");
    stores.put("responseMatches", new JsonArray()
      .add(new JsonObject().put("name", "Greeting").put("action", toNoStores)
        .put("conditions", new JsonArray().add(new JsonObject().put("matchType", "PATTERN"))))
      .add(new JsonObject().put("action", toNoStores).put("conditions", new JsonArray().add(success))
        .put("contextConditions", new JsonArray().add(new JsonObject().put("variable", "vip"))))
      .add(new JsonObject().put("action", new JsonObject().put("name", "DIALOG").put("value", "d1")))
      .add(new JsonObject().put("action", new JsonObject().put("name", "INTERACTION")
        .put("value", "00000000000000000000000000000000a11ce002")).put("conditions", new JsonArray().add(success))));
    try {
      HttpResponse<Buffer> r = importExport(new JsonObject().put("export", export).put("baseUrls", baseUrls())
        .put("replace", true));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
      List<JsonObject> rules = r.bodyAsJsonObject().getJsonArray("skipped").stream().map(JsonObject.class::cast)
        .filter(s -> "rules".equals(s.getString("kind"))).toList();
      assertThat(rules).as(r.bodyAsString()).hasSize(1);
      assertThat(rules.get(0).getString("name")).isEqualTo("find stores");
      assertThat(rules.get(0).getString("reason")).startsWith("3 of its 4 rules are not followed")
        .contains("rule 1 (Greeting) matches PATTERN", "rule 2 has context conditions", "rule 3 does DIALOG");

      JsonObject answer = interaction("routes-1", "Routes", "find stores", new JsonObject());
      assertThat(answer.getString("outcome")).isEqualTo("success");
      assertThat(answer.getString("next")).as("the one rule botgate can follow").isEqualTo("show stores");
    } finally {
      result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/bots/Routes").send());
    }
  }

  @Test
  void shouldRefuseABrokenExportWholeListingEveryProblem() throws Exception {
    HttpResponse<Buffer> r = importBot("broken.json", false);

    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_export");
    String problems = error.getJsonArray("problems").stream().map(JsonObject.class::cast)
      .map(p -> p.getString("where") + ": " + p.getString("message")).collect(Collectors.joining("\n"));
    assertThat(problems).contains("responder[0].name: is required")
      .contains("responder 'Twice': is declared twice")
      .contains("responder 'BadBody'.postBody: is not valid JSON")
      .contains("interaction 'calls nothing known'.content.responderName: 'Nowhere' is not a responder")
      .contains("interaction 'bad code'.preProcessMessage: syntax error");
    assertThat(get("/api/integrations/Fine").statusCode()).as("nothing half-imported").isEqualTo(404);
    assertThat(get("/api/bots/Broken%20Bot").statusCode()).isEqualTo(404);
  }

  @Test
  void shouldRefuseAnInteractionDelayOutsideItsBound() throws Exception {
    JsonObject export = fixture("store-helper.json").put("bot", new JsonObject().put("name", "Delays"));
    for (Object m : export.getJsonArray("conversationMessage")) {
      ((JsonObject) m).put("interactionDelay", -1e300);
    }
    HttpResponse<Buffer> r = importExport(new JsonObject().put("export", export).put("replace", true));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsString()).contains(".interactionDelay").contains("must be milliseconds from 0 to 999999999");
  }

  @Test
  void shouldRefuseABotNameWithALoneSurrogateThatNoPathCouldNameAgain() throws Exception {
    JsonObject export = fixture("greeter.json").put("bot", new JsonObject().put("name", "LONE_NAME"));
    String json = new JsonObject().put("export", export).encode().replace("LONE_NAME", "\\ud800Locker");
    HttpResponse<Buffer> r = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/import/cb")
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(json)));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsString()).contains("bot.name").contains("lone surrogate (at position 1)");
    assertThat(io.botgate.session.SessionId.problem("\ud800x")).contains("lone surrogate (U+D800 at position 1)");
    assertThat(io.botgate.session.SessionId.problem("\ud83d\ude00 ok")).as("a whole pair is fine").isNull();
  }

  @Test
  void shouldRefuseAResponderFieldOfTheWrongTypeRatherThanDefaultIt() throws Exception {
    // a method in an array was imported as GET, an object as the response variable and a transform as nothing
    JsonObject export = fixture("greeter.json").put("bot", new JsonObject().put("name", "Typed"))
      .put("responder", new JsonArray().add(new JsonObject().put("name", "TypedInt").put("integrationType", "API")
        .put("webhook", "https://faq.example.com/v1/faq").put("method", new JsonArray().add("POST"))
        .put("responseDataVariable", new JsonObject().put("x", 1)).put("transformResultsScript", 5)));

    HttpResponse<Buffer> r = importExport(new JsonObject().put("export", export));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    String problems = r.bodyAsJsonObject().getJsonObject("error").getJsonArray("problems").stream()
      .map(JsonObject.class::cast).map(p -> p.getString("where") + ": " + p.getString("message"))
      .collect(Collectors.joining("\n"));
    assertThat(problems).contains("responder 'TypedInt'.method: must be a string")
      .contains("responder 'TypedInt'.responseDataVariable: must be a string")
      .contains("responder 'TypedInt'.transformResultsScript: must be a string");
    assertThat(get("/api/integrations/TypedInt").statusCode()).isEqualTo(404);
  }

  @Test
  void shouldRefuseANameTakenByAnotherIntegrationUnlessReplace() throws Exception {
    JsonObject export = fixture("greeter.json").put("bot", new JsonObject().put("name", "Taker"))
      .put("responder", new JsonArray().add(new JsonObject().put("name", "faqIntegration").put("integrationType", "API")
        .put("webhook", "https://faq.example.com/v1/faq").put("method", "GET")));

    HttpResponse<Buffer> refused = importExport(new JsonObject().put("export", export));
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("integration_conflict");
    assertThat(refused.bodyAsString()).contains("faqIntegration");
    assertThat(get("/api/bots/Taker").statusCode()).isEqualTo(404);

    HttpResponse<Buffer> replaced = importExport(new JsonObject().put("export", export).put("replace", true));
    assertThat(replaced.statusCode()).as(replaced.bodyAsString()).isEqualTo(201);
    assertThat(get("/api/integrations/faqIntegration").bodyAsJsonObject().getString("url"))
      .isEqualTo("https://faq.example.com/v1/faq");
  }

  @Test
  void shouldShowTheImportedWebhooksWithTheirSecretsMaskedAsGetDoes() throws Exception {
    JsonObject export = fixture("greeter.json").put("bot", new JsonObject().put("name", "Secretive"))
      .put("responder", new JsonArray().add(new JsonObject().put("name", "SecretHook").put("integrationType", "API")
        .put("webhook", "https://user:pw123@old.example.com/x?token=SECRETQ").put("method", "GET")));

    HttpResponse<Buffer> r = importExport(new JsonObject().put("export", export)
      .put("baseUrls", new JsonObject().put("https://user:pw123@old.example.com", "https://user:pw123@a.example.com")));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    assertThat(r.bodyAsString()).doesNotContain("pw123").doesNotContain("SECRETQ");
    JsonObject row = r.bodyAsJsonObject().getJsonArray("integrations").getJsonObject(0);
    assertThat(row.getString("url")).isEqualTo(get("/api/integrations/SecretHook").bodyAsJsonObject().getString("url"))
      .startsWith("https://****@a.example.com/x?token=");
    assertThat(row.getString("rewrittenFrom")).startsWith("https://****@old.example.com/x?token=");
  }

  @Test
  void shouldLeaveOutHeadersTheGatewaySetsItselfAndSaySo() throws Exception {
    JsonObject export = fixture("greeter.json").put("bot", new JsonObject().put("name", "Framed"))
      .put("responder", new JsonArray().add(new JsonObject().put("name", "FramedHook").put("integrationType", "API")
        .put("webhook", "https://api.example.com/x").put("method", "GET").put("headers", new JsonArray()
          .add(new JsonObject().put("key", "Host").put("value", "api.example.com"))
          .add(new JsonObject().put("key", "Content-Length").put("value", "0"))
          .add(new JsonObject().put("key", "X-Tenant").put("value", "t1")))));

    HttpResponse<Buffer> r = importExport(new JsonObject().put("export", export));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    assertThat(r.bodyAsJsonObject().getJsonArray("skipped").stream().map(JsonObject.class::cast)
      .filter(s -> "header".equals(s.getString("kind"))).map(s -> s.getString("name")))
      .containsExactly("FramedHook.Host", "FramedHook.Content-Length");
    assertThat(get("/api/integrations/FramedHook").bodyAsJsonObject().getJsonObject("headers").fieldNames())
      .contains("X-Tenant").doesNotContain("Host", "Content-Length");
  }

  /**
   * A real export as CB writes it: bookkeeping keys on every responder (left out silently), a key botgate does not
   * read and one misspelt (each a warning, the integration imported without them), an {@code {$env.X}} this gateway
   * has no value for (a warning at import, and still "440" when the interaction runs) beside one it has, code
   * reading an env value this gateway lacks, and a misspelt baseUrls prefix that rewrote nothing.
   */
  @Test
  void shouldWarnOfUnreadResponderKeysAndUnsetEnvValuesAndImportTheRest() throws Exception {
    JsonObject lookup = new JsonObject().put("chatbotId", "b-1").put("id", "r-1").put("name", "OrderLookup")
      .put("integrationType", "API").put("method", "GET").put("group", "Responders").put("fileUrl", "{{file_url}}")
      .put("tangoContextEnabled", false).put("defaultValues", new JsonArray().add(new JsonObject().put("key", "title")))
      .put("webhook", gw.upstream.url("/echo/orders/{$botContext.orderId}"))
      .put("headers", new JsonArray().add(new JsonObject().put("key", "Authorization")
        .put("value", "Bearer {$env.ORDERS_TOKEN}")).add(new JsonObject().put("key", "X-Ticket")
        .put("value", "{$env.TICKET_KEY}")))
      .put("requestParameters", new JsonArray().add(new JsonObject().put("key", "expand").put("value", "lines")))
      .put("responseDataVariabel", "orders")
      .put("customDataFields", new JsonArray().add(new JsonObject().put("key", "path")
        .put("value", "{$.api_OrderLookup.path}")));
    JsonObject export = new JsonObject().put("bot", new JsonObject().put("name", "Order Desk").put("id", "b-1"))
      .put("responder", new JsonArray().add(lookup))
      .put("conversationMessage", new JsonArray().add(new JsonObject().put("id", "m-1").put("name", "look up")
        .put("interactionType", "API_INTEGRATION").put("content", new JsonObject().put("contentType", "DYNAMIC")
          .put("responderName", "OrderLookup").put("responderId", "r-1"))
        .put("preProcessMessage", "botContext.setBotVariable('orderId', '42', true, false);\n"
          + "var region = botContext.getEnvVariable('REGION'), key = botContext.getEnvVariable(\"TICKET_KEY\");")));

    HttpResponse<Buffer> r = importExport(new JsonObject().put("export", export).put("baseUrls", new JsonObject()
      .put("https://orders.exmaple.com", "http://127.0.0.1:9")));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    List<String> warnings = r.bodyAsJsonObject().getJsonArray("warnings").stream().map(JsonObject.class::cast)
      .map(w -> w.getString("where") + ": " + w.getString("message")).toList();
    assertThat(warnings).as(r.bodyAsString()).hasSize(5);
    assertThat(warnings).contains("baseUrls: 'https://orders.exmaple.com' rewrote no webhook: no API responder's "
      + "starts with it up to a host, port or path boundary");
    assertThat(warnings).anySatisfy(w -> assertThat(w).startsWith("interaction 'look up'.preProcessMessage: "
      + "getEnvVariable('REGION') has no value on this gateway").contains("it answers null until it is set"));
    assertThat(warnings).anySatisfy(w -> assertThat(w).startsWith("responder 'OrderLookup'.requestParameters: "
      + "not a responder key botgate reads: left out"));
    assertThat(warnings).anySatisfy(w -> assertThat(w).startsWith("responder 'OrderLookup'.responseDataVariabel: ")
      .contains("(did you mean 'responseDataVariable'?)"));
    assertThat(warnings).anySatisfy(w -> assertThat(w)
      .startsWith("responder 'OrderLookup'.headers.Authorization: {$env.ORDERS_TOKEN} has no value on this gateway")
      .contains("BOTGATE_ENV_ORDERS_TOKEN").contains("\"440\""));
    assertThat(String.join("\n", warnings)).doesNotContain("TICKET_KEY", "chatbotId", "fileUrl", "group");
    assertThat(r.bodyAsJsonObject().getJsonArray("integrations").getJsonObject(0).getString("name"))
      .isEqualTo("OrderLookup");

    JsonObject run = interaction("desk-1", "Order Desk", "look up", new JsonObject());
    assertThat(run.getJsonObject("result").getString("statusCode")).as("still checked when it runs").isEqualTo("440");
    assertThat(run.encode()).contains("ORDERS_TOKEN");
  }

  /** An import made at start has no one to read its answer: its warnings go to the log. */
  @Test
  void shouldLogTheWarningsOfAnImportMadeAtStart(Vertx vertx) throws Exception {
    Path export = Files.createTempFile("unset-env", ".json");
    export.toFile().deleteOnExit();
    Files.writeString(export, new JsonObject().put("bot", new JsonObject().put("name", "Started"))
      .put("responder", new JsonArray().add(new JsonObject().put("name", "Keyed").put("integrationType", "API")
        .put("method", "GET").put("webhook", "https://api.example.com/x?key={$env.STARTED_KEY}"))).encode());
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
      new ch.qos.logback.core.read.ListAppender<>();
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
      .getLogger(SavedImports.class);
    log.setContext(logger.getLoggerContext());
    log.start();
    logger.addAppender(log);
    try {
      result(TestGateway.start(vertx, new JsonObject().put("imports.cb", new JsonArray().add(export.toString()))));
      assertThat(log.list).anySatisfy(e -> {
        assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
        assertThat(e.getFormattedMessage()).isEqualTo("CB bot 'Started' from " + export + ": responder 'Keyed'.webhook: "
          + "{$env.STARTED_KEY} has no value on this gateway (neither the configuration's \"env\" object nor "
          + "BOTGATE_ENV_STARTED_KEY sets it): every call of the integration ends \"440\" until it is set, as CB's "
          + "environment is not part of the export");
      });
    } finally {
      logger.detachAppender(log);
    }
  }

  @Test
  void shouldRefuseABotNameWithALineBreakNamingTheField() throws Exception {
    JsonObject export = fixture("greeter.json").put("bot", new JsonObject().put("name", "Evil\nERROR forged line"))
      .put("responder", new JsonArray());

    HttpResponse<Buffer> r = importExport(new JsonObject().put("export", export));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    JsonObject problem = r.bodyAsJsonObject().getJsonObject("error").getJsonArray("problems").getJsonObject(0);
    assertThat(problem.getString("where")).isEqualTo("bot.name");
    assertThat(problem.getString("message")).contains("control characters");

    for (String dots : new String[] {".", ".."}) {
      JsonObject unreachable = fixture("greeter.json").put("bot", new JsonObject().put("name", dots))
        .put("responder", new JsonArray());
      HttpResponse<Buffer> refused = importExport(new JsonObject().put("export", unreachable));
      assertThat(refused.statusCode()).as(dots).isEqualTo(400);
      assertThat(refused.bodyAsString()).contains("bot.name").contains("could never name");
    }
  }

  @Test
  void shouldRewriteAWebhookOnlyWhereABaseUrlsPrefixEndsAtAHostOrPathBoundary() throws Exception {
    JsonObject export = fixture("greeter.json").put("bot", new JsonObject().put("name", "Bounded"))
      .put("responder", new JsonArray()
        .add(new JsonObject().put("name", "SameHost").put("integrationType", "API")
          .put("webhook", "https://a.example.com/y").put("method", "GET"))
        .add(new JsonObject().put("name", "LongerHost").put("integrationType", "API")
          .put("webhook", "https://a.example.com.evil.net/x").put("method", "GET")));

    HttpResponse<Buffer> r = importExport(new JsonObject().put("export", export)
      .put("baseUrls", new JsonObject().put("https://a.example.com", "https://b.example.com")));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    assertThat(get("/api/integrations/SameHost").bodyAsJsonObject().getString("url")).isEqualTo("https://b.example.com/y");
    assertThat(get("/api/integrations/LongerHost").bodyAsJsonObject().getString("url"))
      .isEqualTo("https://a.example.com.evil.net/x");
  }

  @Test
  void shouldBlameBaseUrlsForAWebhookItRewroteIntoAnInvalidUrl() throws Exception {
    JsonObject export = fixture("greeter.json").put("bot", new JsonObject().put("name", "Misrouted"))
      .put("responder", new JsonArray().add(new JsonObject().put("name", "Misrouted1").put("integrationType", "API")
        .put("webhook", "https://a.example.com/y").put("method", "GET")));

    HttpResponse<Buffer> r = importExport(new JsonObject().put("export", export)
      .put("baseUrls", new JsonObject().put("https://a.example.com", "ftp://b.example.com")));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getJsonArray("problems").getJsonObject(0).getString("where"))
      .isEqualTo("baseUrls (rewriting responder 'Misrouted1'.webhook)");
  }

  @Test
  void shouldReplaceABotWhenItIsImportedAgain() throws Exception {
    JsonObject export = fixture("greeter.json").put("bot", new JsonObject().put("name", "Shrinking"))
      .put("responder", new JsonArray().add(new JsonObject().put("name", "ShrinkA").put("integrationType", "API")
        .put("webhook", "https://a.example.com/a").put("method", "GET"))
        .add(new JsonObject().put("name", "ShrinkB").put("integrationType", "API")
          .put("webhook", "https://a.example.com/b").put("method", "GET")));
    assertThat(importExport(new JsonObject().put("export", export)).statusCode()).isEqualTo(201);

    export.getJsonArray("responder").remove(1);
    HttpResponse<Buffer> again = importExport(new JsonObject().put("export", export));

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getBoolean("replaced")).isTrue();
    assertThat(again.bodyAsJsonObject().getJsonArray("removedIntegrations")).containsExactly("ShrinkB");
    assertThat(get("/api/integrations/ShrinkB").statusCode()).isEqualTo(404);
    assertThat(get("/api/integrations/ShrinkA").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldAnswerUnknownBotsAndInteractionsWith404() {
    HttpResponse<Buffer> bot = result(gw.http.request(HttpMethod.POST, gw.gateway.port(), "127.0.0.1",
      "/api/sessions/s/bots/nobody/interactions/x").sendJsonObject(new JsonObject()));
    HttpResponse<Buffer> interaction = result(gw.http.request(HttpMethod.POST, gw.gateway.port(), "127.0.0.1",
      "/api/sessions/s/bots/Store%20Helper/interactions/sorry").sendJsonObject(new JsonObject()));

    assertThat(bot.statusCode()).isEqualTo(404);
    assertThat(bot.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unknown_bot");
    assertThat(interaction.statusCode()).isEqualTo(404);
    assertThat(interaction.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unknown_interaction");
  }
}
