package io.botgate.logging;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway as an operator runs it: with {@code log.format=json} every line it writes is a JSON object; with its
 * log read slowly, or not at all, it goes on answering.
 */
class JsonLogProcessTest {

  @Test
  @Timeout(120)
  void shouldWriteOnlyJsonLinesFromStartToStop() throws Exception {
    Path logFile = Files.createTempFile("gateway", ".log");
    logFile.toFile().deleteOnExit();
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

  /**
   * An upstream down and standard error not read (a paused terminal, a log shipper behind): each failed execution
   * logs a WARN, the pipe fills, and the gateway must still answer rather than wait on its log.
   */
  @Test
  @Timeout(180)
  void shouldGoOnAnsweringWhileNobodyReadsItsLog() throws Exception {
    Process gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      // every line written (log.repeats.perSecond and log.lines.perSecond 0): the pipe and the queue must fill, which 10 a second never would
      "-cp", System.getProperty("java.class.path"), "-Degress.allow=127.0.0.1", "-Dintegrations.file=",
      "-Dlog.repeats.perSecond=0", "-Dlog.lines.perSecond=0", "io.botgate.Main", "--port", "0").redirectErrorStream(true).start(); // definitions in memory only
    try {
      BufferedReader log = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
      Pattern listening = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
      Matcher started = listening.matcher("");
      while (!started.find()) {
        String line = log.readLine();
        assertThat(line).as("the gateway started").isNotNull();
        started = listening.matcher(line);
      }
      String base = started.group(1); // from here on nobody reads the log
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/api/integrations/down"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"method\":\"GET\",\"url\":\"http://127.0.0.1:9/x\","
          + "\"retries\":0}")).header("Content-Type", "application/json").build(), BodyHandlers.discarding())
        .statusCode()).isEqualTo(201);
      // more failed executions, each logging a WARN, than the pipe and the appender's queue hold together
      int executions = NonBlockingAppender.QUEUE + 2_000;
      Semaphore inFlight = new Semaphore(32);
      AtomicInteger answered = new AtomicInteger();
      AtomicReference<Throwable> unanswered = new AtomicReference<>();
      for (int i = 0; i < executions && unanswered.get() == null; i++) {
        inFlight.acquire();
        http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/sessions/s" + i + "/integrations/down"))
            .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{}"))
            .header("Content-Type", "application/json").build(), BodyHandlers.ofString())
          .whenComplete((r, e) -> {
            if (r != null && r.body().contains("\"statusCode\":\"502\"")) {
              answered.incrementAndGet();
            } else if (e != null) {
              unanswered.compareAndSet(null, e);
            }
            inFlight.release();
          });
      }
      inFlight.acquire(32);
      assertThat(unanswered.get()).as("an execution not answered").isNull();
      assertThat(answered).as("every execution answered, its status \"502\"").hasValue(executions);
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(10))
        .build(), BodyHandlers.ofString()).body()).contains("\"UP\"");

      // read again: the lines that did not fit were counted, and a line logged once the log is read says how many
      AtomicBoolean said = new AtomicBoolean();
      Thread reader = new Thread(() -> log.lines().filter(line -> line.contains("log lines were dropped")).findFirst()
        .ifPresent(line -> said.set(true)));
      reader.setDaemon(true);
      reader.start();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
        http.send(HttpRequest.newBuilder(URI.create(base + "/api/sessions/last/integrations/down"))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
          BodyHandlers.discarding());
        return said.get();
      });
    } finally {
      gateway.destroyForcibly();
    }
  }
}
