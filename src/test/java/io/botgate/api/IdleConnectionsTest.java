package io.botgate.api;

import io.botgate.RawConnections;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Connections that hold a socket without a request to answer: a client that never finishes its request, sends
 * nothing, or goes silent after its answer is closed after {@code http.idleTimeoutSeconds}, while a request
 * waiting on a slow upstream for longer than that, a pass-through upload its upstream is slow to read, a large
 * answer a client reads slowly, and a console, are served as before.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class IdleConnectionsTest {

  /** An answer larger than the sockets between the gateway and a client hold (some 3 MB on loopback here). */
  static final int ANSWER_BYTES = 12 << 20;
  static TestGateway gw;
  static NetClient tcp;
  /** Held: a client nothing refers to may be closed by the garbage collector in the middle of a handshake. */
  static WebSocketClient sockets;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("http.idleTimeoutSeconds", 2)
      .put("console.heartbeat.seconds", 1).put("body.limit.bytes", 2 * ANSWER_BYTES)));
    tcp = vertx.createNetClient();
    sockets = vertx.createWebSocketClient();
  }

  /** A raw connection that sends {@code text} and then nothing; the flag turns true when the gateway closes it. */
  private static AtomicBoolean openAndStall(String text) {
    AtomicBoolean closed = new AtomicBoolean();
    NetSocket socket = RawConnections.connect(gw.vertx, tcp, gw.gateway.port(),
      s -> s.closeHandler(v -> closed.set(true)));
    if (!text.isEmpty()) {
      socket.write(text);
    }
    return closed;
  }

  @Test
  void shouldCloseConnectionsThatNeverFinishTheirRequest() {
    List<AtomicBoolean> stalled = new CopyOnWriteArrayList<>(List.of(
      openAndStall("GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: "),
      openAndStall("POST /api/sessions/idle/scripts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + "Content-Length: 100\r\n\r\n{\"co"),
      openAndStall("")));

    await().atMost(Duration.ofSeconds(30)).until(() -> stalled.stream().allMatch(AtomicBoolean::get));
    gw.assertHealthy();
  }

  @Test
  void shouldNotCutAnUploadThatKeepsSendingForLongerThanTheTimeout() {
    // 40 pieces, one every 100 ms: some 4 s, twice http.idleTimeoutSeconds. The gateway may cut an upload only when
    // the test itself stalled for the timeout (a busy machine): such an attempt is tried again, and one must go through.
    assertOneAttemptGoesThrough(IdleConnectionsTest::uploadSlowly);
  }

  /** An upload in 40 pieces 100 ms apart; null when answered 200, else what happened. */
  private static String uploadSlowly() {
    int pieces = 40;
    String pad = "u".repeat(pieces * 10);
    String body = new JsonObject().put("code", "1").put("variables", new JsonObject().put("pad", pad)).encode();
    int head = body.indexOf(pad);
    AtomicBoolean closed = new AtomicBoolean();
    List<String> read = new CopyOnWriteArrayList<>();
    NetSocket upload = RawConnections.connect(gw.vertx, tcp, gw.gateway.port(),
      s -> s.handler(b -> read.add(b.toString())).closeHandler(v -> closed.set(true)));
    upload.write("POST /api/sessions/idle-upload/scripts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      + "Content-Length: " + body.length() + "\r\n\r\n" + body.substring(0, head));
    AtomicInteger sent = new AtomicInteger();
    gw.vertx.setPeriodic(100, id -> {
      int i = sent.getAndIncrement();
      upload.write(body.substring(head + i * 10, i + 1 < pieces ? head + (i + 1) * 10 : body.length()));
      if (i + 1 == pieces) {
        gw.vertx.cancelTimer(id);
      }
    });
    await().atMost(Duration.ofSeconds(50)).until(() -> String.join("", read).startsWith("HTTP/1.1 200") || closed.get());
    boolean answered = String.join("", read).startsWith("HTTP/1.1 200") && !closed.get();
    upload.close();
    return answered ? null : "cut after " + sent.get() + " of " + pieces + " pieces";
  }

  /**
   * Runs {@code attempt} (null when it went through, else what happened) until it goes through, three times at most:
   * on a machine stalled for http.idleTimeoutSeconds the gateway rightly cuts a client that said nothing meanwhile.
   */
  private static void assertOneAttemptGoesThrough(Supplier<String> attempt) {
    List<String> cuts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String cut = attempt.get();
      if (cut == null) {
        return;
      }
      cuts.add(cut);
    }
    assertThat(cuts).as("every attempt was cut").isEmpty();
  }

  @Test
  void shouldNotCutAPassThroughUploadWhileItsUpstreamIsSlowToReadIt() throws Exception {
    assertThat(result(gw.declare(new JsonObject().put("name", "unreadUpload").put("method", "POST")
      .put("url", "stub:/unread").put("retries", 0).put("timeoutMs", 60_000))).statusCode()).isEqualTo(201);
    long length = 32L << 20; // more than the sockets between the client, the gateway and the upstream hold
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", gw.gateway.port()));
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /proxy/unreadUpload/ HTTP/1.1\r\nHost: localhost\r\nX-Botgate-Session: idle-proxy\r\n"
        + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
        byte[] piece = new byte[65_536];
        try {
          for (long left = length; left > 0; left -= piece.length) {
            out.write(piece, 0, (int) Math.min(piece.length, left));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      await().atMost(Duration.ofSeconds(30)).until(() -> gw.upstream.unread() == 1);
      // The gateway stops reading the upload while the upstream takes none of it: the client has sent nothing for
      // longer than the timeout, through no fault of its own. It must be there still when the upstream reads.
      await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
      gw.upstream.readUnread();

      sent.get(30, TimeUnit.SECONDS);
      String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(answer).isEqualTo("HTTP/1.1 200");
    }
  }

  @Test
  void shouldKeepAConnectionWhoseLargeAnswerItReadsSlowlyUntilItsLastBytesHaveGone() throws Exception {
    // a definition as large as the answer, its mock's body
    JsonObject mock = new JsonObject().put("status", 200).put("body", "~".repeat(ANSWER_BYTES));
    assertThat(result(gw.declare(new JsonObject().put("name", "largeAnswer").put("method", "GET")
      .put("url", "http://127.0.0.1:9/large").put("mode", "mock").put("mocks", new JsonArray().add(mock))))
      .statusCode()).isEqualTo(201);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", gw.gateway.port()));
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("GET /api/integrations/largeAnswer HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      // The gateway writes the definition at once (a pass-through answer would come as the client reads); the client reads its first 128 KB slowly, for longer than the idle
      // timeout and a sweep (1 KB every 25 ms: over 3 s, longer on a busy machine), most of it waiting in the
      // gateway meanwhile, then the rest at once, and asks again on the same connection.
      long body = 0;
      byte[] piece = new byte[1024];
      for (int read = 0; read < 128 * 1024; read += 1024) {
        body += tildes(piece, in.readNBytes(piece, 0, piece.length));
        Thread.sleep(25); // the client's pace, not a wait for the gateway
      }
      byte[] more = new byte[1 << 16];
      while (body < ANSWER_BYTES) {
        int n = in.read(more);
        assertThat(n).as("the answer, cut after %d of its %d bytes", body, ANSWER_BYTES).isPositive();
        body += tildes(more, n);
      }
      out.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

      StringBuilder next = new StringBuilder();
      for (int n = 0; n >= 0 && !next.toString().contains("\"UP\""); n = in.read(more)) {
        next.append(new String(more, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1));
      }
      assertThat(next.toString()).as("the next request on the connection").contains("HTTP/1.1 200");
    }
  }

  private static int tildes(byte[] bytes, int length) {
    int n = 0;
    for (int i = 0; i < length; i++) {
      n += bytes[i] == '~' ? 1 : 0;
    }
    return n;
  }

  @Test
  void shouldCloseAConnectionSilentAfterItsAnswerEvenIfItAskedForAnUpgrade() {
    List<String> read = new CopyOnWriteArrayList<>();
    AtomicBoolean closed = new AtomicBoolean();
    NetSocket socket = RawConnections.connect(gw.vertx, tcp, gw.gateway.port(),
      s -> s.handler(b -> read.add(b.toString())).closeHandler(v -> closed.set(true)));
    socket.write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n");

    await().atMost(Duration.ofSeconds(30)).untilTrue(closed);
    assertThat(String.join("", read)).startsWith("HTTP/1.1 200");
  }

  @Test
  void shouldNotCutARequestWaitingOnAnUpstreamLongerThanTheTimeout() {
    JsonObject slow = new JsonObject().put("name", "slowIdle").put("method", "GET").put("url", "stub:/slow/5000")
      .put("retries", 0).put("timeoutMs", 20_000);

    JsonObject report = result(gw.declareAndExecute("idle-slow", slow, null));

    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("200");
  }

  @Test
  void shouldKeepAnIdleConsoleOpenThroughItsHeartbeats() {
    AtomicBoolean consoleClosed = new AtomicBoolean();
    List<String> frames = new CopyOnWriteArrayList<>();
    WebSocket console = result(sockets.webSocket().textMessageHandler(frames::add)
      .closeHandler(v -> consoleClosed.set(true)).connect(gw.gateway.port(), "127.0.0.1", "/console"));
    // Opened after the console, a silent connection is closed only once the console has been open for longer
    // than the idle timeout.
    AtomicBoolean silentClosed = openAndStall("");

    await().atMost(Duration.ofSeconds(30)).untilTrue(silentClosed);
    assertThat(consoleClosed).as("the console, idle but for its heartbeats").isFalse();
    console.writeTextMessage(new JsonObject().put("op", "ping").encode());
    await().until(() -> frames.stream().anyMatch(f -> f.contains("\"pong\"")));
  }
}
