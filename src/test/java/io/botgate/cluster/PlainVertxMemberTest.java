package io.botgate.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.botgate.api.EventBusApi;
import io.botgate.events.DebugStream;
import io.botgate.integration.IntegrationExecutor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A plain Vert.x application, with no botgate code, joins a botgate cluster as Vert.x clusters are joined
 * (HazelcastClusterManager, TCP-IP join on loopback) and receives every result on {@code botgate.results}.
 */
@Timeout(180)
class PlainVertxMemberTest {

  static ClusterNodes botgate;
  static Vertx plain;
  static final Map<String, JsonObject> published = new ConcurrentHashMap<>();
  static MessageConsumer<JsonObject> consumer;

  @BeforeAll
  static void start() {
    String name = "plain-" + System.nanoTime();
    int botgatePort = ClusterNodes.freePort();
    int plainPort = ClusterNodes.freePort();
    JsonArray members = new JsonArray().add("127.0.0.1:" + botgatePort).add("127.0.0.1:" + plainPort);
    botgate = ClusterNodes.start(1, new JsonObject().put("cluster.name", name).put("cluster.port", botgatePort)
      .put("cluster.members", members));

    plain = result(Vertx.builder().withClusterManager(new HazelcastClusterManager(plainHazelcast(name, plainPort,
      "127.0.0.1:" + botgatePort))).buildClustered());
    consumer = plain.eventBus().consumer(IntegrationExecutor.RESULTS_ADDRESS,
      (Message<JsonObject> msg) -> published.put(msg.body().getString("session"), msg.body()));
    result(consumer.completion());
  }

  /** What a plain application writes: Vert.x's Hazelcast defaults, the cluster's name, the TCP-IP join. */
  private static Config plainHazelcast(String clusterName, int port, String member) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    NetworkConfig network = config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember(member);
    return config;
  }

  @AfterAll
  static void stop() {
    if (plain != null) {
      result(plain.close());
    }
    if (botgate != null) {
      botgate.close();
    }
  }

  private static Future<JsonObject> execute(String session) {
    ClusterNodes.Node node = botgate.node(0);
    return node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session + "/integrations/faqIntegration")
      .sendJsonObject(new JsonObject().put("variables", new JsonObject().put("question", "roaming")))
      .map(r -> {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject().getJsonObject("result");
      });
  }

  @Test
  void shouldReceiveEveryResultOfExecutionsDoneOnTheBotgateNode() {
    // The subscription reaches the botgate node's view of the cluster asynchronously: wait until it has.
    AtomicInteger warmUps = new AtomicInteger();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
      result(execute("warm-up-" + warmUps.incrementAndGet()));
      return published.keySet().stream().anyMatch(s -> s.startsWith("warm-up-"));
    });

    List<JsonObject> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      results.add(result(execute("plain-http-" + i)));
    }
    JsonObject viaBus = result(plain.eventBus().<JsonObject>request(EventBusApi.EXECUTE, new JsonObject()
      .put("session", "plain-bus").put("integration", "faqIntegration")
      .put("variables", new JsonObject().put("question", "bill")))).body();
    assertThat(viaBus.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    results.add(viaBus.getJsonObject("result"));

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (JsonObject executed : results) {
        assertThat(published.get(executed.getString("session"))).as("result of " + executed.getString("session"))
          .isEqualTo(executed);
      }
    });
    assertThat(published.get("plain-bus").getString("node")).as("executed on the botgate node").isEqualTo("node-0");
  }

  @Test
  void shouldReceiveTheEventsOfASessionItSubscribedTo() {
    // A node publishes a session's events across the cluster only once it knows of a consumer somewhere.
    List<JsonObject> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> watcher = plain.eventBus().consumer(DebugStream.ADDRESS_PREFIX + "watched",
      (Message<JsonObject> msg) -> events.add(msg.body()));
    result(watcher.completion());
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
        result(execute("watched"));
        return !events.isEmpty();
      });
      ClusterNodes.Node node = botgate.node(0);
      JsonArray emitted = result(node.http().post(node.port(), "127.0.0.1", "/api/sessions/watched/integrations/faqIntegration")
        .sendJsonObject(new JsonObject().put("variables", new JsonObject().put("question", "roaming"))))
        .bodyAsJsonObject().getJsonArray("events");
      long lastSeq = emitted.getJsonObject(emitted.size() - 1).getLong("seq");

      await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().anyMatch(e -> e.getLong("seq") == lastSeq));
      for (int i = 1; i < events.size(); i++) {
        assertThat(events.get(i).getLong("seq")).isEqualTo(events.get(i - 1).getLong("seq") + 1);
      }
      assertThat(events).allMatch(e -> e.getString("session").equals("watched"));
    } finally {
      result(watcher.unregister());
    }
  }
}
