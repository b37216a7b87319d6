package io.botgate.cluster;

import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** Standalone: what PUT and DELETE change is in integrations.file, so a restart keeps it. */
@ExtendWith(VertxExtension.class)
class SavedDefinitionsTest {

  private static final String SECRET = "Bearer s3cret-value";

  @Test
  @Timeout(60)
  void shouldKeepPutAndDeleteAcrossARestart(Vertx vertx) throws IOException {
    TestGateway gw = result(TestGateway.start(vertx));
    Path file = integrationsFile(gw);
    JsonObject kept = new JsonObject().put("name", "kept").put("method", "GET").put("url", "stub:/echo/kept")
      .put("headers", new JsonObject().put("Authorization", SECRET));
    assertThat(result(gw.declare(kept)).statusCode()).isEqualTo(201);
    assertThat(result(delete(gw, "faqIntegration")).statusCode()).isEqualTo(204);

    result(gw.restart(Future.succeededFuture()));

    assertThat(result(gw.execute("s", "kept", null)).getString("outcome")).isEqualTo("success");
    assertThat(result(get(gw, "faqIntegration")).statusCode()).isEqualTo(404);
    assertThat(names(file)).containsExactly("kept");
    assertThat(Files.readString(file)).contains(SECRET);
  }

  @Test
  @Timeout(60)
  void shouldKeepTheSecretNotItsMaskWhenTheShownFormIsPutBack(Vertx vertx) throws IOException {
    TestGateway gw = result(TestGateway.start(vertx));
    JsonObject definition = new JsonObject().put("name", "masked").put("method", "GET").put("url", "stub:/echo/m")
      .put("headers", new JsonObject().put("Authorization", SECRET));
    assertThat(result(gw.declare(definition)).statusCode()).isEqualTo(201);
    JsonObject shown = result(get(gw, "masked")).bodyAsJsonObject();
    assertThat(shown.encode()).doesNotContain("s3cret");

    HttpResponse<Buffer> replaced = result(gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/integrations/masked")
      .sendJsonObject(shown.put("retries", 1)));

    assertThat(replaced.statusCode()).isEqualTo(200);
    JsonObject saved = definitionIn(integrationsFile(gw), "masked");
    assertThat(saved.getJsonObject("headers").getString("Authorization")).isEqualTo(SECRET);
    assertThat(saved.getInteger("retries")).isEqualTo(1);
  }

  @Test
  @Timeout(60)
  void shouldLoseNoneOfManyConcurrentPuts(Vertx vertx) throws IOException {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("http.instances", 2)));
    List<Future<HttpResponse<Buffer>>> puts = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      puts.add(gw.declare(new JsonObject().put("name", "c" + i).put("method", "GET").put("url", "stub:/echo/" + i)));
    }
    result(Future.all(puts));
    assertThat(puts).allSatisfy(put -> assertThat(put.result().statusCode()).isEqualTo(201));

    result(gw.restart(Future.succeededFuture()));

    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/integrations").send())
      .bodyAsJsonArray().size()).isEqualTo(31);
    assertThat(names(integrationsFile(gw))).hasSize(31).contains("faqIntegration", "c0", "c29");
  }

  @Test
  @Timeout(60)
  void shouldRefuseAChangeItCannotWriteAndKeepTheOldDefinition(Vertx vertx) throws IOException {
    TestGateway gw = result(TestGateway.start(vertx));
    Path file = integrationsFile(gw);
    String before = Files.readString(file);
    try (ReadOnly dir = ReadOnly.make(file.getParent())) {
      HttpResponse<Buffer> put = result(gw.declare(new JsonObject().put("name", "faqIntegration")
        .put("method", "POST").put("url", "stub:/echo/changed")));
      HttpResponse<Buffer> delete = result(delete(gw, "faqIntegration"));

      for (HttpResponse<Buffer> refused : List.of(put, delete)) {
        assertThat(refused.statusCode()).isEqualTo(503);
        JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("definitions_not_saved");
        assertThat(error.getString("message")).contains(file.toString()).contains("nothing was changed")
          .containsAnyOf("Operation not permitted", "permission denied", "Read-only file system");
      }
      JsonObject current = result(get(gw, "faqIntegration")).bodyAsJsonObject();
      assertThat(current.getString("method")).isEqualTo("GET");
      assertThat(current.getString("url")).isEqualTo("/demo/faq");
      assertThat(Files.readString(file)).isEqualTo(before);
      try (Stream<Path> files = Files.list(file.getParent())) {
        assertThat(files).as("no temporary file left behind").containsExactly(file);
      }
    }
  }

  private static Future<HttpResponse<Buffer>> delete(TestGateway gw, String name) {
    return gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/integrations/" + name).send();
  }

  private static Future<HttpResponse<Buffer>> get(TestGateway gw, String name) {
    return gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/integrations/" + name).send();
  }

  private static Path integrationsFile(TestGateway gw) {
    return Path.of(gw.config().getString("integrations.file"));
  }

  private static List<String> names(Path file) throws IOException {
    return new JsonArray(Files.readString(file)).stream().map(d -> ((JsonObject) d).getString("name")).toList();
  }

  private static JsonObject definitionIn(Path file, String name) throws IOException {
    return new JsonArray(Files.readString(file)).stream().map(JsonObject.class::cast)
      .filter(d -> d.getString("name").equals(name)).findFirst().orElseThrow();
  }

  /**
   * A directory nothing can be written in. Permissions stop a normal user; root ignores them, so then the
   * directory is made immutable (chattr +i); where neither works the test is skipped.
   */
  private record ReadOnly(Path dir, boolean immutable) implements AutoCloseable {

    static ReadOnly make(Path dir) throws IOException {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
      if (!writable(dir)) {
        return new ReadOnly(dir, false);
      }
      boolean immutable = run("chattr", "+i", dir.toString());
      ReadOnly made = new ReadOnly(dir, immutable);
      if (writable(dir)) {
        made.close();
        Assumptions.abort("cannot make a directory read-only here (root without chattr)");
      }
      return made;
    }

    private static boolean writable(Path dir) {
      try {
        Files.delete(Files.createTempFile(dir, "probe", ".tmp"));
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    private static boolean run(String... command) {
      try {
        return new ProcessBuilder(command).inheritIO().start().waitFor() == 0;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    @Override
    public void close() throws IOException {
      if (immutable) {
        run("chattr", "-i", dir.toString());
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }
}
