package io.botgate.cluster;

import com.hazelcast.map.IMap;
import io.botgate.StubUpstream;
import io.botgate.session.ClusteredSessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.UUID;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A session's partition stalls (the member serving it hangs): every request touching the session answers once
 * {@code cluster.turnWaitSeconds} has passed instead of hanging, and the session serves as before once the partition
 * does, with nothing of it lost or held.
 */
@Timeout(300)
class ClusterStallTest {

  static ClusterNodes cluster;
  static ClusterNodes.Node node;
  /** A member beside the gateway, from which the test stalls a partition. */
  static Vertx other;
  static StubUpstream upstream;

  @BeforeAll
  static void start() {
    cluster = ClusterNodes.start(1, new JsonObject().put("cluster.turnWaitSeconds", 2));
    node = cluster.node(0);
    other = cluster.join("other");
    upstream = new StubUpstream();
    result(node.vertx().deployVerticle(upstream));
    HttpResponse<Buffer> declared = result(node.http().put(node.port(), "127.0.0.1", "/api/integrations/heldCall")
      .sendJsonObject(new JsonObject().put("method", "GET").put("url", upstream.url("/held"))));
    assertThat(declared.statusCode()).as(declared.bodyAsString()).isIn(200, 201);
  }

  @AfterAll
  static void stop() {
    result(other.close());
    cluster.close();
  }

  private static Future<HttpResponse<Buffer>> script(String session) {
    return node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", ClusteredSessionsTest.INCREMENT));
  }

  private static String made() {
    String session = "stalled-" + UUID.randomUUID();
    assertThat(result(script(session)).statusCode()).isEqualTo(200);
    return session;
  }

  private static void assertStoreTimeout(HttpResponse<Buffer> answer) {
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(503);
    JsonObject error = answer.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("session_store_timeout");
    assertThat(error.getString("message")).contains("cluster.turnWaitSeconds");
  }

  /** After the stall: the session's turns go on, none lost, none left holding it. */
  private static void assertServesAgain(String session, int n) {
    HttpResponse<Buffer> next = result(script(session));
    assertThat(next.statusCode()).as(next.bodyAsString()).isEqualTo(200);
    assertThat(next.bodyAsJsonObject().getJsonObject("variableChanges").getInteger("n")).isEqualTo(n);
  }

  @Test
  void shouldAnswerAReadOfTheSessionOnceTheTurnWaitHasPassed() {
    String session = made();
    try (StalledPartition stall = StalledPartition.of(other, session)) {
      assertStoreTimeout(result(node.http().get(node.port(), "127.0.0.1", "/api/sessions/" + session).send()));
    }
    assertServesAgain(session, 2);
  }

  @Test
  void shouldAnswerTheSessionListOnceTheTurnWaitHasPassed() {
    String session = made();
    try (StalledPartition stall = StalledPartition.of(other, session)) {
      assertStoreTimeout(result(node.http().get(node.port(), "127.0.0.1", "/api/sessions").send()));
    }
    // at once while the stalled read still waits (one worker held, not one a request); lists again once it answered
    await().atMost(60, java.util.concurrent.TimeUnit.SECONDS).untilAsserted(() -> {
      HttpResponse<Buffer> listed = result(node.http().get(node.port(), "127.0.0.1", "/api/sessions").send());
      assertThat(listed.statusCode()).as(listed.bodyAsString()).isEqualTo(200);
    });
    assertServesAgain(session, 2);
  }

  @Test
  void shouldAnswerADeleteOnceTheTurnWaitHasPassedAndKeepTheSession() {
    String session = made();
    try (StalledPartition stall = StalledPartition.of(other, session)) {
      assertStoreTimeout(result(node.http().delete(node.port(), "127.0.0.1", "/api/sessions/" + session).send()));
    }
    assertServesAgain(session, 2);
  }

  @Test
  void shouldAnswerTheEventsOfTheSessionWhileItsPartitionIsStalled() {
    String session = made();
    try (StalledPartition stall = StalledPartition.of(other, session)) {
      HttpResponse<Buffer> events = result(node.http().get(node.port(), "127.0.0.1", "/api/sessions/" + session
        + "/events").send());
      assertThat(events.statusCode()).as("kept on the nodes, not in the map: " + events.bodyAsString()).isEqualTo(200);
      assertThat(events.bodyAsJsonObject().getJsonArray("events")).isNotEmpty();
    }
  }

  /**
   * The partition stalls while an execution's upstream call runs: its answer is computed, but the session cannot be
   * written back. The caller is told so at the turn wait; the write lands once the partition serves again (before any
   * later turn of the session), so the session keeps all of that request's changes.
   */
  @Test
  void shouldAnswerAnExecutionWhoseWriteBackStallsOnceTheTurnWaitHasPassed() {
    String session = made();
    Future<HttpResponse<Buffer>> call = node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session
      + "/integrations/heldCall").sendJsonObject(new JsonObject());
    await().until(() -> upstream.held() == 1);
    HttpResponse<Buffer> answer;
    try (StalledPartition stall = StalledPartition.of(other, session)) {
      upstream.releaseHeld();
      answer = result(call);
    }
    assertStoreTimeout(answer);
    assertThat(answer.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("written back");
    HttpResponse<Buffer> next = result(script(session));
    assertThat(next.statusCode()).as(next.bodyAsString()).isEqualTo(200);
    HttpResponse<Buffer> state = result(node.http().get(node.port(), "127.0.0.1", "/api/sessions/" + session).send());
    assertThat(state.bodyAsJsonObject().getJsonObject("lastResult").getString("integration"))
      .as("the stalled request's changes, written late").isEqualTo("heldCall");
    IMap<String, byte[]> map = ClusterNode.hazelcast(other).getMap(ClusteredSessionStore.MAP);
    assertThat(map.containsKey(session)).isTrue();
  }
}
