package io.botgate.session;

import io.botgate.TestGateway;
import io.botgate.events.Transcript;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** session.maxBytes and session.max through the real gateway, and the paged session list. */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class SessionBoundsTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
  }

  @Test
  void shouldChargeAValueWhatItTakesInMemoryNotTheLengthOfItsText() {
    // 340,000 empty objects are a megabyte of JSON text and about 30 MB of heap: charged as the heap, refused
    JsonObject body = script(gw, "objects", "var a = []; for (var i = 0; i < 340000; i++) a.push({});\n"
      + "botContext.setBotVariable('x', a, true, false);").bodyAsJsonObject();
    assertThat(body.getJsonObject("error").getString("message")).contains("session.maxBytes");
    assertThat(result(gw.session("objects")).getJsonObject("variables").fieldNames()).doesNotContain("x");
  }

  private static HttpResponse<Buffer> script(TestGateway g, String session, String code) {
    return result(g.http.post(g.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", code)));
  }

  private static HttpResponse<Buffer> get(TestGateway g, String path) {
    return result(g.http.get(g.gateway.port(), "127.0.0.1", path).send());
  }

  private static JsonObject variables(String session) {
    return result(gw.session(session)).getJsonObject("variables");
  }

  @Test
  void shouldRefuseAHugeSparseArrayNamingTheLimitAndKeepTheSessionAsItWas() {
    script(gw, "sparse", "botContext.setBotVariable('big', 'small before', true, false);");
    HttpResponse<Buffer> answer = script(gw, "sparse",
      "var a = []; a.length = 1e7; botContext.setBotVariable('big', a, true, false);");
    JsonObject body = answer.bodyAsJsonObject();
    assertThat(body.getString("outcome")).isEqualTo("error");
    assertThat(body.getJsonObject("error").getString("message")).contains("session.maxBytes");
    assertThat(answer.body().length()).as("the answer carries no copy of the value").isLessThan(20_000);
    assertThat(variables("sparse").getString("big")).isEqualTo("small before");

    HttpResponse<Buffer> requestScope = script(gw, "sparse",
      "var a = []; a.length = 1e7; botContext.setBotVariable('onlyThisRequest', a, false, false);");
    assertThat(requestScope.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("session.maxBytes");
  }

  @Test
  void shouldRefuseTheWriteThatCrossesTheBoundAfterSmallerOnes() {
    JsonObject body = script(gw, "growing", """
      var s = new Array(200001).join('x');
      for (var i = 0; i < 10; i++) {
        try {
          botContext.setBotVariable('v' + i, s, true, false);
        } catch (e) {
          botContext.setBotVariable('refusedAt', i, true, false);
          botContext.setBotVariable('why', String(e), true, false);
          break;
        }
      }
      """).bodyAsJsonObject();
    assertThat(body.getString("outcome")).isEqualTo("ok");
    JsonObject state = result(gw.session("growing"));
    JsonObject vars = state.getJsonObject("variables");
    assertThat(vars.getInteger("refusedAt")).isEqualTo(5); // 5 x 200,090 bytes fit in 1 MiB, a sixth does not
    assertThat(vars.getString("why")).contains("session.maxBytes");
    assertThat(vars.fieldNames()).contains("v0", "v4").doesNotContain("v5", "v9");
    assertThat(state.getLong("heldBytes")).isLessThanOrEqualTo(1L << 20);

    JsonObject uncaught = script(gw, "growing", "botContext.setBotVariable('v5', new Array(200001).join('y'), true, false);")
      .bodyAsJsonObject();
    assertThat(uncaught.getJsonObject("error").getString("message")).contains("session.maxBytes (1048576 bytes)");
    assertThat(script(gw, "growing", "botContext.setBotVariable('v0', 'smaller', true, false);")
      .bodyAsJsonObject().getString("outcome")).as("a write that shrinks the session is always allowed").isEqualTo("ok");
  }

  @Test
  void shouldKeepTheAnswerSmallWhenAScriptRewritesALargeValue() {
    HttpResponse<Buffer> answer = script(gw, "rewrite", """
      var s = new Array(500001).join('x');
      for (var i = 0; i < 20; i++) {
        botContext.setBotVariable('big', s + i, true, false);
      }
      """);
    assertThat(answer.bodyAsJsonObject().getString("outcome")).isEqualTo("ok");
    assertThat(answer.body().length()).as("events carry a preview, not 20 copies").isLessThan(1_000_000);
    assertThat(variables("rewrite").getString("big")).endsWith("19");
  }

  @Test
  void shouldDropARequestsEventsPastTheBoundAndSaySoOnce() {
    HttpResponse<Buffer> answer = script(gw, "chatty", """
      for (var i = 0; i < 100000; i++) { botContext.printDebugMessage('line ' + i); }
      botContext.setBotVariable('done', true, true, false);
      botContext.sendMessage('all done');
      """);
    JsonObject body = answer.bodyAsJsonObject();
    assertThat(body.getString("outcome")).isEqualTo("ok");
    JsonArray events = body.getJsonArray("events");
    List<JsonObject> dropped = events.stream().map(JsonObject.class::cast)
      .filter(e -> "dropped".equals(e.getString("kind"))).toList();
    assertThat(dropped).hasSize(1);
    assertThat(dropped.get(0).getString("text")).contains("1000 events").contains("dropped");
    assertThat(events.stream().map(JsonObject.class::cast).filter(e -> "debug".equals(e.getString("kind"))))
      .hasSize(Transcript.MAX_EVENTS);
    // the run's own finish event is kept, and what the script did after the bound still happened
    assertThat(events.getJsonObject(events.size() - 1).getString("text")).contains("finished");
    assertThat(events.stream().map(JsonObject.class::cast).filter(e -> "message".equals(e.getString("kind")))).hasSize(1);
    assertThat(variables("chatty").getBoolean("done")).isTrue();
    // the bot's answer to the user has a budget of its own: debug output cannot spend it
    assertThat(body.getJsonArray("messages")).singleElement()
      .satisfies(m -> assertThat(((JsonObject) m).getString("text")).isEqualTo("all done"));
    JsonObject history = get(gw, "/api/sessions/chatty/events?after=0&limit=1000").bodyAsJsonObject();
    assertThat(history.getLong("lastSeq")).as("events numbered: the dropped ones never were").isLessThan(1_010);
  }

  @Test
  void shouldDropMessagesPastTheBytesBound() {
    HttpResponse<Buffer> answer = script(gw, "verbose", """
      var text = new Array(60001).join('y');
      for (var i = 0; i < 200; i++) { botContext.sendMessage(text + i); }
      """);
    JsonObject body = answer.bodyAsJsonObject();
    assertThat(body.getString("outcome")).isEqualTo("ok");
    int kept = body.getJsonArray("messages").size();
    assertThat(kept).as("messages of 60 kB, each event quoting its text twice, within 4 MiB").isBetween(30, 40);
    assertThat(answer.body().length()).as("the answer: the messages and their events").isLessThan(10 << 20);
    assertThat(body.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> "dropped".equals(e.getString("kind")))).hasSize(1);
  }

  @Test
  void shouldFailAnExecutionWhoseResponseDoesNotFitAndKeepTheOtherVariables() {
    script(gw, "bigbody", "botContext.setBotVariable('kept', 'yes', true, false);");
    JsonObject report = result(gw.declareAndExecute("bigbody", new JsonObject().put("name", "bigBody")
      .put("method", "GET").put("url", "stub:/big/2048").put("retries", 0), null));
    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("502");
    assertThat(report.getJsonObject("result").getBoolean("success")).isFalse();
    assertThat(report.getString("reason")).contains("session.maxBytes");
    JsonObject vars = variables("bigbody");
    assertThat(vars.getString("kept")).isEqualTo("yes");
    assertThat(vars.getJsonObject("api_bigBody").getString("jsonData")).isEqualTo("{\"api_bigBody\":null}");
    assertThat(vars.getString("api_bigBodyStatus")).isEqualTo("502");
  }

  @Test
  void shouldFailAnExecutionWhoseMappedFieldsDoNotFit() {
    JsonObject report = result(gw.declareAndExecute("bigfields", new JsonObject().put("name", "bigFields")
      .put("method", "GET").put("url", "stub:/big/600").put("retries", 0)
      .put("customDataFields", new JsonObject().put("title", "{$.api_bigFields.items[i].title}")), null));
    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("502");
    assertThat(report.getString("reason")).contains("custom data fields").contains("session.maxBytes");
    JsonObject vars = variables("bigfields");
    assertThat(vars.fieldNames()).doesNotContain("bigFields.title", "bigFields.title.count");
  }

  @Test
  void shouldRefuseNewSessionsPastTheCapAndCountThem() {
    // A gateway of its own, in a Vert.x of its own.
    Vertx vertx = Vertx.vertx();
    try {
      refuseNewSessionsPastTheCap(result(TestGateway.start(vertx, new JsonObject().put("session.max", 2))));
    } finally {
      result(vertx.close());
    }
  }

  private void refuseNewSessionsPastTheCap(TestGateway small) {
    assertThat(script(small, "one", "botContext.sendMessage('hi');").statusCode()).isEqualTo(200);
    assertThat(script(small, "two", "botContext.sendMessage('hi');").statusCode()).isEqualTo(200);

    HttpResponse<Buffer> refused = script(small, "three", "botContext.sendMessage('hi');");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("sessions_full");
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("session.max");
    HttpResponse<Buffer> execution = result(small.http.post(small.gateway.port(), "127.0.0.1",
      "/api/sessions/four/integrations/faqIntegration").sendJsonObject(new JsonObject()));
    assertThat(execution.statusCode()).isEqualTo(503);
    HttpResponse<Buffer> passThrough = result(small.http.get(small.gateway.port(), "127.0.0.1",
      "/proxy/faqIntegration/search").putHeader("X-Botgate-Session", "five").send());
    assertThat(passThrough.statusCode()).as("a pass-through call for a new session").isEqualTo(503);
    assertThat(passThrough.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("sessions_full");
    assertThat(script(small, "one", "botContext.sendMessage('still here');").statusCode())
      .as("live sessions keep working at the cap").isEqualTo(200);

    String metrics = get(small, "/metrics").bodyAsString();
    assertThat(metrics).contains("botgate_sessions_refused_total 3").contains("botgate_sessions_max 2")
      .contains("botgate_sessions 2");
    assertThat(result(small.http.delete(small.gateway.port(), "127.0.0.1", "/api/sessions/two").send()).statusCode())
      .isEqualTo(204);
    assertThat(script(small, "three", "botContext.sendMessage('hi');").statusCode()).isEqualTo(200);
  }

  @Test
  void shouldWalkEveryPageWithoutRepeatOrSkipWhileOtherSessionsKeepExecuting() {
    Set<String> quiet = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      script(gw, "quiet-" + i, "botContext.setBotVariable('n', " + i + ", true, false);");
      quiet.add("quiet-" + i);
    }
    AtomicBoolean walking = new AtomicBoolean(true);
    AtomicInteger runs = new AtomicInteger();
    List<Future<?>> busy = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      busy.add(keepRunning("busy-" + b, walking, runs));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = get(gw, "/api/sessions?limit=3" + (cursor == null ? "" : "&cursor=" + cursor)).bodyAsJsonObject();
      assertThat(page.getInteger("total")).isGreaterThanOrEqualTo(quiet.size());
      JsonArray rows = page.getJsonArray("sessions");
      assertThat(rows.size()).isLessThanOrEqualTo(3);
      rows.forEach(r -> seen.add(((JsonObject) r).getString("session")));
      cursor = page.getString("next");
      pages++;
      // let the busy sessions move between pages
      int before = runs.get();
      org.awaitility.Awaitility.await().until(() -> runs.get() > before);
    } while (cursor != null);
    walking.set(false);
    busy.forEach(f -> result(f));

    assertThat(pages).isGreaterThan(10);
    assertThat(seen).as("no session twice").doesNotHaveDuplicates();
    assertThat(seen).as("every session that did not change is listed").containsAll(quiet);
    JsonObject first = get(gw, "/api/sessions").bodyAsJsonObject();
    assertThat(first.getJsonArray("sessions").getJsonObject(0).getString("session")).startsWith("busy-");
    assertThat(first.fieldNames()).containsExactlyInAnyOrder("sessions", "next", "total");
  }

  /**
   * Runs a script in the session again and again while {@code walking}; done when it stops. One promise for the
   * whole series, not a future composed on each run's: thousands of nested futures (a fast machine) completed at the
   * end overflowed the event loop's stack, and the series never completed.
   */
  private Future<Void> keepRunning(String session, AtomicBoolean walking, AtomicInteger runs) {
    Promise<Void> done = Promise.promise();
    runAgain(session, walking, runs, done);
    return done.future();
  }

  private void runAgain(String session, AtomicBoolean walking, AtomicInteger runs, Promise<Void> done) {
    if (!walking.get()) {
      done.complete();
      return;
    }
    gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", "botContext.setBotVariable('t', 1, true, false);"))
      .onFailure(done::fail)
      .onSuccess(r -> {
        runs.incrementAndGet();
        runAgain(session, walking, runs, done);
      });
  }

  @Test
  void shouldAnswer400ForABadLimitOrCursor() {
    for (String query : List.of("limit=0", "limit=1001", "limit=ten", "cursor=%21%21%21", "cursor=aGVsbG8",
      "cursor=eDpz")) {
      HttpResponse<Buffer> r = get(gw, "/api/sessions?" + query);
      assertThat(r.statusCode()).as(query).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).as(query).isEqualTo("invalid_parameter");
    }
    assertThat(get(gw, "/api/sessions?limit=1000").statusCode()).isEqualTo(200);
  }
}
