package io.botgate.integration;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Record mode's files, against real gateways: what mock mode answers from is what the disk holds (a recording that
 * could not be written is not kept, and says so).
 */
@Timeout(180)
class RecordedMocksTest {

  @TempDir
  Path mocks;
  /** Each gateway on its own Vert.x, closed after the test. */
  final List<Vertx> started = new ArrayList<>();

  @AfterEach
  void stop() {
    for (Vertx vertx : started) {
      result(vertx.close());
    }
  }

  TestGateway gateway(JsonObject config) {
    Vertx vertx = Vertx.vertx();
    started.add(vertx);
    return result(TestGateway.start(vertx, config.copy().put("upstream.mocksDir", mocks.toString())));
  }

  static JsonObject recorded(String name, String mode) {
    return new JsonObject().put("name", name).put("method", "GET").put("mode", mode).put("url", "stub:/faq")
      .put("query", new JsonObject().put("q", "roaming"));
  }

  static void declare(TestGateway g, JsonObject definition) {
    HttpResponse<Buffer> r = result(g.declare(definition));
    assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 201);
  }

  static String status(JsonObject answer) {
    return answer.getJsonObject("result").getString("statusCode");
  }

  static List<String> warnings(JsonObject answer) {
    return answer.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> "warning".equals(e.getString("kind"))).map(e -> e.getString("text")).toList();
  }

  List<String> files() throws IOException {
    try (Stream<Path> files = Files.list(mocks)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void shouldKeepNoRecordingTheFileCouldNotTakeAndSaySo() throws IOException {
    // The recording went into memory first: a write that failed left mock mode answering what the disk lacked (until
    // a restart took it away), and only the log said so.
    TestGateway g = gateway(new JsonObject());
    Path blocked = Files.createDirectories(mocks.resolve("unwritable.json"));
    Files.writeString(blocked.resolve("in-the-way"), "a directory where the file goes: the rename fails");
    declare(g, recorded("unwritable", "record"));

    JsonObject live = result(g.execute("rec", "unwritable", null));
    assertThat(status(live)).as("the call's answer stands").isEqualTo("200");
    assertThat(warnings(live)).anySatisfy(w -> assertThat(w).startsWith("unwritable: record mode: the answer was not"
      + " recorded").contains(mocks + "/unwritable.json", "are as they were"));

    declare(g, recorded("unwritable", "mock"));
    JsonObject replayed = result(g.execute("mock", "unwritable", null));
    assertThat(status(replayed)).as("no mock but what the disk holds").isEqualTo("440");
    assertThat(files()).containsExactly("unwritable.json");

    // once the file can be written, the recording is on the disk and answers
    Files.delete(blocked.resolve("in-the-way"));
    Files.delete(blocked);
    declare(g, recorded("unwritable", "record"));
    assertThat(warnings(result(g.execute("rec", "unwritable", null)))).isEmpty();
    assertThat(new JsonArray(Files.readString(mocks.resolve("unwritable.json")))).hasSize(1);
    declare(g, recorded("unwritable", "mock"));
    assertThat(status(result(g.execute("mock", "unwritable", null)))).isEqualTo("200");
  }
}
