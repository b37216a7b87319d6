package io.botgate.cluster;

import com.hazelcast.map.IMap;
import io.botgate.session.ClusteredSessionStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.UUID;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** A request whose session's turn a live member holds waits {@code cluster.turnWaitSeconds}, then is told so. */
@Timeout(120)
class ClusteredTurnWaitTest {

  private static final JsonObject INCREMENT = new JsonObject().put("code", ClusteredSessionsTest.INCREMENT);

  @Test
  void shouldAnswerSessionBusyOnceATurnHeldElsewhereOutlastsTheWaitAndServeTheSessionOnceItEnds() {
    ClusterNodes cluster = ClusterNodes.start(1, new JsonObject().put("cluster.turnWaitSeconds", 2));
    try {
      ClusterNodes.Node node = cluster.node(0);
      assertThat(post(node, "held").statusCode()).isEqualTo(200);
      IMap<String, byte[]> map = ClusterNode.hazelcast(node.vertx()).getMap(ClusteredSessionStore.MAP);
      // another member's: a node's own mark does not hold off its turns (it is its own turn run again)
      Vertx other = cluster.join("other");
      UUID member = ClusterNode.hazelcast(other).getCluster().getLocalMember().getUuid();
      byte[] state = map.get("held");
      // a turn of a live member that has not ended: flag, then the member's uuid, after the 8 bytes of activity
      ByteBuffer.wrap(state, Long.BYTES, 1 + 2 * Long.BYTES).put((byte) 1)
        .putLong(member.getMostSignificantBits()).putLong(member.getLeastSignificantBits());
      map.set("held", state);

      long started = System.nanoTime();
      HttpResponse<Buffer> busy = post(node, "held");
      assertThat(busy.statusCode()).as(busy.bodyAsString()).isEqualTo(503);
      assertThat(busy.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("session_busy");
      assertThat(busy.bodyAsJsonObject().getJsonObject("error").getString("message"))
        .contains("stayed busy on another node for 2 s", "cluster.turnWaitSeconds");
      assertThat(System.nanoTime() - started).as("waited the configured time first")
        .isGreaterThanOrEqualTo(2_000_000_000L);

      state[Long.BYTES] = 0; // that turn ends
      map.set("held", state);
      HttpResponse<Buffer> served = post(node, "held");
      assertThat(served.statusCode()).as(served.bodyAsString()).isEqualTo(200);
      assertThat(served.bodyAsJsonObject().getJsonObject("variableChanges").getInteger("n")).isEqualTo(2);
      result(other.close());
    } finally {
      cluster.close();
    }
  }

  private static HttpResponse<Buffer> post(ClusterNodes.Node node, String session) {
    return result(node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(INCREMENT));
  }
}
