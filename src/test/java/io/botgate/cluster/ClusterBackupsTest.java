package io.botgate.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.botgate.cb.context.ClusteredContextStore;
import io.botgate.session.ClusteredSessionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code cluster.backups} 2, two of three members killed at once lose nothing of any botgate map: the
 * definitions, the secrets and the Context Service's data, as the sessions (Hazelcast's default is one backup).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterBackupsTest {

  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void stop() {
    members.forEach(m -> m.getLifecycleService().terminate());
  }

  @Test
  void shouldKeepEveryMapOfBotgateWhenAsManyMembersDieAtOnceAsItHasBackups() {
    String name = "backups-" + UUID.randomUUID();
    List<Integer> ports = List.of(ClusterNodes.freePort(), ClusterNodes.freePort(), ClusterNodes.freePort());
    List<String> addresses = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    for (int i = 0; i < 3; i++) {
      members.add(Hazelcast.newHazelcastInstance(ClusterNode.hazelcastConfig(new ClusterOptions(true, name, "127.0.0.1",
        ports.get(i), addresses, 2, ClusterOptions.DEFAULT_TURN_WAIT_SECONDS), 3_600_000L, "n" + i)));
    }
    await().atMost(60, TimeUnit.SECONDS).until(() -> members.get(0).getCluster().getMembers().size() == 3);
    List<String> maps = List.of("botgate.definitions.INTEGRATIONS", "botgate.definitions.seeded",
      ClusterNode.SECRETS_MAP, ClusteredContextStore.NAMESPACES, ClusteredContextStore.DATA, ClusteredSessionStore.MAP);
    for (String map : maps) {
      Map<String, String> written = members.get(0).getMap(map);
      for (int i = 0; i < 300; i++) {
        written.put("k" + i, "v" + i);
      }
    }

    members.get(0).getLifecycleService().terminate();
    members.get(1).getLifecycleService().terminate();

    HazelcastInstance survivor = members.get(2);
    await().atMost(60, TimeUnit.SECONDS).until(() -> survivor.getCluster().getMembers().size() == 1);
    for (String map : maps) {
      assertThat(survivor.getMap(map).size()).as(map).isEqualTo(300);
    }
  }
}
