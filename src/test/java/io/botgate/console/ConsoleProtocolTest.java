package io.botgate.console;

import io.botgate.session.LocalSessionStore;
import io.botgate.events.DebugStream;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The /console protocol with real WebSocket clients against the real gateway. */
@ExtendWith(VertxExtension.class)
class ConsoleProtocolTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject()
      .put("console.subscriptions", 3).put("mask.headers", new JsonArray().add("X-Internal-Route"))));
  }

  private static DebugStream stream() {
    return gw.gateway.stream();
  }

  private static ConsoleClient connect() {
    return result(ConsoleClient.connect(gw.vertx, gw.gateway.port()));
  }

  private static List<Long> seqs(List<JsonObject> events) {
    return events.stream().map(e -> e.getLong("seq")).toList();
  }

  /** The answer's head to a handshake offering permessage-deflate, as a browser's. */
  private static String handshakeOfferingDeflate(TestGateway gateway) throws Exception {
    return handshake(gateway, "Sec-WebSocket-Version: 13\r\n"
      + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
  }

  /** The answer's head, in lower case, to a handshake with these header lines besides Host, Upgrade and the key. */
  private static String handshake(TestGateway gateway, String headers) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gateway.gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /console HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" + headers + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      StringBuilder head = new StringBuilder();
      InputStream in = socket.getInputStream();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.append((char) b);
      }
      return head.toString().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code head}, then {@code bytes} as they are, then {@code tail}: a command with raw bytes in it. */
  private static byte[] bytes(String head, int[] bytes, String tail) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    for (int b : bytes) {
      out.write(b);
    }
    out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // heartbeats keep a read going
  void shouldCloseWith1007WhenATextFrameIsNotUtf8() throws Exception {
    // RFC 6455 8.1: Vert.x read the bad bytes as replacement characters and answered the ping
    try (SlowReader client = new SlowReader(gw.gateway.port(), 1 << 16)) {
      client.next(); // hello
      client.sendFrame(0x81, bytes("{\"op\":\"ping\",\"x\":\"", new int[] {0xC3, 0x28}, "\"}"));
      assertThat(client.closeStatus()).isEqualTo(1007);
    }
    try (SlowReader client = new SlowReader(gw.gateway.port(), 1 << 16)) {
      client.next();
      client.sendFrame(0x81, bytes("{\"op\":\"ping\",\"x\":\"", new int[] {0xED, 0xA0, 0x80}, "\"}")); // a surrogate
      assertThat(client.closeStatus()).isEqualTo(1007);
    }
    gw.assertHealthy();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // heartbeats keep a read going
  void shouldTakeACharacterSplitBetweenFragmentsAndRefuseAMessageThatEndsInsideOne() throws Exception {
    try (SlowReader client = new SlowReader(gw.gateway.port(), 1 << 16)) {
      client.next(); // hello
      client.sendFrame(0x01, bytes("{\"op\":\"ping\",\"x\":\"", new int[] {0xE2, 0x82}, ""));
      client.sendFrame(0x80, bytes("", new int[] {0xAC}, "\"}")); // the euro sign, split
      assertThat(client.next().getString("op")).isEqualTo("pong");
      client.sendFrame(0x01, bytes("{\"op\":\"ping\",\"x\":\"", new int[] {0xF0, 0x9F}, ""));
      client.sendFrame(0x80, bytes("", new int[] {}, "\"}")); // ends two bytes into a four-byte character
      assertThat(client.closeStatus()).isEqualTo(1007);
    }
    gw.assertHealthy();
  }

  @Test
  void shouldSendConsoleFramesUncompressedUnlessConsoleDeflateIsOn() throws Exception {
    assertThat(handshakeOfferingDeflate(gw)).startsWith("http/1.1 101").doesNotContain("sec-websocket-extensions");
    // a gateway of its own, in a Vert.x of its own
    Vertx other = Vertx.vertx();
    try {
      TestGateway deflating = result(TestGateway.start(other, new JsonObject().put("console.deflate", true)));
      assertThat(handshakeOfferingDeflate(deflating)).startsWith("http/1.1 101")
        .contains("sec-websocket-extensions: permessage-deflate");
    } finally {
      result(other.close());
    }
  }

  /** The UTF-8 check reads each text message as the client wrote it, after permessage-deflate has inflated it. */
  @Test
  void shouldTakeDeflatedCommandsWithCharactersPastAsciiWhenConsoleDeflateIsOn() {
    Vertx other = Vertx.vertx();
    try {
      TestGateway deflating = result(TestGateway.start(other, new JsonObject().put("console.deflate", true)));
      WebSocketClient client = other.createWebSocketClient(new WebSocketClientOptions()
        .setTryUsePerMessageCompression(true));
      ClientWebSocket ws = client.webSocket();
      List<JsonObject> frames = new CopyOnWriteArrayList<>();
      ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
      result(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(deflating.gateway.port())
        .setURI("/console")));
      assertThat(ws.headers().get("sec-websocket-extensions")).contains("permessage-deflate");
      ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("session", "café-€-😀").put("after", 0).encode());
      await().until(() -> frames.stream().anyMatch(f -> "subscribed".equals(f.getString("op"))));
      assertThat(ws.isClosed()).isFalse();
    } finally {
      result(other.close());
    }
  }

  @Test
  void shouldSplitAnEventLargerThanTheFrameLimitIntoFrames() {
    // a client that takes frames up to the server's limit (console.frame.bytes) and larger messages
    WebSocketClient big = gw.vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(ConsoleOptions.DEFAULT_FRAME_BYTES).setMaxMessageSize(4 << 20));
    ClientWebSocket ws = big.webSocket();
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    result(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.gateway.port()).setURI("/console")));
    ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("session", "large").put("after", 0).encode());
    await().until(() -> frames.stream().anyMatch(f -> "subscribed".equals(f.getString("op"))));
    String text = "x".repeat(300 << 10); // more than a frame may hold
    stream().emit("large", "debug", "debug", text, null);
    await().until(() -> frames.stream().anyMatch(f -> text.equals(f.getString("text"))));
    assertThat(ws.isClosed()).isFalse();
    result(big.close());
  }

  @Test
  void shouldReplayHistoryAfterTheGivenSeqThenStreamLiveWithoutGapsOrDuplicates() {
    for (int i = 0; i < 5; i++) {
      stream().emit("replay", "debug", "debug", "before " + i, null);
    }
    ConsoleClient client = connect();
    client.subscribe("replay", 2);
    // events keep coming while the subscription replays
    Thread producer = new Thread(() -> {
      for (int i = 0; i < 300; i++) {
        stream().emit("replay", "debug", "debug", "during " + i, null);
      }
    });
    producer.start();
    client.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    await().until(() -> client.events("replay").size() == 303);
    assertThat(seqs(client.events("replay"))).containsExactlyElementsOf(LongStream.rangeClosed(3, 305).boxed().toList());
    assertThat(client.events("replay").get(0).getString("text")).isEqualTo("before 2");
    client.close();
  }

  @Test
  void shouldStreamAnExecutionAndAScriptOfEverySessionToStar() {
    ConsoleClient client = connect();
    client.subscribe("*", 0);
    client.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    result(gw.execute("star-a", "faqIntegration", new JsonObject().put("variables", new JsonObject().put("question", "bill"))));
    result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/star-b/scripts")
      .sendJsonObject(new JsonObject().put("code", "botContext.printDebugMessage('hello from b');")));
    await().until(() -> client.events("star-b").size() == 3 && client.events("star-a").size() == 2);
    JsonObject finish = client.events("star-a").get(1);
    assertThat(finish.getString("kind")).isEqualTo("integration");
    assertThat(finish.getJsonObject("data").getString("statusCode")).isEqualTo("200");
    assertThat(finish.getJsonObject("data").getJsonObject("fields").getInteger("faqIntegration.title.count")).isPositive();
    assertThat(client.events("star-b").stream().map(e -> e.getString("text"))).contains("hello from b");
    client.close();
  }

  /**
   * DESIGN's "every event is one JSON object" with seven fields: a client reads {@code data} of any event
   * without first asking whether it is there, on the console, on the bus and in an answer alike.
   */
  @Test
  void shouldSendEveryEventWithItsSevenFieldsOnTheConsoleTheBusAndInTheAnswer() {
    ConsoleClient client = connect();
    client.subscribe("shape", 0);
    client.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    List<JsonObject> published = new CopyOnWriteArrayList<>();
    var consumer = gw.vertx.eventBus().<JsonObject>consumer("botgate.events.shape", m -> published.add(m.body()));
    result(consumer.completion());
    JsonObject answer = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/shape/scripts")
      .sendJsonObject(new JsonObject().put("code",
        "for (var i = 0; i < 1001; i++) { botContext.printDebugMessage('line ' + i); }"))).bodyAsJsonObject();
    List<JsonObject> answered = answer.getJsonArray("events").stream().map(JsonObject.class::cast).toList();
    assertThat(answered).hasSize(1003); // start, 1000 lines, the request's dropped notice, finish
    await().until(() -> client.events("shape").size() == 1003 && published.size() == 1003);
    consumer.unregister();
    for (List<JsonObject> events : List.of(answered, client.events("shape"), published)) {
      assertThat(events).allSatisfy(e -> {
        assertThat(e.fieldNames()).as("%s", e).containsExactlyInAnyOrder("seq", "session", "ts", "kind", "level", "text", "data");
        assertThat(e.getValue("data")).as("%s", e).isInstanceOf(JsonObject.class);
      });
      JsonObject dropped = events.stream().filter(e -> "dropped".equals(e.getString("kind"))).findFirst().orElseThrow();
      assertThat(dropped.getJsonObject("data").getInteger("emitted")).isEqualTo(1000);
    }
    client.close();
  }

  @Test
  void shouldMaskSecretsInIntegrationEvents() {
    ConsoleClient client = connect();
    client.subscribe("secrets", 0);
    client.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    JsonObject definition = new JsonObject().put("name", "secretive").put("method", "GET")
      .put("url", "stub:/status/200?api_key=abc123&q=visible")
      .put("headers", new JsonObject().put("Authorization", "Bearer s3cr3t").put("X-Internal-Route", "hidden")
        .put("X-Plain", "shown"));
    JsonObject answer = result(gw.declareAndExecute("secrets", definition, null));
    await().until(() -> client.events("secrets").size() == 2);
    String everything = client.frames.toString() + answer.encode();
    assertThat(everything).doesNotContain("s3cr3t").doesNotContain("abc123").doesNotContain("hidden");
    JsonObject start = client.events("secrets").get(0).getJsonObject("data");
    assertThat(start.getJsonObject("headers").getString("Authorization")).isEqualTo("****");
    assertThat(start.getJsonObject("headers").getString("X-Plain")).isEqualTo("shown");
    // masked only because mask.headers names it: no built-in rule treats "X-Internal-Route" as secret
    assertThat(start.getJsonObject("headers").getString("X-Internal-Route")).isEqualTo("****");
    assertThat(new io.botgate.events.SecretMask(java.util.List.of()).isSecret("X-Internal-Route")).isFalse();
    assertThat(start.getString("url")).contains("api_key=****").contains("q=visible");
    client.close();
  }

  @Test
  void shouldDropAndCountEventsForAStalledClientWithoutBlockingOthers() {
    ConsoleClient slow = connect();
    ConsoleClient fast = connect();
    slow.subscribe("flood", 0);
    fast.subscribe("flood", 0);
    slow.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    fast.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    slow.socket.pause();
    int total = 30_000;
    String padding = "x".repeat(1_000); // 30 MB in all: more than the socket buffers hold
    for (int i = 0; i < total; i++) {
      stream().emit("flood", "debug", "debug", i + " " + padding, null);
    }
    // the producer was never held up by the stalled client; the other client keeps receiving. 30 MB to parse
    // and keep on the test's side take longer than awaitility's default 10 s on a loaded machine (CI-like load:
    // "not fulfilled within 10 seconds" here), so the flood's waits allow a minute
    Duration flood = Duration.ofSeconds(60);
    await().atMost(flood).until(() -> fast.events("flood").size() + droppedCount(fast) == total);
    stream().emit("flood", "debug", "debug", "after the flood", null);
    await().atMost(flood).until(() -> fast.events("flood").stream().anyMatch(e -> e.getString("text").equals("after the flood")));

    slow.socket.resume();
    await().atMost(flood).until(() -> slow.events("flood").size() + droppedCount(slow) == total + 1);
    assertThat(droppedCount(slow)).isPositive();
    List<Long> received = seqs(slow.events("flood"));
    assertThat(received).isSorted().doesNotHaveDuplicates();
    stream().emit("flood", "debug", "debug", "after resume", null);
    await().until(() -> slow.events("flood").stream().anyMatch(e -> e.getString("text").equals("after resume")));
    slow.close();
    fast.close();
  }

  private static long droppedCount(ConsoleClient client) {
    return client.frames.stream().filter(f -> "dropped".equals(f.getString("kind")))
      .mapToLong(f -> f.getJsonObject("data").getLong("count")).sum();
  }

  @Test
  void shouldAnswerBadFramesWithAnErrorFrameAndStayOpen() {
    ConsoleClient client = connect();
    client.socket.writeTextMessage("not json");
    client.send(new JsonObject().put("op", "fly"));
    client.send(new JsonObject().put("session", "x"));
    client.send(new JsonObject().put("op", "subscribe"));
    client.send(new JsonObject().put("op", "subscribe").put("session", "x").put("after", "yesterday"));
    client.socket.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
    client.socket.writeTextMessage("[{\"op\":\"ping\"}]");
    await().until(() -> client.ops("error").size() == 7);
    assertThat(client.ops("error").stream().map(e -> e.getString("message"))).satisfiesExactly(
      m -> assertThat(m).contains("not a JSON object"),
      m -> assertThat(m).contains("unknown op 'fly'"),
      m -> assertThat(m).contains("needs \"op\""),
      m -> assertThat(m).contains("\"session\" is required"),
      m -> assertThat(m).contains("\"after\" must be"),
      m -> assertThat(m).contains("binary frames"),
      m -> assertThat(m).contains("not a JSON object").contains("an array"));
    client.subscribe("still-open", 0);
    client.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    client.send(new JsonObject().put("op", "ping"));
    client.awaitFrame(f -> "pong".equals(f.getString("op")));
    client.close();
  }

  @Test
  void shouldRefuseMalformedSubscribesWithoutHalfMakingThemAndStayUsable() {
    ConsoleClient client = connect();
    client.awaitFrame(f -> "hello".equals(f.getString("op")));
    List<String> corpus = List.of(
      "{\"op\":\"subscribe\",\"session\":\"*\",\"after\":{\"sb\":\"x\"}}",
      "{\"op\":\"subscribe\",\"session\":\"*\",\"after\":{\"sb\":{\"deeper\":1}}}",
      "{\"op\":\"subscribe\",\"session\":5,\"after\":0}",
      "{\"op\":\"subscribe\",\"session\":\"*\",\"after\":-1}",
      "{\"op\":[\"subscribe\"],\"session\":\"*\"}",
      "{\"op\":\"ping\",\"x\":" + "[".repeat(3_000) + "]".repeat(3_000) + "}",
      "{\"op\":\"subscribe\",\"session\":\"*\",\"after\":{" + "\"k\":1,".repeat(10_000) + "\"sb\":true}}",
      "{\"op\":\"subscribe\",\"session\":\"*\",\"after\":{\"*\":3}}",
      "{\"op\":\"subscribe\",\"session\":\"*\",\"after\":{\"\":3}}",
      "{\"op\":\"subscribe\",\"session\":\"*\",\"after\":{\"a\\u0007b\":3}}",
      // kept with its subscription, 20 to a connection: 256 KB frames of them held 17 MB a connection
      "{\"op\":\"subscribe\",\"session\":\"sb\",\"after\":{" + "\"k\":1,".repeat(10_000) + "\"sb\":1}}");
    corpus.forEach(client.socket::writeTextMessage);
    await().until(() -> client.ops("error").size() == corpus.size());
    assertThat(client.ops("error").stream().map(e -> e.getString("message"))).satisfiesExactly(
      m -> assertThat(m).contains("\"after\".\"sb\" must be a whole number").contains("got \"x\""),
      m -> assertThat(m).contains("\"after\".\"sb\" must be a whole number").contains("got an object"),
      m -> assertThat(m).contains("\"session\" must be a string").contains("got 5"),
      m -> assertThat(m).contains("\"after\" must be a whole number").contains("got -1"),
      m -> assertThat(m).contains("\"op\" must be a string").contains("got an array"),
      m -> assertThat(m).contains("not a JSON object").contains("depth"),
      m -> assertThat(m).contains("\"after\".\"sb\" must be a whole number").contains("got true"),
      m -> assertThat(m).contains("the key \"*\" is not a session id"),
      m -> assertThat(m).contains("the key \"\" is not a session id"),
      m -> assertThat(m).contains("is not a session id").contains("control characters (U+0007"),
      m -> assertThat(m).contains("\"after\" must be a sequence number for one session").contains("got an object"));
    // none of them subscribed anything: every slot is free and no event of another session arrives
    for (String s : List.of("whole-1", "whole-2", "whole-3")) {
      client.subscribe(s, 0);
    }
    await().until(() -> client.ops("subscribed").size() == 3);
    assertThat(client.ops("subscribed").stream().map(f -> f.getString("session"))).containsExactly("whole-1", "whole-2", "whole-3");
    stream().emit("sb", "debug", "debug", "not subscribed", null);
    stream().emit("whole-1", "debug", "debug", "subscribed", null);
    await().until(() -> client.events("whole-1").size() == 1);
    assertThat(client.events("sb")).isEmpty();
    assertThat(client.ops("error")).hasSize(corpus.size());
    client.close();
  }

  @Test
  void shouldBoundSubscriptionsAndHonourUnsubscribe() {
    ConsoleClient client = connect();
    for (String s : List.of("b1", "b2", "b3", "b4")) {
      client.subscribe(s, 0);
    }
    client.awaitFrame(f -> "error".equals(f.getString("op")));
    assertThat(client.ops("error").get(0).getString("message")).contains("at most 3 subscriptions");
    client.send(new JsonObject().put("op", "unsubscribe").put("session", "b1"));
    client.awaitFrame(f -> "unsubscribed".equals(f.getString("op")));
    stream().emit("b1", "debug", "debug", "not for me", null);
    stream().emit("b2", "debug", "debug", "for me", null);
    await().until(() -> client.events("b2").size() == 1);
    assertThat(client.events("b1")).isEmpty();
    client.close();
  }

  @Test
  void shouldRefuseAForeignOrigin() {
    Throwable refused = failure(ConsoleClient.connect(gw.vertx, new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(gw.gateway.port()).setURI("/console").addHeader("Origin", "http://evil.example")));
    assertThat(refused.getMessage()).contains("403");
    ConsoleClient same = result(ConsoleClient.connect(gw.vertx, new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(gw.gateway.port()).setURI("/console").addHeader("Origin", "http://127.0.0.1:" + gw.gateway.port())));
    same.awaitFrame(f -> "hello".equals(f.getString("op")));
    same.close();
  }

  /**
   * Drafts 7 and 8 of the protocol, which Netty still speaks, carry a browser's origin in Sec-WebSocket-Origin, not
   * in the Origin header the gateway checks: such a handshake from a foreign page was upgraded unchecked.
   */
  @Test
  void shouldRefuseAHandshakeOfAnotherVersionThan13SayingWhichItSpeaks() throws Exception {
    for (String version : List.of("8", "7", "0")) {
      String head = handshake(gw, "Sec-WebSocket-Version: " + version + "\r\nSec-WebSocket-Origin: http://evil.example\r\n");
      assertThat(head).as("version %s", version).startsWith("http/1.1 426").contains("sec-websocket-version: 13");
    }
    assertThat(handshake(gw, "Sec-WebSocket-Version: 13\r\n")).startsWith("http/1.1 101");
  }

  @Test
  void shouldServeHistoryPagesOverHttp() {
    for (int i = 1; i <= 12; i++) {
      stream().emit("paged", "debug", "debug", "event " + i, null);
    }
    HttpResponse<Buffer> page = result(gw.http.get(gw.gateway.port(), "127.0.0.1",
      "/api/sessions/paged/events?after=4&limit=5").send());
    JsonObject body = page.bodyAsJsonObject();
    assertThat(body.getLong("lastSeq")).isEqualTo(12L);
    assertThat(body.getJsonArray("events").stream().map(e -> ((JsonObject) e).getLong("seq")))
      .containsExactly(5L, 6L, 7L, 8L, 9L);
    HttpResponse<Buffer> bad = result(gw.http.get(gw.gateway.port(), "127.0.0.1",
      "/api/sessions/paged/events?after=-1").send());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("'after'");
    ((LocalSessionStore) gw.gateway.sessions()).open("paged");
    JsonArray sessions = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions").send()).bodyAsJsonObject()
      .getJsonArray("sessions");
    assertThat(sessions.stream().map(s -> ((JsonObject) s).getString("session"))).contains("paged");
  }
}
