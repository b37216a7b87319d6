package io.botgate.cluster;

import io.botgate.GatewayConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** cluster.* settings refused before Hazelcast starts, rather than in its own stack traces. */
class ClusterOptionsTest {

  private static ClusterOptions members(String... members) {
    return ClusterOptions.from(GatewayConfig.of(new JsonObject().put("cluster.members", new JsonArray(java.util.List.of(members)))));
  }

  @Test
  void shouldRefuseAMemberWhosePortIsNoPortNamingTheSetting() {
    assertThatThrownBy(() -> members("127.0.0.1:5701", "127.0.0.1:99999"))
      .hasMessage("cluster.members: '127.0.0.1:99999' must be host or host:port with a port from 1 to 65535");
    assertThatThrownBy(() -> members("node-b:"))
      .hasMessageStartingWith("cluster.members: 'node-b:' must be host or host:port");
    assertThat(members("node-b", "node-c:5702", "[::1]:5701", "::1").members()).hasSize(4);
  }

  @Test
  void shouldRefuseAClusterPortWhoseTwentyPortsPassTheLastWithItsRange() {
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("cluster.port", 65530)))
      .hasMessageContaining("'cluster.port' must be from 1 to 65515, not 65530");
  }
}
