package io.botgate.api;

import io.botgate.RawConnections;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code http.connections}: past it a new connection takes the place of the longest-idle one, or is closed at once
 * when every connection has a request being answered; sockets held open never take every file descriptor.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class HttpConnectionsLimitTest {

  static TestGateway gw;
  static NetClient tcp;
  final List<NetSocket> opened = new ArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("http.connections", 3).put("http.instances", 1)));
    tcp = vertx.createNetClient();
    // requests being answered for as long as the stub takes, with no CPU or memory of their own
    result(gw.declare(new JsonObject().put("name", "slowly").put("method", "GET").put("retries", 0)
      .put("timeoutMs", 20_000).put("url", "stub:/slow/{$botContext.ms}")));
    result(gw.execute("warm-up", "slowly", new JsonObject().put("variables", new JsonObject().put("ms", 1))));
    // requests being answered until the test lets them end
    result(gw.declare(new JsonObject().put("name", "held").put("method", "GET").put("retries", 0)
      .put("timeoutMs", 60_000).put("url", "stub:/held")));
  }

  @AfterEach
  void closeAll() {
    opened.forEach(NetSocket::close);
    // the gateway has seen them closed (the next test counts on its places), but for this client's own one or two
    await().atMost(Duration.ofSeconds(10)).until(() -> openOnGateway() <= 2);
  }

  /** The connections the gateway counts open, from its /metrics; a large number while it cannot answer. */
  private static double openOnGateway() {
    try {
      String text = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").timeout(2000).send()).bodyAsString();
      return text.lines().filter(l -> l.startsWith("botgate_http_connections "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    } catch (AssertionError e) { // Await.result's: refused or timed out
      return Double.MAX_VALUE;
    }
  }

  /** A raw connection; {@code closed} turns true when the gateway closes it, {@code read} holds what it answered. */
  private NetSocket connect(AtomicBoolean closed, AtomicReference<String> read) {
    NetSocket socket = connect(gw.gateway.port(), closed, read);
    opened.add(socket);
    return socket;
  }

  private static NetSocket connect(int port, AtomicBoolean closed, AtomicReference<String> read) {
    return RawConnections.connect(gw.vertx, tcp, port, connected -> {
      connected.handler(b -> read.accumulateAndGet(b.toString(), (a, n) -> a == null ? n : a + n));
      connected.closeHandler(v -> closed.set(true));
    });
  }

  private String health() {
    try {
      return result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/health").timeout(2000).send()).bodyAsString();
    } catch (AssertionError e) { // Await.result's: refused or timed out
      return null;
    }
  }

  @Test
  void shouldCloseTheLongestIdleConnectionForANewOne() {
    List<AtomicBoolean> closed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      closed.add(new AtomicBoolean());
      connect(closed.get(i), new AtomicReference<>());
      await().pollDelay(Duration.ofMillis(50)).until(() -> true); // in order: the first is idle the longest
    }

    assertThat(health()).as("a new connection is served").contains("UP");
    await().atMost(Duration.ofSeconds(5)).untilTrue(closed.get(0));
    assertThat(closed.get(1)).isFalse();
    assertThat(closed.get(2)).isFalse();
  }

  @Test
  void shouldGiveBackThePlaceOfAWebSocketOnceItCloses(Vertx vertx) {
    WebSocketClient sockets = vertx.createWebSocketClient();
    for (int i = 0; i < 3; i++) { // as many consoles as places, each closed before the next
      WebSocket console = result(sockets.connect(gw.gateway.port(), "127.0.0.1", "/console"));
      result(console.close());
    }

    await().atMost(Duration.ofSeconds(5)).until(() -> health() != null);
    for (int i = 0; i < 3; i++) {
      AtomicBoolean closed = new AtomicBoolean();
      connect(closed, new AtomicReference<>());
      await().pollDelay(Duration.ofMillis(100)).until(() -> true);
      assertThat(closed).as("connection %d of 3 is kept", i + 1).isFalse();
    }
  }

  @Test
  void shouldNeverCutARequestStillComingInForANewConnection() {
    String body = new JsonObject().put("code", "1").put("variables", new JsonObject().put("pad", "u".repeat(4000)))
      .encode();
    AtomicBoolean uploadClosed = new AtomicBoolean();
    AtomicReference<String> uploadAnswer = new AtomicReference<>();
    NetSocket upload = connect(uploadClosed, uploadAnswer); // the oldest, its body coming slowly
    upload.write("POST /api/sessions/upload/scripts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      + "Content-Length: " + body.length() + "\r\n\r\n" + body.substring(0, 100));
    await().pollDelay(Duration.ofMillis(100)).until(() -> true);
    AtomicBoolean silentClosed = new AtomicBoolean();
    connect(silentClosed, new AtomicReference<>());
    await().pollDelay(Duration.ofMillis(100)).until(() -> true);
    connect(new AtomicBoolean(), new AtomicReference<>());
    connect(new AtomicBoolean(), new AtomicReference<>()); // past the 3 places: the first silent one gives its place

    await().atMost(Duration.ofSeconds(5)).untilTrue(silentClosed);
    assertThat(uploadClosed).isFalse();
    upload.write(body.substring(100));
    await().atMost(Duration.ofSeconds(10)).until(() -> String.valueOf(uploadAnswer.get()).startsWith("HTTP/1.1 200"));
  }

  @Test
  void shouldCloseANewConnectionAtOnceWhenNoneIsIdle() {
    List<AtomicReference<String>> answers = new ArrayList<>();
    for (int i = 0; i < 3; i++) { // three requests being answered, on three connections
      AtomicReference<String> read = new AtomicReference<>();
      NetSocket busy = connect(new AtomicBoolean(), read);
      busy.write(Buffer.buffer("POST /api/sessions/busy" + i + "/integrations/held HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"));
      answers.add(read);
    }
    // each one read and under way, its call held at the stub until the test lets it end (a call of a fixed length
    // could end, on a slow machine, before the fourth connection came, and leave an idle connection to close)
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.upstream.held() == 3);

    AtomicBoolean fourthClosed = new AtomicBoolean();
    AtomicReference<String> fourthRead = new AtomicReference<>();
    connect(fourthClosed, fourthRead);
    await().atMost(Duration.ofSeconds(5)).untilTrue(fourthClosed);
    assertThat(fourthRead.get()).startsWith("HTTP/1.1 503").contains("too_many_connections", "http.connections");
    gw.upstream.releaseHeld();
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.stream()
      .allMatch(a -> String.valueOf(a.get()).startsWith("HTTP/1.1 200")));
  }

  @Test
  void shouldCloseTheIdlestConnectionWhicheverEventLoopHoldsIt() {
    // Two servers, two event loops: a console holds one place, an idle connection the other, and a new connection
    // lands on the loop the idle one is not on. Which loop takes a connection is read on the server's side (a
    // metrics hook), not assumed from the order Vert.x hands them out in: each new connection is served and the
    // previous one, idle since its answer, gives its place, until one did so from the other loop.
    ConnectionLoops loops = new ConnectionLoops();
    Vertx own = Vertx.builder().with(new VertxOptions().setMetricsOptions(new MetricsOptions().setEnabled(true)))
      .withMetrics(loops).build();
    try {
      TestGateway two = result(TestGateway.start(own, new JsonObject().put("http.connections", 2)
        .put("http.instances", 2)));
      WebSocketClient sockets = own.createWebSocketClient();
      WebSocket console = result(sockets.connect(two.gateway.port(), "127.0.0.1", "/console"));
      AtomicBoolean idleClosed = new AtomicBoolean();
      NetSocket idle = connect(two.gateway.port(), idleClosed, new AtomicReference<>());
      boolean acrossLoops = false;
      for (int i = 0; i < 10 && !acrossLoops; i++) {
        AtomicBoolean newClosed = new AtomicBoolean();
        AtomicReference<String> newRead = new AtomicReference<>();
        NetSocket fresh = connect(two.gateway.port(), newClosed, newRead);
        fresh.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        await().atMost(Duration.ofSeconds(10)).until(() -> newClosed.get() || String.valueOf(newRead.get()).contains("UP"));
        assertThat(newRead.get()).as("the new connection is served").startsWith("HTTP/1.1 200");
        await().atMost(Duration.ofSeconds(5)).untilTrue(idleClosed);
        assertThat(console.isClosed()).isFalse();
        acrossLoops = loops.of(idle) != loops.of(fresh);
        idle = fresh; // idle since its answer: the next one's place
        idleClosed = newClosed;
      }
      assertThat(acrossLoops).as("a connection took the place of one on the other event loop").isTrue();
      idle.close();
      console.close();
      sockets.close(); // held until here: a client nothing refers to may be closed mid-handshake
    } finally {
      result(own.close());
    }
  }

  /** Which event loop each connection the gateway's HTTP servers accept runs on, by the client's port. */
  private static final class ConnectionLoops implements VertxMetricsFactory {

    private final Map<Integer, Thread> byClientPort = new ConcurrentHashMap<>();

    @Override
    public VertxMetrics metrics(VertxOptions options) {
      return new VertxMetrics() {
        @Override
        public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions server, SocketAddress local) {
          return new HttpServerMetrics<Object, Object, Object>() {
            @Override
            public Object connected(SocketAddress remote, String remoteName) {
              byClientPort.put(remote.port(), Thread.currentThread()); // on the connection's event loop
              return null;
            }
          };
        }
      };
    }

    /** The event loop that took {@code socket}'s connection. */
    Thread of(NetSocket socket) {
      int port = socket.localAddress().port();
      await().atMost(Duration.ofSeconds(10)).until(() -> byClientPort.containsKey(port));
      return byClientPort.get(port);
    }
  }

  @Test
  void shouldCloseTheIdlestConnectionForANewOneAlsoWithTheIdleTimeoutOff(Vertx vertx) {
    TestGateway off = result(TestGateway.start(vertx, new JsonObject().put("http.connections", 2)
      .put("http.instances", 1).put("http.idleTimeoutSeconds", 0)));
    try {
      AtomicBoolean firstClosed = new AtomicBoolean();
      NetSocket first = connect(off.gateway.port(), firstClosed, new AtomicReference<>());
      AtomicBoolean secondClosed = new AtomicBoolean();
      NetSocket second = connect(off.gateway.port(), secondClosed, new AtomicReference<>());
      AtomicBoolean thirdClosed = new AtomicBoolean();
      AtomicReference<String> thirdRead = new AtomicReference<>();
      NetSocket third = connect(off.gateway.port(), thirdClosed, thirdRead);
      third.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

      await().atMost(Duration.ofSeconds(10)).until(() -> thirdClosed.get() || String.valueOf(thirdRead.get()).contains("UP"));
      assertThat(thirdRead.get()).as("the new connection is served").startsWith("HTTP/1.1 200");
      // the first, unless both opened within the same millisecond
      await().atMost(Duration.ofSeconds(5)).until(() -> firstClosed.get() || secondClosed.get());
      first.close();
      second.close();
      third.close();
    } finally {
      result(vertx.undeploy(off.gateway.deploymentID()));
    }
  }

  @Test
  void shouldAnswer503WhenNoConnectionIsIdleWithTheIdleTimeoutOff(Vertx vertx) {
    TestGateway off = result(TestGateway.start(vertx, new JsonObject().put("http.connections", 2)
      .put("http.instances", 1).put("http.idleTimeoutSeconds", 0)));
    WebSocketClient sockets = vertx.createWebSocketClient();
    try {
      // two consoles hold both places, and are never idle: a third connection is refused, saying why
      WebSocket one = result(sockets.connect(off.gateway.port(), "127.0.0.1", "/console"));
      WebSocket other = result(sockets.connect(off.gateway.port(), "127.0.0.1", "/console"));
      AtomicBoolean refusedClosed = new AtomicBoolean();
      AtomicReference<String> refused = new AtomicReference<>();
      connect(off.gateway.port(), refusedClosed, refused);
      await().atMost(Duration.ofSeconds(10)).untilTrue(refusedClosed);
      assertThat(refused.get()).startsWith("HTTP/1.1 503").contains("too_many_connections");
      assertThat(one.isClosed() || other.isClosed()).isFalse();
      one.close();
      other.close();
    } finally {
      sockets.close();
      result(vertx.undeploy(off.gateway.deploymentID()));
    }
  }

  @Test
  void shouldTakeThePlaceOfAConnectionAnsweredLongAgoBeforeOneJustOpened(Vertx vertx) {
    assertAnsweredConnectionGoesFirst(vertx, 60, Duration.ofMillis(200));
  }

  @Test
  void shouldTakeThePlaceOfTheConnectionAnsweredLongAgoAlsoOnceTheIdleSweepHasSeenIt(Vertx vertx) {
    // the sweep runs every quarter of http.idleTimeoutSeconds, 5 s here: once at least while both connections wait
    assertAnsweredConnectionGoesFirst(vertx, 20, Duration.ofSeconds(6));
  }

  /**
   * A connection answered, then one opened that has sent nothing yet, both left as they are for {@code pause}, then a
   * third past the 2 places: the answered one, silent the longest, gives its place.
   */
  private static void assertAnsweredConnectionGoesFirst(Vertx vertx, int idleTimeoutSeconds, Duration pause) {
    // a gateway of its own: no client of the test's holds a place on it
    TestGateway two = result(TestGateway.start(vertx, new JsonObject().put("http.connections", 2)
      .put("http.instances", 1).put("http.idleTimeoutSeconds", idleTimeoutSeconds)));
    try {
      AtomicBoolean answeredClosed = new AtomicBoolean();
      AtomicReference<String> answer = new AtomicReference<>();
      NetSocket answered = connect(two.gateway.port(), answeredClosed, answer);
      answered.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> String.valueOf(answer.get()).contains("UP"));
      await().pollDelay(Duration.ofMillis(200)).until(() -> true);

      AtomicBoolean newerClosed = new AtomicBoolean();
      NetSocket newer = connect(two.gateway.port(), newerClosed, new AtomicReference<>()); // its request on its way
      await().pollDelay(pause).atMost(pause.plusSeconds(1)).until(() -> true);
      NetSocket third = connect(two.gateway.port(), new AtomicBoolean(), new AtomicReference<>());

      await().atMost(Duration.ofSeconds(5)).untilTrue(answeredClosed);
      assertThat(newerClosed).as("the connection opened after the answer keeps its place").isFalse();
      newer.close();
      third.close();
    } finally {
      result(vertx.undeploy(two.gateway.deploymentID()));
    }
  }
}
