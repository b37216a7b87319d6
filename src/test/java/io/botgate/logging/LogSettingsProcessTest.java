package io.botgate.logging;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Where the {@code log.*} settings apply, as a user meets them: in a gateway embedded in an application of their own,
 * and not under a Logback configuration of their own, which the start then says rather than ignoring them silently;
 * and {@code log.access} whatever {@code log.level}.
 */
class LogSettingsProcessTest {

  @Test
  @Timeout(120)
  void shouldWriteJsonLinesWhenEmbeddedWithLogFormatJson() throws Exception {
    Path log = Files.createTempFile("embedded", ".log");
    log.toFile().deleteOnExit();
    Process app = start(log, List.of("-Dlog.format=json", "-Dhttp.port=0", "-Dintegrations.file=",
      EmbeddingApplication.class.getName()));
    try {
      await().atMost(110, TimeUnit.SECONDS).until(() -> Files.readString(log).contains("botgate listening on"));
      String listening = Files.readString(log).lines().filter(l -> l.contains("botgate listening on")).findFirst()
        .orElseThrow();
      assertThat(listening).as("the gateway's line, in the format log.format names").startsWith("{");
      assertThat(new JsonObject(listening).getString("formattedMessage")).startsWith("botgate listening on http://");
    } finally {
      app.destroyForcibly();
    }
  }

  /** A user who turns the access log on and the rest down to warnings still gets the lines they asked for. */
  @Test
  @Timeout(200)
  void shouldWriteAccessLinesWhenLogAccessIsOnWhateverLogLevel() throws Exception {
    Path log = Files.createTempFile("gateway", ".log");
    log.toFile().deleteOnExit();
    int port = freePort();
    Process gateway = start(log, List.of("-Dlog.level=warn", "-Dlog.access=true", "-Dintegrations.file=",
      "io.botgate.Main", "--port", String.valueOf(port), "--config", "conf/config.json"));
    try {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
      await().atMost(110, TimeUnit.SECONDS).ignoreExceptions()
        .until(() -> http.send(health, BodyHandlers.discarding()).statusCode() == 200);
      await().atMost(60, TimeUnit.SECONDS).untilAsserted(() -> assertThat(Files.readString(log))
        .contains("GET /health 200"));
      assertThat(Files.readString(log)).as("the other info lines, below log.level").doesNotContain("INFO  Botgate");
    } finally {
      gateway.destroyForcibly();
    }
  }

  @Test
  @Timeout(120)
  void shouldWarnAtStartNamingTheLogSettingsAnOwnLogbackFileOverrides() throws Exception {
    Path log = Files.createTempFile("gateway", ".log");
    log.toFile().deleteOnExit();
    Path logback = Files.createTempFile("logback", ".xml");
    logback.toFile().deleteOnExit();
    Files.writeString(logback, """
      <configuration>
        <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>MINE %level %msg%n</pattern></encoder>
        </appender>
        <root level="INFO"><appender-ref ref="OUT"/></root>
      </configuration>
      """);
    Process gateway = start(log, List.of("-Dlogback.configurationFile=" + logback, "-Dlog.format=json",
      "-Dlog.level=warn", "-Dintegrations.file=", "io.botgate.Main", "--port", "0", "--config", "conf/config.json"));
    try {
      await().atMost(110, TimeUnit.SECONDS).until(() -> Files.readString(log).contains("botgate listening on"));
      assertThat(Files.readString(log).lines()).as(Files.readString(log)).anySatisfy(line -> assertThat(line)
        .startsWith("MINE WARN ")
        .contains("log.format=json (system property log.format), log.level=warn (system property log.level) take "
          + "no effect: Logback reads " + logback + " (-Dlogback.configurationFile); set the format and level there"));
    } finally {
      gateway.destroyForcibly();
    }
  }

  /** A port free now, for a gateway that at log.level warn writes no "listening" line to read its port from. */
  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Process start(Path log, List<String> arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path")));
    command.addAll(arguments);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
