package io.botgate.api;

import io.botgate.TestGateway;
import io.botgate.session.RefusalEvents;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A request refused before its session's turn (its body, its media type, its fields, its size) shows in the
 * session's console as the bot's answer says it, where a developer can be watching: a session with events. Over
 * HTTP, on the event bus and through its TCP bridge.
 */
@ExtendWith(VertxExtension.class)
class ConsoleRefusalsTest {

  static final String SECRET = "sk.live-7Hq2secret";
  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("body.limit.bytes", 8192).put("bridge.port", 0)
      .put("env", new JsonObject().put("TOKEN", SECRET))));
  }

  private static HttpRequest<Buffer> post(String path) {
    return gw.http.request(HttpMethod.POST, gw.gateway.port(), "127.0.0.1", path);
  }

  /** A session with events: the conversation under way. */
  private static long begun(String session) {
    assertThat(result(post("/api/sessions/" + session + "/scripts").sendJsonObject(new JsonObject().put("code", "1")))
      .statusCode()).isEqualTo(200);
    return gw.gateway.stream().lastSeq(session);
  }

  private static JsonArray eventsAfter(String session, long after) {
    return result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/events?after=" + after)
      .send()).bodyAsJsonObject().getJsonArray("events");
  }

  @Test
  void shouldShowEachRefusalInTheSessionsConsoleWithTheAnswersCodeAndMessage() {
    String session = "refused-shown";
    List<Function<String, HttpResponse<Buffer>>> refused = List.of(
      s -> result(post("/api/sessions/" + s + "/integrations/faqIntegration").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"variables\": {\"question\": }"))),
      s -> result(post("/api/sessions/" + s + "/scripts").putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer("botContext.printDebugMessage('hi')"))),
      s -> result(post("/api/sessions/" + s + "/integrations/faqIntegration")
        .sendJsonObject(new JsonObject().put("varibles", new JsonObject()))),
      s -> result(post("/api/sessions/" + s + "/scripts").sendJsonObject(new JsonObject().put("code", "x".repeat(10_000)))),
      s -> result(post("/api/sessions/" + s + "/integrations/faqIntegration")
        .sendJsonObject(new JsonObject().put("context", 5))),
      s -> result(post("/api/sessions/" + s + "/bots/noSuchBot/interactions/start")
        .sendJsonObject(new JsonObject().put("userMesage", "hi"))));
    long before = begun(session);

    for (Function<String, HttpResponse<Buffer>> request : refused) {
      HttpResponse<Buffer> answer = request.apply(session);
      JsonObject error = answer.bodyAsJsonObject().getJsonObject("error");
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isBetween(400, 499);

      JsonArray events = eventsAfter(session, before);
      assertThat(events).as(error.encode()).hasSize(1);
      JsonObject event = events.getJsonObject(0);
      assertThat(event.getString("kind")).isEqualTo("error");
      assertThat(event.getString("level")).isEqualTo("error");
      assertThat(event.getString("text")).isEqualTo(error.getString("message"));
      assertThat(event.getJsonObject("data").getString("code")).isEqualTo(error.getString("code"));
      assertThat(event.getJsonObject("data").getInteger("status")).isEqualTo(answer.statusCode());
      before = event.getLong("seq");
    }
  }

  /**
   * A flood of refused requests on a node alone must not push the conversation's own events out of its history of
   * 1,000: past the first few, a session's refusals are counted into one shown every few seconds, as a cluster counts
   * those that come while one waits for its turn, and every refusal is still accounted for.
   */
  @Test
  void shouldKeepTheConversationsEventsThroughAFloodOfRefusals() {
    String session = "refused-flood";
    assertThat(result(post("/api/sessions/" + session + "/scripts").sendJsonObject(new JsonObject()
      .put("code", "botContext.printDebugMessage('the conversation')"))).statusCode()).isEqualTo(200);
    int flood = 1_500;
    for (int i = 0; i < flood; i++) {
      assertThat(result(post("/api/sessions/" + session + "/scripts").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{not json"))).statusCode()).isEqualTo(400);
    }

    assertThat(eventsAfter(session, 0).stream().map(e -> ((JsonObject) e).getString("text")))
      .as("the conversation's own event").contains("the conversation");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<JsonObject> refusals = eventsAfter(session, 0).stream().map(e -> (JsonObject) e)
        .filter(e -> "error".equals(e.getString("kind"))).toList();
      assertThat(refusals.size() + refusals.stream().mapToInt(e -> e.getJsonObject("data").getInteger("notShown", 0)).sum())
        .as("refusals shown, and counted into those shown").isEqualTo(flood);
    });
    List<JsonObject> counted = eventsAfter(session, 0).stream().map(e -> (JsonObject) e)
      .filter(e -> e.getJsonObject("data").containsKey("notShown")).toList();
    assertThat(counted).isNotEmpty().allSatisfy(e -> assertThat(e.getString("text"))
      .endsWith("more refused requests of this session while this one waited to be shown)"));
  }

  /**
   * A session's refusals are paced together whichever way they come in: unknown integrations (refused by the executor)
   * after the session's allowance went on malformed bodies are counted into one shown later, not shown at once as if
   * they had an allowance of their own; and every one is still accounted for.
   */
  @Test
  void shouldPaceUnknownIntegrationsWithTheSessionsOtherRefusals() {
    String session = "refused-paced";
    long before = begun(session);
    for (int i = 0; i < RefusalEvents.SHOWN_AT_ONCE; i++) {
      assertThat(result(post("/api/sessions/" + session + "/scripts").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{not json"))).statusCode()).isEqualTo(400);
    }
    for (int i = 0; i < RefusalEvents.SHOWN_AT_ONCE; i++) {
      assertThat(result(post("/api/sessions/" + session + "/integrations/noSuchIntegration")
        .sendJsonObject(new JsonObject())).statusCode()).isEqualTo(404);
    }

    List<JsonObject> unknownAtOnce = eventsAfter(session, before).stream().map(e -> (JsonObject) e)
      .filter(e -> "unknown_integration".equals(e.getJsonObject("data").getString("code"))).toList();
    // one more comes back every SHOWN_EVERY_MS: all of them only if the requests took a minute
    assertThat(unknownAtOnce).as("unknown integrations shown at once, the allowance spent").hasSizeLessThan(
      RefusalEvents.SHOWN_AT_ONCE);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      List<JsonObject> refusals = eventsAfter(session, before).stream().map(e -> (JsonObject) e)
        .filter(e -> "error".equals(e.getString("kind"))).toList();
      assertThat(refusals.size() + refusals.stream().mapToInt(e -> e.getJsonObject("data").getInteger("notShown", 0)).sum())
        .as("refusals shown, and counted into those shown").isEqualTo(2 * RefusalEvents.SHOWN_AT_ONCE);
    });
  }

  @Test
  void shouldKeepNothingForASessionWithoutEvents() {
    HttpResponse<Buffer> answer = result(post("/api/sessions/refused-new/scripts").putHeader("Content-Type",
      "application/json").sendBuffer(Buffer.buffer("{not json")));
    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(result(post("/api/sessions/refused-new/integrations/faqIntegration").sendJsonObject(new JsonObject()
      .put("slots", "no"))).statusCode()).isEqualTo(400);

    assertThat(gw.gateway.stream().lastSeq("refused-new")).as("made-up ids keep no history").isZero();
    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/refused-new").send()).statusCode())
      .as("nor a session").isEqualTo(404);
  }

  @Test
  void shouldShowNoMoreOfTheRefusedBodyThanAShortScrubbedExcerpt() {
    String session = "refused-excerpt";
    // the secret is one the gateway sent: known, so every event shows it masked
    JsonObject executed = result(gw.declareAndExecute(session, new JsonObject().put("name", "withToken")
      .put("method", "GET").put("url", "stub:/status/200")
      .put("headers", new JsonObject().put("Authorization", "Bearer {$env.TOKEN}")), null));
    assertThat(executed.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    long before = gw.gateway.stream().lastSeq(session);

    HttpResponse<Buffer> named = result(post("/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", "1").put(SECRET, true)));
    HttpResponse<Buffer> quoted = result(post("/api/sessions/" + session + "/scripts")
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"code\": " + SECRET + "}")));
    HttpResponse<Buffer> longName = result(post("/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("k".repeat(6000), 1)));
    assertThat(List.of(named, quoted, longName)).allMatch(r -> r.statusCode() == 400);

    JsonArray events = eventsAfter(session, before);
    assertThat(events).hasSize(3);
    assertThat(events.encode()).doesNotContain(SECRET).doesNotContain("'sk").contains("****");
    String shownName = events.getJsonObject(2).getString("text");
    assertThat(shownName).startsWith("unknown field 'kkk").endsWith("characters cut)");
    assertThat(shownName.length()).isLessThan(RefusalEvents.SHOWN_CHARS + 50);
  }

  @Test
  void shouldShowNothingOfARequestThatLacksTheToken(Vertx vertx) {
    TestGateway guarded = result(TestGateway.start(vertx, new JsonObject().put("auth.token", "t0ken")));
    String session = "refused-unauthorized";
    assertThat(result(guarded.http.post(guarded.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .bearerTokenAuthentication("t0ken").sendJsonObject(new JsonObject().put("code", "1"))).statusCode()).isEqualTo(200);
    long before = guarded.gateway.stream().lastSeq(session);

    assertThat(result(guarded.http.post(guarded.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("x"))).statusCode()).isEqualTo(401);
    assertThat(result(guarded.http.get(guarded.gateway.port(), "127.0.0.1", "/proxy/faqIntegration/x")
      .putHeader("X-Botgate-Session", session).send()).statusCode()).as("a pass-through call").isEqualTo(401);

    assertThat(guarded.gateway.stream().lastSeq(session)).as("no one without the token writes into a console")
      .isEqualTo(before);
  }
  /** The refusal of a bus request, as its sender gets it: the failure code and the error JSON. */
  private static JsonObject refusedOnTheBus(String address, JsonObject body) {
    ReplyException refused = (ReplyException) failure(gw.vertx.eventBus().request(address, body));
    JsonObject error = new JsonObject(refused.getMessage()).getJsonObject("error");
    return error.put("status", refused.failureCode());
  }

  private static void assertShown(JsonArray events, JsonObject error, String integration) {
    assertThat(events).as(error.encode()).hasSize(1);
    JsonObject event = events.getJsonObject(0);
    assertThat(event.getString("kind")).isEqualTo("error");
    assertThat(event.getString("level")).isEqualTo("error");
    assertThat(event.getString("text")).isEqualTo(error.getString("message"));
    assertThat(event.getJsonObject("data").getString("code")).isEqualTo(error.getString("code"));
    assertThat(event.getJsonObject("data").getInteger("status")).isEqualTo(error.getInteger("status"));
    assertThat(event.getJsonObject("data").getString("integration")).isEqualTo(integration);
  }

  @Test
  void shouldShowEachRefusalOfABusRequestInTheSessionsConsole() {
    String session = "refused-on-bus";
    String execute = EventBusApi.EXECUTE;
    String run = EventBusApi.SCRIPT_RUN;
    List<JsonObject> refused = List.of(
      new JsonObject().put("address", execute).put("body", new JsonObject().put("integration", "faqIntegration")
        .put("varibles", new JsonObject())),
      new JsonObject().put("address", execute).put("body", new JsonObject().put("integration", "faqIntegration")
        .put("context", 5)),
      new JsonObject().put("address", execute).put("body", new JsonObject().put("integration", 7)),
      new JsonObject().put("address", run).put("body", new JsonObject().put("script", "1")),
      new JsonObject().put("address", run).put("body", new JsonObject().put("code", new JsonObject())),
      new JsonObject().put("address", run).put("body", new JsonObject().put("code", "1").put("userMessage", 5)));
    long before = begun(session);

    for (JsonObject request : refused) {
      JsonObject body = request.getJsonObject("body").put("session", session);
      JsonObject error = refusedOnTheBus(request.getString("address"), body);
      assertThat(error.getInteger("status")).as(error.encode()).isBetween(400, 499);

      JsonArray events = eventsAfter(session, before);
      assertShown(events, error, body.getValue("integration") instanceof String name ? name : null);
      before = events.getJsonObject(0).getLong("seq");
    }
  }

  @Test
  void shouldShowABusRequestsUnknownIntegrationOnceAndKeepNothingElsewhere() {
    String session = "refused-on-bus-typo";
    long before = begun(session);
    JsonObject error = refusedOnTheBus(EventBusApi.EXECUTE, new JsonObject().put("session", session)
      .put("integration", "faqIntegratoin"));
    assertThat(error.getString("code")).isEqualTo("unknown_integration");
    assertShown(eventsAfter(session, before), error, "faqIntegratoin");

    // a made-up id, a body that names no session: nothing kept, nothing shown
    refusedOnTheBus(EventBusApi.SCRIPT_RUN, new JsonObject().put("session", "refused-on-bus-new").put("cod", "1"));
    assertThat(gw.gateway.stream().lastSeq("refused-on-bus-new")).isZero();
    refusedOnTheBus(EventBusApi.EXECUTE, new JsonObject().put("integration", "faqIntegration").put("x", 1));
    assertThat(eventsAfter(session, before)).hasSize(1);
  }

  @Test
  void shouldShowARefusalOfARequestThroughTheBridgeInTheSessionsConsole() throws IOException {
    String session = "refused-on-bridge";
    long before = begun(session);
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort())) {
      String replyAddress = client.request(EventBusApi.EXECUTE, new JsonObject().put("session", session)
        .put("integration", "faqIntegration").put("variables", "question"));
      JsonObject err = client.readUntil(f -> replyAddress.equals(f.getString("address")));
      assertThat(err.getString("type")).isEqualTo("err");
      JsonObject error = new JsonObject(err.getString("message")).getJsonObject("error")
        .put("status", err.getInteger("failureCode"));
      assertThat(error.getInteger("status")).isEqualTo(400);

      JsonArray events = eventsAfter(session, before);
      assertShown(events, error, "faqIntegration");
      before = events.getJsonObject(0).getLong("seq");

      // published, not sent: refused, its error frame unasked for (a publish has no reply address)
      client.write(client.frame("publish", EventBusApi.SCRIPT_RUN).put("body", new JsonObject().put("session", session)
        .put("code", "botContext.sendMessage('hi')")));
      JsonObject published = client.readUntil(f -> "err".equals(f.getString("type")));
      JsonObject refusal = new JsonObject(published.getString("message")).getJsonObject("error")
        .put("status", published.getInteger("failureCode"));
      assertThat(refusal.getString("code")).isEqualTo("publish_refused");
      assertShown(eventsAfter(session, before), refusal, null);
    }
  }
}
