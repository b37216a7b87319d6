package io.botgate.cb;

import io.botgate.BotgateVerticle;
import io.botgate.GatewayConfig;
import io.botgate.TestGateway;
import io.botgate.cb.context.ContextOptions;
import io.botgate.cb.context.ContextStore;
import io.botgate.cb.context.LocalContextStore;
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

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The request {@code context} kept on the session and the Conversation Context Service, shared by bot
 * scripts and the HTTP API under /api/context, on a real gateway; and CB exports imported at start.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class ContextServiceTest {

  static TestGateway gw;
  static final String CRM_KEY = "Zq9Kx7Lm3Np-crm";

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("session.maxBytes", 4096)
      .put("imports.cb", new JsonArray().add("src/test/resources/cb/greeter.json"))
      .put("env", new JsonObject().put("CRM_KEY", CRM_KEY))));
  }

  static HttpResponse<Buffer> send(HttpMethod method, String path, JsonObject body) {
    var request = gw.http.request(method, gw.gateway.port(), "127.0.0.1", path);
    return result(body == null ? request.send() : request.sendJsonObject(body));
  }

  static JsonObject script(String session, String code, JsonObject context) {
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/api/sessions/" + session + "/scripts",
      new JsonObject().put("code", code).put("context", context));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  static String firstDebug(JsonObject answer) {
    return answer.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> e.getString("kind").equals("debug") && e.getJsonObject("data").isEmpty())
      .map(e -> e.getString("text")).findFirst().orElse(null);
  }

  @Test
  void shouldLetOtherSystemsAndBotScriptsShareTheSameData() {
    assertThat(send(HttpMethod.PUT, "/api/context/namespaces/crm", null).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> put = send(HttpMethod.PUT, "/api/context/namespaces/crm/users/u-42/tier",
      new JsonObject().put("value", "gold"));
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);

    JsonObject answer = script("crm-1", "botContext.printDebugMessage(botContext.getContextDataForUser('crm', 'tier'));"
      + "botContext.setContextDataForConversation('crm', 'seen', true);", new JsonObject().put("userPlatformId", "u-42"));

    assertThat(firstDebug(answer)).isEqualTo("gold");
    JsonObject conversation = send(HttpMethod.GET, "/api/context/namespaces/crm/conversations/crm-1", null)
      .bodyAsJsonObject();
    assertThat(conversation.getJsonObject("data")).isEqualTo(new JsonObject().put("seen", true));
    assertThat(conversation.getString("scope")).isEqualTo("conversation");
    assertThat(send(HttpMethod.GET, "/api/context/namespaces", null).bodyAsJsonObject().getJsonArray("namespaces")
      .stream().map(n -> ((JsonObject) n).getString("name"))).contains("crm");
  }

  @Test
  void shouldMaskAKnownSecretNamingAVariableInViewsAndKeepItAsStoredInTheContextService() {
    JsonObject answer = script("ctx-secret", """
      var key = botContext.getEnvVariable('CRM_KEY');
      botContext.registerContextNamespace('crm-keys');
      botContext.setContextDataForConversation('crm-keys', key, key);
      var keyed = {}; keyed[key] = 1;
      botContext.setBotVariable('keyed', keyed, true, false);
      botContext.setBotVariable(key + '-named', 1, true, false);
      """, new JsonObject());

    // what botgate shows of what the script did: names scrubbed as values are
    assertThat(answer.encode()).doesNotContain(CRM_KEY).contains("****");
    for (String path : List.of("/api/sessions/ctx-secret", "/api/sessions/ctx-secret/events")) {
      HttpResponse<Buffer> r = send(HttpMethod.GET, path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.bodyAsString()).as(path).doesNotContain(CRM_KEY).contains("****");
    }
    // the Context Service's data as stored: the systems sharing it read it back and write it again
    JsonObject stored = send(HttpMethod.GET, "/api/context/namespaces/crm-keys/conversations/ctx-secret", null)
      .bodyAsJsonObject();
    assertThat(stored.getJsonObject("data")).isEqualTo(new JsonObject().put(CRM_KEY, CRM_KEY));
  }

  @Test
  void shouldForgetAPropertyOnceItsNamespacesTtlHasPassed() {
    int ttlSeconds = 1;
    send(HttpMethod.PUT, "/api/context/namespaces/brief", new JsonObject().put("ttlSeconds", ttlSeconds));
    long written = System.nanoTime();
    send(HttpMethod.PUT, "/api/context/namespaces/brief/global/code", new JsonObject().put("value", 1234));
    assertThat(send(HttpMethod.GET, "/api/context/namespaces/brief/global/code", null).statusCode()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
      send(HttpMethod.GET, "/api/context/namespaces/brief/global/code", null).statusCode() == 404);
    long tookMs = (System.nanoTime() - written) / 1_000_000;

    assertThat(tookMs).as("gone after its TTL, not long after").isGreaterThanOrEqualTo(ttlSeconds * 1000L - 50)
      .isLessThan(2 * ttlSeconds * 1000L + 1000);
    assertThat(firstDebug(script("brief-1", "botContext.printDebugMessage(String("
      + "botContext.getGlobalContextData('brief', 'code')));", null))).isEqualTo("null");
  }

  @Test
  void shouldKeepANamespacesTtlWhenItIsRegisteredAgainWithoutOne() {
    send(HttpMethod.PUT, "/api/context/namespaces/renewed", new JsonObject().put("ttlSeconds", 60));

    HttpResponse<Buffer> again = send(HttpMethod.PUT, "/api/context/namespaces/renewed", null);
    HttpResponse<Buffer> empty = send(HttpMethod.PUT, "/api/context/namespaces/renewed", new JsonObject());

    assertThat(again.bodyAsJsonObject().getLong("ttlSeconds")).as(again.bodyAsString()).isEqualTo(60L);
    assertThat(empty.bodyAsJsonObject().getLong("ttlSeconds")).as(empty.bodyAsString()).isEqualTo(60L);
    HttpResponse<Buffer> cleared = send(HttpMethod.PUT, "/api/context/namespaces/renewed",
      new JsonObject().put("ttlSeconds", 0));
    assertThat(cleared.bodyAsJsonObject().containsKey("ttlSeconds")).isTrue();
    assertThat(cleared.bodyAsJsonObject().getValue("ttlSeconds")).as("0: no expiry").isNull();
  }

  @Test
  void shouldRefuseATtlAboveTheMaximumNamingTtlSecondsAndRegisterNothing() {
    for (long ttl : new long[] {9_300_000_000_000_000L, Long.MAX_VALUE, ContextStore.MAX_TTL_SECONDS + 1, -1}) {
      HttpResponse<Buffer> r = send(HttpMethod.PUT, "/api/context/namespaces/h3", new JsonObject().put("ttlSeconds", ttl));

      assertThat(r.statusCode()).as(ttl + ": " + r.bodyAsString()).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("ttlSeconds")
        .contains(String.valueOf(ContextStore.MAX_TTL_SECONDS));
    }
    assertThat(send(HttpMethod.GET, "/api/context/namespaces/h3/global", null).statusCode()).isEqualTo(404);
  }

  @Test
  void shouldSayANamespaceNeedsANameRatherThanBlameItsTtl() {
    HttpResponse<Buffer> r = send(HttpMethod.PUT, "/api/context/namespaces/%20", new JsonObject().put("ttlSeconds", 60));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("needs a name")
      .doesNotContain("ttlSeconds");
  }

  @Test
  void shouldSayWhatIsWrongWithABodyAndWriteNothing() {
    send(HttpMethod.PUT, "/api/context/namespaces/bodies", null);
    String property = "/api/context/namespaces/bodies/global/p";
    Map<String, JsonObject> bodies = new LinkedHashMap<>();
    bodies.put("no body was sent", null);
    bodies.put("unknown fields [other, valeu]", new JsonObject().put("valeu", 1).put("other", 2));
    bodies.put("unknown field [extra]", new JsonObject().put("value", 1).put("extra", true));
    bodies.put("it has no \"value\"", new JsonObject());
    bodies.put("\"value\" is null", new JsonObject().putNull("value"));
    bodies.forEach((what, body) -> {
      HttpResponse<Buffer> r = send(HttpMethod.PUT, property, body);
      assertThat(r.statusCode()).as(what).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).as(what).contains(what);
    });
    assertThat(send(HttpMethod.GET, property, null).statusCode()).isEqualTo(404);

    HttpResponse<Buffer> namespace = send(HttpMethod.PUT, "/api/context/namespaces/bodies2",
      new JsonObject().put("ttl", 60));
    assertThat(namespace.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("unknown field [ttl]");
    namespace = send(HttpMethod.PUT, "/api/context/namespaces/bodies2", new JsonObject().put("ttlSeconds", "60"));
    assertThat(namespace.bodyAsJsonObject().getJsonObject("error").getString("message"))
      .contains("\"ttlSeconds\" is \"60\"");
    JsonObject many = new JsonObject();
    IntStream.range(0, 500).forEach(i -> many.put(String.format("field%03d", i) + "x".repeat(200), i));
    String tooMany = send(HttpMethod.PUT, property, many).bodyAsJsonObject().getJsonObject("error").getString("message");
    assertThat(tooMany).contains("unknown fields [field000xxx").contains("and 490 more").hasSizeLessThan(1_500);
    assertThat(send(HttpMethod.GET, "/api/context/namespaces/bodies2/global", null).statusCode()).isEqualTo(404);
  }

  @Test
  void shouldKeepAWriteInANamespaceOfTheLongestTtl() {
    HttpResponse<Buffer> ns = send(HttpMethod.PUT, "/api/context/namespaces/decade",
      new JsonObject().put("ttlSeconds", ContextStore.MAX_TTL_SECONDS));
    assertThat(ns.statusCode()).as(ns.bodyAsString()).isEqualTo(200);

    send(HttpMethod.PUT, "/api/context/namespaces/decade/global/kept", new JsonObject().put("value", "yes"));

    HttpResponse<Buffer> read = send(HttpMethod.GET, "/api/context/namespaces/decade/global/kept", null);
    assertThat(read.statusCode()).as(read.bodyAsString()).isEqualTo(200);
    assertThat(read.bodyAsJsonObject().getString("value")).isEqualTo("yes");
  }

  @Test
  void shouldAnswerFalseToAScriptRegisteringANamespaceWithATtlOutOfRange() {
    JsonObject answer = script("ttl-1", "botContext.printDebugMessage(JSON.stringify(["
      + "botContext.registerContextNamespace('t1', 1e300), botContext.setGlobalContextData('t1', 'p', 1),"
      + "botContext.registerContextNamespace('t2', -5),"
      + "botContext.registerContextNamespace('t3', 60), botContext.setGlobalContextData('t3', 'p', 1),"
      + "botContext.getGlobalContextData('t3', 'p')]));", null);

    assertThat(firstDebug(answer)).isEqualTo("[false,false,false,true,true,1]");
    assertThat(answer.getJsonArray("events").encode()).as("the refusal over the maximum says why")
      .contains("registerContextNamespace: the namespace must be named and its ttlSeconds a whole number from 0 to 315360000");
    assertThat(send(HttpMethod.GET, "/api/context/namespaces/t1/global", null).statusCode()).isEqualTo(404);
  }

  @Test
  void shouldNeverLetAWriteExpireAtOnceHoweverLateTheClock() {
    ContextStore store = new LocalContextStore(ContextOptions.defaults(), () -> Long.MAX_VALUE - 1000);
    store.registerNamespace("late", ContextStore.MAX_TTL_SECONDS);

    store.set(ContextStore.Scope.GLOBAL, "late", "", "p", "v");

    assertThat(store.get(ContextStore.Scope.GLOBAL, "late", "", "p")).isEqualTo("v");
  }

  @Test
  void shouldGiveBackWhatExpiredBeforeRefusingAWriteForSpace() {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000);
    ContextStore store = new LocalContextStore(new ContextOptions(3000), now::get);
    store.registerNamespace("brief", 1L);
    String value = "v".repeat(1100);
    assertThat(store.set(ContextStore.Scope.GLOBAL, "brief", "", "p1", value)).isEqualTo(ContextStore.Outcome.DONE);
    assertThat(store.set(ContextStore.Scope.GLOBAL, "brief", "", "p2", value)).isEqualTo(ContextStore.Outcome.DONE);
    assertThat(store.set(ContextStore.Scope.GLOBAL, "brief", "", "p3", value)).isEqualTo(ContextStore.Outcome.FULL);

    now.addAndGet(2_000); // both expired, and no sweep has run: nobody can read them, so they hold no space
    assertThat(store.set(ContextStore.Scope.GLOBAL, "brief", "", "p3", value)).isEqualTo(ContextStore.Outcome.DONE);
    assertThat(store.set(ContextStore.Scope.GLOBAL, "brief", "", "p1", value)).as("over an expired self")
      .isEqualTo(ContextStore.Outcome.DONE);
    assertThat(store.get(ContextStore.Scope.GLOBAL, "brief", "", "p2")).isNull();
    assertThat(store.set(ContextStore.Scope.GLOBAL, "brief", "", "p4", value)).as("live data still counts")
      .isEqualTo(ContextStore.Outcome.FULL);
  }

  @Test
  void shouldKeepANumberJsonCannotWriteAsJsonStringifyWritesItNull() {
    // Infinity was kept as a number: scripts read Infinity back, while the session's and the Context Service's
    // answers gave the string "Infinity", which a system writing the data back then stored as text
    send(HttpMethod.PUT, "/api/context/namespaces/odd", null);
    JsonObject answer = script("non-finite", "var v = {a: Infinity, b: [NaN, -Infinity]};"
      + "botContext.setBotVariable('v', v, true, false); botContext.setContextDataForConversation('odd', 'v', v);"
      + "botContext.printDebugMessage(JSON.stringify([botContext.getBotVariable('v'),"
      + "botContext.getContextDataForConversation('odd', 'v'), typeof botContext.getBotVariable('v').a]));", null);

    assertThat(firstDebug(answer)).isEqualTo("[{\"a\":null,\"b\":[null,null]},{\"a\":null,\"b\":[null,null]},\"object\"]");
    JsonObject kept = new JsonObject().put("a", null).put("b", new JsonArray().addNull().addNull());
    assertThat(result(gw.session("non-finite")).getJsonObject("variables").getJsonObject("v")).isEqualTo(kept);
    assertThat(send(HttpMethod.GET, "/api/context/namespaces/odd/conversations/non-finite/v", null).bodyAsJsonObject()
      .getJsonObject("value")).isEqualTo(kept);
  }

  @Test
  void shouldRefuseOverHttpAValueNestedDeeperThanTheServiceKeeps() {
    // in a cluster a property is kept inside its owner's entry, two levels deeper: a value of 999 levels (which the
    // request's parser takes) could not be written there and was answered 500 internal_error
    send(HttpMethod.PUT, "/api/context/namespaces/deep", null);
    JsonArray deepest = new JsonArray();
    for (int level = 1; level < 64; level++) {
      deepest = new JsonArray().add(deepest);
    }
    HttpResponse<Buffer> kept = send(HttpMethod.PUT, "/api/context/namespaces/deep/users/u/p",
      new JsonObject().put("value", deepest));
    HttpResponse<Buffer> refused = send(HttpMethod.PUT, "/api/context/namespaces/deep/users/u/q",
      new JsonObject().put("value", new JsonArray().add(deepest)));

    assertThat(kept.statusCode()).as(kept.bodyAsString()).isEqualTo(200);
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(400);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message"))
      .contains("more than 64 levels deep");
    assertThat(send(HttpMethod.GET, "/api/context/namespaces/deep/users/u/q", null).statusCode()).isEqualTo(404);
  }

  @Test
  void shouldChargeEachConversationItsOwnMapNotOnlyItsProperty() {
    // one small property in each of many conversations took 325 bytes of heap each, charged 78: context.maxBytes
    // let the service hold four times its bound
    ContextStore store = new LocalContextStore(new ContextOptions(1 << 20));
    store.registerNamespace("many", null);
    int written = 0;
    while (store.set(ContextStore.Scope.CONVERSATION, "many", "s" + written, "p", 1) == ContextStore.Outcome.DONE) {
      written++;
    }

    assertThat(written).as("conversations of one property held in 1 MiB").isLessThan((1 << 20) / 300);
    assertThat(store.deleteAll(ContextStore.Scope.CONVERSATION, "many", "s0")).isEqualTo(ContextStore.Outcome.DONE);
    assertThat(store.set(ContextStore.Scope.CONVERSATION, "many", "other", "p", 1))
      .as("the deleted conversation's map is given back with its property").isEqualTo(ContextStore.Outcome.DONE);
    store.deleteNamespace("many");
    assertThat(store.bytes()).isZero();
  }

  @Test
  void shouldRefuseControlCharactersInNamesAndConversationIds() {
    send(HttpMethod.PUT, "/api/context/namespaces/ctl", null);
    JsonObject value = new JsonObject().put("value", 1);
    HttpResponse<Buffer> conversation = send(HttpMethod.PUT, "/api/context/namespaces/ctl/conversations/a%0Ab/p", value);
    assertThat(conversation.statusCode()).isEqualTo(400);
    assertThat(conversation.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("invalid_session");
    for (String path : List.of("/api/context/namespaces/a%0Ab", "/api/context/namespaces/ctl/global/p%00x",
      "/api/context/namespaces/ctl/users/u%0D/p")) {
      HttpResponse<Buffer> refused = send(HttpMethod.PUT, path, path.endsWith("a%0Ab") ? null : value);
      assertThat(refused.statusCode()).as(path).isEqualTo(400);
      assertThat(refused.bodyAsString()).as(path).contains("control characters");
    }
    assertThat(send(HttpMethod.PUT, "/api/context/namespaces/ctl/conversations/a%20b/p", value).statusCode())
      .isEqualTo(200);
  }

  @Test
  void shouldRefuseAUserNoConversationCanHaveSayingWhatIsWrong() {
    send(HttpMethod.PUT, "/api/context/namespaces/people", null);
    JsonObject value = new JsonObject().put("value", 1);
    for (String user : List.of("%20", "%20%20%20", "%E3%80%80")) {
      for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE)) {
        for (String path : List.of("/api/context/namespaces/people/users/" + user + "/p",
          "/api/context/namespaces/people/users/" + user)) {
          if (method == HttpMethod.PUT && !path.endsWith("/p")) {
            continue;
          }
          HttpResponse<Buffer> r = send(method, path, method == HttpMethod.PUT ? value : null);

          assertThat(r.statusCode()).as(method + " " + path + ": " + r.bodyAsString()).isEqualTo(400);
          JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
          assertThat(error.getString("code")).as(path).isEqualTo("invalid_user");
          assertThat(error.getString("message")).as(path)
            .startsWith("the user in the path may not be empty or only white space");
        }
      }
    }
    HttpResponse<Buffer> control = send(HttpMethod.GET, "/api/context/namespaces/people/users/u%0D", null);
    assertThat(control.bodyAsJsonObject().getJsonObject("error").getString("message"))
      .contains("control characters (U+000D at position 2)");
    assertThat(send(HttpMethod.PUT, "/api/context/namespaces/people/users/a%20b/p", value).statusCode()).isEqualTo(200);
  }

  @Test
  void shouldRefuseAValueWithALoneSurrogateSayingWhereRatherThanKeepItAsAQuestionMark() {
    send(HttpMethod.PUT, "/api/context/namespaces/lone", null);
    String property = "/api/context/namespaces/lone/conversations/lone-1/p";
    Map<String, String> bodies = new LinkedHashMap<>();
    bodies.put("{\"value\": \"a\\ud800\"}", "\"value\" holds a lone surrogate (half of a UTF-16 pair) in "
      + "value, which has no UTF-8 form (it would be read back as '?'); nothing was written");
    bodies.put("{\"value\": {\"list\": [1, \"\\udc00\"]}}", "in value.list[1],");
    bodies.put("{\"value\": {\"\\ud800\": 1}}", "in a member's name under value,");
    bodies.forEach((body, why) -> {
      HttpResponse<Buffer> r = result(gw.http.put(gw.gateway.port(), "127.0.0.1", property)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));

      assertThat(r.statusCode()).as(body + ": " + r.bodyAsString()).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).as(body).contains(why);
    });
    assertThat(send(HttpMethod.GET, property, null).statusCode()).isEqualTo(404);

    JsonObject answer = script("lone-1", "botContext.setContextDataForConversation('lone', 'p', '\\ud800');", null);
    assertThat(answer.getJsonObject("error").getString("message"))
      .contains("setContextDataForConversation: the value for 'p' holds a lone surrogate (half of a UTF-16 pair) in value,");
    assertThat(send(HttpMethod.GET, property, null).statusCode()).isEqualTo(404);
  }

  @Test
  void shouldRefuseAScriptAPropertyNamedWithAControlCharacterOrALoneSurrogateSayingWhy() {
    // in a cluster a property named "\uD800" was kept as "?", overwriting the property "?" of the same owner; and
    // the HTTP API can name neither a lone surrogate nor a control character
    send(HttpMethod.PUT, "/api/context/namespaces/props", null);
    JsonObject answer = script("prop-names", "botContext.setContextDataForConversation('props', '?', 'kept');"
      + "botContext.printDebugMessage(JSON.stringify([botContext.setContextDataForConversation('props', '\\ud800', 1),"
      + "botContext.setContextDataForUser('props', 'a\\nb', 2), botContext.setGlobalContextData('props', '\\u2028', 3),"
      + "botContext.getContextDataForConversation('props')]));", null);

    assertThat(firstDebug(answer)).isEqualTo("[false,false,false,{\"?\":\"kept\"}]");
    assertThat(answer.getJsonArray("events").encode())
      .contains("setContextDataForConversation: a property may not hold a lone surrogate (U+D800 at position 1)")
      .contains("setContextDataForUser: a property may not hold control characters (U+000A at position 2)");
  }

  @Test
  void shouldRefuseAScriptANamespaceNamedWithAControlCharacterOrALoneSurrogateSayingWhy() {
    // in a cluster "a\u0000b" shared its keys with "a" (deleting "a" took its data) and "\uD800" was "?"
    Map<String, String> names = new LinkedHashMap<>();
    names.put("'nm\\u0000b'", "registerContextNamespace: a namespace may not hold control characters (U+0000 at "
      + "position 3); nothing was registered");
    names.put("'nm\\nb', 60", "(U+000A at position 3)");
    names.put("'nm\\ud800'", "a namespace may not hold a lone surrogate (U+D800 at position 3)");
    names.put("'nm\\u2028b'", "(U+2028 at position 3)");
    names.forEach((arguments, why) -> {
      JsonObject answer = script("ns-names", "botContext.registerContextNamespace(" + arguments + ");", null);

      assertThat(answer.getJsonObject("error")).as(arguments + ": a script error").isNotNull();
      assertThat(answer.getJsonObject("error").getString("message")).as(arguments).contains(why);
    });
    assertThat(firstDebug(script("ns-names", "botContext.printDebugMessage(String("
      + "botContext.setGlobalContextData('nm\\u0000b', 'p', 1)));", null))).isEqualTo("false");
    assertThat(send(HttpMethod.GET, "/api/context/namespaces", null).bodyAsJsonObject().getJsonArray("namespaces")
      .stream().map(n -> ((JsonObject) n).getString("name"))).noneMatch(name -> name.startsWith("nm"));
    HttpResponse<Buffer> separator = send(HttpMethod.PUT, "/api/context/namespaces/nm%E2%80%A8b",
      new JsonObject().put("ttlSeconds", 60));
    assertThat(separator.statusCode()).isEqualTo(400);
    assertThat(separator.bodyAsJsonObject().getJsonObject("error").getString("message"))
      .isEqualTo("a namespace may not hold control characters (U+2028 at position 3)");
  }

  @Test
  void shouldAnswerUnknownNamespacesAndPropertiesWith404() {
    HttpResponse<Buffer> namespace = send(HttpMethod.GET, "/api/context/namespaces/nowhere/global/x", null);
    send(HttpMethod.PUT, "/api/context/namespaces/known", null);
    HttpResponse<Buffer> property = send(HttpMethod.GET, "/api/context/namespaces/known/users/u/x", null);
    HttpResponse<Buffer> write = send(HttpMethod.PUT, "/api/context/namespaces/nowhere/global/x",
      new JsonObject().put("value", 1));

    assertThat(namespace.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unknown_namespace");
    assertThat(property.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("unknown_property");
    assertThat(write.statusCode()).isEqualTo(404);
    assertThat(send(HttpMethod.PUT, "/api/context/namespaces/%20", null).statusCode()).as("a blank name").isEqualTo(400);
  }

  @Test
  void shouldKeepTheRequestContextOnTheSessionAndMergeLaterOnes() {
    JsonObject first = new JsonObject().put("accountId", "70071").put("channel", "lp_sms");
    script("ctx-1", "1", first);

    JsonObject execution = result(gw.execute("ctx-1", "faqIntegration", new JsonObject()
      .put("variables", new JsonObject().put("question", "roaming"))
      .put("context", new JsonObject().put("channel", "lp_whatsapp").put("accountId", null))
      .put("postProcess", "botContext.sendMessage(botContext.getUserChannel() + ' ' + botContext.getLPAccountId());")));

    assertThat(execution.getJsonArray("messages").getJsonObject(0).getString("text")).isEqualTo("lp_whatsapp null");
  }

  @Test
  void shouldRefuseAWrongContextListingEveryProblem() {
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/api/sessions/ctx-2/scripts", new JsonObject().put("code", "1")
      .put("context", new JsonObject().put("channel", 5).put("customerInfo", "x").put("mood", "happy")));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getJsonArray("problems")).hasSize(3);
  }

  @Test
  void shouldRefuseABlankUserPlatformIdRatherThanShareOneUsersDataWithEveryConversationSendingIt() {
    send(HttpMethod.PUT, "/api/context/namespaces/profile", null);
    for (String id : List.of("", "  ", "u\n1", "u\uD800", ".", "..")) {
      HttpResponse<Buffer> r = send(HttpMethod.POST, "/api/sessions/alice-conv/scripts", new JsonObject()
        .put("code", "botContext.setContextDataForUser('profile', 'name', 'Alice')")
        .put("context", new JsonObject().put("userPlatformId", id)));

      assertThat(r.statusCode()).as(id + ": " + r.bodyAsString()).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).startsWith("context.userPlatformId may not");
    }
    JsonObject other = script("bob-conv", "botContext.printDebugMessage(JSON.stringify("
      + "botContext.getContextDataForUser('profile')));", new JsonObject().put("userPlatformId", "bob"));
    assertThat(firstDebug(other)).isEqualTo("{}");
  }

  @Test
  void shouldCountTheContextInTheSessionsBytes() {
    script("ctx-3", "1", new JsonObject().put("customerInfo", new JsonObject().put("notes", "n".repeat(1000))));
    long held = send(HttpMethod.GET, "/api/sessions/ctx-3", null).bodyAsJsonObject().getLong("heldBytes");
    assertThat(held).isGreaterThan(1000);

    HttpResponse<Buffer> tooLarge = send(HttpMethod.POST, "/api/sessions/ctx-3/scripts", new JsonObject().put("code", "1")
      .put("context", new JsonObject().put("customerInfo", new JsonObject().put("notes", "n".repeat(5000)))));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.bodyAsString()).contains("session.maxBytes");
  }

  @Test
  void shouldImportTheExportsListedInImportsCbAtStart() {
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/api/sessions/start-1/bots/Greeter/interactions/dialog_starter",
      new JsonObject().put("context", new JsonObject().put("customerInfo", new JsonObject().put("firstName", "Lin"))));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getJsonArray("messages").getJsonObject(0).getString("text"))
      .isEqualTo("greeter says the greeter to Lin");
  }

  @Test
  void shouldRefuseToStartWithABrokenExportListingItsProblems(Vertx vertx) {
    BotgateVerticle broken = new BotgateVerticle(GatewayConfig.of(new JsonObject().put("http.port", 0)
      .put("integrations.file", "src/test/resources/test-integrations.json")
      .put("imports.cb", new JsonArray().add("src/test/resources/cb/broken.json"))));

    Throwable refused = failure(vertx.deployVerticle(broken));

    assertThat(refused.getMessage()).contains("imports.cb: src/test/resources/cb/broken.json")
      .contains("is declared twice").contains("postBody");
  }
}
