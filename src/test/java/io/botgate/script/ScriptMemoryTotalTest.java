package io.botgate.script;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the script runs going on at once may allocate together ({@code script.memory.total.mb}), in a gateway
 * process of its own with a small heap: {@code script.threads} runs each within its own {@code script.memory.mb}
 * could hold more than the heap, which ran out for every session of the gateway.
 */
class ScriptMemoryTotalTest {

  private static final Pattern LISTENING = Pattern.compile("botgate listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final int RUNS = 4;

  /**
   * Each run holds eight 8 MiB arrays (64 MiB), marks itself done (also when refused), and holds them until every
   * run is done, so that all hold their memory at once: four are 256 MiB, the whole heap. A refusal is caught by
   * the script and sent as a message; a run stopped between instructions answers a limit error.
   */
  private static String holder(int i) {
    return "botContext.registerContextNamespace('hold');"
      + "var keep = [], said = 'held';"
      + "try { for (var j = 0; j < 8; j++) { keep.push(new Uint8Array(8 << 20)); } }"
      + "catch (e) { said = 'refused: ' + e.message; }"
      + "botContext.setGlobalContextData('hold', 'done" + i + "', true);"
      + "var until = Date.now() + 20000;"
      + "function done() { var n = 0; for (var k = 0; k < " + RUNS + "; k++) {"
      + "  if (botContext.getGlobalContextData('hold', 'done' + k)) { n++; } } return n; }"
      + "while (done() < " + RUNS + " && Date.now() < until) { }"
      + "botContext.sendMessage(said + ' ' + keep.length);";
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void shouldRefuseARunPastTheTotalOfTheRunsGoingOnRatherThanRunOutOfHeap() throws Exception {
    Path log = Files.createTempFile("botgate-script-total", ".log");
    log.toFile().deleteOnExit();
    Process gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
      "-Dscript.threads=" + RUNS, "-Dscript.memory.mb=1024", "-Dscript.memory.total.mb=96", "-Dscript.cpu.ms=30000",
      "-Dintegrations.file=", "-Dcredentials.file=", "-Dimports.file=",
      "io.botgate.Main", "--port", "0", "--config", "conf/config.json")
      .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      await().atMost(150, TimeUnit.SECONDS).until(() -> LISTENING.matcher(Files.readString(log)).find()
        || !gateway.isAlive());
      Matcher listening = LISTENING.matcher(Files.readString(log));
      assertThat(listening.find()).as(Files.readString(log)).isTrue();
      int port = Integer.parseInt(listening.group(1));
      HttpClient http = HttpClient.newHttpClient();

      List<CompletableFuture<JsonObject>> runs = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) {
        runs.add(run(http, port, "holder-" + i, holder(i)));
      }
      List<String> said = new ArrayList<>();
      for (CompletableFuture<JsonObject> run : runs) {
        JsonObject answer = run.get(3, TimeUnit.MINUTES);
        JsonObject error = answer.getJsonObject("error");
        // refused at an allocation (a RangeError the script caught), or stopped at a check between instructions
        said.add(error == null ? answer.getJsonArray("messages").getJsonObject(0).getString("text")
          : error.getString("type") + ": " + error.getString("message"));
      }
      assertThat(said).as("the runs together hold at most the total: some are refused, naming it")
        .anyMatch(text -> text.contains("script.memory.total.mb"))
        .allMatch(text -> text.startsWith("held 8") || text.startsWith("refused: ") || text.startsWith("limit: "))
        .allMatch(text -> text.startsWith("held 8") || text.contains("script.memory.total.mb"));

      JsonObject other = run(http, port, "other", "botContext.sendMessage('still here');").get(1, TimeUnit.MINUTES);
      assertThat(other.getJsonArray("messages").getJsonObject(0).getString("text")).isEqualTo("still here");
      assertThat(gateway.isAlive()).isTrue();
      assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError").doesNotContain("too large for memory")
        .contains("script.memory.total.mb");
    } finally {
      gateway.destroyForcibly();
      gateway.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static CompletableFuture<JsonObject> run(HttpClient http, int port, String session, String code) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/sessions/" + session
        + "/scripts"))
      .header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("code", code).encode()))
      .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return new JsonObject(r.body());
    });
  }
}
