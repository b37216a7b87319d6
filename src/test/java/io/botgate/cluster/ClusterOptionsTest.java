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
    return GatewayConfig.of(new JsonObject().put("cluster.members", new JsonArray(java.util.List.of(members)))).cluster();
  }

  @Test
  void shouldRefuseAMemberWhosePortIsNoPortNamingTheSetting() {
    assertThatThrownBy(() -> members("127.0.0.1:5701", "127.0.0.1:99999"))
      .hasMessage("'cluster.members': entry '127.0.0.1:99999' has no valid port: a port is from 1 to 65535 "
        + "(the configuration)");
    assertThatThrownBy(() -> members("node-b:"))
      .hasMessageStartingWith("'cluster.members': entry 'node-b:' has no valid port");
    assertThat(members("node-b", "node-c:5702", "[::1]:5701", "::1", "10.0.0.7", "fe80::1").members()).hasSize(6);
  }

  @Test
  void shouldRefuseAMemberThatIsNeitherHostNorHostAndPortNamingItAndItsSource() {
    // "a:b:c" was taken for an IPv6 address and started; Hazelcast then failed to join it far from the setting
    java.util.Properties sys = new java.util.Properties();
    sys.setProperty("cluster.members", "node-a:5701, a:b:c");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), java.util.Map.of(), sys))
      .hasMessage("'cluster.members': entry 'a:b:c' is not host or host:port (a name or an address, and a port from "
        + "1 to 65535; an IPv6 address with a port in brackets: [::1]:5701) (system property cluster.members)");
    for (String member : java.util.List.of("http://node-b:5701", "node b", "[node-b]:5701", "::1:5701:x", "node-b:57o1",
      "[::1]5701")) {
      assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), java.util.Map.of("BOTGATE_CLUSTER_MEMBERS", member),
        null)).as(member).hasMessageContaining("'cluster.members': entry '" + member + "'")
        .hasMessageEndingWith("(environment variable BOTGATE_CLUSTER_MEMBERS)");
    }
  }

  @Test
  void shouldRefuseAClusterPortWhoseTwentyPortsPassTheLastWithItsRange() {
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("cluster.port", 65530)))
      .hasMessageContaining("'cluster.port' must be from 1 to 65515, not 65530");
  }
}
