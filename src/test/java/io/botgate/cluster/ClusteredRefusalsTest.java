package io.botgate.cluster;

import io.botgate.StubUpstream;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests refused for a session, shown in its console in a cluster, cost the session's own requests nothing they
 * are counted against: a client sending malformed requests cannot push the conversation's requests into 429.
 */
@Timeout(120)
class ClusteredRefusalsTest {

  static ClusterNodes cluster;
  static StubUpstream upstream;

  @BeforeAll
  static void start() {
    cluster = ClusterNodes.start(1, new JsonObject().put("session.queue", 2));
    upstream = new StubUpstream();
    result(cluster.node(0).vertx().deployVerticle(upstream));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Future<HttpResponse<Buffer>> script(String session, String code) {
    ClusterNodes.Node node = cluster.node(0);
    return node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", code));
  }

  private static HttpResponse<Buffer> malformed(String session) {
    ClusterNodes.Node node = cluster.node(0);
    return result(node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("1")));
  }

  private static List<JsonObject> errors(String session) {
    ClusterNodes.Node node = cluster.node(0);
    JsonArray events = result(node.http().get(node.port(), "127.0.0.1", "/api/sessions/" + session + "/events")
      .send()).bodyAsJsonObject().getJsonArray("events");
    return events.stream().map(JsonObject.class::cast).filter(e -> "error".equals(e.getString("kind"))).toList();
  }

  @Test
  void shouldNeverLetRefusedRequestsTakeTheQueuePlacesOfTheSessionsOwnRequests() {
    ClusterNodes.Node node = cluster.node(0);
    String session = "flooded-with-refusals";
    HttpResponse<Buffer> declared = result(node.http().put(node.port(), "127.0.0.1", "/api/integrations/heldCall")
      .sendJsonObject(new JsonObject().put("method", "GET").put("url", upstream.url("/held"))));
    assertThat(declared.statusCode()).as(declared.bodyAsString()).isIn(200, 201);
    assertThat(result(script(session, "1")).statusCode()).as("a conversation under way: it has events").isEqualTo(200);
    // the session's turn held by a call in flight, as by any slow request
    Future<HttpResponse<Buffer>> held = node.http().post(node.port(), "127.0.0.1", "/api/sessions/" + session
      + "/integrations/heldCall").sendJsonObject(new JsonObject());
    await().until(() -> upstream.held() == 1);

    for (int i = 0; i < 5; i++) {
      assertThat(malformed(session).statusCode()).isEqualTo(415);
    }
    Future<HttpResponse<Buffer>> next = script(session, "botContext.printDebugMessage('next')");
    Future<HttpResponse<Buffer>> andNext = script(session, "botContext.printDebugMessage('and next')");
    upstream.releaseHeld();

    assertThat(result(held).statusCode()).isEqualTo(200);
    assertThat(result(next).statusCode()).as("session.queue 2: two requests may wait, refusals or not")
      .isEqualTo(200);
    assertThat(result(andNext).statusCode()).isEqualTo(200);
    await().untilAsserted(() -> assertThat(errors(session)).hasSize(1));
    JsonObject shown = errors(session).get(0);
    assertThat(shown.getJsonObject("data").getString("code")).isEqualTo("unsupported_media_type");
    assertThat(shown.getJsonObject("data").getInteger("notShown")).as("the others, counted into it").isEqualTo(4);
    assertThat(shown.getString("text")).contains("and 4 more refused requests");
  }
}
