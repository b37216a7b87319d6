package io.botgate.logging;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The gateway as an operator runs it with {@code log.format=json}: every line it writes is a JSON object. */
class JsonLogProcessTest {

  @Test
  @Timeout(120)
  void shouldWriteOnlyJsonLinesFromStartToStop() throws Exception {
    Path logFile = Files.createTempFile("gateway", ".log");
    Process gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), "-Dlog.format=json", "io.botgate.Main", "--port", "0",
      "--config", "conf/config.json")
      .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    try {
      await().atMost(150, TimeUnit.SECONDS).until(() -> Files.readString(logFile).contains("botgate listening on"));
      gateway.destroy(); // SIGTERM
      assertThat(gateway.waitFor(40, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(logFile);
      assertThat(gateway.exitValue()).as(log).isZero();
      assertThat(log).doesNotContain("SLF4J");
      List<JsonObject> lines = log.lines().map(JsonObject::new).toList();
      assertThat(lines).extracting(l -> l.getString("formattedMessage"))
        .anyMatch(m -> m.startsWith("botgate listening on http://127.0.0.1:"))
        .anyMatch(m -> m.startsWith("botgate draining"))
        .anyMatch(m -> m.startsWith("botgate stopped after"));
      assertThat(lines).allSatisfy(l -> assertThat(l.getString("level")).isNotBlank());
    } finally {
      gateway.destroyForcibly();
    }
  }
}
