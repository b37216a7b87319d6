package io.botgate.api;

import io.botgate.Await;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class DefinitionSizeTest {

  @Test
  @Timeout(60)
  void shouldRefuseATransformScriptOverTheSourceLimitAtDeclaration(Vertx vertx) {
    TestGateway gw = Await.result(TestGateway.start(vertx));
    HttpResponse<Buffer> r = Await.result(gw.declare(new JsonObject().put("name", "big").put("method", "GET")
      .put("url", "https://example.com/x").put("transformScript", "var a = 1; //" + "x".repeat(300_000))));
    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject problem = r.bodyAsJsonObject().getJsonObject("error").getJsonArray("problems").getJsonObject(0);
    assertThat(problem.getString("field")).isEqualTo("transformScript");
    assertThat(problem.getString("message")).contains("more than script.maxSourceBytes (262144)");
  }
}
