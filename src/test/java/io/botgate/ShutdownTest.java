package io.botgate;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The gateway as an operator runs it: a real process, stopped with SIGTERM while calls are in flight. */
@ExtendWith(VertxExtension.class)
class ShutdownTest {

  private static final Pattern LISTENING = Pattern.compile("botgate listening on http://127\\.0\\.0\\.1:(\\d+)");

  @Test
  @Timeout(120)
  void shouldFinishEveryExecutionInFlightOnSigtermThenExitZero(Vertx vertx) throws Exception {
    StubUpstream upstream = new StubUpstream();
    Await.result(vertx.deployVerticle(upstream));
    Path logFile = Files.createTempFile("gateway", ".log");
    logFile.toFile().deleteOnExit();
    Process gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), "-Degress.allow=127.0.0.1", "-Dshutdown.graceSeconds=20",
      "-Dintegrations.file=" + TestGateway.copyOf(Path.of("conf/integrations.json")), // a PUT writes it back
      "io.botgate.Main", "--port", "0", "--config", "conf/config.json")
      .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    try {
      WebClient http = WebClient.create(vertx);
      AtomicReference<Integer> port = new AtomicReference<>();
      await().atMost(150, TimeUnit.SECONDS).until(() -> port(logFile, port));
      int p = port.get();
      HttpResponse<Buffer> declared = Await.result(http.put(p, "127.0.0.1", "/api/integrations/slow")
        .sendJsonObject(new JsonObject().put("method", "GET").put("url", upstream.url("/slow/1500")).put("retries", 0)));
      assertThat(declared.statusCode()).isEqualTo(201);

      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(http.post(p, "127.0.0.1", "/api/sessions/s" + i + "/integrations/slow").send());
      }
      await().atMost(30, TimeUnit.SECONDS).until(() -> upstream.hits("/slow/1500") == 20);
      gateway.destroy(); // SIGTERM

      for (Future<HttpResponse<Buffer>> call : calls) {
        HttpResponse<Buffer> answer = Await.result(call);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.bodyAsJsonObject().getString("outcome")).isEqualTo("success");
      }
      assertThat(gateway.waitFor(40, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(logFile);
      assertThat(gateway.exitValue()).as(log).isZero();
      assertThat(log).contains("botgate draining").contains("botgate stopped after");
    } finally {
      gateway.destroyForcibly();
    }
  }

  private static boolean port(Path logFile, AtomicReference<Integer> port) throws java.io.IOException {
    Matcher m = LISTENING.matcher(Files.readString(logFile));
    if (m.find()) {
      port.set(Integer.parseInt(m.group(1)));
    }
    return port.get() != null;
  }
}
