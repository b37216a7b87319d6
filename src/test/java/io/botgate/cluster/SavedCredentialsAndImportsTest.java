package io.botgate.cluster;

import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** Standalone: a PUT credential and an imported CB bot are in their files, so a restart keeps them. */
@ExtendWith(VertxExtension.class)
class SavedCredentialsAndImportsTest {

  private static final String KEY = "k-4711-secret";

  @Test
  @Timeout(90)
  void shouldKeepAPutCredentialAndAnImportedBotAcrossARestart(Vertx vertx) throws IOException {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("env", new JsonObject().put("PARTNER_KEY", KEY))));
    assertThat(result(putCredential(gw, "partnerKey", "{$env.PARTNER_KEY}")).statusCode()).isEqualTo(201);
    assertThat(result(gw.declare(new JsonObject().put("name", "keyed").put("method", "GET").put("url", "stub:/echo/k")
      .put("credential", "partnerKey"))).statusCode()).isEqualTo(201);
    HttpResponse<Buffer> imported = result(importGreeter(gw));
    assertThat(imported.statusCode()).as(imported.bodyAsString()).isEqualTo(201);
    assertThat(imported.bodyAsJsonObject().getString("bot")).isEqualTo("Greeter");

    result(gw.restart(Future.succeededFuture()));

    assertThat(result(gw.execute("s", "keyed", null)).getString("outcome")).isEqualTo("success");
    assertThat(gw.upstream.received.get(gw.upstream.received.size() - 1).headers().getString("x-partner-key"))
      .isEqualTo(KEY);
    assertThat(greet(gw, "Lin")).isEqualTo("greeter says the greeter to Lin");
    String credentials = Files.readString(file(gw, "credentials.file"));
    assertThat(credentials).contains("{$env.PARTNER_KEY}").doesNotContain(KEY);
    assertThat(names(file(gw, "imports.file"))).containsExactly("Greeter");

    assertThat(result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/bots/Greeter").send()).statusCode())
      .isEqualTo(204);
    result(gw.restart(Future.succeededFuture()));
    assertThat(result(get(gw, "/api/bots/Greeter")).statusCode()).isEqualTo(404);
    assertThat(names(file(gw, "imports.file"))).isEmpty();
  }

  @Test
  @Timeout(60)
  void shouldRefuseACredentialOrAnImportItCannotWriteAndChangeNothing(Vertx vertx) throws IOException {
    TestGateway gw = result(TestGateway.start(vertx));
    assertThat(result(putCredential(gw, "kept", "v1")).statusCode()).isEqualTo(201);
    Path credentials = file(gw, "credentials.file");
    Path imports = file(gw, "imports.file");
    String before = Files.readString(credentials);
    try (SavedDefinitionsTest.ReadOnly c = SavedDefinitionsTest.ReadOnly.make(credentials.getParent());
         SavedDefinitionsTest.ReadOnly i = SavedDefinitionsTest.ReadOnly.make(imports.getParent())) {
      HttpResponse<Buffer> put = result(putCredential(gw, "added", "v2"));
      HttpResponse<Buffer> delete = result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/credentials/kept").send());
      HttpResponse<Buffer> imported = result(importGreeter(gw));

      for (HttpResponse<Buffer> refused : List.of(put, delete, imported)) {
        assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(503);
        JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("definitions_not_saved");
        assertThat(error.getString("message")).contains("nothing was changed");
      }
      assertThat(result(get(gw, "/api/credentials/added")).statusCode()).isEqualTo(404);
      assertThat(result(get(gw, "/api/credentials/kept")).statusCode()).isEqualTo(200);
      assertThat(result(get(gw, "/api/bots/Greeter")).statusCode()).isEqualTo(404);
      assertThat(Files.readString(credentials)).isEqualTo(before);
      assertThat(Files.readString(imports)).isEqualTo("[]\n");
    }
  }

  @Test
  @Timeout(60)
  void shouldRefuseAnImportPastDefinitionsMaxBytesAndInstallNothing(Vertx vertx) throws IOException {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("definitions.maxBytes", 500)));

    HttpResponse<Buffer> imported = result(importGreeter(gw)); // the Greeter export alone is larger than that

    assertThat(imported.statusCode()).as(imported.bodyAsString()).isEqualTo(507);
    JsonObject error = imported.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("definitions_full");
    assertThat(error.getString("message")).contains("imports not saved").contains("definitions.maxBytes (500)");
    assertThat(result(get(gw, "/api/bots/Greeter")).statusCode()).isEqualTo(404);
    assertThat(greet(gw, "Lin")).isNull();
    assertThat(Files.readString(file(gw, "imports.file"))).isEqualTo("[]\n");
  }

  static Future<HttpResponse<Buffer>> putCredential(TestGateway gw, String name, String value) {
    return gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/credentials/" + name)
      .sendJsonObject(new JsonObject().put("type", "token").put("header", "X-Partner-Key").put("value", value));
  }

  static Future<HttpResponse<Buffer>> importGreeter(TestGateway gw) {
    try {
      JsonObject export = new JsonObject(Files.readString(Path.of("src/test/resources/cb/greeter.json")));
      return gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/import/cb")
        .sendJsonObject(new JsonObject().put("export", export));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The Greeter bot's first message to a customer of that name, or null when the interaction fails. */
  static String greet(TestGateway gw, String firstName) {
    HttpResponse<Buffer> r = result(gw.http.post(gw.gateway.port(), "127.0.0.1",
      "/api/sessions/greet-" + firstName + "/bots/Greeter/interactions/dialog_starter").sendJsonObject(new JsonObject()
      .put("context", new JsonObject().put("customerInfo", new JsonObject().put("firstName", firstName)))));
    return r.statusCode() != 200 ? null
      : r.bodyAsJsonObject().getJsonArray("messages").getJsonObject(0).getString("text");
  }

  static Future<HttpResponse<Buffer>> get(TestGateway gw, String path) {
    return gw.http.get(gw.gateway.port(), "127.0.0.1", path).send();
  }

  static Path file(TestGateway gw, String key) {
    return Path.of(gw.config().getString(key));
  }

  static List<String> names(Path file) throws IOException {
    return new JsonArray(Files.readString(file)).stream().map(d -> ((JsonObject) d).getString("name")).toList();
  }
}
