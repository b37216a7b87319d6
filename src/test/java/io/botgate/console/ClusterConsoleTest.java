package io.botgate.console;

import com.hazelcast.core.HazelcastInstance;
import io.botgate.cluster.ClusterNode;
import io.botgate.cluster.ClusterNodes;
import io.botgate.events.ClusterEvents;
import io.botgate.events.DebugStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A console on one node of a cluster follows sessions executed on the others: live and in seq order, with
 * history replayed from every member, and a gap frame for events that left with a node; a page of the
 * history over HTTP marks the same holes.
 */
@Timeout(240)
class ClusterConsoleTest {

  static ClusterNodes cluster;
  static Vertx clients;

  @BeforeAll
  static void start() {
    cluster = ClusterNodes.start(3, new JsonObject());
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    result(clients.close());
    cluster.close();
  }

  private static ConsoleClient console(int node) {
    return result(ConsoleClient.connect(clients, cluster.node(node).port()));
  }

  /** Runs a script printing {@code lines} debug lines; answers the seqs of the events it emitted. */
  private static Future<List<Long>> script(int node, String session, int lines) {
    ClusterNodes.Node n = cluster.node(node);
    String code = "for (var i = 0; i < " + lines + "; i++) botContext.printDebugMessage('from node-" + node + " ' + i);";
    return n.http().post(n.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", code)).map(r -> {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject().getJsonArray("events").stream().map(e -> ((JsonObject) e).getLong("seq")).toList();
      });
  }

  /** The seqs of the events among these frames (a gap frame has none). */
  private static List<Long> seqs(List<JsonObject> events) {
    return events.stream().filter(e -> e.containsKey("seq")).map(e -> e.getLong("seq")).toList();
  }

  private static List<JsonObject> gaps(ConsoleClient client, String session) {
    return client.events(session).stream().filter(f -> "gap".equals(f.getString("kind"))).toList();
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static JsonObject get(int node, String path) {
    ClusterNodes.Node n = cluster.node(node);
    HttpResponse<Buffer> r = result(n.http().get(n.port(), "127.0.0.1", path).send());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  @Test
  void shouldStreamInOrderTheSessionsExecutedOnTheOtherNodes() {
    ConsoleClient all = console(2);
    all.subscribe("*", 0);
    ConsoleClient one = console(2);
    one.subscribe("both", 0);
    all.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    one.awaitFrame(f -> "subscribed".equals(f.getString("op")));

    // turns of one session alternate between nodes 0 and 1, all sent at once; two more sessions, one per node
    List<Future<List<Long>>> both = new ArrayList<>();
    List<Future<List<Long>>> single = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      both.add(script(i % 2, "both", 3));
      single.add(script(i % 2, "only-" + i % 2, 2));
    }
    long total = result(Future.all(both)).<List<Long>>list().stream().mapToLong(List::size).sum();
    long perSingle = result(Future.all(single)).<List<Long>>list().stream().mapToLong(List::size).sum() / 2;

    await().until(() -> seqs(all.events("both")).size() >= total && seqs(one.events("both")).size() >= total
      && seqs(all.events("only-0")).size() >= perSingle && seqs(all.events("only-1")).size() >= perSingle);
    assertThat(seqs(all.events("both"))).containsExactlyElementsOf(range(1, total));
    assertThat(seqs(one.events("both"))).containsExactlyElementsOf(range(1, total));
    assertThat(seqs(all.events("only-0"))).containsExactlyElementsOf(range(1, perSingle));
    assertThat(seqs(all.events("only-1"))).containsExactlyElementsOf(range(1, perSingle));
    assertThat(one.events("only-0")).isEmpty();
    for (String session : List.of("both", "only-0", "only-1")) {
      assertThat(gaps(all, session)).isEmpty();
    }
    all.close();
    one.close();
  }

  @Test
  void shouldResumeAfterASeqWithTheHistoryOfEveryNode() {
    List<Long> seen = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      seen.addAll(result(script(i % 2, "resume", 2)));
    }
    long last = seen.get(seen.size() - 1);
    assertThat(seen).containsExactlyElementsOf(range(1, last));
    long after = last / 2;

    JsonObject page = get(2, "/api/sessions/resume/events?after=" + after);
    assertThat(page.getLong("lastSeq")).isEqualTo(last);
    assertThat(seqs(page.getJsonArray("events").stream().map(e -> (JsonObject) e).toList()))
      .containsExactlyElementsOf(range(after + 1, last));

    ConsoleClient client = console(2);
    client.subscribe("resume", after);
    client.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    List<Long> more = result(script(0, "resume", 2));
    long end = more.get(more.size() - 1);
    await().until(() -> seqs(client.events("resume")).size() >= end - after);
    assertThat(seqs(client.events("resume"))).containsExactlyElementsOf(range(after + 1, end));
    assertThat(client.ops("subscribed").get(0).getLong("replayed")).isEqualTo(last - after);
    client.close();
  }

  /**
   * A member of the cluster that keeps the events it emits and answers for its history, but never
   * publishes them live: as a node whose events had not reached the console yet when it died.
   */
  private record Ghost(Vertx vertx, DebugStream stream, ClusterEvents events) {
    static Ghost join(String name) {
      Vertx vertx = cluster.join(name);
      HazelcastInstance hazelcast = ClusterNode.hazelcast(vertx);
      DebugStream stream = new DebugStream(null, 1000, 10_000, 600_000, System::currentTimeMillis);
      ClusterEvents events = new ClusterEvents(vertx, stream, hazelcast);
      result(events.start());
      return new Ghost(vertx, stream, events);
    }

    /** Emits {@code count} events of the session, numbered on from {@code after}. */
    void emit(String session, long after, int count) {
      stream.continueFrom(session, after);
      for (int i = 0; i < count; i++) {
        stream.emit(session, "debug", "debug", "held by the ghost " + i, null);
      }
    }

    void leave() {
      result(vertx.close());
      for (int node = 0; node < 3; node++) {
        int n = node;
        await().until(() -> get(n, "/api/cluster").getJsonArray("members").size() == 3);
      }
    }
  }

  private static long runAndLast(int node, String session) {
    List<Long> seqs = result(script(node, session, 2));
    return seqs.get(seqs.size() - 1);
  }

  @Test
  void shouldFetchFromItsHistoryWhatANodeHadNotPublishedYet() {
    Ghost ghost = Ghost.join("ghost-a");
    try {
      ConsoleClient client = console(2);
      client.subscribe("fill", 0);
      client.awaitFrame(f -> "subscribed".equals(f.getString("op")));
      long first = runAndLast(0, "fill");
      ghost.emit("fill", first, 3);
      cluster.node(0).gateway().stream().continueFrom("fill", first + 3);
      long end = runAndLast(0, "fill");

      await().until(() -> seqs(client.events("fill")).size() >= end);
      assertThat(seqs(client.events("fill"))).containsExactlyElementsOf(range(1, end));
      assertThat(client.events("fill").get((int) first).getString("text")).isEqualTo("held by the ghost 0");
      assertThat(gaps(client, "fill")).isEmpty();
      client.close();
    } finally {
      ghost.leave();
    }
  }

  @Test
  void shouldSayWhichEventsANodeThatLeftTookWithItLiveAndOnReplay() {
    Ghost ghost = Ghost.join("ghost-b");
    ConsoleClient live = console(2);
    live.subscribe("*", 0);
    live.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    long first = runAndLast(0, "lost");
    ghost.emit("lost", first, 3);
    JsonObject whole = get(1, "/api/sessions/lost/events");
    assertThat(whole.getJsonArray("events")).hasSize((int) first + 3);
    ghost.leave();
    cluster.node(1).gateway().stream().continueFrom("lost", first + 3);
    long end = runAndLast(1, "lost");

    JsonObject gap = live.awaitFrame(f -> "gap".equals(f.getString("kind")) && "lost".equals(f.getString("session")));
    await().until(() -> seqs(live.events("lost")).size() >= end - 3);
    assertThat(seqs(live.events("lost"))).containsExactlyElementsOf(
      LongStream.rangeClosed(1, end).filter(s -> s <= first || s > first + 3).boxed().toList());
    assertThat(gap.getString("session")).isEqualTo("lost");
    assertThat(gap.getString("level")).isEqualTo("warn");
    assertThat(gap.getJsonObject("data").getLong("from")).isEqualTo(first + 1);
    assertThat(gap.getJsonObject("data").getLong("to")).isEqualTo(first + 3);
    assertThat(gap.getJsonObject("data").getJsonArray("left")).contains("ghost-b");
    assertThat(gap.getString("text")).contains("events " + (first + 1) + "-" + (first + 3)).contains("ghost-b");
    // in the stream, the gap sits between the last event before it and the first after it
    int at = live.frames.indexOf(gap);
    assertThat(live.frames.subList(0, at).stream().filter(f -> "lost".equals(f.getString("session"))
      && f.containsKey("seq")).count()).isEqualTo(first);

    ConsoleClient resumed = console(0);
    resumed.subscribe("lost", 1);
    resumed.awaitFrame(f -> "subscribed".equals(f.getString("op")));
    JsonObject replayedGap = resumed.awaitFrame(f -> "gap".equals(f.getString("kind")));
    await().until(() -> seqs(resumed.events("lost")).size() >= end - 4);
    assertThat(replayedGap.getJsonObject("data").getLong("from")).isEqualTo(first + 1);
    assertThat(replayedGap.getJsonObject("data").getLong("to")).isEqualTo(first + 3);
    assertThat(seqs(resumed.events("lost"))).containsExactlyElementsOf(
      LongStream.rangeClosed(2, end).filter(s -> s <= first || s > first + 3).boxed().toList());
    live.close();
    resumed.close();
  }

  @Test
  void shouldMarkInTheHttpHistoryTheEventsANodeThatLeftTookWithIt() {
    Ghost ghost = Ghost.join("ghost-c");
    long first = runAndLast(0, "paged");
    ghost.emit("paged", first, 3);
    ghost.leave();
    cluster.node(1).gateway().stream().continueFrom("paged", first + 3);

    // nothing after the client's place is kept: the page says so, and up to where
    JsonObject tail = get(2, "/api/sessions/paged/events?after=" + first);
    assertThat(tail.getJsonArray("events")).isEmpty();
    assertThat(tail.getLong("lastSeq")).isEqualTo(first + 3);
    assertThat(tail.getJsonArray("gaps")).singleElement().satisfies(gap -> {
      JsonObject g = (JsonObject) gap;
      assertThat(g.getLong("from")).isEqualTo(first + 1);
      assertThat(g.getLong("to")).isEqualTo(first + 3);
      assertThat(g.getJsonArray("left")).contains("ghost-c");
    });

    // between kept events, the gap sits where the events would have been
    long end = runAndLast(1, "paged");
    JsonObject page = get(0, "/api/sessions/paged/events?after=1");
    assertThat(seqs(page.getJsonArray("events").stream().map(e -> (JsonObject) e).toList())).containsExactlyElementsOf(
      LongStream.rangeClosed(2, end).filter(s -> s <= first || s > first + 3).boxed().toList());
    assertThat(page.getJsonArray("gaps")).singleElement().satisfies(gap -> {
      JsonObject g = (JsonObject) gap;
      assertThat(g.getLong("from")).isEqualTo(first + 1);
      assertThat(g.getLong("to")).isEqualTo(first + 3);
      assertThat(g.getJsonArray("left")).contains("ghost-c");
    });
    assertThat(get(2, "/api/sessions/paged/events?after=" + (first + 3)).getJsonArray("gaps")).isEmpty();
  }
}
