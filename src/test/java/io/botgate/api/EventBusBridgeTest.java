package io.botgate.api;

import io.botgate.KeepsSending;
import io.botgate.LingeringClose;
import io.botgate.TestGateway;
import io.botgate.integration.IntegrationExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The TCP event-bus bridge without a token: the addresses it lets through, and the bounds it keeps. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventBusBridgeTest {

  static final int FRAME_BYTES = 4096;
  static final int QUEUE_BYTES = 65_536;
  static TestGateway gw;
  static Vertx vertx;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    gw = result(TestGateway.start(v, new JsonObject().put("bridge.port", 0)
      .put("bridge.frame.bytes", FRAME_BYTES).put("bridge.registrations", 3)
      .put("bridge.queue.bytes", QUEUE_BYTES)));
  }

  private static BridgeClient client() throws IOException {
    return new BridgeClient(gw.gateway.bridgePort());
  }

  private static JsonObject execution(String session) {
    return new JsonObject().put("session", session).put("integration", "faqIntegration")
      .put("variables", new JsonObject().put("question", "roaming"));
  }

  private static String errorCode(JsonObject err) {
    return new JsonObject(err.getString("message")).getJsonObject("error").getString("code");
  }

  @Test
  void shouldRefuseAConnectionPastTheBoundAndTakeOneAgainWhenAnotherCloses() throws IOException {
    TestGateway bounded = result(TestGateway.start(Vertx.vertx(), new JsonObject().put("bridge.port", 0)
      .put("bridge.connections", 2)));
    try (BridgeClient first = new BridgeClient(bounded.gateway.bridgePort());
         BridgeClient second = new BridgeClient(bounded.gateway.bridgePort())) {
      for (BridgeClient open : List.of(first, second)) {
        open.write(new JsonObject().put("type", "ping"));
        assertThat(open.read().orElseThrow().getString("type")).isEqualTo("pong");
      }
      try (BridgeClient third = new BridgeClient(bounded.gateway.bridgePort())) {
        JsonObject refused = third.read().orElseThrow();
        assertThat(refused.getInteger("failureCode")).isEqualTo(503);
        assertThat(errorCode(refused)).isEqualTo("too_many_connections");
        assertThat(third.closedByServer()).isTrue();
      }
      first.close();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        try (BridgeClient again = new BridgeClient(bounded.gateway.bridgePort())) {
          again.write(new JsonObject().put("type", "ping"));
          assertThat(again.read().orElseThrow().getString("type")).isEqualTo("pong");
        }
      });
    } finally {
      result(bounded.vertx.close());
    }
  }

  @Test
  void shouldRefuseAConnectionPastTheBoundForItsAddressWhileAnotherAddressIsServed() throws IOException {
    TestGateway bounded = result(TestGateway.start(Vertx.vertx(), new JsonObject().put("bridge.port", 0)
      .put("bridge.connections", 8).put("bridge.connectionsPerAddress", 2)));
    int port = bounded.gateway.bridgePort();
    try (BridgeClient first = new BridgeClient(port);
         BridgeClient second = new BridgeClient(port)) {
      for (BridgeClient open : List.of(first, second)) {
        open.write(ping(null));
        assertThat(open.read().orElseThrow().getString("type")).isEqualTo("pong");
      }
      try (BridgeClient third = new BridgeClient(port)) {
        JsonObject refused = third.read().orElseThrow();
        assertThat(refused.getInteger("failureCode")).isEqualTo(503);
        assertThat(errorCode(refused)).isEqualTo("too_many_connections");
        assertThat(refused.getString("message")).contains("bridge.connectionsPerAddress", "127.0.0.1");
        assertThat(third.closedByServer()).isTrue();
      }
      try (BridgeClient elsewhere = BridgeClient.from("127.0.0.2", port)) {
        elsewhere.write(ping(null));
        assertThat(elsewhere.read().orElseThrow().getString("type")).as("another address has places of its own")
          .isEqualTo("pong");
      }
      first.write(ping(null));
      assertThat(first.read().orElseThrow().getString("type")).isEqualTo("pong");
    } finally {
      result(bounded.vertx.close());
    }
  }

  @Test
  void shouldCloseAConnectionThatSendsNoAcceptedFrameInTimeAndKeepOneThatDid() throws IOException {
    for (String token : new String[] {null, "first-frame-token"}) {
      TestGateway quick = result(TestGateway.start(Vertx.vertx(), new JsonObject().put("bridge.port", 0)
        .put("bridge.first.frame.seconds", 1).put("auth.token", token)));
      int port = quick.gateway.bridgePort();
      try (BridgeClient silent = new BridgeClient(port, token);
           BridgeClient pinging = new BridgeClient(port, token);
           BridgeClient pingingWithToken = new BridgeClient(port, token);
           BridgeClient registered = new BridgeClient(port, token)) {
        pinging.write(new JsonObject().put("type", "ping")); // without the token: with one required, it says nothing
        assertThat(pinging.read().orElseThrow().getString("type")).isEqualTo("pong");
        pingingWithToken.write(ping(token));
        assertThat(pingingWithToken.read().orElseThrow().getString("type")).isEqualTo("pong");
        registered.register(IntegrationExecutor.RESULTS_ADDRESS);

        JsonObject refused = silent.read().orElseThrow();
        assertThat(refused.getInteger("failureCode")).as(String.valueOf(token)).isEqualTo(408);
        assertThat(errorCode(refused)).isEqualTo("no_frame_in_time");
        assertThat(new JsonObject(refused.getString("message")).getJsonObject("error").getString("message"))
          .contains("bridge.first.frame.seconds");
        assertThat(silent.closedByServer()).isTrue();
        if (token == null) {
          pinging.write(new JsonObject().put("type", "ping"));
          assertThat(pinging.read().orElseThrow().getString("type")).as("a ping is heard without a token").isEqualTo("pong");
        } else {
          assertThat(errorCode(pinging.read().orElseThrow())).isEqualTo("no_frame_in_time");
          assertThat(pinging.closedByServer()).isTrue();
        }
        pingingWithToken.write(ping(token));
        assertThat(pingingWithToken.read().orElseThrow().getString("type")).as("a ping with the token is heard")
          .isEqualTo("pong");
        // registered past the deadline: it still receives what it registered for
        result(quick.vertx.eventBus().request(EventBusApi.EXECUTE, execution("first-frame")));
        assertThat(registered.readUntil(f -> "message".equals(f.getString("type"))).getString("address"))
          .isEqualTo(IntegrationExecutor.RESULTS_ADDRESS);
      } finally {
        result(quick.vertx.close());
      }
    }
  }

  @Test
  void shouldGiveTheFullBridgesPlaceOfAConnectionThatSaidNothingToANewOne() throws IOException {
    TestGateway bounded = result(TestGateway.start(Vertx.vertx(), new JsonObject().put("bridge.port", 0)
      .put("bridge.connections", 2)));
    int port = bounded.gateway.bridgePort();
    try (BridgeClient talking = new BridgeClient(port);
         BridgeClient silent = new BridgeClient(port)) {
      talking.write(ping(null));
      assertThat(talking.read().orElseThrow().getString("type")).isEqualTo("pong");
      try (BridgeClient newcomer = new BridgeClient(port)) {
        JsonObject replaced = silent.read().orElseThrow();
        assertThat(errorCode(replaced)).isEqualTo("no_frame_in_time");
        assertThat(replaced.getString("message")).contains("bridge.connections");
        assertThat(silent.closedByServer()).isTrue();
        newcomer.write(ping(null));
        assertThat(newcomer.read().orElseThrow().getString("type")).isEqualTo("pong");
        try (BridgeClient oneTooMany = new BridgeClient(port)) { // both places are held by connections that spoke
          assertThat(errorCode(oneTooMany.read().orElseThrow())).isEqualTo("too_many_connections");
          assertThat(oneTooMany.closedByServer()).isTrue();
        }
        talking.write(ping(null));
        assertThat(talking.read().orElseThrow().getString("type")).as("a connection that spoke keeps its place")
          .isEqualTo("pong");
      }
    } finally {
      result(bounded.vertx.close());
    }
  }

  /** A ping frame, with the token in its headers when there is one. */
  private static JsonObject ping(String token) {
    JsonObject ping = new JsonObject().put("type", "ping");
    return token == null ? ping : ping.put("headers", new JsonObject().put("token", token));
  }

  @Test
  void shouldRefuseToStartWithABoundBelowOne() {
    for (String bound : List.of("bridge.connections", "bridge.connectionsPerAddress", "bridge.registrations",
      "bridge.frame.bytes", "bridge.queue.bytes",
      "bridge.first.frame.seconds")) {
      Vertx own = Vertx.vertx();
      try {
        // refused with the configuration's other ranges, before the gateway is made
        assertThatThrownBy(() -> TestGateway.start(own, new JsonObject().put("bridge.port", 0).put(bound, 0)))
          .as(bound).hasMessageContaining("'" + bound + "' must be at least 1");
      } finally {
        result(own.close());
      }
    }
  }

  @Test
  void shouldBeOffUnlessAPortIsSet() {
    TestGateway plain = result(TestGateway.start(Vertx.vertx()));
    try {
      assertThat(plain.gateway.bridgePort()).isEqualTo(BridgeOptions.OFF);
    } finally {
      result(plain.vertx.close());
    }
  }

  @Test
  void shouldCountOpenConnectionsAndRefusedFramesInMetrics() throws IOException {
    try (BridgeClient client = client()) {
      client.write(client.frame("publish", "botgate.integration.execute").put("body", execution("metered")));
      assertThat(errorCode(client.read().orElseThrow())).isEqualTo("publish_refused");

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString())
          .containsPattern("(?m)^botgate_bridge_connections [1-9]\\d*\\.0$")
          .containsPattern("(?m)^botgate_bridge_frames_refused_total [1-9]\\d*\\.0$"));
    }
  }

  @Test
  void shouldWaitForAReplyAsLongAsBridgeReplySecondsSaysUnlessTheFrameSaysOtherwise() throws IOException {
    // Vert.x's bridge gives up on a reply after 30 s, the request running on: botgate sets its own wait (by
    // default longer than any request may run); here 1 s, against an execution that takes 2 s
    TestGateway quick = result(TestGateway.start(Vertx.vertx(), new JsonObject().put("bridge.port", 0)
      .put("bridge.reply.seconds", 1)));
    JsonObject slow = new JsonObject().put("name", "slowMock").put("method", "GET").put("url", "http://127.0.0.1:9/slow")
      .put("mode", "mock").put("mocks", new JsonArray().add(new JsonObject().put("status", 200)
        .put("body", new JsonObject().put("ok", true)).put("delayMs", 2_000)));
    try (BridgeClient client = new BridgeClient(quick.gateway.bridgePort())) {
      assertThat(result(quick.declare(slow)).statusCode()).isEqualTo(201);
      JsonObject body = new JsonObject().put("session", "waited").put("integration", "slowMock");

      String gaveUp = client.request("botgate.integration.execute", body);
      JsonObject timedOut = client.readUntil(f -> gaveUp.equals(f.getString("address")));
      assertThat(timedOut.getString("type")).isEqualTo("err");
      assertThat(timedOut.getString("failureType")).isEqualTo("TIMEOUT");

      String replyAddress = "reply-waited";
      client.write(client.frame("send", "botgate.integration.execute").put("replyAddress", replyAddress)
        .put("headers", new JsonObject().put("timeout", 10_000)).put("body", body));
      JsonObject reply = client.readUntil(f -> replyAddress.equals(f.getString("address")));
      assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("message");
      assertThat(reply.getJsonObject("body").getJsonObject("result").getString("statusCode")).isEqualTo("200");
    } finally {
      result(quick.vertx.close());
    }
  }

  @Test
  void shouldExecuteThroughTheBridgeAndPublishTheResultToItsConsumers() throws IOException {
    try (BridgeClient client = client()) {
      client.register("botgate.results");
      client.register("botgate.events.bridge-run");
      String replyAddress = client.request("botgate.integration.execute", execution("bridge-run"));

      JsonObject reply = client.readUntil(f -> replyAddress.equals(f.getString("address")));
      assertThat(reply.getString("type")).isEqualTo("message");
      assertThat(reply.getJsonObject("body").getJsonObject("result").getString("statusCode")).isEqualTo("200");
      assertThat(reply.getJsonObject("body").getJsonObject("variables").getJsonArray("faqIntegration.title"))
        .contains("How do I turn on roaming?");

      JsonObject published = client.readUntil(f -> "botgate.results".equals(f.getString("address"))
        && "bridge-run".equals(f.getJsonObject("body").getString("session")));
      assertThat(published.getJsonObject("body").getString("integration")).isEqualTo("faqIntegration");
      assertThat(published.getJsonObject("body").getBoolean("success")).isTrue();

      JsonObject event = client.readUntil(f -> "botgate.events.bridge-run".equals(f.getString("address")));
      assertThat(event.getJsonObject("body").getString("session")).isEqualTo("bridge-run");
      assertThat(event.getJsonObject("body").getLong("seq")).isPositive();
    }
  }

  @Test
  void shouldPublishResultsToABridgeClientWhereOnlyConsumedAddressesArePublished() throws IOException {
    // with Vert.x's metrics on, results are published only where a consumer is registered: a bridge
    // client's registration must count as one
    Vertx metered = MetricsEndpoint.vertxWithMetrics(new VertxOptions());
    try {
      TestGateway gated = result(TestGateway.start(metered, new JsonObject().put("bridge.port", 0)));
      try (BridgeClient client = new BridgeClient(gated.gateway.bridgePort())) {
        client.register("botgate.results");
        String replyAddress = client.request("botgate.integration.execute", execution("gated-run"));
        client.readUntil(f -> replyAddress.equals(f.getString("address")));
        JsonObject published = client.readUntil(f -> "botgate.results".equals(f.getString("address"))
          && "gated-run".equals(f.getJsonObject("body").getString("session")));
        assertThat(published.getJsonObject("body").getString("integration")).isEqualTo("faqIntegration");
      }
    } finally {
      result(metered.close());
    }
  }

  @Test
  void shouldAnswerScriptRunsAndSessionReadsAndTheirFailures() throws IOException {
    try (BridgeClient client = client()) {
      String run = client.request("botgate.script.run", new JsonObject().put("session", "bridge-script")
        .put("code", "botContext.setBotVariable('seen', 'yes', true, false); botContext.sendMessage('hi')"));
      JsonObject ran = client.readUntil(f -> run.equals(f.getString("address")));
      assertThat(ran.getJsonObject("body").getJsonArray("messages").encode()).contains("hi");

      String get = client.request("botgate.session.get", new JsonObject().put("session", "bridge-script"));
      JsonObject session = client.readUntil(f -> get.equals(f.getString("address")));
      assertThat(session.getJsonObject("body").getJsonObject("variables").getString("seen")).isEqualTo("yes");

      String missing = client.request("botgate.session.get", new JsonObject().put("session", "never-seen"));
      JsonObject failed = client.readUntil(f -> missing.equals(f.getString("address")));
      assertThat(failed.getString("type")).isEqualTo("err");
      assertThat(failed.getInteger("failureCode")).isEqualTo(404);
      assertThat(errorCode(failed)).isEqualTo("unknown_session");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"botgate.results", "botgate.events.s1", "botgate.call", "botgate.integration.executeX",
    "botgate.integration", "anything"})
  void shouldRefuseSendingToAnAddressOutsideTheInboundList(String address) throws IOException {
    List<Object> delivered = Collections.synchronizedList(new ArrayList<>());
    MessageConsumer<Object> spy = vertx.eventBus().consumer(address, m -> delivered.add(m.body()));
    result(spy.completion());
    try (BridgeClient client = client()) {
      client.write(client.frame("send", address).put("body", new JsonObject().put("forged", true)));
      client.write(client.frame("publish", address).put("body", new JsonObject().put("forged", true)));
      assertThat(client.read().orElseThrow().getString("message")).isEqualTo("access_denied");
      assertThat(errorCode(client.read().orElseThrow())).isEqualTo("publish_refused");
      client.write(new JsonObject().put("type", "ping"));
      client.readUntil(f -> "pong".equals(f.getString("type")));
      assertThat(delivered).as("messages that reached the bus").isEmpty();
    } finally {
      result(spy.unregister());
    }
  }

  @Test
  void shouldAddressTheRefusalOfAnAddressOutsideTheListsToTheRequestItFails() throws IOException {
    try (BridgeClient client = client()) {
      client.write(client.frame("send", "botgate.call").put("replyAddress", "mine-1").put("body", new JsonObject()));
      client.write(client.frame("send", "botgate.results").put("replyAddress", "mine-2").put("body", new JsonObject()));
      client.register("botgate.integration.execute");

      for (String replyAddress : List.of("mine-1", "mine-2")) {
        JsonObject denied = client.read().orElseThrow();
        assertThat(denied.getString("type")).isEqualTo("err");
        assertThat(denied.getString("message")).as("the bridge's own word, kept").isEqualTo("access_denied");
        assertThat(denied.getString("address")).as("the request it fails").isEqualTo(replyAddress);
      }
      JsonObject registration = client.read().orElseThrow();
      assertThat(registration.getString("message")).isEqualTo("access_denied");
      assertThat(registration.getString("sourceAddress")).isEqualTo("botgate.integration.execute");
      assertThat(registration.containsKey("address")).as("no reply address to fail").isFalse();
      String allowed = client.request("botgate.session.get", new JsonObject().put("session", "never-seen"));
      assertThat(errorCode(client.readUntil(f -> allowed.equals(f.getString("address")))))
        .as("a request to a listed address, after").isEqualTo("unknown_session");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"botgate.integration.execute", "botgate.script.run", "botgate.session.get",
    "botgate.events.", "botgate.eventsX", "botgate.call", "botgate.resultsX", "anything"})
  void shouldRefuseRegisteringForAnAddressOutsideTheOutboundList(String address) throws IOException {
    try (BridgeClient client = client()) {
      client.register(address);
      assertThat(client.read().orElseThrow().getString("message")).isEqualTo("access_denied");
      vertx.eventBus().publish(address, new JsonObject().put("secret", true));
      client.write(new JsonObject().put("type", "ping"));
      JsonObject next = client.read().orElseThrow();
      assertThat(next.getString("type")).as("the frame after the refusal").isEqualTo("pong");
    }
  }

  @Test
  void shouldRefuseRegisteringForTheEventsOfAnInvalidSessionId() throws IOException {
    try (BridgeClient client = client()) {
      client.register("botgate.events." + "s".repeat(201));
      JsonObject tooLong = client.read().orElseThrow();
      assertThat(tooLong.getInteger("failureCode")).isEqualTo(400);
      assertThat(errorCode(tooLong)).isEqualTo("invalid_session");
      client.register("botgate.events.a\nb");
      assertThat(errorCode(client.read().orElseThrow())).isEqualTo("invalid_session");
      client.write(new JsonObject().put("type", "ping"));
      assertThat(client.read().orElseThrow().getString("type")).isEqualTo("pong");
    }
  }

  @Test
  void shouldRefuseToPublishARequestThatEveryNodeWouldRun() throws IOException {
    try (BridgeClient client = client()) {
      client.write(client.frame("publish", "botgate.integration.execute").put("body", execution("published")));
      JsonObject err = client.read().orElseThrow();
      assertThat(err.getString("type")).isEqualTo("err");
      assertThat(err.getInteger("failureCode")).isEqualTo(403);
      assertThat(errorCode(err)).isEqualTo("publish_refused");
      assertThat(result(gw.gateway.sessions().describe("published"))).isNull();
    }
  }

  @Test
  void shouldBoundRegistrationsPerConnection() throws IOException {
    try (BridgeClient client = client()) {
      client.register("botgate.results");
      client.register("botgate.results");
      JsonObject twice = client.read().orElseThrow();
      assertThat(errorCode(twice)).isEqualTo("already_registered");

      client.register("botgate.events.a");
      client.register("botgate.events.b");
      client.register("botgate.events.c");
      JsonObject tooMany = client.read().orElseThrow();
      assertThat(tooMany.getInteger("failureCode")).isEqualTo(429);
      assertThat(new JsonObject(tooMany.getString("message")).getJsonObject("error").getString("message"))
        .contains("bridge.registrations");

      client.write(client.frame("unregister", "botgate.events.a"));
      client.register("botgate.events.c");
      client.write(new JsonObject().put("type", "ping"));
      assertThat(client.read().orElseThrow().getString("type")).as("after unregistering one").isEqualTo("pong");
    }
  }

  @Test
  void shouldDisconnectAClientThatLeavesMoreThanTheBoundUnread() throws IOException {
    int published = 2048; // 32 MiB: far more than the kernel's socket buffers (4 MiB here) and the bound together
    String blob = "x".repeat(16 * 1024);
    try (BridgeClient client = new BridgeClient(gw.gateway.bridgePort(), null, 16 * 1024)) {
      client.register("botgate.results");
      client.write(new JsonObject().put("type", "ping"));
      assertThat(client.read().orElseThrow().getString("type")).isEqualTo("pong");
      for (int i = 0; i < published; i++) {
        vertx.eventBus().publish("botgate.results", new JsonObject().put("i", i).put("blob", blob));
      }
      // Read nothing until the gateway has let go (a client that drained as it went would never pass the
      // bound): a write fails once the connection is closed.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
        try {
          client.write(new JsonObject().put("type", "ping"));
          return false;
        } catch (IOException closed) {
          return true;
        }
      });
      int received = 0;
      try {
        for (Optional<JsonObject> frame = client.read(); frame.isPresent(); frame = client.read()) {
          received += "pong".equals(frame.get().getString("type")) ? 0 : 1;
        }
      } catch (IOException reset) {
        // the connection was reset after the gateway closed it: what was read is all there is
      }
      assertThat(received).as("results received before the gateway let go").isLessThan(published);
    }
    try (BridgeClient other = client()) {
      other.write(new JsonObject().put("type", "ping"));
      assertThat(other.read().orElseThrow().getString("type")).as("another client, after").isEqualTo("pong");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"type\":\"foo\",\"address\":\"botgate.results\"}", "{\"address\":\"botgate.results\"}",
    "{\"type\":7}", "{\"type\":\"register\",\"address\":[\"botgate.results\"]}",
    "{\"type\":\"send\",\"address\":\"botgate.session.get\",\"headers\":\"token\"}",
    "{\"type\":\"send\",\"address\":\"botgate.session.get\",\"headers\":{\"token\":1}}",
    "{\"type\":\"send\",\"address\":\"botgate.session.get\",\"headers\":{\"timeout\":\"soon\"}}",
    "{\"type\":\"send\",\"address\":\"botgate.session.get\",\"headers\":{\"timeout\":0},\"body\":{\"session\":\"s\"}}",
    "{\"type\":\"send\",\"address\":\"botgate.session.get\",\"headers\":{\"timeout\":0.5},\"body\":{\"session\":\"s\"}}",
    "{\"type\":\"send\",\"address\":\"botgate.session.get\",\"headers\":{\"timeout\":-5},\"body\":{\"session\":\"s\"}}",
    "{\"type\":\"send\",\"address\":\"x\",\"failureCode\":\"500\"}", "[1, 2]", "{\"type\": \"ping\"", "not json",
    "{\"type\":\"send\",\"body\":{}}", "{\"type\":\"publish\"}", "{\"type\":\"register\"}", "{\"type\":\"unregister\"}"})
  void shouldAnswerAFrameTheBridgeCannotDispatchAndStayInStep(String json) throws IOException {
    try (BridgeClient client = client()) {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      new DataOutputStream(frame).writeInt(bytes.length);
      frame.write(bytes);
      client.writeRaw(frame.toByteArray());
      client.write(new JsonObject().put("type", "ping"));

      JsonObject err = client.read().orElseThrow();
      assertThat(err.getInteger("failureCode")).isEqualTo(400);
      assertThat(errorCode(err)).isEqualTo("invalid_frame");
      assertThat(client.read().orElseThrow().getString("type")).as("the next frame is read as a frame").isEqualTo("pong");
    }
  }

  @Test
  void shouldRefuseABodyHoldingANumberNoDoubleHolds() throws IOException {
    try (BridgeClient client = client()) {
      byte[] bytes = ("{\"type\":\"send\",\"address\":\"botgate.integration.execute\",\"replyAddress\":\"mine\","
        + "\"body\":{\"session\":\"s\",\"integration\":\"faqIntegration\",\"variables\":{\"n\":1e400}}}")
        .getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      new DataOutputStream(frame).writeInt(bytes.length);
      frame.write(bytes);
      client.writeRaw(frame.toByteArray());

      JsonObject err = client.read().orElseThrow();
      assertThat(err.getString("address")).isEqualTo("mine");
      assertThat(errorCode(err)).isEqualTo("invalid_frame");
      assertThat(new JsonObject(err.getString("message")).getJsonObject("error").getString("message"))
        .startsWith("'body.variables.n' is a number beyond what a double holds");
    }
  }

  @Test
  void shouldAddressAnInvalidFramesRefusalToItsReplyAddressSoTheRequestFailsAtOnce() throws IOException {
    try (BridgeClient client = client()) {
      client.write(new JsonObject().put("type", "send").put("address", "botgate.session.get").put("replyAddress", "mine")
        .put("headers", new JsonObject().put("timeout", 0)).put("body", new JsonObject().put("session", "s")));

      JsonObject err = client.read().orElseThrow();
      assertThat(err.getString("type")).isEqualTo("err");
      assertThat(err.getString("address")).isEqualTo("mine");
      assertThat(errorCode(err)).isEqualTo("invalid_frame");
      assertThat(new JsonObject(err.getString("message")).getJsonObject("error").getString("message"))
        .contains("'timeout' must be a number of milliseconds, 1 or more");
    }
  }

  @Test
  void shouldServeAFrameUpToTheBound() throws IOException {
    try (BridgeClient client = client()) {
      JsonObject body = new JsonObject().put("session", "big-frame").put("code", "var x = 1;");
      JsonObject frame = client.frame("send", "botgate.script.run").put("replyAddress", "r1").put("body", body);
      int padding = FRAME_BYTES - frame.encode().getBytes(StandardCharsets.UTF_8).length;
      body.put("code", "var x = 1;" + " ".repeat(padding));
      assertThat(frame.encode().getBytes(StandardCharsets.UTF_8)).hasSize(FRAME_BYTES);
      client.write(frame);
      assertThat(client.readUntil(f -> "r1".equals(f.getString("address"))).getString("type")).isEqualTo("message");
    }
  }

  @Test
  void shouldRefuseAFrameOverTheBoundAsSoonAsItsLengthArrivesAndClose() throws IOException {
    try (BridgeClient client = client()) {
      client.write(new JsonObject().put("type", "ping"));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(FRAME_BYTES + 1);
      out.write(new byte[100]); // the body never completes: the refusal must not wait for it
      client.writeRaw(bytes.toByteArray());

      assertThat(client.read().orElseThrow().getString("type")).as("the frame before").isEqualTo("pong");
      JsonObject err = client.read().orElseThrow();
      assertThat(err.getString("type")).isEqualTo("err");
      assertThat(err.getInteger("failureCode")).isEqualTo(413);
      assertThat(errorCode(err)).isEqualTo("frame_too_large");
      assertThat(new JsonObject(err.getString("message")).getJsonObject("error").getString("message"))
        .contains("bridge.frame.bytes");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void shouldLetAClientStillSendingAFrameOverTheBoundReadTheRefusalThenStopReadingIt() throws Exception {
    // Closed at once, the rest of the frame unread, the connection ended in a reset that a client still
    // writing could take before the refusal. The native transport (the gateway's own) showed it every time.
    Vertx vertx = TestGateway.nativeVertx();
    try {
      TestGateway epoll = result(TestGateway.start(vertx, new JsonObject().put("bridge.port", 0)
        .put("bridge.frame.bytes", FRAME_BYTES)));
      try (BridgeClient client = new BridgeClient(epoll.gateway.bridgePort())) {
        int length = 2 << 20; // the bridge drops up to LingeringClose.MAX_BYTES after the refusal
        KeepsSending rest = KeepsSending.start(client::writeRaw, sendLength(client, length)); // while it answers
        assertThat(errorCode(client.read().orElseThrow())).isEqualTo("frame_too_large");
        assertThat(client.read()).as("the bridge's side ends in order, not with a reset").isEmpty();
        rest.stop(client); // fails if a write met a reset before the end was read
      }
      try (BridgeClient client = new BridgeClient(epoll.gateway.bridgePort())) {
        KeepsSending rest = KeepsSending.start(client::writeRaw, sendLength(client, 1 << 30)); // and on
        // what the bridge drops after the refusal, plus what the two sockets' buffers hold
        assertThat(rest.sentUntilCut()).isLessThan(LingeringClose.MAX_BYTES + (32L << 20));
      }
      epoll.assertHealthy();
    } finally {
      result(vertx.close());
    }
  }

  private static int sendLength(BridgeClient client, int length) throws IOException {
    client.writeRaw(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
    return length;
  }

  @Test
  void shouldRefuseALengthThatDoesNotFitASignedInt() throws IOException {
    try (BridgeClient client = client()) {
      client.writeRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0, '{'});
      assertThat(errorCode(client.read().orElseThrow())).isEqualTo("frame_too_large");
      assertThat(client.closedByServer()).isTrue();
    }
  }
}
