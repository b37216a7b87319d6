package io.botgate.cluster;

import com.hazelcast.map.IMap;
import io.botgate.StubUpstream;
import io.botgate.api.BridgeClient;
import io.botgate.api.EventBusApi;
import io.botgate.session.ClusteredSessionStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two nodes in one JVM act as one gateway: any node reads and changes any session, and loses no update. */
@Timeout(180)
class ClusteredSessionsTest {

  static final String INCREMENT = "botContext.setBotVariable('n', (botContext.getBotVariable('n')||0)+1, true, false)";
  static ClusterNodes cluster;

  static final String SECRET = "team-S3cr3t-value";
  static StubUpstream upstream;

  @BeforeAll
  static void start() {
    cluster = ClusterNodes.start(2, new JsonObject().put("env", new JsonObject().put("TEAM_KEY", SECRET))
      .put("bridge.port", 0));
    upstream = new StubUpstream();
    result(cluster.node(0).vertx().deployVerticle(upstream));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Future<JsonObject> post(ClusterNodes.Node node, String path, JsonObject body) {
    return node.http().post(node.port(), "127.0.0.1", path).sendJsonObject(body).map(r -> {
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
      return r.bodyAsJsonObject();
    });
  }

  private static JsonObject get(ClusterNodes.Node node, String path) {
    HttpResponse<Buffer> r = result(node.http().get(node.port(), "127.0.0.1", path).send());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  @Test
  void shouldRunEachBridgeRequestOnTheNodeWhoseBridgeReceivedIt() throws IOException {
    for (int n = 0; n < 2; n++) {
      try (BridgeClient client = new BridgeClient(cluster.node(n).gateway().bridgePort())) {
        List<String> ran = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // the clustered bus would have sent every other one to the other node
          String replyAddress = client.request(EventBusApi.EXECUTE, new JsonObject().put("session", "bridged-" + n + i)
            .put("integration", "faqIntegration").put("variables", new JsonObject().put("question", "hours")));
          JsonObject reply = client.readUntil(f -> replyAddress.equals(f.getString("address")));
          assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("message");
          ran.add(reply.getJsonObject("body").getJsonObject("result").getString("node"));
        }

        assertThat(ran).as("a node that dies takes only its own bridge's requests with it").containsOnly("node-" + n);
      }
    }
  }

  /** Sets variables whose name or value holds half of a UTF-16 pair, beside one named as such a name used to be kept. */
  static final String SET_LONE_SURROGATES = "botContext.setBotVariable('v', 'a\\uD800b', true);"
    + "botContext.setBotVariable('n\\uDC00', 'x', true); botContext.setBotVariable('n?', 'q', true);"
    + "botContext.setBotVariable('o', {'k\\uD800': ['\\uDFFF']}, true)";
  /** What a later request's script reads of them: each true when kept exactly. */
  static final String READ_LONE_SURROGATES = "var v = botContext.getBotVariable('v');"
    + "var o = botContext.getBotVariable('o');"
    + "botContext.sendMessage([v === 'a\\uD800b', botContext.getBotVariable('n\\uDC00') === 'x',"
    + " botContext.getBotVariable('n?') === 'q', (o['k\\uD800'] || [])[0] === '\\uDFFF'].join(' '))";

  /**
   * A lone surrogate in a variable's value or name, as a script may set it, is kept exactly by the cluster's store as
   * by a node alone: read back on another node, it is the same string (the state was written as UTF-8, where it
   * became '?': 'n\uDC00' and 'n?' were one variable).
   */
  @Test
  void shouldKeepLoneSurrogatesInVariablesExactlyAcrossNodesAsANodeAloneDoes() {
    io.vertx.core.Vertx apart = io.vertx.core.Vertx.vertx(); // not clustered: the store of a node alone
    try {
      io.botgate.TestGateway alone = result(io.botgate.TestGateway.start(apart, new JsonObject()));
      String path = "/api/sessions/lone-surrogates/scripts";
      assertThat(result(alone.http.post(alone.gateway.port(), "127.0.0.1", path)
        .sendJsonObject(new JsonObject().put("code", SET_LONE_SURROGATES))).statusCode()).isEqualTo(200);
      JsonObject aloneRead = result(alone.http.post(alone.gateway.port(), "127.0.0.1", path)
        .sendJsonObject(new JsonObject().put("code", READ_LONE_SURROGATES))).bodyAsJsonObject();
      assertThat(aloneRead.getJsonArray("messages").getJsonObject(0).getString("text")).as("a node alone")
        .isEqualTo("true true true true");

      result(post(cluster.node(0), path, new JsonObject().put("code", SET_LONE_SURROGATES)));
      for (int n : new int[] {1, 0}) { // each read from the state the other node wrote
        JsonObject read = result(post(cluster.node(n), path, new JsonObject().put("code", READ_LONE_SURROGATES)));
        assertThat(read.getJsonArray("messages").getJsonObject(0).getString("text")).as("read on node-" + n)
          .isEqualTo("true true true true");
      }
    } finally {
      result(apart.close());
    }
  }

  @Test
  void shouldListBothMembersAndWhichOneAnswered() {
    JsonObject answer = get(cluster.node(1), "/api/cluster");

    assertThat(answer.getBoolean("clustered")).isTrue();
    assertThat(answer.getString("answeredBy")).isEqualTo("node-1");
    assertThat(answer.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("node")))
      .containsExactlyInAnyOrder("node-0", "node-1");
  }

  @Test
  void shouldServeTheMemberCountInMetrics() {
    String text = result(cluster.node(0).http().get(cluster.node(0).port(), "127.0.0.1", "/metrics").send())
      .bodyAsString();

    assertThat(text).containsPattern("(?m)^botgate_cluster_members 2\\.0$");
  }

  @Test
  void shouldReadAndScriptOnOneNodeWhatAnotherExecuted() {
    JsonObject executed = result(post(cluster.node(0), "/api/sessions/moved/integrations/faqIntegration",
      new JsonObject().put("variables", new JsonObject().put("question", "hours"))
        .put("postProcess", "botContext.setBotVariable('from', 'node-0', true, false)")));

    assertThat(executed.getJsonObject("result").getString("statusCode")).as(executed.encodePrettily()).isEqualTo("200");
    JsonObject seen = get(cluster.node(1), "/api/sessions/moved");
    assertThat(seen.getJsonObject("lastResult").getString("statusCode")).isEqualTo("200");
    assertThat(seen.getJsonObject("lastResult").getString("node")).isEqualTo("node-0");
    assertThat(seen.getJsonObject("variables").getString("from")).isEqualTo("node-0");
    assertThat(seen.getJsonObject("lastResult")).isEqualTo(executed.getJsonObject("result"));

    JsonObject scripted = result(post(cluster.node(1), "/api/sessions/moved/scripts", new JsonObject().put("code",
      "botContext.setBotVariable('answer', botContext.isApiExecutionSuccessful() + ' ' + botContext.getApiStatusCode()"
        + " + ' ' + botContext.getBotVariable('from'), true, false)")));
    assertThat(scripted.getJsonObject("variableChanges").getString("answer")).isEqualTo("true 200 node-0");
    assertThat(get(cluster.node(0), "/api/sessions/moved").getJsonObject("variables").getString("answer"))
      .isEqualTo("true 200 node-0");
  }

  @Test
  void shouldScrubOnEveryNodeASecretThatAnotherNodeSentAndTheUpstreamEchoed() {
    HttpResponse<Buffer> declared = result(cluster.node(0).http().put(cluster.node(0).port(), "127.0.0.1",
      "/api/integrations/echoKey").sendJsonObject(new JsonObject().put("method", "GET").put("url", upstream.url("/echo"))
      .put("headers", new JsonObject().put("X-Team", "{$env.TEAM_KEY}"))));
    assertThat(declared.statusCode()).as(declared.bodyAsString()).isIn(200, 201);
    JsonObject executed = result(post(cluster.node(0), "/api/sessions/echoing/integrations/echoKey", new JsonObject()));
    assertThat(executed.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    assertThat(upstream.received.stream().anyMatch(r -> SECRET.equals(r.headers().getString("x-team")))).isTrue();

    // node 1 never sent it; it shows the session scrubbed all the same (the value reaches it within a moment)
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
      assertThat(get(cluster.node(1), "/api/sessions/echoing").encode()).doesNotContain(SECRET).contains("****"));
    assertThat(get(cluster.node(0), "/api/sessions/echoing").encode()).doesNotContain(SECRET);
  }

  @Test
  void shouldLoseNoUpdateWhenBothNodesChangeOneSessionAtOnce() {
    List<Future<JsonObject>> calls = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      ClusterNodes.Node node = cluster.node(i % 2);
      calls.add(i % 3 == 0
        ? post(node, "/api/sessions/shared/integrations/faqIntegration", new JsonObject()
          .put("variables", new JsonObject().put("question", "hours")).put("postProcess", INCREMENT))
        : post(node, "/api/sessions/shared/scripts", new JsonObject().put("code", INCREMENT)));
    }
    List<JsonObject> answers = result(Future.all(calls)).list();

    assertThat(get(cluster.node(0), "/api/sessions/shared").getJsonObject("variables").getInteger("n")).isEqualTo(60);
    // Whichever node numbered them, the session's events carry distinct, consecutive seqs.
    TreeSet<Long> seqs = new TreeSet<>();
    int events = 0;
    for (JsonObject answer : answers) {
      JsonArray list = answer.getJsonArray("events");
      for (int i = 0; i < list.size(); i++) {
        seqs.add(list.getJsonObject(i).getLong("seq"));
        events++;
      }
    }
    assertThat(seqs).hasSize(events);
    assertThat(seqs.first()).isEqualTo(1L);
    assertThat(seqs.last()).isEqualTo((long) events);
  }

  @Test
  void shouldForgetASessionDeletedOnAnotherNode() {
    result(post(cluster.node(0), "/api/sessions/gone/scripts", new JsonObject().put("code", INCREMENT)));
    HttpResponse<Buffer> deleted = result(cluster.node(1).http().delete(cluster.node(1).port(), "127.0.0.1",
      "/api/sessions/gone").send());
    assertThat(deleted.statusCode()).isEqualTo(204);

    HttpResponse<Buffer> after = result(cluster.node(0).http().get(cluster.node(0).port(), "127.0.0.1",
      "/api/sessions/gone").send());
    assertThat(after.statusCode()).isEqualTo(404);
  }

  @Test
  void shouldListTheSessionsOfTheWholeCluster() {
    result(post(cluster.node(0), "/api/sessions/listed-a/scripts", new JsonObject().put("code", INCREMENT)));
    result(post(cluster.node(1), "/api/sessions/listed-b/scripts", new JsonObject().put("code", INCREMENT)));

    JsonObject page = get(cluster.node(0), "/api/sessions?limit=1000");
    assertThat(page.getJsonArray("sessions").stream().map(s -> ((JsonObject) s).getString("session")))
      .contains("listed-a", "listed-b");
    // the last number node 1 gave, though node 0 keeps none of that session's events
    assertThat(page.getJsonArray("sessions").stream().map(JsonObject.class::cast)
      .filter(s -> s.getString("session").equals("listed-b")).findFirst().orElseThrow().getLong("lastSeq"))
      .isEqualTo(3L);
  }

  @Test
  void shouldShareTheConversationContextAndTheContextServiceAcrossNodes() {
    result(post(cluster.node(0), "/api/sessions/ctx/scripts", new JsonObject()
      .put("context", new JsonObject().put("channel", "web").put("userPlatformId", "u1"))
      .put("code", "botContext.registerContextNamespace('shop');"
        + " botContext.setContextDataForConversation('shop', 'cart', '3');"
        + " botContext.setContextDataForUser('shop', 'tier', 'gold');")));

    JsonObject read = result(post(cluster.node(1), "/api/sessions/ctx/scripts", new JsonObject().put("code",
      "botContext.setBotVariable('seen', botContext.getUserChannel() + ' ' + botContext.getUserPlatformId() + ' '"
        + " + botContext.getContextDataForConversation('shop', 'cart') + ' '"
        + " + botContext.getContextDataForUser('shop', 'tier'), true, false)")));
    assertThat(read.getJsonObject("variableChanges").getString("seen")).isEqualTo("web u1 3 gold");
  }

  @Test
  void shouldNumberPastTheEventsOfATurnLostWithItsNode() {
    JsonObject first = result(post(cluster.node(0), "/api/sessions/lost/scripts", new JsonObject().put("code", INCREMENT)));
    long before = last(first.getJsonArray("events"));
    // What a node that died in the middle of a turn leaves: the session marked as in a turn, never saved.
    com.hazelcast.map.IMap<String, byte[]> map = ClusterNode.hazelcast(cluster.node(1).vertx())
      .getMap(io.botgate.session.ClusteredSessionStore.MAP);
    byte[] state = map.get("lost");
    state[Long.BYTES] = 1;
    map.set("lost", state);

    JsonObject next = result(post(cluster.node(1), "/api/sessions/lost/scripts", new JsonObject().put("code", INCREMENT)));
    long firstOfNext = next.getJsonArray("events").getJsonObject(0).getLong("seq");
    assertThat(firstOfNext).isGreaterThan(before + 1_000_000L);
    assertThat(get(cluster.node(0), "/api/sessions/lost").getJsonObject("variables").getInteger("n")).isEqualTo(2);

    JsonObject after = result(post(cluster.node(0), "/api/sessions/lost/scripts", new JsonObject().put("code", INCREMENT)));
    assertThat(after.getJsonArray("events").getJsonObject(0).getLong("seq")).isEqualTo(last(next.getJsonArray("events")) + 1);
  }

  @Test
  void shouldSeeOnANodeWhatOthersChangedSinceItLastSavedTheSession() {
    ClusterNodes.Node a = cluster.node(0);
    ClusterNodes.Node b = cluster.node(1);
    result(post(a, "/api/sessions/fresh/scripts", new JsonObject().put("code", INCREMENT)));
    result(post(a, "/api/sessions/fresh/scripts", new JsonObject().put("code", INCREMENT))); // from what a saved
    result(post(b, "/api/sessions/fresh/scripts", new JsonObject().put("code", INCREMENT)));

    JsonObject onA = result(post(a, "/api/sessions/fresh/scripts", new JsonObject().put("code", INCREMENT)));
    assertThat(onA.getJsonObject("variableChanges").getInteger("n")).isEqualTo(4);

    // Deleted and started again elsewhere: what a saved of the first session is no use any more.
    assertThat(result(b.http().delete(b.port(), "127.0.0.1", "/api/sessions/fresh").send()).statusCode()).isEqualTo(204);
    result(post(b, "/api/sessions/fresh/scripts", new JsonObject().put("code", INCREMENT)));
    JsonObject again = result(post(a, "/api/sessions/fresh/scripts", new JsonObject().put("code", INCREMENT)));
    assertThat(again.getJsonObject("variableChanges").getInteger("n")).isEqualTo(2);
    assertThat(get(b, "/api/sessions/fresh").getJsonObject("variables").getInteger("n")).isEqualTo(2);
  }

  @Test
  void shouldHandASessionLeasedByTheNodeThatKeepsServingItToAnotherThatAsks() {
    ClusterNodes.Node a = cluster.node(0);
    ClusterNodes.Node b = cluster.node(1);
    JsonObject onA = null;
    for (int i = 0; i < 5; i++) { // past the third turn in a row, node A keeps the session's lease between turns
      onA = result(post(a, "/api/sessions/leased/scripts", new JsonObject().put("code", INCREMENT)));
    }
    assertThat(onA.getJsonObject("variableChanges").getInteger("n")).isEqualTo(5);
    com.hazelcast.map.IMap<String, byte[]> map = ClusterNode.hazelcast(b.vertx()).getMap(io.botgate.session.ClusteredSessionStore.MAP);
    assertThat(map.get("leased")[Long.BYTES]).as("leased by A").isEqualTo((byte) 2);

    JsonObject onB = result(post(b, "/api/sessions/leased/scripts", new JsonObject().put("code", INCREMENT)));
    assertThat(onB.getJsonObject("variableChanges").getInteger("n")).isEqualTo(6);
    assertThat(onB.getJsonArray("events").getJsonObject(0).getLong("seq"))
      .as("numbered on from A's events, not past them as after a lost turn").isEqualTo(last(onA.getJsonArray("events")) + 1);
    JsonObject backOnA = result(post(a, "/api/sessions/leased/scripts", new JsonObject().put("code", INCREMENT)));
    assertThat(backOnA.getJsonObject("variableChanges").getInteger("n")).isEqualTo(7);
    assertThat(get(b, "/api/sessions/leased").getJsonObject("variables").getInteger("n")).isEqualTo(7);
  }

  @Test
  void shouldTakeASessionLeasedByANodeThatLeftAsATurnLostWithIt() {
    JsonObject first = result(post(cluster.node(0), "/api/sessions/lease-lost/scripts", new JsonObject().put("code", INCREMENT)));
    com.hazelcast.map.IMap<String, byte[]> map = ClusterNode.hazelcast(cluster.node(1).vertx())
      .getMap(io.botgate.session.ClusteredSessionStore.MAP);
    byte[] state = map.get("lease-lost");
    state[Long.BYTES] = 2; // leased by a member that is gone (no uuid): it may have begun a turn without a word
    map.set("lease-lost", state);

    JsonObject next = result(post(cluster.node(1), "/api/sessions/lease-lost/scripts", new JsonObject().put("code", INCREMENT)));
    assertThat(next.getJsonArray("events").getJsonObject(0).getLong("seq"))
      .isGreaterThan(last(first.getJsonArray("events")) + 1_000_000L);
    assertThat(next.getJsonObject("variableChanges").getInteger("n")).isEqualTo(2);
  }

  @Test
  void shouldAnswerAStateItCannotReadWithTheFormatNamedAndLetItsTurnGo() {
    result(post(cluster.node(0), "/api/sessions/z-readable/scripts", new JsonObject().put("code", INCREMENT)));
    result(post(cluster.node(0), "/api/sessions/unreadable/scripts", new JsonObject().put("code", INCREMENT)));
    ClusterNodes.Node b = cluster.node(1); // keeps no copy of what A saved, so it reads the map's
    com.hazelcast.map.IMap<String, byte[]> map = ClusterNode.hazelcast(b.vertx())
      .getMap(io.botgate.session.ClusteredSessionStore.MAP);
    byte[] state = map.get("unreadable");
    state[49] = 9; // the format of the body after the 49 bytes of header: one that a later build might write
    map.set("unreadable", state);

    HttpResponse<Buffer> refused = result(b.http().post(b.port(), "127.0.0.1", "/api/sessions/unreadable/scripts")
      .sendJsonObject(new JsonObject().put("code", INCREMENT)));
    assertThat(refused.statusCode()).isEqualTo(500);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("state format 9");
    await().atMost(Duration.ofSeconds(10))
      .untilAsserted(() -> assertThat(map.get("unreadable")[Long.BYTES]).as("no turn left holding it").isZero());
    assertThat(map.get("unreadable")[49]).as("left as it was").isEqualTo((byte) 9);
    JsonObject page = get(b, "/api/sessions?limit=1000");
    assertThat(page.getJsonArray("sessions").stream().map(s -> ((JsonObject) s).getString("session")))
      .as("the others are listed").contains("z-readable").doesNotContain("unreadable");
    JsonObject first = get(b, "/api/sessions?limit=1"); // the newest: the unreadable one, left out
    assertThat(first.getJsonArray("sessions")).isEmpty();
    assertThat(first.getString("next")).as("a page of sessions all left out does not end the list").isNotNull();
    JsonObject second = get(b, "/api/sessions?limit=1&cursor=" + first.getString("next"));
    // the next newest: z-readable, unless a session of a test before this one (sharing the cluster) was written
    // after it meanwhile (once, on a loaded machine, "lease-lost")
    assertThat(second.getJsonArray("sessions").getJsonObject(0).getString("session")).isNotEqualTo("unreadable");
    assertThat(result(b.http().delete(b.port(), "127.0.0.1", "/api/sessions/unreadable").send()).statusCode())
      .as("deleted all the same").isEqualTo(204);
    assertThat(map.containsKey("unreadable")).isFalse();
  }

  @Test
  void shouldNumberPastALostTurnOnTheNodeThatSavedTheSessionLast() {
    JsonObject first = result(post(cluster.node(0), "/api/sessions/lost-here/scripts", new JsonObject().put("code", INCREMENT)));
    com.hazelcast.map.IMap<String, byte[]> map = ClusterNode.hazelcast(cluster.node(1).vertx())
      .getMap(io.botgate.session.ClusteredSessionStore.MAP);
    byte[] state = map.get("lost-here");
    state[Long.BYTES] = 1; // a turn of a member that is gone (no uuid) holds it, and never saved
    map.set("lost-here", state);

    JsonObject next = result(post(cluster.node(0), "/api/sessions/lost-here/scripts", new JsonObject().put("code", INCREMENT)));
    assertThat(next.getJsonArray("events").getJsonObject(0).getLong("seq"))
      .isGreaterThan(last(first.getJsonArray("events")) + 1_000_000L);
    assertThat(next.getJsonObject("variableChanges").getInteger("n")).isEqualTo(2);
  }

  @Test
  void shouldShowAnUnknownIntegrationInASessionWhoseEventsAnotherNodeNumbered() {
    ClusterNodes.Node a = cluster.node(0);
    ClusterNodes.Node b = cluster.node(1);
    result(post(a, "/api/sessions/misspelt-elsewhere/scripts", new JsonObject().put("code", INCREMENT)));
    result(post(b, "/api/sessions/misspelt-here/scripts", new JsonObject().put("code", INCREMENT)));
    result(post(a, "/api/sessions/misspelt-here/scripts", new JsonObject().put("code", INCREMENT))); // b's are behind

    for (String session : List.of("misspelt-elsewhere", "misspelt-here")) {
      String path = "/api/sessions/" + session + "/integrations/faqIntegratoin";
      assertThat(result(b.http().post(b.port(), "127.0.0.1", path).sendJsonObject(new JsonObject())).statusCode())
        .isEqualTo(404);

      await().untilAsserted(() -> {
        JsonArray events = get(a, "/api/sessions/" + session + "/events").getJsonArray("events");
        assertThat(events.stream().map(e -> ((JsonObject) e).getString("text")))
          .as("the developer watching it on any node sees the misspelt name")
          .anyMatch(text -> text.contains("'faqIntegratoin'"));
        assertThat(events.stream().map(e -> ((JsonObject) e).getLong("seq")).distinct().count()).as(events.encode())
          .isEqualTo(events.size());
      });
    }
  }

  @Test
  void shouldShowARefusedRequestInASessionWhoseEventsAnotherNodeNumbered() {
    ClusterNodes.Node a = cluster.node(0);
    ClusterNodes.Node b = cluster.node(1);
    result(post(a, "/api/sessions/refused-elsewhere/scripts", new JsonObject().put("code", INCREMENT)));
    result(post(b, "/api/sessions/refused-here/scripts", new JsonObject().put("code", INCREMENT)));
    result(post(a, "/api/sessions/refused-here/scripts", new JsonObject().put("code", INCREMENT))); // b's are behind

    for (String session : List.of("refused-elsewhere", "refused-here")) {
      HttpResponse<Buffer> refused = result(b.http().post(b.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"code\": \"1\",}")));
      assertThat(refused.statusCode()).isEqualTo(400);
      String message = refused.bodyAsJsonObject().getJsonObject("error").getString("message");

      await().untilAsserted(() -> {
        JsonArray events = get(a, "/api/sessions/" + session + "/events").getJsonArray("events");
        assertThat(events.stream().map(e -> ((JsonObject) e).getString("text")))
          .as("the developer watching it on any node sees why the bot's request was refused").contains(message);
        assertThat(events.stream().map(e -> ((JsonObject) e).getLong("seq")).distinct().count()).as(events.encode())
          .isEqualTo(events.size());
      });
    }
    // on the event bus, handled by the node behind the others
    Throwable onTheBus = failure(b.vertx().eventBus().request(io.botgate.api.EventBusApi.SCRIPT_RUN,
      new JsonObject().put("session", "refused-here").put("code", "1").put("varibles", new JsonObject()),
      new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true)));
    String busMessage = new JsonObject(onTheBus.getMessage()).getJsonObject("error").getString("message");
    await().untilAsserted(() -> {
      JsonArray events = get(a, "/api/sessions/refused-here/events").getJsonArray("events");
      assertThat(events.stream().map(e -> ((JsonObject) e).getString("text"))).contains(busMessage);
      assertThat(events.stream().map(e -> ((JsonObject) e).getLong("seq")).distinct().count()).as(events.encode())
        .isEqualTo(events.size());
    });
    // a made-up id keeps nothing, on any node: looked at once a refusal sent after it has shown (the event of a
    // refusal follows its answer in a cluster, so an immediate look would pass whatever the gateway did)
    assertThat(result(b.http().post(b.port(), "127.0.0.1", "/api/sessions/refused-nowhere/scripts")
      .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("1"))).statusCode()).isEqualTo(415);
    assertThat(result(b.http().post(b.port(), "127.0.0.1", "/api/sessions/refused-here/scripts")
      .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("1"))).statusCode()).isEqualTo(415);
    await().untilAsserted(() -> assertThat(get(a, "/api/sessions/refused-here/events").getJsonArray("events").stream()
      .map(e -> ((JsonObject) e).getJsonObject("data").getValue("status"))).contains(415));
    assertThat(result(a.http().get(a.port(), "127.0.0.1", "/api/sessions/refused-nowhere").send()).statusCode())
      .isEqualTo(404);
    assertThat(get(a, "/api/sessions/refused-nowhere/events").getJsonArray("events")).isEmpty();
  }

  /** A pass-through call streams outside its session's turns; on a node behind the others, its events still follow. */
  @Test
  void shouldNumberAPassThroughCallsEventsAfterThoseAnotherNodeGave() {
    ClusterNodes.Node a = cluster.node(0);
    ClusterNodes.Node b = cluster.node(1);
    HttpResponse<Buffer> declared = result(a.http().put(a.port(), "127.0.0.1", "/api/integrations/passedOn")
      .sendJsonObject(new JsonObject().put("method", "GET").put("url", upstream.url(""))));
    assertThat(declared.statusCode()).as(declared.bodyAsString()).isIn(200, 201);
    for (int i = 0; i < 2; i++) {
      result(post(a, "/api/sessions/passed-on/scripts", new JsonObject().put("code", INCREMENT)));
    }

    await().untilAsserted(() -> assertThat(result(b.http().get(b.port(), "127.0.0.1", "/proxy/passedOn/echo")
      .putHeader("X-Botgate-Session", "passed-on").send()).statusCode()).isEqualTo(200));

    await().untilAsserted(() -> {
      JsonArray events = get(a, "/api/sessions/passed-on/events").getJsonArray("events");
      assertThat(events.stream().map(e -> ((JsonObject) e).getJsonObject("data").getString("phase", "")))
        .as(events.encode()).contains("start", "finish");
      assertThat(events.stream().filter(e -> "passedOn".equals(((JsonObject) e).getJsonObject("data")
        .getString("integration"))).map(e -> ((JsonObject) e).getJsonObject("data").getString("phase")))
        .as(events.encode()).containsExactly("start", "finish");
      assertThat(events.stream().map(e -> ((JsonObject) e).getLong("seq")).distinct().count()).as(events.encode())
        .isEqualTo(events.size());
    });
  }

  /**
   * A pass-through call on one node whose session another node deletes while the call runs, then a script makes
   * again: the call's outcome stays out of the new session (a DELETE is a clean start), and its console says why.
   */
  @Test
  void shouldKeepACallBegunBeforeADeleteOnAnotherNodeOutOfTheSessionMadeAfterIt() {
    ClusterNodes.Node a = cluster.node(0);
    ClusterNodes.Node b = cluster.node(1);
    HttpResponse<Buffer> declared = result(a.http().put(a.port(), "127.0.0.1", "/api/integrations/heldOn")
      .sendJsonObject(new JsonObject().put("method", "GET").put("url", upstream.url("/held")).put("capture", true)));
    assertThat(declared.statusCode()).as(declared.bodyAsString()).isIn(200, 201);
    result(post(a, "/api/sessions/deleted-mid-call/scripts", new JsonObject().put("code", INCREMENT)));
    // the definition reaches the other node by an announcement: called before it has it, the call was a 404
    await().untilAsserted(() -> assertThat(result(b.http().get(b.port(), "127.0.0.1", "/api/integrations/heldOn")
      .send()).statusCode()).isEqualTo(200));
    Future<HttpResponse<Buffer>> call = b.http().get(b.port(), "127.0.0.1", "/proxy/heldOn")
      .putHeader("X-Botgate-Session", "deleted-mid-call").send();
    await().atMost(Duration.ofSeconds(60)).until(() -> upstream.held() == 1);
    assertThat(result(a.http().delete(a.port(), "127.0.0.1", "/api/sessions/deleted-mid-call").send()).statusCode())
      .isEqualTo(204);
    result(post(a, "/api/sessions/deleted-mid-call/scripts", new JsonObject().put("code", INCREMENT)));
    upstream.releaseHeld();

    assertThat(result(call).statusCode()).as("the caller's answer is the upstream's").isEqualTo(200);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
      get(a, "/api/sessions/deleted-mid-call/events").getJsonArray("events").stream().map(JsonObject.class::cast)
        .filter(e -> "warning".equals(e.getString("kind"))).map(e -> e.getString("text")))
      .anySatisfy(text -> assertThat(text).contains("heldOn: the call's outcome (HTTP 200) is not recorded")));
    JsonObject session = get(b, "/api/sessions/deleted-mid-call");
    assertThat(session.getValue("lastResult")).as(session.encode()).isNull();
    assertThat(session.getJsonObject("variables").getMap()).as("counted afresh, nothing captured")
      .containsOnlyKeys("n").containsEntry("n", 1);
  }

  /**
   * The operation opening a pass-through call's session does not answer (its key locked by another member: the
   * operation waits, as one on a partition no member serves would): the caller is answered 503 at the call's
   * deadline, and nothing is sent upstream, then or when the operation answers late (the session it then makes is
   * taken away again); the call tried again goes through and is recorded once.
   */
  @Test
  void shouldAnswerAPassThroughCallWhoseSessionTheClusterDoesNotOpenByItsDeadlineAndSendNothing() {
    ClusterNodes.Node a = cluster.node(0);
    ClusterNodes.Node b = cluster.node(1);
    HttpResponse<Buffer> declared = result(a.http().put(a.port(), "127.0.0.1", "/api/integrations/stalledOpen")
      .sendJsonObject(new JsonObject().put("method", "GET").put("url", upstream.url("")).put("timeoutMs", 2_000))); // the stall waits it whole; the retry has it to spare
    assertThat(declared.statusCode()).as(declared.bodyAsString()).isIn(200, 201);
    await().untilAsserted(() -> assertThat(result(b.http().get(b.port(), "127.0.0.1", "/api/integrations/stalledOpen")
      .send()).statusCode()).isEqualTo(200));
    String session = "stalled-open";
    IMap<String, byte[]> map = ClusterNode.hazelcast(a.vertx()).getMap(ClusteredSessionStore.MAP);

    java.util.List<String> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.UUID added = map.addEntryListener((com.hazelcast.map.listener.EntryAddedListener<String, byte[]>) e ->
      changes.add("added"), session, false);
    java.util.UUID removed = map.addEntryListener((com.hazelcast.map.listener.EntryRemovedListener<String, byte[]>) e ->
      changes.add("removed"), session, false);
    map.lock(session);
    HttpResponse<Buffer> stalled;
    try {
      stalled = result(b.http().get(b.port(), "127.0.0.1", "/proxy/stalledOpen/echo/stalled")
        .putHeader("X-Botgate-Session", session).send());
    } finally {
      map.unlock(session);
    }
    assertThat(stalled.statusCode()).as(stalled.bodyAsString()).isEqualTo(503);
    assertThat(stalled.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("session_store_timeout");
    await().until(() -> changes.contains("removed")); // made by the late answer, then taken away
    map.removeEntryListener(added);
    map.removeEntryListener(removed);
    assertThat(changes).containsExactly("added", "removed");

    HttpResponse<Buffer> retried = result(b.http().get(b.port(), "127.0.0.1", "/proxy/stalledOpen/echo/stalled")
      .putHeader("X-Botgate-Session", session).send());
    assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(200);
    assertThat(upstream.hits("/echo/stalled")).as("only the call tried again was sent").isEqualTo(1);
    JsonArray results = get(a, "/api/sessions/" + session).getJsonArray("recentResults");
    assertThat(results).as(results.encode()).hasSize(1);
    assertThat(results.getJsonObject(0).getString("statusCode")).isEqualTo("200");
  }

  private static long last(JsonArray events) {
    return events.getJsonObject(events.size() - 1).getLong("seq");
  }
}
