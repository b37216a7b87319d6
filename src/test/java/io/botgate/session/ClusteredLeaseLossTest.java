package io.botgate.session;

import com.hazelcast.core.HazelcastInstance;
import io.botgate.cluster.ClusterNode;
import io.botgate.cluster.ClusterNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two of three nodes killed at once with {@code cluster.backups} 1, the survivor holding the lease of sessions whose
 * two copies were on those two: its copy is the latest there was (no other node may take the session without asking
 * it first), so it writes such a session back as it hears of the loss (read at once, not 404 until its next turn), and
 * its next turn of it is answered as any other, the session kept whole, rather than the caller told 503
 * {@code session_not_saved} for work that ran.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusteredLeaseLossTest {

  private static final String INCREMENT =
    "botContext.setBotVariable('n', (botContext.getBotVariable('n')||0)+1, true, false)";

  @Test
  void shouldKeepASessionWhoseLeaseTheSurvivorHeldWhenItsPartitionIsLost() {
    try (ClusterNodes cluster = ClusterNodes.start(3, new JsonObject().put("cluster.backups", 1))) {
      ClusterNodes.Node survivor = cluster.node(2);
      HazelcastInstance hazelcast = ClusterNode.hazelcast(survivor.vertx());
      // the third member's replicas migrated to it: until then the first two may hold both copies of every partition
      await().atMost(90, TimeUnit.SECONDS).until(() -> hazelcast.getCluster().getMembers().size() == 3
        && hazelcast.getPartitionService().isClusterSafe());
      List<String> sessions = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String session = "leased-" + i + "-" + UUID.randomUUID();
        sessions.add(session);
        for (int turn = 1; turn <= ClusteredSessionStore.LEASE_AFTER + 1; turn++) { // the last save keeps the lease
          assertThat(script(survivor, session).getJsonObject("variableChanges").getInteger("n")).isEqualTo(turn);
        }
      }
      ClusteredSessionStore store = (ClusteredSessionStore) survivor.gateway().sessions();

      ClusterNode.hazelcast(cluster.node(0).vertx()).getLifecycleService().terminate();
      ClusterNode.hazelcast(cluster.node(1).vertx()).getLifecycleService().terminate();
      // about a third of them had both copies on the two
      await().atMost(90, TimeUnit.SECONDS).until(() -> hazelcast.getCluster().getMembers().size() == 1
        && sessions.stream().anyMatch(store::lostHere));
      String lost = sessions.stream().filter(store::lostHere).findFirst().orElseThrow();
      // read at once, before its next turn: the survivor wrote its copy back as it heard the partition was lost
      await().atMost(60, TimeUnit.SECONDS).untilAsserted(() -> {
        HttpResponse<Buffer> read = result(survivor.http().get(survivor.port(), "127.0.0.1", "/api/sessions/" + lost)
          .send());
        assertThat(read.statusCode()).as(read.bodyAsString()).isEqualTo(200);
        assertThat(read.bodyAsJsonObject().getJsonObject("variables").getInteger("n"))
          .isEqualTo(ClusteredSessionStore.LEASE_AFTER + 1);
      });

      JsonObject again = script(survivor, lost);
      assertThat(again.getJsonObject("variableChanges").getInteger("n")).as("kept whole: " + again.encode())
        .isEqualTo(ClusteredSessionStore.LEASE_AFTER + 2);
      HttpResponse<Buffer> state = result(survivor.http().get(survivor.port(), "127.0.0.1", "/api/sessions/" + lost)
        .send());
      assertThat(state.statusCode()).as(state.bodyAsString()).isEqualTo(200);
      assertThat(state.bodyAsJsonObject().getJsonObject("variables").getInteger("n"))
        .isEqualTo(ClusteredSessionStore.LEASE_AFTER + 2);
      JsonArray events = result(survivor.http().get(survivor.port(), "127.0.0.1", "/api/sessions/" + lost
        + "/events").send()).bodyAsJsonObject().getJsonArray("events");
      assertThat(events.getJsonObject(events.size() - 1).getLong("seq")).as("numbered on without a gap: "
        + events.encode()).isEqualTo(events.size());
    }
  }

  private static JsonObject script(ClusterNodes.Node node, String session) {
    HttpResponse<Buffer> answer = result(node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session
      + "/scripts").sendJsonObject(new JsonObject().put("code", INCREMENT)));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    return answer.bodyAsJsonObject();
  }
}
