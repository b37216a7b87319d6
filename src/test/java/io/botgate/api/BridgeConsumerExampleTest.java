package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** docs/examples/bridge_consumer.py, run with python3 against a real gateway that requires a token. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BridgeConsumerExampleTest {

  static final Path EXAMPLE = Path.of("docs/examples/bridge_consumer.py");
  static final String TOKEN = "example-token";

  @Test
  void shouldExecuteThroughTheBridgeAndPrintTheReplyAndThePublishedResult(Vertx vertx) throws Exception {
    assertThat(EXAMPLE).exists();
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("auth.token", TOKEN).put("bridge.port", 0)));

    Process python = start(List.of(python3(), EXAMPLE.toString(), "--port", String.valueOf(gw.gateway.bridgePort()),
      "--token", TOKEN, "--session", "py-example", "--question", "roaming"));
    if (!python.waitFor(90, TimeUnit.SECONDS)) {
      python.destroyForcibly();
      fail("the example did not finish within 90 s");
    }
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.exitValue()).as("exit status; output:%n%s", output).isZero();

    assertThat(output).contains("registered on botgate.results")
      .contains("reply: outcome=success statusCode=200")
      .contains("faqIntegration.title = [").contains("How do I turn on roaming?");
    String publishedLine = output.lines().filter(l -> l.startsWith("published on botgate.results: ")).findFirst()
      .orElseThrow(() -> new AssertionError("no published result in:\n" + output));
    JsonObject published = new JsonObject(publishedLine.substring("published on botgate.results: ".length()));
    assertThat(published.getString("session")).isEqualTo("py-example");
    assertThat(published.getString("integration")).isEqualTo("faqIntegration");
    assertThat(published.getString("statusCode")).isEqualTo("200");
    assertThat(result(gw.gateway.sessions().describe("py-example"))).isNotNull();
  }

  @Test
  void shouldSayWhyWhenTheTokenIsMissing(Vertx vertx) throws Exception {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("auth.token", TOKEN).put("bridge.port", 0)));
    Process python = start(List.of(python3(), EXAMPLE.toString(), "--port", String.valueOf(gw.gateway.bridgePort()),
      "--token", ""));
    assertThat(python.waitFor(90, TimeUnit.SECONDS)).isTrue();
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.exitValue()).as(output).isEqualTo(1);
    assertThat(output).contains("refused:").contains("unauthorized");
  }

  private static Process start(List<String> command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("BOTGATE_AUTH_TOKEN");
    return builder.start();
  }

  /** python3 from the PATH; a missing one fails the test (it is not skipped): .ci/run installs it. */
  private static String python3() {
    try {
      Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      if (probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0) {
        return "python3";
      }
    } catch (IOException e) {
      // reported below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("python3 is required to run " + EXAMPLE + " (the bridge example): install it "
      + "(apt-get install -y python3; .ci/run does) and run the tests again");
  }
}
