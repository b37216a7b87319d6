package io.botgate.cluster;

import io.botgate.BotgateVerticle;
import com.hazelcast.config.Config;
import io.botgate.GatewayConfig;
import io.botgate.session.ClusteredSessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.botgate.Await.result;

/** Botgate nodes of one cluster in this JVM, each on its own Vert.x, HTTP port and Hazelcast port, on loopback. */
public final class ClusterNodes implements AutoCloseable {

  /** One node: its Vert.x, its gateway and a client for its HTTP API. */
  public record Node(Vertx vertx, BotgateVerticle gateway, WebClient http) {
    public int port() {
      return gateway.port();
    }
  }

  public final List<Node> nodes = new ArrayList<>();
  private final List<Integer> hazelcastPorts = new ArrayList<>();
  private final String name = "test-" + System.nanoTime();

  /** A cluster of {@code count} nodes, each configured with the test defaults overlaid with {@code extra}. */
  public static ClusterNodes start(int count, JsonObject extra) {
    ClusterNodes cluster = new ClusterNodes();
    for (int i = 0; i < count; i++) {
      cluster.hazelcastPorts.add(freePort());
    }
    for (int i = 0; i < count; i++) {
      cluster.nodes.add(cluster.startNode(i, extra));
    }
    return cluster;
  }

  private Node startNode(int index, JsonObject extra) {
    JsonArray members = new JsonArray();
    hazelcastPorts.forEach(p -> members.add("127.0.0.1:" + p));
    JsonObject config = new JsonObject()
      .put("http.port", 0)
      .put("egress.allow", new JsonArray().add("127.0.0.1"))
      .put("integrations.file", io.botgate.TestGateway.copyOf(java.nio.file.Path.of("src/test/resources/test-integrations.json")).toString())
      .put("credentials.file", io.botgate.TestGateway.emptyFile("credentials.json").toString())
      .put("imports.file", io.botgate.TestGateway.emptyFile("imports.json").toString())
      .put("node.id", "node-" + index)
      .put("cluster.enabled", true)
      .put("cluster.name", name)
      .put("cluster.port", hazelcastPorts.get(index))
      .put("cluster.members", members)
      .mergeIn(extra);
    GatewayConfig settings = GatewayConfig.of(config);
    Vertx vertx = result(ClusterNode.start(new VertxOptions(), settings.cluster(), 3_600_000L,
      settings.string("node.id")));
    BotgateVerticle gateway = new BotgateVerticle(settings);
    result(vertx.deployVerticle(gateway));
    return new Node(vertx, gateway, WebClient.create(vertx));
  }

  /** A bare member of this cluster (a clustered Vert.x without a gateway) for the test to drive; close it to leave. */
  public Vertx join(String nodeId) {
    JsonArray members = new JsonArray();
    hazelcastPorts.forEach(p -> members.add("127.0.0.1:" + p));
    GatewayConfig settings = GatewayConfig.of(new JsonObject().put("node.id", nodeId).put("cluster.enabled", true)
      .put("cluster.name", name).put("cluster.port", freePort()).put("cluster.members", members));
    return result(ClusterNode.start(new VertxOptions(), settings.cluster(), 3_600_000L, nodeId));
  }

  /**
   * A member as a botgate node of the build before the session state's format 4 joins: named by
   * {@link ClusterNode#NODE_ATTRIBUTE}, without {@link ClusteredSessionStore#FORMAT_ATTRIBUTE}. Close it to leave.
   */
  public Vertx joinAsEarlierBuild(String nodeId) {
    JsonArray members = new JsonArray();
    hazelcastPorts.forEach(p -> members.add("127.0.0.1:" + p));
    GatewayConfig settings = GatewayConfig.of(new JsonObject().put("node.id", nodeId).put("cluster.enabled", true)
      .put("cluster.name", name).put("cluster.port", freePort()).put("cluster.members", members));
    Config config = ClusterNode.hazelcastConfig(settings.cluster(), 3_600_000L, nodeId);
    config.getMemberAttributeConfig().removeAttribute(ClusteredSessionStore.FORMAT_ATTRIBUTE);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost("127.0.0.1");
    return result(Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(config)).buildClustered());
  }

  public Node node(int i) {
    return nodes.get(i);
  }

  /**
   * A port free on loopback now, below Linux's ephemeral range (32768 and up); the cluster tests share this
   * one helper. A port from that range (what port 0 gives) can be taken before its member binds it: a node
   * that keeps connecting to a member not up yet may be given that very port as its own side, and the
   * connection then connects to itself (CI: "Port [37311] is already in use").
   */
  public static int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = 20_000 + PORTS.nextInt(12_000);
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // another one
      }
    }
    throw new IllegalStateException("no free port found between 20000 and 32000");
  }

  private static final Random PORTS = new Random();

  @Override
  public void close() {
    result(Future.all(nodes.stream().map(n -> n.vertx().close()).toList()));
  }
}
