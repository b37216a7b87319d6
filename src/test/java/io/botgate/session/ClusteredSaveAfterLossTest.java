package io.botgate.session;

import com.hazelcast.map.IMap;
import io.botgate.StubUpstream;
import io.botgate.cluster.ClusterNode;
import io.botgate.cluster.ClusterNodes;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.UUID;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A session gone from the cluster's map while a node runs its turn, that node told nothing of why (a partition lost
 * with more members than {@code cluster.backups}, before the node hears of it; or the session expired while the turn
 * ran): the turn's copy is the latest there was, so its save writes it back and the caller gets its answer, rather
 * than 503 {@code session_not_saved} for work that ran. Where another request made a new session of that id
 * meanwhile, that one is kept, and the caller is told what was not saved, and where.
 */
@Timeout(180)
class ClusteredSaveAfterLossTest {

  /** Generous: the members share two busy cores with other builds. */
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String INCREMENT =
    "botContext.setBotVariable('n', (botContext.getBotVariable('n')||0)+1, true, false)";

  @Test
  void shouldWriteBackASessionGoneFromTheMapWhileItsTurnRanAndTellWhatWasNotSavedWhenANewOneWasMade() {
    try (ClusterNodes cluster = ClusterNodes.start(2, new JsonObject())) {
      ClusterNodes.Node node = cluster.node(0);
      ClusterNodes.Node other = cluster.node(1);
      StubUpstream upstream = new StubUpstream();
      result(node.vertx().deployVerticle(upstream));
      HttpResponse<Buffer> declared = result(node.http().put(node.port(), "127.0.0.1", "/api/integrations/heldCall")
        .sendJsonObject(new JsonObject().put("method", "GET").put("url", upstream.url("/held")).put("retries", 0)));
      assertThat(declared.statusCode()).as(declared.bodyAsString()).isIn(200, 201);
      await().atMost(WAIT).until(() -> result(other.http().get(other.port(), "127.0.0.1",
        "/api/integrations/heldCall").send()).statusCode() == 200);
      IMap<String, byte[]> map = ClusterNode.hazelcast(other.vertx()).getMap(ClusteredSessionStore.MAP);

      // gone while its turn ran, nothing made since: written back whole, the caller answered as ever
      String kept = "kept-" + UUID.randomUUID();
      assertThat(script(node, kept).statusCode()).isEqualTo(200);
      Future<HttpResponse<Buffer>> call = execute(node, kept, upstream, 1);
      await().atMost(WAIT).until(() -> upstream.held() == 1);
      map.delete(kept);
      upstream.releaseHeld();
      HttpResponse<Buffer> answered = result(call);
      assertThat(answered.statusCode()).as(answered.bodyAsString()).isEqualTo(200);
      JsonObject state = state(other, kept);
      assertThat(state.getJsonObject("variables").getInteger("n")).as(state.encode()).isEqualTo(2);
      assertThat(state.getJsonObject("lastResult").getString("integration")).isEqualTo("heldCall");

      // gone, and a new session of that id made meanwhile on the other node: that one stays; the caller is told so
      String remade = "remade-" + UUID.randomUUID();
      assertThat(script(node, remade).statusCode()).isEqualTo(200);
      Future<HttpResponse<Buffer>> lost = execute(node, remade, upstream, 2);
      await().atMost(WAIT).until(() -> upstream.held() == 1);
      map.delete(remade);
      HttpResponse<Buffer> anew = result(other.http().post(other.port(), "127.0.0.1", "/api/sessions/" + remade
        + "/scripts").sendJsonObject(new JsonObject().put("code", "botContext.setBotVariable('m', 1, true, false)")));
      assertThat(anew.statusCode()).as(anew.bodyAsString()).isEqualTo(200);
      upstream.releaseHeld();
      HttpResponse<Buffer> refused = result(lost);
      assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
      JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("session_not_saved");
      assertThat(error.getString("message")).contains("'" + remade + "'", "node 'node-0'",
        "another request made a new session of that id", "upstream was called");
      JsonObject made = state(node, remade);
      assertThat(made.getJsonObject("variables").getInteger("m")).as(made.encode()).isEqualTo(1);
      assertThat(made.getJsonObject("variables").containsKey("n")).as(made.encode()).isFalse();
    }
  }

  private static Future<HttpResponse<Buffer>> execute(ClusterNodes.Node node, String session, StubUpstream upstream,
                                                      int hits) {
    Future<HttpResponse<Buffer>> call = node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session
      + "/integrations/heldCall").sendJsonObject(new JsonObject().put("preProcess", INCREMENT));
    await().atMost(WAIT).until(() -> upstream.hits("/held") == hits);
    return call;
  }

  private static HttpResponse<Buffer> script(ClusterNodes.Node node, String session) {
    return result(node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", INCREMENT)));
  }

  private static JsonObject state(ClusterNodes.Node node, String session) {
    HttpResponse<Buffer> state = result(node.http().get(node.port(), "127.0.0.1", "/api/sessions/" + session).send());
    assertThat(state.statusCode()).as(state.bodyAsString()).isEqualTo(200);
    return state.bodyAsJsonObject();
  }
}
