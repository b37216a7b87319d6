package io.botgate.cluster;

import io.botgate.events.EventPage;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page of a session's events in a cluster asks every member at once and waits for them 10 s at most, whatever
 * {@code cluster.turnWaitSeconds} (two minutes by default, longer than a proxy in front of the gateway waits): a member
 * that answers within it has its events in the page, and one that does not answer is named in the page. A live
 * console's questions wait 5 s at most.
 */
@Timeout(180)
class ClusterEventsWaitTest {

  /** What the members' history questions go to: the prefix, then the member's uuid (events.ClusterEvents). */
  private static final String HISTORY_PREFIX = "botgate.internal.events.history.";

  @Test
  void shouldWaitForEveryMemberAtMostAPageWaitAndNameTheOneThatDidNotAnswer() {
    ClusterNodes cluster = ClusterNodes.start(1, new JsonObject()); // the turn wait's default, 120 s
    try {
      ClusterNodes.Node node = cluster.node(0);
      String session = "asked-" + UUID.randomUUID();
      HttpResponse<Buffer> ran = result(node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session
        + "/scripts").sendJsonObject(new JsonObject().put("code", "botContext.printDebugMessage('here')")));
      assertThat(ran.statusCode()).as(ran.bodyAsString()).isEqualTo(200);
      long seq = 1_000;
      // slower than a live console's 5 s, within a page's 10 s
      Vertx slow = cluster.join("slow");
      slow.eventBus().<JsonObject>consumer(HISTORY_PREFIX + ClusterNode.hazelcast(slow).getCluster().getLocalMember()
        .getUuid(), question -> slow.setTimer(7_500, t -> question.reply(page(session, seq))));
      Vertx silent = cluster.join("silent");
      silent.eventBus().<JsonObject>consumer(HISTORY_PREFIX + ClusterNode.hazelcast(silent).getCluster()
        .getLocalMember().getUuid(), question -> { });

      // answered before a proxy in front of the gateway gives up (nginx, cloud load balancers: 60 s)
      HttpResponse<Buffer> answer = result(node.http().get(node.port(), "127.0.0.1", "/api/sessions/" + session
        + "/events").timeout(60_000).send());
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
      JsonObject page = answer.bodyAsJsonObject();
      JsonArray events = page.getJsonArray("events");
      assertThat(events.getJsonObject(events.size() - 1).getString("text")).as(page.encode())
        .isEqualTo("from the slow member");
      assertThat(page.getLong("lastSeq")).isEqualTo(seq);
      assertThat(page.getJsonArray("unanswered")).as(page.encode()).isEqualTo(new JsonArray().add("silent"));
      // a live console's question, which its later events wait behind and which it asks again every second, waits
      // 5 s at most whatever the turn wait: the slow member counts as not answering there
      EventPage live = result(node.gateway().clusterEvents().liveHistory(session, 0, 1000));
      assertThat(live.unanswered()).containsExactlyInAnyOrder("slow", "silent");
      result(slow.close());
      result(silent.close());
    } finally {
      cluster.close();
    }
  }

  /** A member's answer as a gateway node writes it: its last seq, then each event's seq, length and JSON text. */
  private static Buffer page(String session, long seq) {
    byte[] event = new JsonObject().put("seq", seq).put("session", session).put("ts", "2026-12-07T00:00:00Z")
      .put("kind", "debug").put("level", "debug").put("text", "from the slow member").put("data", new JsonObject())
      .encode().getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendLong(seq).appendInt(1).appendLong(seq).appendInt(event.length).appendBytes(event);
  }
}
