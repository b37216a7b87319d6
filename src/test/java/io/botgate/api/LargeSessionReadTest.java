package io.botgate.api;

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
 * {@code GET /api/sessions/{id}} and {@code botgate.session.get} of a session holding a large answer are scrubbed (and
 * written out) on a worker, not on the event loop (a 5 MB answer held it 25 to 90 ms), and show the same: every
 * variable, the secrets the gateway sent masked. A small session is shown from the loop, without a hop.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class LargeSessionReadTest {

  static final String TOKEN = "tok-9Zq4VbN2xLm7Rw8s";
  static TestGateway gw;
  static HttpServer upstream;
  static final List<Boolean> shownOnLoop = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("session.maxBytes", 8_000_000)
      .put("env", new JsonObject().put("TOKEN", TOKEN))));
    // echoes the token it was sent, after as much padding as the path asks for
    upstream = vertx.createHttpServer().requestHandler(req -> req.response()
      .putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("padding", "x".repeat(Integer.parseInt(req.path().substring(1))))
        .put("echo", req.getParam("t")).encode()));
    result(upstream.listen(0, "127.0.0.1"));
    ShownSessions.whileShowing = thread -> shownOnLoop.add(Context.isOnEventLoopThread());
  }

  @AfterAll
  static void stop() {
    ShownSessions.whileShowing = thread -> { };
    result(upstream.close());
  }

  @BeforeEach
  void forget() {
    shownOnLoop.clear();
  }

  private static JsonObject executed(String session, int padding) {
    JsonObject definition = new JsonObject().put("name", "echoes" + padding).put("method", "GET")
      .put("url", "http://127.0.0.1:" + upstream.actualPort() + "/" + padding)
      .put("query", new JsonObject().put("t", "{$env.TOKEN}"))
      .put("customDataFields", new JsonObject().put("echo", "{$.api_echoes" + padding + ".echo}"));
    return result(gw.declareAndExecute(session, definition, null));
  }

  @Test
  void shouldShowALargeSessionFromAWorkerWithItsSecretsMasked() {
    executed("large-session", 200_000);

    JsonObject state = result(gw.session("large-session"));

    assertThat(shownOnLoop).as("where the session was shown").containsExactly(false);
    JsonObject variables = state.getJsonObject("variables");
    assertThat(variables.getJsonObject("api_echoes200000").getString("jsonData")).hasSizeGreaterThan(200_000)
      .doesNotContain(TOKEN).contains("****");
    assertThat(variables.getString("echoes200000.echo")).isEqualTo("****");
    assertThat(state.getJsonObject("lastResult").getString("statusCode")).isEqualTo("200");
  }

  @Test
  void shouldAnswerALargeSessionOnTheBusFromAWorkerWithItsSecretsMasked(Vertx vertx) {
    executed("large-on-bus", 200_000);

    JsonObject state = result(vertx.eventBus().<JsonObject>request(EventBusApi.SESSION_GET,
      new JsonObject().put("session", "large-on-bus"))).body();

    assertThat(shownOnLoop).as("where the session was shown").containsExactly(false);
    JsonObject variables = state.getJsonObject("variables");
    assertThat(variables.getJsonObject("api_echoes200000").getString("jsonData")).hasSizeGreaterThan(200_000)
      .doesNotContain(TOKEN).contains("****");
    assertThat(variables.getString("echoes200000.echo")).isEqualTo("****");
    assertThat(state).isEqualTo(result(gw.session("large-on-bus")));
  }

  @Test
  void shouldAnswerASmallSessionOnTheBusFromTheEventLoopWithItsSecretsMasked(Vertx vertx) {
    executed("small-on-bus", 10);

    JsonObject state = result(vertx.eventBus().<JsonObject>request(EventBusApi.SESSION_GET,
      new JsonObject().put("session", "small-on-bus"))).body();

    assertThat(shownOnLoop).as("nothing shown off the loop").isEmpty();
    assertThat(state.getJsonObject("variables").getString("echoes10.echo")).isEqualTo("****");
  }

  @Test
  void shouldShowASmallSessionFromTheEventLoopWithItsSecretsMasked() {
    executed("small-session", 10);

    JsonObject state = result(gw.session("small-session"));

    assertThat(shownOnLoop).as("nothing shown off the loop").isEmpty();
    assertThat(state.getJsonObject("variables").getString("echoes10.echo")).isEqualTo("****");
  }
}
