package io.botgate;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class MainTest {

  @Test
  void shouldListBotgatesOwnOptionsAndExitCodesInItsHelp() {
    StringWriter out = new StringWriter();
    int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("--help");
    assertThat(code).isZero();
    assertThat(out.toString()).contains("--config=FILE", "--port=PORT", "--cluster", "--version", "Exit codes:")
      .doesNotContain("mainVerticle", " -conf ", "\u001B[");
  }

  @Test
  void shouldPrintItsVersionAndExitZero() {
    StringWriter out = new StringWriter();
    assertThat(new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("--version")).isZero();
    assertThat(out.toString()).startsWith("botgate ").contains("Vert.x 5.");
  }

  @Test
  void shouldExitTwoOnAnUnknownOption() {
    StringWriter err = new StringWriter();
    assertThat(new CommandLine(new Main()).setErr(new PrintWriter(err)).execute("--bogus")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--bogus'");
  }

  @Test
  void shouldExitTwoNamingThePortOptionWhenItsPortIsOutOfRange() {
    StringWriter err = new StringWriter();
    assertThat(new CommandLine(new Main()).setErr(new PrintWriter(err)).execute("--port", "70000")).isEqualTo(2);
    assertThat(err.toString()).contains("--port must be from 0 to 65535, not 70000")
      .doesNotContain("system property");
  }

  @Test
  @Timeout(60)
  void shouldExitOneSayingAConfigurationFileIsEmptyRatherThanAnUnexpectedToken(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, " \n");
    String err = stderrOf(() -> assertThat(new CommandLine(new Main()).execute("--config", file.toString())).isEqualTo(1));
    assertThat(err).contains(file + ": not valid JSON: line 2, column 1: no JSON value: the text is empty")
      .doesNotContain("Unexpected token");
  }

  @Test
  @Timeout(60)
  void shouldReadAConfigurationFileThatExistsButIsNotARegularFileRatherThanCallItMissing() throws Exception {
    // as /dev/fd/63 of a shell's --config <(...) is: a pipe, which exists and can be read
    String err = stderrOf(() -> assertThat(new CommandLine(new Main()).execute("--config", "/dev/null")).isEqualTo(1));
    assertThat(err).contains("/dev/null: not valid JSON: line 1, column 1: no JSON value: the text is empty")
      .doesNotContain("no such file");
  }

  @Test
  @Timeout(60)
  void shouldExitOneSayingTheConfigurationPathIsEmptyRatherThanAFolderWithoutAName() {
    // --config "" (an unset shell variable) was refused as "botgate: : is a folder, not a file of settings"
    String err = stderrOf(() -> assertThat(new CommandLine(new Main()).execute("--config", "")).isEqualTo(1));
    assertThat(err).contains("botgate: the configuration file's path is empty (--config or -Dbotgate.conf)")
      .doesNotContain("is a folder");
  }

  @Test
  @Timeout(60)
  void shouldExitOneNamingAClusterHostThatDoesNotResolve() throws Exception {
    // Hazelcast wrote stack traces, then "cannot join the cluster: ...UnknownHostException", naming no setting
    Path file = Files.createTempFile("config", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, "{\"http.port\": 0, \"cluster.enabled\": true, \"cluster.host\": \"node-a.invalid\"}");
    String err = stderrOf(() -> assertThat(new CommandLine(new Main()).execute("--config", file.toString())).isEqualTo(1));
    assertThat(err).contains("botgate: cluster.host: 'node-a.invalid' does not resolve to an address of this machine's")
      .doesNotContain("cannot join the cluster");
  }

  @Test
  @Timeout(60)
  void shouldExitOneNamingAnUnknownKey() throws Exception {
    Path file = Files.createTempFile("config", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, "{\"htpp.instances\": 2}");
    String err = stderrOf(() -> assertThat(new CommandLine(new Main()).execute("--config", file.toString())).isEqualTo(1));
    assertThat(err).contains("unknown key 'htpp.instances' (did you mean 'http.instances'?)");
  }

  @Test
  @Timeout(60)
  void shouldExitOneNamingAKeyGivenTwiceInTheConfigurationFileWithBothPlaces(@TempDir Path dir) throws Exception {
    // the second http.port was taken without a word, and the user read the first (out of range here, so that the
    // code before the check refuses it for its range rather than start a gateway)
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\n  \"http.port\": 0,\n  \"demo.enabled\": true,\n  \"http.port\": 70000\n}\n");
    String err = stderrOf(() -> assertThat(new CommandLine(new Main()).execute("--config", file.toString())).isEqualTo(1));
    assertThat(err).contains("botgate: " + file + ": line 4, column 3: key 'http.port' is given twice in one object "
      + "(first at line 2, column 3)");
  }

  @Test
  @Timeout(60)
  void shouldExitOneSayingHowToStartAChosenImportsFileThatIsMissing(@TempDir Path dir) throws Exception {
    Path file = Files.createTempFile("config", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, "{\"http.port\": 0, \"imports.file\": \"" + dir.resolve("imports.json") + "\"}");
    String err = stderrOf(() -> assertThat(new CommandLine(new Main()).execute("--config", file.toString())).isEqualTo(1));
    assertThat(err).contains("imports.file: no file at " + dir.resolve("imports.json"), "create it holding []");
  }

  @Test
  @Timeout(60)
  void shouldExitOneSayingWhereAnImportsFileEditedByHandIsWrong(@TempDir Path dir) throws Exception {
    for (String[] broken : new String[][] {{"{\"x\": 1}", "must be a JSON array of saved imports ([] for none), not an object"},
        {"[5]", "entry [0] must be an object with the bot's \"name\""}, {"[{\"name\": \"a\"", "is not JSON: line 1, column"}}) {
      Path imports = dir.resolve("imports.json");
      Files.writeString(imports, broken[0]);
      Path file = Files.createTempFile("config", ".json");
      file.toFile().deleteOnExit();
      Files.writeString(file, "{\"http.port\": 0, \"imports.file\": \"" + imports + "\"}");
      String err = stderrOf(() -> assertThat(new CommandLine(new Main()).execute("--config", file.toString())).isEqualTo(1));
      assertThat(err).as(broken[0]).contains("imports.file: " + imports).contains(broken[1]);
    }
  }

  @Test
  @Timeout(60)
  void shouldNameTheBusyPortAndExitOne(Vertx vertx) {
    HttpServer busy = Await.result(vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1"));
    int port = busy.actualPort();
    String err = stderrOf(() -> assertThat(new CommandLine(new Main()).execute("--port", String.valueOf(port),
      "--config", "conf/config.json")).isEqualTo(1));
    assertThat(err).contains("cannot listen on 127.0.0.1:" + port + ": the port is already in use (http.port from "
      + "option --port;");
  }

  @Test
  @Timeout(60)
  void shouldNameTheBusyBridgePortRatherThanTheHttpPort(Vertx vertx) throws Exception {
    HttpServer busy = Await.result(vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1"));
    int port = busy.actualPort();
    Path file = Files.createTempFile("config", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, "{\"http.port\": 0, \"bridge.port\": " + port + "}");
    String err = stderrOf(() -> assertThat(new CommandLine(new Main()).execute("--config", file.toString())).isEqualTo(1));
    assertThat(err).contains("cannot listen on 127.0.0.1:" + port + " (bridge.port): the port is already in use")
      .doesNotContain("127.0.0.1:0");
  }

  private static String stderrOf(Runnable action) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(saved);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
