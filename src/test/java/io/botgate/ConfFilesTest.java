package io.botgate;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A saved file larger than the heap could parse stops the start naming it, rather than as "Java heap space"; an
 * empty path means no file.
 */
class ConfFilesTest {

  @Test
  void shouldRefuseAFileTheHeapCouldNotParseNamingItAndTheHeap() {
    long heap = 256L << 20;
    assertThatThrownBy(() -> ConfFiles.checkFits("integrations.file", "conf/integrations.json", 157_000_000L, heap))
      .hasMessageContaining("integrations.file: conf/integrations.json is 157000000 bytes")
      .hasMessageContaining("256 MiB").hasMessageContaining("-Xmx");
    assertThatCode(() -> ConfFiles.checkFits("integrations.file", "conf/integrations.json", 1_000_000L, heap))
      .doesNotThrowAnyException();
  }

  @Test
  void shouldNameADirectoryOrABrokenLinkWhereAFileShouldBeRatherThanCallItMissing(@TempDir Path dir) throws IOException {
    // At the default path, "missing" meant starting on the embedded defaults without a word.
    Path directory = Files.createDirectory(dir.resolve("integrations.json"));
    Path broken = Files.createSymbolicLink(dir.resolve("credentials.json"), dir.resolve("unmounted/credentials.json"));
    Path loop = Files.createSymbolicLink(dir.resolve("imports.json"), dir.resolve("imports.json"));
    Vertx vertx = Vertx.vertx();
    try {
      assertThat(failure(ConfFiles.read(vertx, "integrations.file", directory.toString(), "my.json", () -> "[]")))
        .hasMessage("integrations.file: " + directory + " (my.json) is a directory, not a file");
      assertThat(failure(ConfFiles.read(vertx, "credentials.file", broken.toString(), "my.json", () -> null)))
        .hasMessageStartingWith("credentials.file: " + broken + " (my.json) is a symbolic link that leads to no file");
      assertThat(failure(ConfFiles.read(vertx, "imports.file", loop.toString(), "my.json", () -> null)))
        .hasMessageStartingWith("imports.file: " + loop + " (my.json) is a symbolic link that leads to no file");
    } finally {
      result(vertx.close());
    }
  }

  @Test
  void shouldStartWithNoFileForAnEmptyPathAndKeepChangesInMemory() {
    Vertx vertx = Vertx.vertx();
    try {
      TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("integrations.file", "")
        .put("credentials.file", "").put("imports.file", "")));
      int port = gw.gateway.port();
      assertThat(result(gw.http.get(port, "127.0.0.1", "/api/integrations").send()).bodyAsJsonArray()).isEmpty();

      assertThat(result(gw.http.put(port, "127.0.0.1", "/api/integrations/kept").sendJsonObject(new JsonObject()
        .put("method", "GET").put("url", "http://127.0.0.1:9/x"))).statusCode()).isEqualTo(201);
      JsonArray listed = result(gw.http.get(port, "127.0.0.1", "/api/integrations").send()).bodyAsJsonArray();
      assertThat(listed.getJsonObject(0).getString("name")).isEqualTo("kept");
    } finally {
      result(vertx.close());
    }
  }
}
