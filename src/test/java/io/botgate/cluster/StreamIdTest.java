package io.botgate.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's stream id is the cluster's: when members leave, those still there put it back if the map's
 * copies went with them (more nodes dying at once than cluster.backups), so a node started afterwards greets
 * consoles with the same id rather than making its own (a console behind a balancer would reset at each switch).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamIdTest {

  @Test
  void shouldPutTheStreamIdBackWhenAMemberLeavesAndItIsGone() {
    try (ClusterNodes cluster = ClusterNodes.start(2, new JsonObject())) {
      HazelcastInstance survivor = ClusterNode.hazelcast(cluster.node(0).vertx());
      Map<String, String> meta = survivor.getMap("botgate.events.meta");
      String id = meta.get("stream");
      assertThat(id).isNotNull();
      meta.remove("stream"); // as if its copies had died with the members that held them

      ClusterNode.hazelcast(cluster.node(1).vertx()).getLifecycleService().terminate();

      await().atMost(60, TimeUnit.SECONDS).until(() -> id.equals(meta.get("stream")));
    }
  }
}
