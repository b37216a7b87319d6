package io.botgate.cluster;

import io.botgate.StubUpstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three botgate processes on loopback form one cluster, as an operator runs them; one is killed with
 * {@code kill -9} under load, another stopped with SIGTERM while executions are in flight. The nodes start
 * once for the class (starting JVMs is the slow part); each test works with the nodes still alive, so the
 * SIGTERM test runs after the kill -9 one with two nodes left, or alone with three.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterProcessesTest {

  static final String INCREMENT = "botContext.setBotVariable('n', (botContext.getBotVariable('n')||0)+1, true, false)";
  static final int SESSIONS = 90;

  static Vertx vertx;
  static StubUpstream upstream;
  static WebClient http;
  static GatewayProcesses cluster;

  @BeforeAll
  @Timeout(420) // three JVMs joining take seconds on an idle machine, minutes on a loaded one
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = new StubUpstream();
    result(vertx.deployVerticle(upstream));
    http = WebClient.create(vertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(32));
    Path integrations = Files.createTempFile("cluster-integrations", ".json");
    integrations.toFile().deleteOnExit();
    Files.writeString(integrations, new JsonArray()
      .add(new JsonObject().put("name", "slow").put("method", "GET").put("url", upstream.url("/slow/1500")).put("retries", 0))
      .encode());
    cluster = GatewayProcesses.start(3, List.of("-Dintegrations.file=" + integrations, "-Dshutdown.graceSeconds=20"));
    // Listening is not yet joined: wait until every node sees all three.
    await().atMost(60, TimeUnit.SECONDS).until(() -> cluster.nodes.stream().allMatch(n -> members(n) == 3));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (vertx != null) {
      result(vertx.close());
    }
  }

  @Test
  @Order(1)
  @Timeout(180)
  void shouldKeepEverySessionAndServeOnTheSurvivorsWhenANodeIsKilled() {
    List<GatewayProcesses.Node> nodes = cluster.alive();
    assertThat(nodes).hasSize(3);
    GatewayProcesses.Node victim = nodes.get(2);
    // Sessions started on every node, so the victim holds primaries and backups of some.
    List<Future<JsonObject>> created = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      created.add(script(nodes.get(i % 3), "k" + i, "botContext.setBotVariable('born', 'k" + i + " on "
        + nodes.get(i % 3).id + "', true, false)"));
    }
    result(Future.all(created));

    Load load = new Load(nodes, 6);
    await().atMost(60, TimeUnit.SECONDS).until(() -> load.acknowledged.get() >= 60);
    load.targets = nodes.subList(0, 2);
    victim.kill();
    List<GatewayProcesses.Node> survivors = nodes.subList(0, 2);
    await().atMost(60, TimeUnit.SECONDS).until(() -> survivors.stream().allMatch(n -> members(n) == 2));
    int atRemoval = load.acknowledged.get();
    await().atMost(60, TimeUnit.SECONDS).until(() -> load.acknowledged.get() >= atRemoval + 60);
    load.stop();

    assertThat(load.failures).as("requests to the survivors that failed").isEmpty();
    for (GatewayProcesses.Node survivor : survivors) {
      List<JsonObject> sessions = result(Future.all(IntStream.range(0, SESSIONS)
        .mapToObj(i -> session(survivor, "k" + i)).toList())).list();
      for (int i = 0; i < SESSIONS; i++) {
        JsonObject variables = sessions.get(i).getJsonObject("variables");
        assertThat(variables.getString("born")).as("k%d on %s", i, survivor.id).startsWith("k" + i + " on ");
        int n = variables.getInteger("n", 0);
        // Every acknowledged increment is kept; at most those in flight on the dead node are in doubt.
        assertThat(n).as("n of k%d on %s", i, survivor.id)
          .isBetween(load.acked.get(i), load.attempted.get(i));
      }
    }
  }

  @Test
  @Order(2)
  @Timeout(180)
  void shouldFinishInFlightExecutionsAndKeepTheSessionsOnOtherNodesOnSigterm() throws Exception {
    List<GatewayProcesses.Node> nodes = cluster.alive();
    assertThat(nodes.size()).isGreaterThanOrEqualTo(2);
    GatewayProcesses.Node leaving = nodes.get(nodes.size() - 1);
    GatewayProcesses.Node staying = nodes.get(0);
    int before = upstream.hits("/slow/1500");
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(http.post(leaving.port(), "127.0.0.1", "/api/sessions/t" + i + "/integrations/slow")
        .sendJsonObject(new JsonObject().put("postProcess", "botContext.setBotVariable('left', 'yes', true, false)")));
    }
    await().atMost(30, TimeUnit.SECONDS).until(() -> upstream.hits("/slow/1500") == before + 10);
    leaving.terminate();

    // A load balancer's health check no longer passes: 503 "draining", or no connection at all once the
    // listener is closed (which is what a check arriving after the first instant of the drain sees today).
    await().atMost(30, TimeUnit.SECONDS).until(() -> drained(leaving));
    for (Future<HttpResponse<Buffer>> call : calls) {
      HttpResponse<Buffer> answer = result(call);
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
      assertThat(answer.bodyAsJsonObject().getString("outcome")).isEqualTo("success");
    }
    assertThat(leaving.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(leaving.process.exitValue()).as(leaving.log()).isZero();
    assertThat(leaving.log()).contains("botgate draining").contains("botgate stopped after");
    for (int i = 0; i < 10; i++) {
      JsonObject session = result(session(staying, "t" + i));
      assertThat(session.getJsonObject("variables").getString("left")).isEqualTo("yes");
      assertThat(session.getJsonObject("lastResult").getString("statusCode")).isEqualTo("200");
    }
  }

  private static boolean drained(GatewayProcesses.Node node) {
    try {
      HttpResponse<Buffer> health = http.get(node.port(), "127.0.0.1", "/health").send()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return health.statusCode() == 503 && health.bodyAsString().contains("draining");
    } catch (java.util.concurrent.ExecutionException refused) {
      return true;
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  private static int members(GatewayProcesses.Node node) {
    HttpResponse<Buffer> r = result(http.get(node.port(), "127.0.0.1", "/api/cluster").send());
    return r.statusCode() == 200 ? r.bodyAsJsonObject().getJsonArray("members").size() : -1;
  }

  private static Future<JsonObject> script(GatewayProcesses.Node node, String session, String code) {
    return http.post(node.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", code)).map(r -> {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
      });
  }

  private static Future<JsonObject> session(GatewayProcesses.Node node, String session) {
    return http.get(node.port(), "127.0.0.1", "/api/sessions/" + session).send().map(r -> {
      assertThat(r.statusCode()).as("%s on %s: %s", session, node.id, r.bodyAsString()).isEqualTo(200);
      return r.bodyAsJsonObject();
    });
  }

  /**
   * Increments {@code n} of the sessions k0..k89 from {@code workers} callers, each one request after the
   * other, on the nodes of {@link #targets} in turn; counts per session what was sent and what was answered 200.
   */
  static final class Load {
    final AtomicIntegerArray attempted = new AtomicIntegerArray(SESSIONS);
    final AtomicIntegerArray acked = new AtomicIntegerArray(SESSIONS);
    final AtomicInteger acknowledged = new AtomicInteger();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger steps = new AtomicInteger();
    volatile List<GatewayProcesses.Node> targets;

    Load(List<GatewayProcesses.Node> nodes, int workers) {
      this.targets = nodes;
      for (int w = 0; w < workers; w++) {
        active.incrementAndGet();
        vertx.runOnContext(v -> next());
      }
    }

    private void next() {
      if (!running.get()) {
        active.decrementAndGet();
        return;
      }
      int step = steps.getAndIncrement();
      int k = (step * 7) % SESSIONS;
      List<GatewayProcesses.Node> now = targets;
      GatewayProcesses.Node node = now.get(step % now.size());
      attempted.incrementAndGet(k);
      http.post(node.port(), "127.0.0.1", "/api/sessions/k" + k + "/scripts")
        .sendJsonObject(new JsonObject().put("code", INCREMENT)).onComplete(answer -> {
          if (answer.succeeded() && answer.result().statusCode() == 200) {
            acked.incrementAndGet(k);
            acknowledged.incrementAndGet();
          } else if (targets.contains(node)) { // only calls to the node killed may fail
            failures.add(node.id + " k" + k + ": " + (answer.succeeded()
              ? answer.result().statusCode() + " " + answer.result().bodyAsString() : answer.cause()));
          }
          next();
        });
    }

    void stop() {
      running.set(false);
      await().atMost(60, TimeUnit.SECONDS).until(() -> active.get() == 0);
    }
  }
}
