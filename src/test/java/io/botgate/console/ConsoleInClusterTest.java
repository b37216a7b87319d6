package io.botgate.console;

import io.botgate.console.ConsoleConnectionTest.Client;
import io.botgate.events.DebugStream;
import io.botgate.events.FakeCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A console connection on a fake socket in a cluster the test plays ({@link FakeCluster}): the history is
 * replayed from the members and live events go through {@link InOrder}, so a seq no member holds is announced
 * by a gap frame saying why, once, and in its place; a member that does not answer is waited for.
 */
@Timeout(60)
class ConsoleInClusterTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The session's events and gap frames in the order written: "7" for an event, "gap 4-9" for a gap. */
  private static List<String> sequence(Client client, String session) {
    return client.socket.written.stream().map(JsonObject::new).filter(f -> session.equals(f.getString("session")))
      .filter(f -> f.containsKey("seq") || "gap".equals(f.getString("kind")))
      .map(f -> f.containsKey("seq") ? String.valueOf(f.getLong("seq"))
        : "gap " + f.getJsonObject("data").getLong("from") + "-" + f.getJsonObject("data").getLong("to"))
      .toList();
  }

  private static List<JsonObject> gaps(Client client) {
    return client.socket.written.stream().map(JsonObject::new).filter(f -> "gap".equals(f.getString("kind"))).toList();
  }

  private static void emit(DebugStream stream, String session, int count) {
    for (int i = 0; i < count; i++) {
      stream.emit(session, "debug", "debug", "e", null);
    }
  }

  @Test
  void shouldSayWhichEventsNoMemberKeepsOnReplayAndLiveOnceInTheirPlace() throws Exception {
    DebugStream stream = ConsoleConnectionTest.stream();
    FakeCluster cluster = new FakeCluster(vertx, stream);
    emit(stream, "s", 3);
    stream.continueFrom("s", 9);
    emit(stream, "s", 2);
    stream.continueFrom("t", 4); // a session whose older events are gone: no gap for a client without a place
    emit(stream, "t", 2);
    Client client = new Client(vertx, stream, ConsoleConnectionTest.options(1 << 20, 1000));
    assertThat(client.socket.frames("hello").get(0).getString("stream")).isEqualTo(cluster.events.streamId());

    client.send(new JsonObject().put("op", "subscribe").put("session", "s").put("after", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 1);
    assertThat(sequence(client, "s")).containsExactly("2", "3", "gap 4-9", "10", "11");
    assertThat(client.socket.frames("subscribed").get(0).getInteger("replayed")).isEqualTo(4);
    assertThat(gaps(client)).singleElement().satisfies(gap -> {
      assertThat(gap.getString("level")).isEqualTo("warn");
      assertThat(gap.getString("text"))
        .isEqualTo("events 4-9 of session s are no longer kept by any node of the cluster: they are skipped");
      assertThat(gap.getJsonObject("data")).isEqualTo(new JsonObject().put("from", 4).put("to", 9));
    });
    assertThat(client.stats.gaps()).isEqualTo(1);

    emit(stream, "s", 1);
    stream.continueFrom("s", 20);
    emit(stream, "s", 1);
    stream.continueFrom("s", 22);
    emit(stream, "s", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> sequence(client, "s").contains("23"));
    assertThat(sequence(client, "s"))
      .containsExactly("2", "3", "gap 4-9", "10", "11", "12", "gap 13-20", "21", "gap 22-22", "23");
    assertThat(gaps(client).get(2).getString("text"))
      .isEqualTo("event 22 of session s are no longer kept by any node of the cluster: they are skipped");
    assertThat(client.stats.gaps()).isEqualTo(3);

    client.subscribe("t");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 2);
    assertThat(sequence(client, "t")).containsExactly("5", "6");
  }

  @Test
  void shouldReplayEverySessionTheMembersKeepForStar() throws Exception {
    DebugStream stream = ConsoleConnectionTest.stream();
    new FakeCluster(vertx, stream);
    emit(stream, "a", 2);
    emit(stream, "b", 1);
    Client client = new Client(vertx, stream, ConsoleConnectionTest.options(1 << 20, 1000));
    client.subscribe("*");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 1);
    assertThat(client.socket.frames("subscribed").get(0).getInteger("replayed")).isEqualTo(3);
    assertThat(sequence(client, "a")).containsExactly("1", "2");
    assertThat(sequence(client, "b")).containsExactly("1");
    assertThat(client.socket.paused).isFalse();
    assertThat(client.errors()).isEmpty();

    emit(stream, "c", 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> sequence(client, "c").size() == 2);
    assertThat(sequence(client, "c")).containsExactly("1", "2");
  }

  @Test
  void shouldStartASessionFirstSeenLiveAfterThePlaceItsSubscriptionGave() throws Exception {
    DebugStream stream = ConsoleConnectionTest.stream();
    new FakeCluster(vertx, stream);
    Client client = new Client(vertx, stream, ConsoleConnectionTest.options(1 << 20, 1000));
    client.send(new JsonObject().put("op", "subscribe").put("session", "m").put("after", 3));
    client.send(new JsonObject().put("op", "subscribe").put("session", "*").put("after", new JsonObject().put("n", 2)));
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 2);

    emit(stream, "m", 4);
    emit(stream, "n", 4);
    emit(stream, "o", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> sequence(client, "o").size() == 1);
    client.on(() -> null);
    assertThat(sequence(client, "m")).as("after 3, as its own subscription said").containsExactly("4");
    assertThat(sequence(client, "n")).as("after 2, as the subscription of * said").containsExactly("3", "4");
    assertThat(gaps(client)).isEmpty();
  }

  @Test
  void shouldWaitForAMemberThatDoesNotAnswerAndSayWhoTookTheEventsOnceItLeft() throws Exception {
    DebugStream stream = ConsoleConnectionTest.stream();
    FakeCluster cluster = new FakeCluster(vertx, stream);
    cluster.joinSilent("node-b");
    emit(stream, "s", 3);
    stream.continueFrom("s", 9);
    emit(stream, "s", 1);
    Client client = new Client(vertx, stream, ConsoleConnectionTest.options(1 << 20, 1000));

    client.send(new JsonObject().put("op", "subscribe").put("session", "s").put("after", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 1);
    assertThat(sequence(client, "s")).containsExactly("2", "3", "gap 4-9", "10");
    assertThat(gaps(client).get(0).getString("text"))
      .isEqualTo("events 4-9 of session s are held by no member that answers (node-b did not): they are skipped");
    assertThat(gaps(client).get(0).getJsonObject("data").getJsonArray("unanswered")).isEqualTo(new JsonArray().add("node-b"));

    emit(stream, "s", 1);
    stream.continueFrom("s", 14);
    int asked = cluster.asked();
    emit(stream, "s", 1);
    // node-b may hold 12-14: asked, and asked again a second later, while 15 waits
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.asked() >= asked + 2);
    assertThat(sequence(client, "s")).containsExactly("2", "3", "gap 4-9", "10", "11");

    cluster.leave("node-b");
    await().atMost(Duration.ofSeconds(10)).until(() -> sequence(client, "s").contains("15"));
    assertThat(sequence(client, "s")).containsExactly("2", "3", "gap 4-9", "10", "11", "gap 12-14", "15");
    assertThat(gaps(client).get(1).getString("text"))
      .isEqualTo("events 12-14 of session s were held by a node that left the cluster (node-b): they are skipped");
    assertThat(gaps(client).get(1).getJsonObject("data"))
      .isEqualTo(new JsonObject().put("from", 12).put("to", 14).put("left", new JsonArray().add("node-b")));
  }

  @Test
  void shouldNotFetchWhatTheConnectionDroppedItself() throws Exception {
    DebugStream stream = ConsoleConnectionTest.stream();
    new FakeCluster(vertx, stream);
    Client client = new Client(vertx, stream, new ConsoleOptions(5, 1 << 20, 60_000, 1000, 2, 1 << 20, 1000));
    client.subscribe("s");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 1);
    CountDownLatch release = client.block();
    emit(stream, "s", 4);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.stats.dropped() == 2);
    emit(stream, "s", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> sequence(client, "s").contains("5"));
    client.on(() -> null);
    assertThat(sequence(client, "s")).containsExactly("1", "2", "5");
    assertThat(client.socket.written.stream().map(JsonObject::new).filter(f -> "dropped".equals(f.getString("kind"))))
      .singleElement().satisfies(f -> assertThat(f.getJsonObject("data").getLong("count")).isEqualTo(2));
  }

  @Test
  void shouldTellAGapOnceThoughItsPageIsReadAgainAfterACongestion() throws Exception {
    DebugStream stream = ConsoleConnectionTest.stream();
    new FakeCluster(vertx, stream);
    String text = "x".repeat(1000);
    stream.emit("s", "debug", "debug", text, null);
    int size = stream.emit("s", "debug", "debug", text, null).utf8().length;
    stream.continueFrom("s", 9);
    stream.emit("s", "debug", "debug", text, null);
    stream.emit("s", "debug", "debug", text, null);
    Client client = new Client(vertx, stream, ConsoleConnectionTest.options(2 * size, 1000));
    client.socket.holdWrites = true;
    client.send(new JsonObject().put("op", "subscribe").put("session", "s").put("after", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.paused && client.stats.congestions() == 1);
    assertThat(sequence(client, "s")).containsExactly("2", "gap 3-9");

    client.takeAll();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 1);
    assertThat(sequence(client, "s")).containsExactly("2", "gap 3-9", "10", "11");
    assertThat(client.stats.gaps()).isEqualTo(1);
  }

  @Test
  void shouldNotTellAGapInASessionTheClientHasNoPlaceIn() throws Exception {
    DebugStream stream = ConsoleConnectionTest.stream();
    new FakeCluster(vertx, stream);
    Client client = new Client(vertx, stream, ConsoleConnectionTest.options(1 << 20, 1000));
    client.subscribe("q");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 1);
    stream.continueFrom("q", 4); // its older events are gone: the client never saw any of them
    emit(stream, "q", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> sequence(client, "q").size() == 1);
    client.on(() -> null);
    assertThat(sequence(client, "q")).containsExactly("5");
  }

  @Test
  void shouldNotNameInALiveGapAMemberThatLeftBeforeTheSubscription() throws Exception {
    DebugStream stream = ConsoleConnectionTest.stream();
    FakeCluster cluster = new FakeCluster(vertx, stream);
    cluster.joinSilent("node-b");
    cluster.leave("node-b");
    long left = System.currentTimeMillis();
    await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > left + 1);
    Client client = new Client(vertx, stream, ConsoleConnectionTest.options(1 << 20, 1000));
    client.subscribe("s");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 1);

    emit(stream, "s", 1);
    stream.continueFrom("s", 4);
    emit(stream, "s", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> sequence(client, "s").contains("5"));
    assertThat(sequence(client, "s")).containsExactly("1", "gap 2-4", "5");
    assertThat(gaps(client).get(0).getString("text"))
      .isEqualTo("events 2-4 of session s are no longer kept by any node of the cluster: they are skipped");

    // a replay names it: it left within the time the history is kept, and may have held them
    client.send(new JsonObject().put("op", "subscribe").put("session", "s").put("after", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 2);
    assertThat(gaps(client)).hasSize(2);
    assertThat(gaps(client).get(1).getString("text"))
      .isEqualTo("events 2-4 of session s were held by a node that left the cluster (node-b): they are skipped");
  }

  @Test
  void shouldDeliverInOrderTheEventsEmittedOnAnotherNode() throws Exception {
    DebugStream stream = ConsoleConnectionTest.stream();
    FakeCluster cluster = new FakeCluster(vertx, stream);
    Client client = new Client(vertx, stream, ConsoleConnectionTest.options(1 << 20, 1000));
    client.subscribe("s");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 1);
    emit(stream, "s", 2);
    DebugStream other = new DebugStream(null, 100, 1000, 600_000, System::currentTimeMillis);
    other.continueFrom("s", 2);
    cluster.fromNode(other.emit("s", "debug", "debug", "from node-b", null));
    await().atMost(Duration.ofSeconds(10)).until(() -> sequence(client, "s").size() == 3);
    assertThat(sequence(client, "s")).containsExactly("1", "2", "3");
  }
}
