package io.botgate.cluster;

import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Standalone: what PUT and DELETE change is in integrations.file, so a restart keeps it. */
@ExtendWith(VertxExtension.class)
class SavedDefinitionsTest {

  private static final String SECRET = "Bearer s3cret-value";
  private static final Pattern LISTENING = Pattern.compile("botgate listening on http://127\\.0\\.0\\.1:(\\d+)");

  /** In a field: a client only a local variable refers to can be closed mid-request by its Cleaner. */
  private WebClient http;

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
  void shouldRefuseToWriteOverWhatASecondGatewayOnTheSameFileSaved(Vertx vertx) throws IOException {
    TestGateway first = result(TestGateway.start(vertx));
    Path file = integrationsFile(first);
    TestGateway second = result(TestGateway.start(vertx, new JsonObject().put("integrations.file", file.toString())));
    assertThat(result(first.declare(new JsonObject().put("name", "fromFirst").put("method", "GET")
      .put("url", "stub:/echo/first"))).statusCode()).isEqualTo(201);

    HttpResponse<Buffer> refused = result(second.declare(new JsonObject().put("name", "fromSecond").put("method", "GET")
      .put("url", "stub:/echo/second")));

    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(409);
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("definitions_changed");
    assertThat(error.getString("message")).contains(file.toString()).contains("another gateway")
      .contains("nothing was changed");
    assertThat(result(get(second, "fromSecond")).statusCode()).as("memory is what the file would give").isEqualTo(404);
    assertThat(names(file)).containsExactly("faqIntegration", "fromFirst");
    result(first.restart(Future.succeededFuture()));
    assertThat(result(get(first, "fromFirst")).statusCode()).isEqualTo(200);
  }

  @Test
  @Timeout(60)
  void shouldKeepAnEditByHandMadeWhileRunningRatherThanWriteOverIt(Vertx vertx) throws IOException {
    TestGateway gw = result(TestGateway.start(vertx));
    Path file = integrationsFile(gw);
    assertThat(result(gw.declare(new JsonObject().put("name", "viaApi").put("method", "GET")
      .put("url", "stub:/echo/api"))).statusCode()).isEqualTo(201);
    JsonArray edited = new JsonArray(Files.readString(file)).add(new JsonObject().put("name", "byHand")
      .put("method", "GET").put("url", "https://example.com/by-hand"));
    Files.writeString(file, edited.encodePrettily());

    HttpResponse<Buffer> refused = result(delete(gw, "viaApi"));

    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(409);
    assertThat(names(file)).containsExactly("faqIntegration", "viaApi", "byHand");
    assertThat(result(get(gw, "viaApi")).statusCode()).isEqualTo(200);
  }

  @Test
  @Timeout(60)
  void shouldStartOnFilesAnEditorSavedWithAByteOrderMark(Vertx vertx, @TempDir Path dir) throws IOException {
    // Windows editors (Notepad) save UTF-8 with a BOM; the imports and configuration files were read with one.
    Path integrations = withByteOrderMark(dir.resolve("integrations.json"), new JsonArray().add(new JsonObject()
      .put("name", "edited").put("method", "GET").put("url", "https://example.com/edited").put("mode", "mock")));
    Path credentials = withByteOrderMark(dir.resolve("credentials.json"), new JsonArray().add(new JsonObject()
      .put("name", "editedKey").put("type", "token").put("value", "Bearer edited")));
    Path mocks = Files.createDirectory(dir.resolve("mocks"));
    withByteOrderMark(mocks.resolve("edited.json"), new JsonArray().add(new JsonObject().put("status", 200)
      .put("body", new JsonObject().put("answer", "from the edited mock"))));

    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("integrations.file", integrations.toString())
      .put("credentials.file", credentials.toString()).put("upstream.mocksDir", mocks.toString())));

    JsonObject executed = result(gw.execute("bom", "edited", null));
    assertThat(executed.getString("outcome")).as(executed.encode()).isEqualTo("success");
    assertThat(executed.encode()).contains("from the edited mock");
    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/credentials/editedKey").send()).statusCode())
      .isEqualTo(200);
    // the file as read at start is the gateway's own: the next change is written over it, BOM and all
    HttpResponse<Buffer> put = result(gw.declare(new JsonObject().put("name", "added").put("method", "GET")
      .put("url", "https://example.com/added")));
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(201);
    assertThat(names(integrations)).containsExactlyInAnyOrder("edited", "added");
  }

  private static Path withByteOrderMark(Path file, JsonArray content) throws IOException {
    return Files.writeString(file, "\uFEFF" + content.encodePrettily());
  }

  @Test
  @Timeout(60)
  void shouldRefuseADefinitionPastDefinitionsMaxBytesAndStillTakeChangesThatShrinkThem(Vertx vertx) throws IOException {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("definitions.maxBytes", 1_000)));
    Path file = integrationsFile(gw);
    // the test file's faqIntegration takes 168 bytes; each of these about 300
    for (String name : List.of("one", "two")) {
      assertThat(result(gw.declare(sized(name))).statusCode()).as(name).isEqualTo(201);
    }
    String before = Files.readString(file);

    HttpResponse<Buffer> refused = result(gw.declare(sized("three")));

    assertThat(refused.statusCode()).isEqualTo(507);
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("definitions_full");
    assertThat(error.getString("message")).contains("integrations not saved").contains("definitions.maxBytes (1000)")
      .contains("nothing was changed");
    assertThat(result(get(gw, "three")).statusCode()).isEqualTo(404);
    assertThat(Files.readString(file)).isEqualTo(before);
    // a smaller one in the place of a larger one, and a removal, are taken; then there is room again
    assertThat(result(gw.declare(sized("two").put("headers", new JsonObject()))).statusCode()).isEqualTo(200);
    assertThat(result(delete(gw, "one")).statusCode()).isEqualTo(204);
    assertThat(result(gw.declare(sized("three"))).statusCode()).isEqualTo(201);
    assertThat(names(file)).containsExactly("faqIntegration", "two", "three");
  }

  /** An integration of about 300 bytes as JSON. */
  private static JsonObject sized(String name) {
    return new JsonObject().put("name", name).put("method", "GET").put("url", "stub:/echo/" + name)
      .put("headers", new JsonObject().put("X-Padding", "p".repeat(200)));
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

  @Test
  @Timeout(120)
  void shouldCreateTheDefaultFileWhenStartedOnTheEmbeddedDefaults(Vertx vertx, @TempDir Path dir) throws Exception {
    Path log = dir.resolve("gateway.log");
    Process gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), "io.botgate.Main", "--port", "0")
      .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      AtomicReference<Integer> port = new AtomicReference<>();
      await().atMost(60, TimeUnit.SECONDS).until(() -> port(log, port));
      http = WebClient.create(vertx);
      HttpResponse<Buffer> put = result(http.put(port.get(), "127.0.0.1", "/api/integrations/added")
        .sendJsonObject(new JsonObject().put("method", "GET").put("url", "https://example.com/added")));

      assertThat(put.statusCode()).as(Files.readString(log)).isEqualTo(201);
      Path file = dir.resolve("conf/integrations.json");
      assertThat(names(file)).containsExactly("faqIntegration", "added");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

      HttpResponse<Buffer> credential = result(http.put(port.get(), "127.0.0.1", "/api/credentials/partnerKey")
        .sendJsonObject(new JsonObject().put("type", "token").put("header", "X-Key").put("value", "{$env.KEY}")));
      assertThat(credential.statusCode()).as(credential.bodyAsString()).isEqualTo(201);
      Path credentials = dir.resolve("conf/credentials.json");
      assertThat(names(credentials)).containsExactly("partnerKey");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");
    } finally {
      gateway.destroyForcibly().waitFor();
    }
  }

  private static boolean port(Path log, AtomicReference<Integer> port) throws IOException {
    Matcher m = LISTENING.matcher(Files.readString(log));
    if (m.find()) {
      port.set(Integer.parseInt(m.group(1)));
    }
    return port.get() != null;
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
  record ReadOnly(Path dir, boolean immutable) implements AutoCloseable {

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
