package io.botgate.integration;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's own address is open to integrations on the demo's path only: an integration calling the
 * gateway's API (itself, even) is refused as any other blocked egress is, even with loopback in
 * {@code egress.allow}, while the demo integration and a pass-through to the demo work as the README tour shows.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class OwnAddressTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx)); // egress.allow lists 127.0.0.1
  }

  private static HttpResponse<Buffer> declared(JsonObject definition) {
    HttpResponse<Buffer> r = result(gw.declare(definition));
    assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 201);
    return r;
  }

  @Test
  void shouldRefuseAnIntegrationCallingItselfThroughTheGatewaysApiAndRunItOnce() {
    declared(new JsonObject().put("name", "loop").put("method", "POST")
      .put("url", "/api/sessions/{$conversationId}/integrations/loop").put("retries", 0).put("timeoutMs", 1500));

    JsonObject answer = result(gw.execute("L1", "loop", null));

    assertThat(answer.getJsonObject("result").getString("statusCode")).as(answer.encode()).isEqualTo("440");
    assertThat(answer.getString("reason")).contains("is blocked").contains("this gateway").contains("/demo/");
    JsonObject session = result(gw.session("L1"));
    assertThat(session.getJsonArray("recentResults")).as("runs of the loop").hasSize(1);
  }

  @Test
  void shouldRefuseAPassThroughToTheGatewaysApi() {
    declared(new JsonObject().put("name", "selfApi").put("method", "GET")
      .put("url", "http://127.0.0.1:" + gw.gateway.port() + "/api"));

    HttpResponse<Buffer> r = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/selfApi/integrations")
      .putHeader("X-Botgate-Session", "pt-1").send());

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(403);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("egress_blocked");
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("this gateway");
  }

  @Test
  void shouldStillServeTheDemoIntegrationAndAPassThroughToTheDemo() {
    JsonObject answer = result(gw.execute("tour", "faqIntegration",
      new JsonObject().put("variables", new JsonObject().put("question", "roaming"))));
    assertThat(answer.getJsonObject("result").getString("statusCode")).as(answer.encode()).isEqualTo("200");

    declared(new JsonObject().put("name", "demoBase").put("method", "GET")
      .put("url", "http://127.0.0.1:" + gw.gateway.port() + "/demo"));
    HttpResponse<Buffer> r = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/demoBase/faq?q=roaming")
      .putHeader("X-Botgate-Session", "pt-2").send());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("roaming");
  }
}
