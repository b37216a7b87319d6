package io.botgate.cluster;

import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
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
 * Integrations (and credentials and CB imports) changed through one node of a cluster apply on every node, each node's file follows, a node
 * joining takes the cluster's set, and a whole-cluster restart keeps what was changed: two and three
 * clustered Vert.x instances in this JVM, each running a gateway.
 */
class ClusteredDefinitionsTest {

  /** DESIGN.md: a change applies on every node within a second; measured with a margin for a loaded machine. */
  private static final Duration WITHIN = Duration.ofSeconds(3);

  /** Two nodes running for the tests that need no restart: starting Hazelcast members is the slow part. */
  private static Cluster running;
  private static TestGateway a;
  private static TestGateway b;

  @BeforeAll
  static void startTwoNodes() {
    running = new Cluster();
    a = running.gateway(0, null);
    b = running.gateway(1, null);
  }

  @AfterAll
  static void stopTwoNodes() {
    running.close();
  }

  @Test
  @Timeout(60)
  void shouldApplyAChangeMadeOnOneNodeOnTheOtherWithinASecond() {
    JsonObject fresh = new JsonObject().put("name", "fresh").put("method", "GET").put("url", "stub:/echo/fresh");

    assertThat(result(a.declare(fresh)).statusCode()).isEqualTo(201);
    long answered = System.nanoTime();
    await().atMost(WITHIN).pollInterval(Duration.ofMillis(10)).until(() -> executes(b, "fresh"));
    System.out.println("node B executed what node A had just answered a PUT for after "
      + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered) + " ms");
    await().atMost(WITHIN).until(() -> names(file(b)).contains("fresh"));

    assertThat(result(delete(b, "fresh")).statusCode()).isEqualTo(204);
    await().atMost(WITHIN).until(() -> status(a, "fresh") == 404);
    await().atMost(WITHIN).until(() -> !names(file(a)).contains("fresh"));
  }

  @Test
  @Timeout(60)
  void shouldLoseNoneOfConcurrentPutsMadeOnTwoNodes() {
    List<Future<HttpResponse<Buffer>>> puts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      puts.add(a.declare(new JsonObject().put("name", "a" + i).put("method", "GET").put("url", "stub:/echo/a")));
      puts.add(b.declare(new JsonObject().put("name", "b" + i).put("method", "GET").put("url", "stub:/echo/b")));
      names.addAll(List.of("a" + i, "b" + i));
    }
    result(Future.all(puts));

    for (TestGateway node : List.of(a, b)) {
      await().atMost(WITHIN).until(() -> names(file(node)).containsAll(names));
      JsonArray listed = result(node.http.get(node.gateway.port(), "127.0.0.1", "/api/integrations").send())
        .bodyAsJsonArray();
      assertThat(listed.stream().map(d -> ((JsonObject) d).getString("name"))).containsAll(names);
    }
  }

  @Test
  @Timeout(60)
  void shouldUseOnOneNodeACredentialPutOnTheOther() throws IOException {
    assertThat(result(SavedCredentialsAndImportsTest.putCredential(a, "sharedKey", "k-shared-1")).statusCode())
      .isEqualTo(201);
    await().atMost(WITHIN).until(() -> result(SavedCredentialsAndImportsTest.get(b, "/api/credentials/sharedKey"))
      .statusCode() == 200);
    // Declared once the credential is on both: a node that lacks it would keep the integration but end its calls "460".
    assertThat(result(a.declare(new JsonObject().put("name", "keyedShared").put("method", "GET")
      .put("url", "stub:/echo/keyed").put("credential", "sharedKey"))).statusCode()).isEqualTo(201);

    await().atMost(WITHIN).until(() -> executes(b, "keyedShared"));
    assertThat(a.upstream.received.stream().filter(r -> r.uri().equals("/echo/keyed"))
      .map(r -> r.headers().getString("x-partner-key"))).contains("k-shared-1");
    await().atMost(WITHIN).until(() -> SavedCredentialsAndImportsTest.names(
      SavedCredentialsAndImportsTest.file(b, "credentials.file")).contains("sharedKey"));
  }

  @Test
  @Timeout(120)
  void shouldKeepTheNodesAlikeAndRestartableWhenACredentialIsDeletedAsAnotherNodeTakesAnIntegrationNamingIt()
      throws IOException {
    // Each node checks the other's change against what it has: B takes the PUT while it still has the
    // credential, A the DELETE while no integration it has names it. Both stand; each node then takes the other's.
    List<String> raced = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String credential = "racedKey" + i;
      assertThat(result(SavedCredentialsAndImportsTest.putCredential(a, credential, "k-raced-" + i)).statusCode())
        .isEqualTo(201);
      await().atMost(WITHIN).until(() -> result(SavedCredentialsAndImportsTest.get(b, "/api/credentials/" + credential))
        .statusCode() == 200);
      Future<HttpResponse<Buffer>> delete = a.http.delete(a.gateway.port(), "127.0.0.1", "/api/credentials/" + credential).send();
      Future<HttpResponse<Buffer>> put = b.declare(new JsonObject().put("name", "raced" + i).put("method", "GET")
        .put("url", "stub:/echo/raced").put("credential", credential));
      result(Future.join(delete, put));
      if (put.result().statusCode() == 201) {
        raced.add("raced" + i);
      }
    }
    System.out.println("integrations B took while A deleted their credential: " + raced);
    for (int i = 0; i < 5; i++) {
      String name = "raced" + i;
      await().atMost(WITHIN).until(() -> status(a, name) == status(b, name));
    }
    // A's credential DELETE reached B: a call of what it took answers "460" on both nodes
    for (String name : raced) {
      for (TestGateway node : List.of(a, b)) {
        await().atMost(WITHIN).until(() -> "460".equals(lastStatusAfter(node, name)));
      }
    }
    // and either node's files start a gateway
    for (TestGateway node : List.of(a, b)) {
      Vertx alone = Vertx.vertx();
      try {
        TestGateway restarted = result(TestGateway.start(alone, new JsonObject()
          .put("integrations.file", TestGateway.copyOf(file(node)).toString())
          .put("credentials.file", TestGateway.copyOf(SavedCredentialsAndImportsTest.file(node, "credentials.file")).toString())));
        for (String name : raced) {
          assertThat(status(restarted, name)).isEqualTo(200);
        }
      } finally {
        result(alone.close());
      }
    }
  }

  @Test
  @Timeout(60)
  void shouldRunOnOneNodeABotImportedOnTheOtherAndForgetItEverywhereWhenDeleted() throws IOException {
    HttpResponse<Buffer> imported = result(SavedCredentialsAndImportsTest.importGreeter(a));
    assertThat(imported.statusCode()).as(imported.bodyAsString()).isEqualTo(201);

    await().atMost(WITHIN).until(() -> "greeter says the greeter to Kim".equals(SavedCredentialsAndImportsTest.greet(b, "Kim")));
    await().atMost(WITHIN).until(() -> SavedCredentialsAndImportsTest.names(
      SavedCredentialsAndImportsTest.file(b, "imports.file")).contains("Greeter"));

    assertThat(result(b.http.delete(b.gateway.port(), "127.0.0.1", "/api/bots/Greeter").send()).statusCode())
      .isEqualTo(204);
    await().atMost(WITHIN).until(() -> result(SavedCredentialsAndImportsTest.get(a, "/api/bots/Greeter"))
      .statusCode() == 404);
    assertThat(SavedCredentialsAndImportsTest.names(SavedCredentialsAndImportsTest.file(a, "imports.file"))).isEmpty();
  }

  @Test
  @Timeout(180)
  void shouldGiveAJoiningNodeTheClustersSetAndKeepItAcrossAWholeClusterRestart() throws IOException {
    Path savedByFirst;
    try (Cluster cluster = new Cluster()) {
      TestGateway first = cluster.gateway(0, null);
      JsonObject added = new JsonObject().put("name", "added").put("method", "GET").put("url", "stub:/echo/added");
      assertThat(result(first.declare(added)).statusCode()).isEqualTo(201);

      TestGateway joining = cluster.gateway(1, null); // its file has only the test's faqIntegration
      assertThat(executes(joining, "added")).isTrue();
      assertThat(names(file(joining))).containsExactlyInAnyOrder("faqIntegration", "added");
      savedByFirst = file(first);
    }

    try (Cluster restarted = new Cluster()) {
      TestGateway first = restarted.gateway(0, savedByFirst); // a fresh cluster: seeded from this node's file
      TestGateway joining = restarted.gateway(1, null);       // whose own file is stale
      assertThat(status(first, "added")).isEqualTo(200);
      assertThat(status(joining, "added")).isEqualTo(200);
      assertThat(names(file(joining))).containsExactlyInAnyOrder("faqIntegration", "added");
    }
  }

  @Test
  @Timeout(180)
  void shouldGiveAJoiningNodeTheImportsInTheOrderTheClusterMadeThem() throws IOException {
    try (Cluster cluster = new Cluster()) {
      TestGateway first = cluster.gateway(0, null);
      // two bots declaring the same integrations; the later, named first in the alphabet, takes them over
      importAs(first, "Zed", false);
      importAs(first, "Abe", true);

      TestGateway joining = cluster.gateway(1, null); // its imports file is empty
      for (TestGateway node : List.of(first, joining)) {
        JsonArray bots = result(node.http.get(node.gateway.port(), "127.0.0.1", "/api/bots").send())
          .bodyAsJsonArray();
        assertThat(bots.stream().map(b -> ((JsonObject) b).getString("name")).toList()).as("bots of %s", node)
          .containsExactlyInAnyOrder("Zed", "Abe");
        assertThat(integrationsOf(node, "Abe")).as("Abe's on %s", node).isNotEmpty();
        assertThat(integrationsOf(node, "Zed")).as("Zed's on %s", node).isEmpty();
      }
      assertThat(names(Path.of(joining.config().getString("imports.file")))).containsExactly("Zed", "Abe");
    }
  }

  @Test
  @Timeout(180)
  void shouldReorderTheImportsOfAJoiningNodeWhoseFileHasTheSameOnesInAnotherOrder() throws IOException {
    try (Cluster cluster = new Cluster()) {
      TestGateway first = cluster.gateway(0, null);
      importAs(first, "Zed", false);
      importAs(first, "Abe", true);
      // the same two imports, saved the other way round: as a node that was down while Zed was imported again
      JsonArray saved = new JsonArray(Files.readString(Path.of(first.config().getString("imports.file"))));
      Path reversed = Files.createTempFile("imports", ".json");
      reversed.toFile().deleteOnExit();
      Files.writeString(reversed, new JsonArray().add(saved.getValue(1)).add(saved.getValue(0)).encodePrettily());

      TestGateway joining = cluster.gateway(1, null, new JsonObject().put("imports.file", reversed.toString()));
      assertThat(integrationsOf(joining, "Abe")).as("Abe's on the joining node").isNotEmpty();
      assertThat(integrationsOf(joining, "Zed")).as("Zed's on the joining node").isEmpty();
      assertThat(names(reversed)).containsExactly("Zed", "Abe");
    }
  }

  @Test
  @Timeout(120)
  void shouldAgreeOnTheOwnerWhenTwoNodesImportBotsDeclaringTheSameIntegrationsAtOnce() throws IOException {
    // Each node checks an import against what it has; two imports made at once on two nodes both stand. Each
    // node must then take the other's (the conflict was judged where it was made) and, like a restart, let the
    // one the cluster made last own the integrations both declare.
    List<String> raced = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String first = "Ann" + i;
      String second = "Bob" + i;
      Future<HttpResponse<Buffer>> onA = a.http.post(a.gateway.port(), "127.0.0.1", "/api/import/cb")
        .sendJsonObject(importRequest(first, false));
      Future<HttpResponse<Buffer>> onB = b.http.post(b.gateway.port(), "127.0.0.1", "/api/import/cb")
        .sendJsonObject(importRequest(second, false));
      result(Future.join(onA, onB));
      if (onA.result().statusCode() == 201 && onB.result().statusCode() == 201) {
        raced.add(first + "/" + second);
      }
      for (TestGateway node : List.of(a, b)) {
        await().atMost(WITHIN).until(() -> bots(node).equals(bots(a)) && bots(node).equals(bots(b)));
      }
      List<String> owners = new ArrayList<>();
      for (String bot : bots(a)) {
        if (!integrationsOf(a, bot).isEmpty()) {
          owners.add(bot);
        }
      }
      assertThat(owners).as("bots owning the shared integrations on A").hasSize(1);
      for (TestGateway node : List.of(a, b)) {
        assertThat(integrationsOf(node, owners.get(0))).as("%s's on %s", owners.get(0), node)
          .isEqualTo(integrationsOf(a, owners.get(0)));
        await().atMost(WITHIN).until(() -> names(Path.of(node.config().getString("imports.file")))
          .equals(names(Path.of(a.config().getString("imports.file")))));
      }
      if (i == 0) { // a restart from either node's file makes the same owner
        Vertx alone = Vertx.vertx();
        try {
          TestGateway restarted = result(TestGateway.start(alone, new JsonObject().put("imports.file",
            TestGateway.copyOf(Path.of(b.config().getString("imports.file"))).toString())));
          assertThat(bots(restarted)).isEqualTo(bots(a));
          assertThat(integrationsOf(restarted, owners.get(0))).as("%s's after a restart", owners.get(0))
            .isEqualTo(integrationsOf(a, owners.get(0)));
        } finally {
          result(alone.close());
        }
      }
      for (String bot : bots(a)) {
        assertThat(result(a.http.delete(a.gateway.port(), "127.0.0.1", "/api/bots/" + bot).send()).statusCode())
          .isEqualTo(204);
      }
      await().atMost(WITHIN).until(() -> bots(b).isEmpty());
    }
    System.out.println("imports both nodes took at once: " + raced);
  }

  private static List<String> bots(TestGateway node) {
    JsonArray listed = result(node.http.get(node.gateway.port(), "127.0.0.1", "/api/bots").send()).bodyAsJsonArray();
    return listed.stream().map(b -> ((JsonObject) b).getString("name")).sorted().toList();
  }

  private static JsonObject importRequest(String bot, boolean replace) throws IOException {
    JsonObject export = new JsonObject(Files.readString(Path.of("src/test/resources/cb/store-helper.json")));
    export.getJsonObject("bot").put("name", bot).put("id", UUID.randomUUID().toString());
    return new JsonObject().put("export", export).put("replace", replace);
  }

  private static void importAs(TestGateway node, String bot, boolean replace) throws IOException {
    HttpResponse<Buffer> r = result(node.http.post(node.gateway.port(), "127.0.0.1", "/api/import/cb")
      .sendJsonObject(importRequest(bot, replace)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
  }

  private static JsonArray integrationsOf(TestGateway node, String bot) {
    HttpResponse<Buffer> r = result(node.http.get(node.gateway.port(), "127.0.0.1", "/api/bots/" + bot).send());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonArray("integrations");
  }

  /** Clustered Vert.x nodes in this JVM, each with a gateway, under a cluster name no other run shares. */
  private static final class Cluster implements AutoCloseable {

    private final String name = "defs-" + UUID.randomUUID();
    private final List<Integer> ports = List.of(ClusterNodes.freePort(), ClusterNodes.freePort());
    private final List<Vertx> nodes = new ArrayList<>();

    /** Starts node {@code index} of the cluster with a gateway on a copy of the test integrations, or on {@code file}. */
    private TestGateway gateway(int index, Path file) {
      return gateway(index, file, new JsonObject());
    }

    /** As {@link #gateway(int, Path)}, with more settings. */
    private TestGateway gateway(int index, Path file, JsonObject settings) {
      Vertx node = result(ClusterNode.start(new VertxOptions(), new ClusterOptions(true, name, "127.0.0.1",
        ports.get(index), ports.stream().map(p -> "127.0.0.1:" + p).toList(), 1, ClusterOptions.DEFAULT_TURN_WAIT_SECONDS),
        3_600_000L, "node-" + index));
      nodes.add(node);
      JsonObject extra = settings.copy().put("http.instances", 1);
      if (file != null) {
        extra.put("integrations.file", file.toString());
      }
      return result(TestGateway.start(node, extra));
    }

    @Override
    public void close() {
      nodes.forEach(node -> result(node.close()));
    }
  }

  private static boolean executes(TestGateway node, String integration) {
    HttpResponse<Buffer> r = result(node.http.post(node.gateway.port(), "127.0.0.1",
      "/api/sessions/s/integrations/" + integration).sendJsonObject(new JsonObject()));
    return r.statusCode() == 200 && "success".equals(r.bodyAsJsonObject().getString("outcome"));
  }

  /** The session's last status code after a call of {@code integration}. */
  private static String lastStatusAfter(TestGateway node, String integration) {
    result(node.http.post(node.gateway.port(), "127.0.0.1", "/api/sessions/raced/integrations/" + integration)
      .sendJsonObject(new JsonObject()));
    return result(node.session("raced")).getJsonObject("lastResult").getString("statusCode");
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

}
