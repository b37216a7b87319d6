package io.botgate.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integrations changed through one node of a cluster apply on every node, each node's file follows, a node
 * joining takes the cluster's set, and a whole-cluster restart keeps what was changed: two and three
 * clustered Vert.x instances in this JVM, each running a gateway.
 */
class ClusteredDefinitionsTest {

  /** DESIGN.md: a change applies on every node within a second; measured with a margin for a loaded machine. */
  private static final Duration WITHIN = Duration.ofSeconds(3);

  private final String clusterName = "defs-" + UUID.randomUUID();
  private final List<Integer> ports = List.of(freePort(), freePort(), freePort());
  private final List<Vertx> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(node -> result(node.close()));
  }

  @Test
  @Timeout(120)
  void shouldApplyAChangeMadeOnOneNodeOnTheOtherWithinASecond() throws IOException {
    TestGateway a = gateway(0, null);
    TestGateway b = gateway(1, null);
    JsonObject fresh = new JsonObject().put("name", "fresh").put("method", "GET").put("url", "stub:/echo/fresh");

    long put = System.nanoTime();
    assertThat(result(a.declare(fresh)).statusCode()).isEqualTo(201);
    await().atMost(WITHIN).pollInterval(Duration.ofMillis(20)).until(() -> executes(b, "fresh"));
    long appliedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - put);
    System.out.println("a PUT on node A executed on node B after " + appliedMillis + " ms");
    await().atMost(WITHIN).until(() -> names(file(b)).contains("fresh"));

    assertThat(result(delete(b, "faqIntegration")).statusCode()).isEqualTo(204);
    await().atMost(WITHIN).until(() -> status(a, "faqIntegration") == 404);
    await().atMost(WITHIN).until(() -> !names(file(a)).contains("faqIntegration"));
    assertThat(names(file(a))).containsExactly("fresh");
  }

  @Test
  @Timeout(180)
  void shouldGiveAJoiningNodeTheClustersSetAndKeepItAcrossAWholeClusterRestart() throws IOException {
    TestGateway a = gateway(0, null);
    JsonObject added = new JsonObject().put("name", "added").put("method", "GET").put("url", "stub:/echo/added");
    assertThat(result(a.declare(added)).statusCode()).isEqualTo(201);

    TestGateway b = gateway(1, null); // its file has only the test's faqIntegration
    assertThat(executes(b, "added")).isTrue();
    assertThat(names(file(b))).containsExactlyInAnyOrder("faqIntegration", "added");

    Path savedByA = file(a);
    nodes.forEach(node -> result(node.close()));
    nodes.clear();

    TestGateway first = gateway(0, savedByA); // a fresh cluster: seeded from the first node's file
    TestGateway joining = gateway(1, null);   // whose own file is stale
    assertThat(status(first, "added")).isEqualTo(200);
    assertThat(status(joining, "added")).isEqualTo(200);
    assertThat(names(file(joining))).containsExactlyInAnyOrder("faqIntegration", "added");
  }

  @Test
  @Timeout(120)
  void shouldLoseNoneOfConcurrentPutsMadeOnTwoNodes() {
    TestGateway a = gateway(0, null);
    TestGateway b = gateway(1, null);
    List<Future<HttpResponse<Buffer>>> puts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      puts.add(a.declare(new JsonObject().put("name", "a" + i).put("method", "GET").put("url", "stub:/echo/a")));
      puts.add(b.declare(new JsonObject().put("name", "b" + i).put("method", "GET").put("url", "stub:/echo/b")));
    }
    result(Future.all(puts));

    for (TestGateway node : List.of(a, b)) {
      await().atMost(WITHIN).until(() -> names(file(node)).size() == 21);
      assertThat(result(node.http.get(node.gateway.port(), "127.0.0.1", "/api/integrations").send())
        .bodyAsJsonArray()).hasSize(21);
    }
  }

  /** Starts node {@code index} of the cluster with a gateway on a copy of the test integrations, or on {@code file}. */
  private TestGateway gateway(int index, Path file) {
    Vertx node = result(Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
      .withClusterManager(new HazelcastClusterManager(hazelcast(ports.get(index))))
      .buildClustered());
    nodes.add(node);
    JsonObject extra = file == null ? new JsonObject() : new JsonObject().put("integrations.file", file.toString());
    return result(TestGateway.start(node, extra.put("http.instances", 1)));
  }

  /** Hazelcast on loopback, joined over TCP-IP to the test's own ports, under a name no other run shares. */
  private Config hazelcast(int port) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false)
      .getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(ports.stream().map(p -> "127.0.0.1:" + p).toList());
    return config;
  }

  private static boolean executes(TestGateway node, String integration) {
    HttpResponse<Buffer> r = result(node.http.post(node.gateway.port(), "127.0.0.1",
      "/api/sessions/s/integrations/" + integration).sendJsonObject(new JsonObject()));
    return r.statusCode() == 200 && "success".equals(r.bodyAsJsonObject().getString("outcome"));
  }

  private static int status(TestGateway node, String integration) {
    return result(node.http.get(node.gateway.port(), "127.0.0.1", "/api/integrations/" + integration).send())
      .statusCode();
  }

  private static Future<HttpResponse<Buffer>> delete(TestGateway node, String integration) {
    return node.http.delete(node.gateway.port(), "127.0.0.1", "/api/integrations/" + integration).send();
  }

  private static Path file(TestGateway node) {
    return Path.of(node.config().getString("integrations.file"));
  }

  private static List<String> names(Path file) throws IOException {
    return new JsonArray(Files.readString(file)).stream().map(d -> ((JsonObject) d).getString("name")).toList();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
