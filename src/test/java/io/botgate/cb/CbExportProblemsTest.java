package io.botgate.cb;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.stream.Collectors;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** Exports a real gateway refuses, and what its refusal says (and does not say) about them. */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class CbExportProblemsTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
  }

  static JsonObject export(String bot, JsonArray responders, JsonArray interactions) {
    return new JsonObject().put("bot", new JsonObject().put("name", bot).put("id", bot + "-id"))
      .put("responder", responders).put("conversationMessage", interactions);
  }

  static JsonObject responder(String name) {
    return new JsonObject().put("name", name).put("integrationType", "API").put("method", "GET")
      .put("webhook", "https://api.example.com/" + name);
  }

  static HttpResponse<Buffer> importExport(JsonObject export) {
    return result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/import/cb")
      .sendJsonObject(new JsonObject().put("export", export)));
  }

  /** The refusal's problems, one {@code where: message} a line. */
  static String problems(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_export");
    return error.getJsonArray("problems").stream().map(JsonObject.class::cast)
      .map(p -> p.getString("where") + ": " + p.getString("message")).collect(Collectors.joining("\n"));
  }

  @Test
  void shouldRefuseAnInteractionFieldOrABotIdOfTheWrongType() {
    JsonArray interactions = new JsonArray();
    for (Object delay : new Object[] {"abc", true, new JsonObject(), "-5"}) {
      interactions.add(new JsonObject().put("name", "delay " + interactions.size()).put("interactionType", "TEXT")
        .put("interactionDelay", delay).put("preProcessMessage", "botContext.printDebugMessage('x');"));
    }
    interactions.add(new JsonObject().put("name", "typed").put("interactionType", 7)
      .put("preProcessMessage", "botContext.printDebugMessage('x');"));
    JsonObject export = export("Typed", new JsonArray(), interactions);
    export.getJsonObject("bot").put("id", 42);
    String problems = problems(importExport(export));
    assertThat(problems).contains("interaction 'delay 0'.interactionDelay: must be milliseconds from 0 to")
      .contains("a number, or its digits in a string; not \"abc\"").contains("not true").contains("not {}")
      .contains("not \"-5\"").contains("interaction 'typed'.interactionType: must be a string such as \"TEXT\" or "
        + "\"API_INTEGRATION\", not 7").contains("bot.id: must be a string, not 42");
    // what CB writes when there is none: no delay
    JsonObject none = export("Untimed", new JsonArray(), new JsonArray().add(new JsonObject().put("name", "plain")
      .put("interactionType", "TEXT").put("interactionDelay", "").put("preProcessMessage", "botContext.printDebugMessage('x');")));
    assertThat(importExport(none).statusCode()).isIn(200, 201);
  }

  /** A CB integration named with a space is refused saying so, not speaking of dots it does not have. */
  @Test
  void shouldSayWhichCharacterOfAResponderNameBotgateCannotTake() {
    String problems = problems(importExport(export("Spaced", new JsonArray().add(responder("Get Stores"))
      .add(responder("a.b")), new JsonArray())));
    assertThat(problems).contains("responder 'Get Stores'.name: must be 1-100 letters, digits, '_' or '-', starting "
      + "with a letter or '_': a space at position 4");
    assertThat(problems.lines().filter(l -> l.startsWith("responder 'Get Stores'"))).noneMatch(l -> l.contains("dot"));
    assertThat(problems).contains("responder 'a.b'.name: ").contains("a dot at position 2");
  }

  @Test
  void shouldNotQuoteTheTokenAPostBodyCouldNotParseWhichMayBeALiteralKey() {
    // CB bots often write a key into the body; unquoted, it is the token the JSON parser stops at. The refusal
    // is also what a start with the export in imports.cb writes to its log
    String key = "sk_live_51HxLEAKEDkey0123456789";
    JsonObject pay = responder("Pay").put("method", "POST")
      .put("postBody", "{\"amount\": {$botContext.amount}, \"apiKey\": " + key + "}");

    String problems = problems(importExport(export("Leaky", new JsonArray().add(pay), new JsonArray())));

    assertThat(problems).contains("responder 'Pay'.postBody: is not valid JSON")
      .contains("Unrecognized token of " + key.length() + " characters").doesNotContain(key).doesNotContain("sk_live");
  }

  @Test
  void shouldRefuseAnExportNestedPastTheBoundNamingTheKeyRatherThanFailToSaveIt() {
    // The export is kept as sent, inside imports.file's array: one the request parser took whole (1000 levels) was
    // a level too deep for the JSON writer, and the import failed with a 500 after it had been checked
    for (int levels : new int[] {998, 65}) {
      String deep = "[".repeat(levels) + "]".repeat(levels);
      String request = "{\"export\":{\"bot\":{\"name\":\"Deep\"},\"responder\":[],\"dialogs\":" + deep + "}}";
      HttpResponse<Buffer> r = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/import/cb")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(request)));

      assertThat(problems(r)).as("%d levels", levels)
        .isEqualTo("dialogs: nests objects and arrays more than 64 levels deep");
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("bot 'Deep'");
      assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/bots/Deep").send()).statusCode())
        .isEqualTo(404);
    }
    JsonObject deepEnough = export("Deepish", new JsonArray(), new JsonArray())
      .put("dialogs", new JsonArray().add(new JsonArray().add(new JsonObject().put("a", new JsonArray()))));
    assertThat(importExport(deepEnough).statusCode()).as("as deep as CB's exports go").isEqualTo(201);
    gw.assertHealthy();
  }

  @Test
  void shouldRefuseAnInteractionNameNoPathCanNameAsABotsNameIs() {
    // Imported and listed as runnable, they could never be run: the router resolves '.' and '..' away (404), and a
    // name past the request line is 414
    String code = "botContext.sendMessage('hi');";
    JsonArray interactions = new JsonArray();
    for (String name : new String[] {".", "..", "x".repeat(201), "a/b", "y".repeat(200)}) {
      interactions.add(new JsonObject().put("id", "id-" + name).put("name", name).put("interactionType", "TEXT")
        .put("preProcessMessage", code));
    }

    String problems = problems(importExport(export("Unnamed", new JsonArray(), interactions)));

    assertThat(problems.lines()).containsExactlyInAnyOrder(
      "interaction '.'.name: cannot be '.': POST /api/sessions/{session}/bots/{bot}/interactions/{name} could never "
        + "name it",
      "interaction '..'.name: cannot be '..': POST /api/sessions/{session}/bots/{bot}/interactions/{name} could never "
        + "name it",
      "interaction '" + "x".repeat(201) + "'.name: must be at most 200 characters, as a bot's name");
    interactions.remove(2);
    interactions.remove(1);
    interactions.remove(0);
    assertThat(importExport(export("Unnamed", new JsonArray(), interactions)).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> run = result(gw.http.post(gw.gateway.port(), "127.0.0.1",
      "/api/sessions/s1/bots/Unnamed/interactions/a%2Fb").sendJsonObject(new JsonObject()));
    assertThat(run.statusCode()).as(run.bodyAsString()).isEqualTo(200);
  }

  @Test
  void shouldRefuseACustomFieldOrAHeaderDeclaredTwiceRatherThanKeepOneOfThemSilently() {
    JsonObject twice = responder("Twice")
      .put("headers", new JsonArray().add(pair("X-Tenant", "a")).add(pair("Accept", "text/plain"))
        .add(pair("x-tenant", "b")))
      .put("customDataFields", new JsonArray().add(pair("title", "{$.api_Twice.title}"))
        .add(pair("Title", "{$.api_Twice.name}")).add(pair("title", "{$.api_Twice.results[i].title}")));

    String problems = problems(importExport(export("Twice", new JsonArray().add(twice), new JsonArray())));

    assertThat(problems.lines()).containsExactlyInAnyOrder(
      "responder 'Twice'.headers[2]: 'x-tenant' is declared twice (header names are case-insensitive): "
        + "one of them would be lost",
      "responder 'Twice'.customDataFields[2]: 'title' is declared twice: one of them would be lost");
    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/integrations/Twice").send()).statusCode())
      .isEqualTo(404);
  }

  static JsonObject pair(String key, String value) {
    return new JsonObject().put("key", key).put("value", value);
  }
}
