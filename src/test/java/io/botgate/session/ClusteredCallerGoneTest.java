package io.botgate.session;

import io.botgate.StubUpstream;
import io.botgate.cluster.ClusterNodes;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests whose callers closed their connections while they waited in a session's line, on a node whose turn of the
 * session waits for another node's: they leave the line at once, the one already trying for the turn the other node
 * holds too, so the {@code session.queue} places they held take new requests, and none of them reaches the upstream.
 */
@Timeout(180)
class ClusteredCallerGoneTest {

  /** Generous: the members share two busy cores with other builds. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void shouldLetAbandonedRequestsLeaveTheLineAtOnceAndNeverCallTheUpstream() {
    try (ClusterNodes cluster = ClusterNodes.start(2, new JsonObject().put("session.queue", 2))) {
      ClusterNodes.Node holder = cluster.node(1);
      ClusterNodes.Node node = cluster.node(0);
      StubUpstream upstream = new StubUpstream();
      result(node.vertx().deployVerticle(upstream));
      HttpResponse<Buffer> declared = result(node.http().put(node.port(), "127.0.0.1", "/api/integrations/heldCall")
        .sendJsonObject(new JsonObject().put("method", "GET").put("url", upstream.url("/held")).put("retries", 0)));
      assertThat(declared.statusCode()).as(declared.bodyAsString()).isIn(200, 201);
      await().atMost(WAIT).until(() -> result(holder.http().get(holder.port(), "127.0.0.1",
        "/api/integrations/heldCall").send()).statusCode() == 200); // replicated to the other node
      String session = "abandoned-" + UUID.randomUUID();
      // the session's turn held by the other node, its call in flight
      Future<HttpResponse<Buffer>> held = holder.http().post(holder.port(), "127.0.0.1", "/api/sessions/" + session
        + "/integrations/heldCall").sendJsonObject(new JsonObject());
      await().atMost(WAIT).until(() -> upstream.held() == 1);

      ClusteredSessionStore store = (ClusteredSessionStore) node.gateway().sessions();
      NetClient client = node.vertx().createNetClient();
      List<NetSocket> callers = new ArrayList<>();
      for (int i = 0; i < 3; i++) { // one waiting for the other node's turn, then session.queue 2 behind it
        NetSocket caller = result(client.connect(node.port(), "127.0.0.1"));
        caller.write("POST /api/sessions/" + session + "/integrations/heldCall HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        callers.add(caller);
        int waiting = callers.size();
        await().atMost(WAIT).until(() -> store.turnsOf(session) == waiting);
      }
      HttpResponse<Buffer> full = result(script(node, session, "1"));
      assertThat(full.statusCode()).as(full.bodyAsString()).isEqualTo(429);

      callers.forEach(caller -> result(caller.close()));
      // all three leave at once: the two in line, and the one trying for the turn the other node holds
      await().atMost(WAIT).until(() -> store.requestsOf(session) == 0);
      Future<HttpResponse<Buffer>> next = script(node, session, "botContext.setBotVariable('n', 1, true, false)");
      Future<HttpResponse<Buffer>> andNext = script(node, session, "botContext.setBotVariable('m', 2, true, false)");
      await().atMost(WAIT).until(() -> store.requestsOf(session) == 2);
      upstream.releaseHeld();

      assertThat(result(held).statusCode()).isEqualTo(200);
      HttpResponse<Buffer> first = result(next);
      assertThat(first.statusCode()).as("admitted in a place an abandoned request left: " + first.bodyAsString())
        .isEqualTo(200);
      HttpResponse<Buffer> second = result(andNext);
      assertThat(second.statusCode()).as(second.bodyAsString()).isEqualTo(200);
      await().atMost(WAIT).until(() -> store.turnsOf(session) == 0);
      assertThat(upstream.hits("/held")).as("the abandoned requests never called the upstream").isEqualTo(1);
      JsonObject variables = result(holder.http().get(holder.port(), "127.0.0.1", "/api/sessions/" + session).send())
        .bodyAsJsonObject().getJsonObject("variables");
      assertThat(variables.getInteger("n")).isEqualTo(1);
      assertThat(variables.getInteger("m")).isEqualTo(2);
      // the console says they were refused: the 429 and the three dropped (counted into the one waiting to be shown)
      await().atMost(WAIT).untilAsserted(() -> {
        JsonArray events = result(node.http().get(node.port(), "127.0.0.1", "/api/sessions/" + session + "/events")
          .send()).bodyAsJsonObject().getJsonArray("events");
        int refused = 0;
        for (int i = 0; i < events.size(); i++) {
          JsonObject event = events.getJsonObject(i);
          if ("error".equals(event.getString("kind"))) {
            refused += 1 + event.getJsonObject("data").getInteger("notShown", 0);
          }
        }
        assertThat(refused).as(events.encode()).isEqualTo(4);
      });
    }
  }

  private static Future<HttpResponse<Buffer>> script(ClusterNodes.Node node, String session, String code) {
    return node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", code));
  }
}
