package io.botgate.integration;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A definition that could never be sent, or nests too deeply to be walked, is refused when declared, every
 * problem listed with its field; what only the call can know (a port from a placeholder) is refused with "440"
 * before anything is sent.
 */
@ExtendWith(VertxExtension.class)
class UnsendableDefinitionTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("env", new JsonObject()
      .put("FAR_BASE", "http://127.0.0.1:99999"))));
  }

  private static JsonObject def(String name, String url) {
    return new JsonObject().put("name", name).put("method", "GET").put("url", url).put("retries", 0);
  }

  private static List<String> fields(HttpResponse<Buffer> answer) {
    return answer.bodyAsJsonObject().getJsonObject("error").getJsonArray("problems").stream()
      .map(p -> ((JsonObject) p).getString("field")).toList();
  }

  @Test
  void shouldRefuseHeadersThatCanNeverBeSentWith400ListingEveryOne() {
    JsonObject headers = new JsonObject().put("X", "a\r\nInjected: yes").put("X\nY", "a").put("Z", "\u0000")
      .put("", "a").put("Authorization", "Bearer Literal-Secret\u0007").put("Transfer-Encoding", "chunked");
    HttpResponse<Buffer> answer = result(gw.declare(def("unsendable", "stub:/echo/unsendable").put("headers", headers)));
    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(fields(answer)).containsExactlyInAnyOrder("headers.X", "headers.X\\u000aY", "headers.Z", "headers.",
      "headers.Authorization", "headers.Transfer-Encoding");
    assertThat(answer.bodyAsString()).doesNotContain("Literal-Secret").doesNotContain("Injected");
    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/integrations/unsendable").send()).statusCode())
      .as("nothing was saved").isEqualTo(404);
  }

  @Test
  void shouldRefuseAWrittenOutPortOutsideTheRangeWith400() {
    HttpResponse<Buffer> answer = result(gw.declare(def("farPort", "http://93.184.216.34:99999/")));
    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(fields(answer)).containsExactly("url");
    assertThat(answer.bodyAsString()).contains("a port is a number from 1 to 65535");
  }

  @Test
  void shouldRejectAPortFromAPlaceholderOutsideTheRangeAs440WithoutSending() {
    JsonObject report = result(gw.declareAndExecute("port", def("botPort", "http://127.0.0.1:{$botContext.port}/x"),
      new JsonObject().put("variables", new JsonObject().put("port", "99999"))));
    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("440");
    assertThat(report.getString("reason")).contains("port").contains("1 to 65535");

    JsonObject fromEnv = result(gw.declareAndExecute("port", def("envPort", "{$env.FAR_BASE}/x"), null));
    assertThat(fromEnv.getJsonObject("result").getString("statusCode")).isEqualTo("440");
    assertThat(fromEnv.encode()).doesNotContain("99999");

    JsonObject inRange = result(gw.declareAndExecute("port", def("stubPort", "http://127.0.0.1:{$botContext.port}/echo/port"),
      new JsonObject().put("variables", new JsonObject().put("port", String.valueOf(gw.upstream.port())))));
    assertThat(inRange.getJsonObject("result").getString("statusCode")).isEqualTo("200");
  }

  @Test
  void shouldRefuseADeeplyNestedBodyWith400NamingItAndKeepAnswering() {
    for (int depth : List.of(996, 999)) {
      for (boolean arrays : List.of(false, true)) {
        HttpResponse<Buffer> answer = result(gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/integrations/deep")
          .putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(DefinitionCheckTest.nested("body", depth, arrays))));
        assertThat(answer.statusCode()).as("%d %s: %s", depth, arrays, answer.bodyAsString()).isEqualTo(400);
        assertThat(fields(answer)).containsExactly("body");
      }
    }
    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/integrations/deep").send()).statusCode())
      .as("nothing was saved").isEqualTo(404);
    gw.assertHealthy();
    JsonObject report = result(gw.declareAndExecute("deep", def("afterDeep", "stub:/echo/afterDeep")
      .put("method", "POST").put("body", new JsonObject().put("a", new JsonObject().put("b", "{$botContext.x}"))),
      new JsonObject().put("variables", new JsonObject().put("x", "1"))));
    assertThat(report.getJsonObject("result").getString("statusCode")).isEqualTo("200");
  }

  @Test
  void shouldStillTakeTheShippedDefinitions() {
    JsonArray shipped = new JsonArray(Buffer.buffer(readShipped()));
    for (Object definition : shipped) {
      HttpResponse<Buffer> answer = result(gw.declare((JsonObject) definition));
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isBetween(200, 201);
    }
  }

  private static byte[] readShipped() {
    try {
      return java.nio.file.Files.readAllBytes(java.nio.file.Path.of("conf/integrations.json"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
