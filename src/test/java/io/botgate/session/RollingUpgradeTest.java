package io.botgate.session;

import com.hazelcast.core.HazelcastInstance;
import io.botgate.cluster.ClusterNode;
import io.botgate.cluster.ClusterNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster in the middle of a rolling upgrade: while a node of the build before (which reads state formats 2 and 3,
 * not 4) is a member, an upgraded node saves sessions in a format that node reads; once it has left, in its own.
 */
@Timeout(180)
class RollingUpgradeTest {

  @Test
  void shouldSaveSessionsInTheFormatTheEarlierBuildReadsWhileOneOfItsNodesIsMember() {
    try (ClusterNodes cluster = ClusterNodes.start(1, new JsonObject())) {
      HazelcastInstance hazelcast = ClusterNode.hazelcast(cluster.node(0).vertx());
      Vertx earlier = cluster.joinAsEarlierBuild("earlier");
      await().atMost(Duration.ofSeconds(60)).until(() -> hazelcast.getCluster().getMembers().size() == 2);

      setVariable(cluster, "mixed", "during");
      byte[] during = hazelcast.<String, byte[]>getMap(ClusteredSessionStore.MAP).get("mixed");
      assertThat(during[Session.STATE_HEADER]).as("the format a node of the build before reads")
        .isEqualTo(Session.BINARY_MILLIS);
      assertThat(Session.fromState("mixed", new SessionOptions(100, 1_000_000, 20, 60_000), new HeldTotal(Long.MAX_VALUE), during)
        .toJson().getJsonObject("variables").getString("seen")).isEqualTo("during");

      result(earlier.close());
      await().atMost(Duration.ofSeconds(60)).until(() -> hazelcast.getCluster().getMembers().size() == 1);
      setVariable(cluster, "mixed", "after");
      byte[] after = hazelcast.<String, byte[]>getMap(ClusteredSessionStore.MAP).get("mixed");
      assertThat(after[Session.STATE_HEADER]).as("this build's own format, once every node reads it")
        .isEqualTo(Session.BINARY);
      assertThat(Session.incarnationOf(after)).as("the session is given a life from then on").isNotZero();
    }
  }

  private static void setVariable(ClusterNodes cluster, String session, String value) {
    ClusterNodes.Node node = cluster.node(0);
    int status = result(node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", "botContext.setBotVariable('seen', '" + value + "', true, false)")))
      .statusCode();
    assertThat(status).isEqualTo(200);
  }
}
