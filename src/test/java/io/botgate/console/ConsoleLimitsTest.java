package io.botgate.console;

import io.botgate.events.DebugStream;
import io.botgate.KeepsSending;
import io.botgate.LingeringClose;
import io.botgate.TestGateway;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a console client can make the gateway hold: its queue (replies included), its frames' size and
 * rate, and replays, with real WebSocket clients against a gateway whose console queue is small.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsoleLimitsTest {

  static final int QUEUE = 16_384;
  static TestGateway gw;
  /** Clients that send frames larger than a default client would; held here so none is collected early. */
  static WebSocketClient bigFrames;
  static WebSocketClient plain;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject()
      .put("console.queue.bytes", QUEUE).put("console.frames.perSecond", 1_000_000)));
    bigFrames = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(4 << 20));
    plain = vertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() {
    result(bigFrames.close());
    result(plain.close());
  }

  private static ConsoleClient connect() {
    ConsoleClient client = result(ConsoleClient.connect(gw.vertx, gw.gateway.port()));
    client.awaitFrame(f -> "hello".equals(f.getString("op")));
    return client;
  }

  private static long metric(String name) {
    HttpResponse<Buffer> page = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send());
    return page.bodyAsString().lines().filter(l -> l.startsWith(name + " "))
      .mapToLong(l -> (long) Double.parseDouble(l.substring(name.length() + 1).trim())).findFirst().orElseThrow();
  }

  private static void assertStillServing() {
    ConsoleClient other = connect();
    other.send(new JsonObject().put("op", "ping"));
    other.awaitFrame(f -> "pong".equals(f.getString("op")));
    other.close();
    gw.assertHealthy();
  }

  @Test
  void shouldHoldAtMostTheQueueBudgetForAClientThatFloodsPingsWithoutReading() {
    long mergedBefore = metric("botgate_console_replies_merged_total");
    long congestionsBefore = metric("botgate_console_congestions_total");
    ConsoleClient flooder = connect();
    flooder.socket.pause();
    int pings = 30_000; // 1.3 MB of pongs, 80 times the queue
    String ping = new JsonObject().put("op", "ping").encode();
    for (int i = 0; i < pings; i++) {
      flooder.socket.writeTextMessage(ping);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> metric("botgate_console_congestions_total") > congestionsBefore);
    // while the flooder's queue is full, the gateway holds no more than its budget for it and serves others
    assertStillServing();
    assertThat(metric("botgate_console_queued_bytes_peak")).isPositive().isLessThanOrEqualTo(QUEUE);
    assertThat(metric("botgate_console_queued_bytes")).isLessThanOrEqualTo(QUEUE);

    flooder.socket.resume();
    // every ping got its pong, or was merged into one held for a client that was not reading: the
    // gateway stopped reading this client's frames while its queue was full, so it held at most one
    await().atMost(Duration.ofSeconds(90)).until(() ->
      flooder.ops("pong").size() + metric("botgate_console_replies_merged_total") - mergedBefore == pings);
    assertThat(metric("botgate_console_queued_bytes_peak")).isLessThanOrEqualTo(QUEUE);

    // and the connection is as usable as before
    flooder.subscribe("after-flood", 0);
    flooder.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    gw.gateway.stream().emit("after-flood", "debug", "debug", "still here", null);
    flooder.awaitFrame(f -> "still here".equals(f.getString("text")));
    flooder.close();
  }

  @Test
  void shouldReplayAllKeptHistoryToAReadingClientHoweverSmallTheQueue() {
    DebugStream stream = gw.gateway.stream();
    String padding = "y".repeat(500);
    for (int i = 0; i < 700; i++) {
      stream.emit("long-history", "debug", "debug", i + " " + padding, null); // 0.35 MB, 20 times the queue
    }
    ConsoleClient client = connect();
    client.subscribe("long-history", 0);
    Thread producer = new Thread(() -> {
      for (int i = 0; i < 200; i++) {
        stream.emit("long-history", "debug", "debug", "live " + i, null);
      }
    });
    producer.start();
    // 900 in all: the history (1,000 a session) still holds the first when the replay reaches them
    await().until(() -> client.events("long-history").size() == 900);
    assertThat(client.events("long-history").stream().map(e -> e.getLong("seq")).toList())
      .containsExactlyElementsOf(LongStream.rangeClosed(1, 900).boxed().toList());
    JsonObject subscribed = client.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    assertThat(subscribed.getInteger("replayed")).isBetween(700, 900);
    assertThat(metric("botgate_console_queued_bytes_peak")).isLessThanOrEqualTo(QUEUE);
    client.close();
  }

  @Test
  void shouldHoldAtMostTheQueueBudgetReplayingToAClientThatDoesNotRead() {
    DebugStream stream = gw.gateway.stream();
    String padding = "z".repeat(1_000);
    List<String> sessions = IntStream.range(0, 8).mapToObj(i -> "unread-" + i).toList();
    for (String session : sessions) {
      for (int i = 0; i < 1_000; i++) {
        stream.emit(session, "debug", "debug", i + " " + padding, null); // 8 MB in all: more than socket buffers hold
      }
    }
    ConsoleClient client = connect();
    client.socket.pause();
    client.subscribe("*", 0);
    client.send(new JsonObject().put("op", "ping")); // waits unread behind the replay
    await().until(() -> metric("botgate_console_queued_bytes") > 0);
    assertStillServing();
    assertThat(metric("botgate_console_queued_bytes_peak")).isLessThanOrEqualTo(QUEUE);
    client.socket.resume();
    await().atMost(Duration.ofSeconds(60)).until(() -> sessions.stream().allMatch(s -> client.events(s).size() == 1_000));
    client.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    client.awaitFrame(f -> "pong".equals(f.getString("op")));
    for (String session : sessions) {
      assertThat(client.events(session).stream().map(e -> e.getLong("seq")).toList())
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 1_000).boxed().toList());
    }
    client.close();
  }

  @Test
  void shouldCloseWith1009WhenAFrameIsOverTheLimit() {
    WebSocket ws = result(bigFrames.connect(options()));
    Promise<Short> closed = Promise.promise();
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    ws.writeFrame(WebSocketFrame.textFrame("{\"op\":\"ping\",\"pad\":\"" + "x".repeat(1 << 20) + "\"}", true));
    assertThat(result(closed.future())).isEqualTo((short) 1009);
    assertStillServing();
  }

  @Test
  void shouldLetAClientStillSendingAFrameOverTheLimitReadTheCloseStatusBeforeTheEnd() throws Exception {
    // Vert.x alone hung up at the refused frame's head with the rest of it unread: the client got a reset,
    // which a client still writing often took before the close frame (1006 instead of 1009). The native
    // transport (the gateway's own when it runs) resets every time; NIO only now and then.
    Vertx vertx = TestGateway.nativeVertx();
    try {
      TestGateway epoll = result(TestGateway.start(vertx, new JsonObject()));
      sendPastTheLimitWhileReading(epoll.gateway.port());
      epoll.assertHealthy();
    } finally {
      result(vertx.close());
    }
  }

  private static void sendPastTheLimitWhileReading(int port) throws Exception {
    try (SlowReader client = new SlowReader(port, 1 << 16)) {
      int length = 2 << 20; // eight times console.frame.bytes: the gateway drops up to LingeringClose.MAX_BYTES
      KeepsSending rest = KeepsSending.start(client::sendRaw, sendFrameHead(client, length));
      assertThat(client.closeStatus()).isEqualTo(1009);
      assertThat(client.read()).as("the gateway's side ends in order, not with a reset").isEqualTo(-1);
      rest.stop(client); // fails if a write met a reset before the end was read
    }
  }

  @Test
  void shouldStopReadingAClientThatGoesOnSendingAfterAFrameOverTheLimit() throws Exception {
    Vertx vertx = TestGateway.nativeVertx();
    try {
      TestGateway epoll = result(TestGateway.start(vertx, new JsonObject()));
      try (SlowReader client = new SlowReader(epoll.gateway.port(), 1 << 16)) {
        KeepsSending rest = KeepsSending.start(client::sendRaw, sendFrameHead(client, 1 << 30));
        // what the gateway drops after the refusal, plus what the two sockets' buffers hold
        assertThat(rest.sentUntilCut()).isLessThan(LingeringClose.MAX_BYTES + (32L << 20));
      }
      epoll.assertHealthy();
    } finally {
      result(vertx.close());
    }
  }

  /** Reads the hello, then sends the head of a text frame of {@code length} bytes; returns the length. */
  private static int sendFrameHead(SlowReader client, int length) throws IOException {
    client.next(); // hello
    client.sendRaw(new byte[] {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 0, (byte) (length >>> 24),
      (byte) (length >>> 16), (byte) (length >>> 8), (byte) length, 0, 0, 0, 0}); // masked with a zero key
    return length;
  }

  @Test
  void shouldCloseWith1009WhenAMessageInFragmentsIsOverTheLimit() {
    WebSocket ws = result(plain.connect(options())); // splits a message into frames of 64 KiB
    Promise<Short> closed = Promise.promise();
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    ws.writeTextMessage("{\"op\":\"ping\",\"pad\":\"" + "x".repeat(1 << 20) + "\"}");
    assertThat(result(closed.future())).isEqualTo((short) 1009);
    assertStillServing();
  }

  @Test
  void shouldPauseReadingAClientThatSendsMoreFramesPerSecondThanAllowed() {
    // a gateway of its own, in a Vert.x of its own: its settings differ
    Vertx vertx = Vertx.vertx();
    try {
      pauseReadingPastTheFrameRate(vertx, result(TestGateway.start(vertx, new JsonObject().put("console.frames.perSecond", 20))));
    } finally {
      result(vertx.close());
    }
  }

  @Test
  void shouldDropAClientThatGoesOnSendingWebSocketPingsWhileAskedToWait() throws Exception {
    // Vert.x answers control pings itself, paused or not: a client that floods them and reads nothing is
    // hung up on, where before the gateway queued their pongs in its heap without end.
    Vertx vertx = Vertx.vertx();
    try {
      TestGateway slow = result(TestGateway.start(vertx, new JsonObject().put("console.frames.perSecond", 20)));
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.setReceiveBufferSize(4096); // and never read after the handshake
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", slow.gateway.port()));
        var out = socket.getOutputStream();
        out.write(("GET /console HTTP/1.1\r\nHost: 127.0.0.1:" + slow.gateway.port() + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String head = new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(head).isEqualTo("HTTP/1.1 101");
        byte[] pings = new byte[100 * 131]; // 100 masked pings of 125 bytes (mask 0: the payload as it is)
        for (int i = 0; i < 100; i++) {
          pings[i * 131] = (byte) 0x89;
          pings[i * 131 + 1] = (byte) (0x80 | 125);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean hungUp = false;
        while (!hungUp && System.nanoTime() < deadline) {
          try {
            out.write(pings);
          } catch (java.io.IOException e) {
            hungUp = true; // reset by the gateway
          }
        }
        assertThat(hungUp).as("the gateway hangs up on a ping flood").isTrue();
      }
      slow.assertHealthy();
    } finally {
      result(vertx.close());
    }
  }

  private static void pauseReadingPastTheFrameRate(Vertx vertx, TestGateway slow) {
    ConsoleClient client = result(ConsoleClient.connect(vertx, slow.gateway.port()));
    client.awaitFrame(f -> "hello".equals(f.getString("op")));
    long start = System.nanoTime();
    for (int i = 0; i < 61; i++) {
      client.send(new JsonObject().put("op", "ping"));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> client.ops("pong").size() == 61);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // 20 frames a second: the 61st waits for the fourth second; none is lost
    assertThat(millis).isBetween(1_500L, 10_000L);
  }

  private static WebSocketConnectOptions options() {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.gateway.port()).setURI("/console");
  }
}
