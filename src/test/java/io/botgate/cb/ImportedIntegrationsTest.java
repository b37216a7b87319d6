package io.botgate.cb;

import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An imported bot's integrations against PUT and DELETE of integrations and the bot's own deletion, on a real
 * gateway restarted on the same files: after a restart the gateway holds what the API had answered.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class ImportedIntegrationsTest {

  @Test
  void shouldRefuseToPutOrDeleteABotsIntegrationAndKeepTheBotAcrossARestart(Vertx vertx) throws Exception {
    TestGateway gw = result(TestGateway.start(vertx));
    assertThat(result(importBot(gw, "Q", "qi", "https://q.example.com/qi", false)).statusCode()).isEqualTo(201);

    HttpResponse<Buffer> put = result(send(gw, HttpMethod.PUT, "/api/integrations/qi",
      new JsonObject().put("method", "GET").put("url", "https://api.example.com/put")));
    HttpResponse<Buffer> delete = result(send(gw, HttpMethod.DELETE, "/api/integrations/qi", null));

    for (HttpResponse<Buffer> refused : java.util.List.of(put, delete)) {
      assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(409);
      JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("integration_conflict");
      assertThat(error.getString("bot")).isEqualTo("Q");
      assertThat(error.getString("message")).contains("'Q'");
    }
    assertThat(url(gw, "qi")).isEqualTo("https://q.example.com/qi");

    result(gw.restart(Future.succeededFuture()));

    assertThat(integrationsOf(gw, "Q")).containsExactly("qi");
    assertThat(url(gw, "qi")).isEqualTo("https://q.example.com/qi");
  }

  @Test
  void shouldGiveADeletedBotsIntegrationsBackToWhatTheyReplacedAndKeepThatAcrossARestart(Vertx vertx)
    throws Exception {
    TestGateway gw = result(TestGateway.start(vertx));
    assertThat(result(send(gw, HttpMethod.PUT, "/api/integrations/zz",
      new JsonObject().put("method", "GET").put("url", "https://api.example.com/put"))).statusCode()).isEqualTo(201);
    assertThat(result(importBot(gw, "Z", "zz", "https://z.example.com/zz", true)).statusCode()).isEqualTo(201);
    assertThat(result(importBot(gw, "Y", "yy1", "https://y.example.com/yy1", false)).statusCode()).isEqualTo(201);
    assertThat(url(gw, "zz")).isEqualTo("https://z.example.com/zz");

    assertThat(result(send(gw, HttpMethod.DELETE, "/api/bots/Z", null)).statusCode()).isEqualTo(204);
    assertThat(result(send(gw, HttpMethod.DELETE, "/api/bots/Y", null)).statusCode()).isEqualTo(204);

    assertThat(url(gw, "zz")).as("the PUT's definition, which the bot had replaced").isEqualTo("https://api.example.com/put");
    assertThat(result(send(gw, HttpMethod.GET, "/api/integrations/yy1", null)).statusCode()).isEqualTo(404);
    result(gw.restart(Future.succeededFuture()));
    assertThat(url(gw, "zz")).isEqualTo("https://api.example.com/put");
    assertThat(result(send(gw, HttpMethod.GET, "/api/integrations/yy1", null)).statusCode()).isEqualTo(404);
    assertThat(result(send(gw, HttpMethod.DELETE, "/api/integrations/zz", null)).statusCode()).isEqualTo(204);
    result(gw.restart(Future.succeededFuture()));
    assertThat(result(send(gw, HttpMethod.GET, "/api/integrations/zz", null)).statusCode()).isEqualTo(404);
  }

  @Test
  void shouldGiveAnIntegrationBackToTheLatestOtherBotDeclaringItAndKeepThatAcrossARestart(Vertx vertx)
    throws Exception {
    TestGateway gw = result(TestGateway.start(vertx));
    assertThat(result(importBot(gw, "Q", "qi", "https://q.example.com/qi", false)).statusCode()).isEqualTo(201);
    assertThat(result(importBot(gw, "D", "qi", "https://d.example.com/qi", true)).statusCode()).isEqualTo(201);
    assertThat(result(importBot(gw, "Q", "qi", "https://q.example.com/qi", true)).statusCode()).as("took back")
      .isEqualTo(200);

    result(gw.restart(Future.succeededFuture()));
    assertThat(url(gw, "qi")).as("the latest import's, as before the restart").isEqualTo("https://q.example.com/qi");
    assertThat(integrationsOf(gw, "D")).isEmpty();

    assertThat(result(send(gw, HttpMethod.DELETE, "/api/bots/Q", null)).statusCode()).isEqualTo(204);
    assertThat(url(gw, "qi")).isEqualTo("https://d.example.com/qi");
    assertThat(integrationsOf(gw, "D")).containsExactly("qi");
    result(gw.restart(Future.succeededFuture()));
    assertThat(url(gw, "qi")).isEqualTo("https://d.example.com/qi");
    assertThat(integrationsOf(gw, "D")).containsExactly("qi");
  }

  @Test
  void shouldKeepACredentialThatADefinitionABotSetAsideStillNames(Vertx vertx) throws Exception {
    TestGateway gw = result(TestGateway.start(vertx));
    assertThat(result(send(gw, HttpMethod.PUT, "/api/credentials/asideCred",
      new JsonObject().put("type", "token").put("value", "Bearer aside"))).statusCode()).isEqualTo(201);
    assertThat(result(send(gw, HttpMethod.PUT, "/api/integrations/aside", new JsonObject().put("method", "GET")
      .put("url", "https://api.example.com/aside").put("credential", "asideCred"))).statusCode()).isEqualTo(201);
    assertThat(result(importBot(gw, "Shadower", "aside", "https://s.example.com/aside", true)).statusCode()).isEqualTo(201);

    // the bot's own definition names no credential, but the one it set aside comes back with the bot's removal
    HttpResponse<Buffer> refused = result(send(gw, HttpMethod.DELETE, "/api/credentials/asideCred", null));
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(409);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("credential_in_use");
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("aside");

    assertThat(result(send(gw, HttpMethod.DELETE, "/api/bots/Shadower", null)).statusCode()).isEqualTo(204);
    HttpResponse<Buffer> integration = result(send(gw, HttpMethod.GET, "/api/integrations/aside", null));
    assertThat(integration.bodyAsJsonObject().getString("credential")).isEqualTo("asideCred");
    assertThat(result(send(gw, HttpMethod.GET, "/api/credentials/asideCred", null)).statusCode()).isEqualTo(200);
  }

  /** A bot of one responder (Greeter's interactions and global functions). */
  static Future<HttpResponse<Buffer>> importBot(TestGateway gw, String bot, String responder, String url,
                                                boolean replace) throws Exception {
    JsonObject export = new JsonObject(Files.readString(Path.of("src/test/resources/cb/greeter.json")))
      .put("bot", new JsonObject().put("name", bot).put("id", bot + "-id"))
      .put("responder", new JsonArray().add(new JsonObject().put("name", responder).put("integrationType", "API")
        .put("webhook", url).put("method", "GET")));
    return send(gw, HttpMethod.POST, "/api/import/cb", new JsonObject().put("export", export).put("replace", replace));
  }

  static Future<HttpResponse<Buffer>> send(TestGateway gw, HttpMethod method, String path, JsonObject body) {
    var request = gw.http.request(method, gw.gateway.port(), "127.0.0.1", path);
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  static String url(TestGateway gw, String integration) {
    HttpResponse<Buffer> r = result(send(gw, HttpMethod.GET, "/api/integrations/" + integration, null));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getString("url");
  }

  static java.util.List<Object> integrationsOf(TestGateway gw, String bot) {
    HttpResponse<Buffer> r = result(send(gw, HttpMethod.GET, "/api/bots/" + bot, null));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonArray("integrations").getList();
  }
}
