package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code body.held.bytes}: requests waiting for their session's turn hold their bodies, and past the bound a new one
 * is answered 503 {@code gateway_busy} before its work starts; a waiting request whose client has gone leaves the line
 * and gives its body back at once.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class HeldBodiesTest {

  static final int LIMIT = 64 * 1024;
  static TestGateway gw;
  static NetClient tcp;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("body.held.bytes", LIMIT)));
    tcp = vertx.createNetClient();
  }

  private static Future<HttpResponse<Buffer>> script(String session, String code, int padding) {
    return gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", code).put("variables", new JsonObject().put("pad", "x".repeat(padding))));
  }

  /** A turn that runs about {@code ms} on {@code session}, holding the turns after it. */
  private static Future<HttpResponse<Buffer>> busy(String session, int ms) {
    return script(session, "var t = Date.now(); while (Date.now() - t < " + ms + ") {}", 0);
  }

  @Test
  void shouldAnswerGatewayBusyPastTheBoundAndTakeRequestsAgainOnceTheyEnded() {
    Future<HttpResponse<Buffer>> running = busy("held", 1500);
    List<Future<HttpResponse<Buffer>>> waiting = new ArrayList<>();
    await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    for (int i = 0; i < 4; i++) { // 4 x 25 KiB waiting behind it: the third passes 64 KiB
      waiting.add(script("held", "1", 25 * 1024));
    }

    List<Integer> statuses = waiting.stream().map(f -> result(f).statusCode()).toList();
    assertThat(result(running).statusCode()).isEqualTo(200);
    assertThat(statuses).containsExactlyInAnyOrder(200, 200, 503, 503);
    HttpResponse<Buffer> refused = result(waiting.get(statuses.indexOf(503)));
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("gateway_busy");
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("body.held.bytes");

    assertThat(result(script("held", "1", 50 * 1024)).statusCode()).as("all given back").isEqualTo(200);
  }

  @Test
  void shouldChargeRequestsOnTheEventBusFromTheSameBound() {
    Future<HttpResponse<Buffer>> running = busy("bus", 1500);
    await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // as a bridge client may send them, without waiting for the answers
      sent.add(gw.vertx.eventBus().request(EventBusApi.SCRIPT_RUN, new JsonObject().put("session", "bus").put("code", "1")
        .put("variables", new JsonObject().put("pad", "z".repeat(25 * 1024)))));
    }

    List<Integer> codes = sent.stream().map(f -> {
      Throwable failure = result(f.transform(done -> Future.succeededFuture(done.cause())));
      return failure == null ? 200 : ((io.vertx.core.eventbus.ReplyException) failure).failureCode();
    }).toList();
    assertThat(codes).containsExactlyInAnyOrder(200, 200, 503, 503);
    assertThat(result(running).statusCode()).isEqualTo(200);
  }

  /**
   * A request on the bus larger than the event loop walks ({@code OnLoop.MAX_BYTES}) is counted on a worker (5 MB of
   * variables in 170,000 objects held the loop 11 to 34 ms), and charged as before: a second one past the bound while
   * the first waits is refused.
   */
  @Test
  void shouldCountALargeRequestOnTheBusOnAWorkerAndChargeIt() {
    List<Boolean> countedOnLoop = new java.util.concurrent.CopyOnWriteArrayList<>();
    EventBusApi.whileCounting = thread -> countedOnLoop.add(io.vertx.core.Context.isOnEventLoopThread());
    try {
      Future<HttpResponse<Buffer>> running = busy("bus-large", 1500);
      await().pollDelay(Duration.ofMillis(200)).until(() -> true);
      JsonObject variables = new JsonObject();
      for (int i = 0; i < 2_000; i++) {
        variables.put("v" + i, new JsonObject().put("title", "t".repeat(40)));
      }
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        sent.add(gw.vertx.eventBus().request(EventBusApi.SCRIPT_RUN, new JsonObject().put("session", "bus-large")
          .put("code", "1").put("variables", variables)));
      }

      List<Integer> codes = sent.stream().map(f -> {
        Throwable failure = result(f.transform(done -> Future.succeededFuture(done.cause())));
        return failure == null ? 200 : ((io.vertx.core.eventbus.ReplyException) failure).failureCode();
      }).toList();
      assertThat(codes).containsExactlyInAnyOrder(200, 503);
      assertThat(countedOnLoop).as("where each was counted").containsExactly(false, false);
      assertThat(result(running).statusCode()).isEqualTo(200);
    } finally {
      EventBusApi.whileCounting = thread -> { };
    }
  }

  @Test
  void shouldGiveBackTheBodiesOfWaitingTurnsWhoseClientsLeftAtOnce() {
    assertThat(result(gw.declare(new JsonObject().put("name", "heldTurn").put("method", "GET").put("url", "stub:/held")
      .put("retries", 0))).statusCode()).isIn(200, 201);
    // the session's turn held until the test releases its call
    Future<HttpResponse<Buffer>> running = gw.http.post(gw.gateway.port(), "127.0.0.1",
      "/api/sessions/left/integrations/heldTurn").sendJsonObject(new JsonObject());
    await().atMost(Duration.ofSeconds(30)).until(() -> gw.upstream.held() == 1);
    for (int i = 0; i < 2; i++) { // 2 x 30 KiB waiting, their clients gone
      String body = new JsonObject().put("code", "1").put("variables", new JsonObject().put("pad", "y".repeat(30 * 1024)))
        .encode();
      NetSocket socket = result(tcp.connect(gw.gateway.port(), "127.0.0.1"));
      socket.write("POST /api/sessions/left/scripts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
      result(socket.close());
    }

    // read (a whole request came before each close), they leave the session's line as their clients go, their bodies
    // given back with them, while the turn still runs: each shown in the session as a request dropped
    await().atMost(Duration.ofSeconds(30)).until(() -> gw.gateway.stream().history("left", 0, 100).stream()
      .filter(e -> e.json().contains("caller_gone")).count() == 2);
    Future<HttpResponse<Buffer>> next = script("left", "1", 50 * 1024);
    gw.upstream.releaseHeld();
    assertThat(result(running).statusCode()).isEqualTo(200);
    assertThat(result(next).statusCode()).as("taken: nothing held for the requests gone").isEqualTo(200);
  }
}
