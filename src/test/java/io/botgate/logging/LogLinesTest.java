package io.botgate.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What an operator reads in the log: one line per failure worth knowing, fields as fields, no secrets. */
@ExtendWith(VertxExtension.class)
class LogLinesTest {

  private static final String SECRET = "hunter2-secret-value";

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private OutputStreamAppender<ILoggingEvent> appender;

  @BeforeEach
  void capture() {
    attach(new LogOptions("json", "info", false));
  }

  @AfterEach
  void release() {
    root().detachAppender(appender);
    appender.stop();
  }

  @Test
  @Timeout(60)
  void shouldLogAFailedExecutionWithSessionAndIntegrationAsFieldsAndNoSecret(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("env", new JsonObject().put("TOKEN", SECRET))));
    JsonObject answer = result(gw.declareAndExecute("log-s1", new JsonObject().put("name", "failing")
      .put("method", "GET").put("url", "stub:/status/500?api_key={$env.TOKEN}").put("retries", 0)
      .put("headers", new JsonObject().put("Authorization", "Bearer {$env.TOKEN}")), null));
    assertThat(answer.getString("outcome")).isEqualTo("failure");

    JsonObject line = await().until(() -> line("execution failed"), Optional::isPresent).orElseThrow();
    assertThat(line.getString("level")).isEqualTo("WARN");
    JsonObject fields = fields(line);
    assertThat(fields.getString("session")).isEqualTo("log-s1");
    assertThat(fields.getString("integration")).isEqualTo("failing");
    assertThat(fields.getString("status")).isEqualTo("500");
    assertThat(fields.getString("request")).contains("api_key=****");
    assertThat(text()).doesNotContain(SECRET);
  }

  /** Placeholders put up to 4 Mi characters of a request's variables into its URL: the log line holds a bounded part. */
  @Test
  @Timeout(60)
  void shouldLogABoundedPartOfTheRequestLineOfAFailedExecution(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx));
    String question = "q".repeat(300_000);
    JsonObject answer = result(gw.declareAndExecute("log-long", new JsonObject().put("name", "failingLong")
        .put("method", "GET").put("url", "stub:/status/500/{$botContext.segment}").put("retries", 0)
        .put("query", new JsonObject().put("q", "{$botContext.question}")),
      new JsonObject().put("variables", new JsonObject().put("question", question).put("segment", "s".repeat(100_000)))));
    assertThat(answer.getString("request")).as("the answer shows it whole").hasSizeGreaterThan(400_000);

    JsonObject line = await().until(() -> line("execution failed"), Optional::isPresent).orElseThrow();
    String request = fields(line).getString("request");
    assertThat(request).startsWith("GET http://").endsWith(" characters cut)");
    assertThat(request.length()).isLessThan(2_100);
    assertThat(text().length()).as("the whole log").isLessThan(20_000);
  }

  @Test
  @Timeout(60)
  void shouldLogScriptErrorsAndLimitsWithTheIntegrationTheyRanFor(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("script.cpu.ms", 200)));
    result(gw.declareAndExecute("log-s2", new JsonObject().put("name", "transformed").put("method", "GET")
      .put("url", "stub:/status/200").put("transformScript", "var a = 1;\nnull.boom;"), null));
    result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/log-s3/scripts")
      .sendJsonObject(new JsonObject().put("code", "while (true) {}")));

    JsonObject error = await().until(() -> line("script error"), Optional::isPresent).orElseThrow();
    assertThat(fields(error).getString("session")).isEqualTo("log-s2");
    assertThat(fields(error).getString("integration")).isEqualTo("transformed");
    assertThat(fields(error).getString("script")).isEqualTo("transformScript");
    assertThat(fields(error).getString("line")).isEqualTo("2");
    JsonObject limit = await().until(() -> line("script limit hit"), Optional::isPresent).orElseThrow();
    assertThat(fields(limit).getString("session")).isEqualTo("log-s3");
    assertThat(fields(limit).getString("error")).isEqualTo("limit");
  }

  @Test
  @Timeout(60)
  void shouldLogEveryLimitHitOfARequestLineHeadersOrBody(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("body.limit.bytes", 1000)));
    int port = gw.gateway.port();
    assertThat(result(gw.http.get(port, "127.0.0.1", "/api/sessions/" + "a".repeat(10_000)).send()).statusCode())
      .isEqualTo(414);
    assertThat(result(gw.http.get(port, "127.0.0.1", "/api/sessions").putHeader("X-Big", "b".repeat(20_000)).send())
      .statusCode()).isEqualTo(431);
    assertThat(result(gw.http.post(port, "127.0.0.1", "/api/sessions/log-s4/scripts")
      .sendJsonObject(new JsonObject().put("code", "x".repeat(2000)))).statusCode()).isEqualTo(413);

    for (String code : List.of("uri_too_long", "headers_too_large", "payload_too_large")) {
      JsonObject hit = await().until(() -> lines().stream().filter(l -> l.getString("formattedMessage", "")
        .startsWith("limit hit") && code.equals(fields(l).getString("code"))).findFirst(), Optional::isPresent)
        .orElseThrow();
      assertThat(hit.getString("level")).as(code).isEqualTo("WARN");
    }
  }

  /**
   * Calls the egress guard refuses, each answered at once, come as fast as a client sends them: a WARN line each
   * filled the log. Through botgate's own appender (limited to 1 a second here, so that no machine is too slow to
   * flood it), each second holds one line of the kind, and the lines not written are counted in a line after.
   */
  @Test
  @Timeout(120)
  void shouldWriteAFloodOfRefusedCallsAsAFewLinesAndSayHowManyWereNot(Vertx vertx) {
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    OutputStreamAppender<ILoggingEvent> out = new OutputStreamAppender<>();
    out.setContext(context);
    out.setEncoder(LogSetup.encoder(context, new LogOptions("json", "info", false)));
    out.setOutputStream(written);
    out.start();
    NonBlockingAppender botgates = new NonBlockingAppender(1, 0);
    botgates.setContext(context);
    botgates.addAppender(out);
    botgates.start();
    root().addAppender(botgates);
    int flood = 200;
    try {
      TestGateway gw = result(TestGateway.start(vertx));
      assertThat(result(gw.declare(new JsonObject().put("name", "metadata").put("method", "GET")
        .put("url", "http://169.254.169.254/latest/meta-data/").put("retries", 0))).statusCode()).isEqualTo(201);
      List<io.vertx.core.Future<JsonObject>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < flood; i++) {
        calls.add(gw.execute("flood-" + i, "metadata", null));
      }
      result(io.vertx.core.Future.all(calls));
      assertThat(calls).allMatch(c -> c.result().getJsonObject("result").getString("statusCode").equals("440"));

      await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() -> {
        List<JsonObject> lines;
        synchronized (written) {
          lines = written.toString(StandardCharsets.UTF_8).lines().map(JsonObject::new).toList();
        }
        List<JsonObject> refused = lines.stream().filter(l -> l.getString("formattedMessage").startsWith("execution failed"))
          .toList();
        long suppressed = lines.stream().filter(l -> l.getString("formattedMessage")
          .contains(" more lines like \"execution failed: {}\"")).mapToLong(l -> Long.parseLong(fields(l)
          .getString("suppressed"))).sum();
        assertThat(refused.size() + suppressed).as("every refused call is written or counted").isEqualTo(flood);
        assertThat(refused.stream().collect(java.util.stream.Collectors.groupingBy(l -> l.getLong("timestamp") / 1000,
          java.util.stream.Collectors.counting())).values()).as("lines of the kind a second").allMatch(n -> n == 1);
      });
    } finally {
      root().detachAppender(botgates);
      botgates.stop();
    }
  }

  @Test
  @Timeout(60)
  void shouldWriteAnAccessLineWithoutTheQueryWhenAsked(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("log.access", true)));
    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/health?token=" + SECRET).send()).statusCode())
      .isEqualTo(200);

    JsonObject line = await().until(() -> line("GET /health 200"), Optional::isPresent).orElseThrow();
    assertThat(line.getString("loggerName")).isEqualTo("io.botgate.access");
    assertThat(fields(line).getString("path")).isEqualTo("/health");
    assertThat(fields(line).getString("status")).isEqualTo("200");
    assertThat(text()).doesNotContain(SECRET);
  }

  /**
   * Requests answered before any route, or by the router before its routes, or not parsed at all: an access log that
   * left them out hid exactly the odd requests an operator looks for.
   */
  @Test
  @Timeout(60)
  void shouldWriteAnAccessLineForEveryRequestAnsweredWhereverItIsAnswered(Vertx vertx) throws Exception {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("log.access", true)));
    int port = gw.gateway.port();
    assertThat(raw(port, "OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).startsWith("HTTP/1.1 200");
    assertThat(raw(port, "GET nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).startsWith("HTTP/1.1 404");
    assertThat(raw(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1:x\r\n\r\n")).startsWith("HTTP/1.1 400");
    assertThat(raw(port, "GET /health?k=" + SECRET + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "x".repeat(20_000)
      + "\r\n\r\n")).startsWith("HTTP/1.1 431");

    await().untilAsserted(() -> assertThat(lines().stream().filter(l -> "io.botgate.access".equals(l.getString("loggerName")))
      .map(l -> l.getString("formattedMessage")).toList())
      .contains("OPTIONS * 200", "GET nowhere 404", "GET /health 400", "GET /health 431"));
    assertThat(text()).doesNotContain(SECRET);
    // a request that reaches a route is logged once, not by both the route and the server's watch
    assertThat(result(gw.http.get(port, "127.0.0.1", "/openapi.json").send()).statusCode()).isEqualTo(200);
    await().until(() -> line("GET /openapi.json 200"), Optional::isPresent);
    assertThat(result(gw.http.get(port, "127.0.0.1", "/health").send()).statusCode()).isEqualTo(200);
    await().until(() -> line("GET /health 200"), Optional::isPresent);
    assertThat(lines().stream().filter(l -> "GET /openapi.json 200".equals(l.getString("formattedMessage")))).hasSize(1);
  }

  /** Sends {@code request} as it is on a connection of its own; the answer's text, read until the server closes or answers. */
  private static String raw(int port, String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      byte[] buffer = new byte[4096];
      int n = socket.getInputStream().read(buffer);
      return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  @Timeout(60)
  void shouldNotLogABridgeClientThatResetsItsConnectionAsAnError(Vertx vertx) throws Exception {
    // the capturing appender is given the filter botgate's own appender has
    QuietResets quiet = new QuietResets();
    quiet.start();
    appender.addFilter(quiet);
    assertThat(((ch.qos.logback.core.spi.FilterAttachable<?>) root().getAppender(LogSetup.APPENDER))
      .getCopyOfAttachedFiltersList()).as("botgate's appender").anyMatch(QuietResets.class::isInstance);
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("bridge.port", 0)));
    for (int i = 0; i < 3; i++) {
      try (Socket socket = new Socket("127.0.0.1", gw.gateway.bridgePort())) {
        byte[] frame = new JsonObject().put("type", "register").put("address", "botgate.results").toBuffer().getBytes();
        socket.getOutputStream().write(ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array());
        await().until(() -> metrics(gw).contains("botgate_bridge_connections 1.0"));
        socket.setSoLinger(true, 0); // closed with a reset
      }
      await().until(() -> metrics(gw).contains("botgate_bridge_connections 0.0"));
    }
    // the bridge's other errors are still logged, and a transport failure elsewhere too
    LoggerFactory.getLogger(QuietResets.BRIDGE).error("a failure of the bridge's own", new IllegalStateException("x"));
    LoggerFactory.getLogger("io.botgate.Example").error("a reset elsewhere", new java.io.IOException("reset"));
    LoggerFactory.getLogger(QuietResets.BRIDGE).error("a reset of a bridge client", new java.io.IOException("reset"));
    assertThat(line("a failure of the bridge's own")).isPresent();
    assertThat(line("a reset elsewhere")).isPresent();
    assertThat(line("a reset of a bridge client")).isEmpty();
    assertThat(lines()).noneMatch(l -> "ERROR".equals(l.getString("level")) && l.getString("formattedMessage", "")
      .contains("Connection reset"));
  }

  private static String metrics(TestGateway gw) {
    return result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send()).bodyAsString();
  }

  @Test
  void shouldRouteJavaUtilLoggingAndVertxLoggingIntoLogback() {
    java.util.logging.Logger.getLogger("some.jdk.user").warning("a line from java.util.logging");
    io.vertx.core.internal.logging.LoggerFactory.getLogger("some.vertx.part").warn("a line from Vert.x");

    assertThat(line("a line from java.util.logging")).hasValueSatisfying(l ->
      assertThat(l.getString("loggerName")).isEqualTo("some.jdk.user"));
    assertThat(line("a line from Vert.x")).hasValueSatisfying(l ->
      assertThat(l.getString("loggerName")).isEqualTo("some.vertx.part"));
  }

  @Test
  void shouldWriteReadableLinesWithTheFieldsAfterTheMessage() {
    release();
    attach(LogOptions.DEFAULTS);
    LoggerFactory.getLogger("io.botgate.Example").atWarn().addKeyValue("session", "s9")
      .addKeyValue("integration", "faq").log("execution failed: {}", "upstream answered 503");
    LoggerFactory.getLogger("io.botgate.Example").info("no fields here");

    assertThat(text()).containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN  Example - "
      + "execution failed: upstream answered 503 session=\"s9\" integration=\"faq\"$");
    assertThat(text()).containsPattern("(?m)INFO  Example - no fields here$");
  }

  @Test
  void shouldKeepOneEventOnOneLineWhateverItsMessageAndValuesHold() {
    release();
    attach(LogOptions.DEFAULTS);
    String forged = "\n2026-12-04T00:00:00.000Z ERROR Fake - forged";
    LoggerFactory.getLogger("io.botgate.Example").atWarn().addKeyValue("session", "inj" + forged + "\u0000\"q\\")
      .log("execution failed for {}", "inj" + forged + "\r");

    assertThat(text().lines()).hasSize(1);
    assertThat(text()).doesNotContainPattern("(?m)^2026-12-04T00:00:00.000Z ERROR");
    assertThat(text()).contains("WARN  Example - execution failed for inj\\n2026-12-04T00:00:00.000Z ERROR Fake - forged\\r "
      + "session=\"inj\\n2026-12-04T00:00:00.000Z ERROR Fake - forged\\u0000\\\"q\\\\\"");
  }

  /** A stack trace is part of its event's line: an exception's message may quote what a client sent. */
  @Test
  void shouldKeepAStackTraceOnItsEventsLine() {
    release();
    attach(LogOptions.DEFAULTS);
    String forged = "\n2026-12-04T00:00:00.000Z ERROR Fake - forged";
    LoggerFactory.getLogger("io.botgate.Example").error("request failed", new IllegalStateException("bad" + forged));

    assertThat(text().lines()).hasSize(1);
    assertThat(text()).doesNotContainPattern("(?m)^2026-12-04T00:00:00.000Z ERROR")
      .contains("ERROR Example - request failed exception=\"java.lang.IllegalStateException: bad\\n2026-12-04")
      .contains("\\tat io.botgate.logging.LogLinesTest.shouldKeepAStackTraceOnItsEventsLine");
  }

  @Test
  void shouldRefuseAnUnknownFormatOrLevelNamingWhatIsAllowed() {
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new LogOptions("xml", "info", false)))
      .hasMessage("log.format: 'xml' is not one of text, json");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new LogOptions("json", "loud", false)))
      .hasMessage("log.level: 'loud' is not one of trace, debug, info, warn, error, off");
  }

  private void attach(LogOptions options) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    captured.reset();
    appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(LogSetup.encoder(context, options));
    appender.setOutputStream(captured);
    appender.start();
    root().addAppender(appender);
  }

  private static Logger root() {
    return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
  }

  private synchronized String text() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  /** Every captured line is a JSON object; the first whose message starts so. */
  private Optional<JsonObject> line(String messageStart) {
    return lines().stream().filter(l -> l.getString("formattedMessage", "").startsWith(messageStart)).findFirst();
  }

  private List<JsonObject> lines() {
    return text().lines().map(JsonObject::new).toList();
  }

  /** Logback writes the key-value pairs as a list of one-entry objects. */
  private static JsonObject fields(JsonObject line) {
    JsonObject fields = new JsonObject();
    line.getJsonArray("kvpList", new JsonArray()).forEach(o -> fields.mergeIn((JsonObject) o));
    return fields;
  }
}
