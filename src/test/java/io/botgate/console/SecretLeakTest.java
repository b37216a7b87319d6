package io.botgate.console;

import io.botgate.StubUpstream;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import io.botgate.logging.LogOptions;
import io.botgate.logging.LogSetup;
import org.slf4j.LoggerFactory;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One integration with a secret in every place a request has (path, query, header, body, user info; from
 * {@code {$env.*}} and written in under secret names), run when it succeeds and when it fails: no answer,
 * event, console frame, log line or GET of the definition shows any of them, while the upstream gets them all.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class SecretLeakTest {

  private static final Map<String, String> ENV = Map.of(
    "BASIC_USER", "envUserSecret2208",
    "PATH_SECRET", "envPathSecret7781",
    "REF_SECRET", "envUrlQuerySecret5523",
    "Q_SECRET", "envQuerySecret9914",
    "HDR_SECRET", "envHeaderSecret3349",
    "BODY_SECRET", "envBodySecret6671",
    "DOT_SECRET", "envDotSecret4410.tail-part");
  private static final List<String> WRITTEN_IN = List.of("litUserPw4417", "litApiKey8830", "litCode1192",
    "litCredential5560", "litAuthn7734", "litClientPass2281", "litBodyPw3390", "litNestedKey6612");
  private static final String BASIC = Base64.getEncoder()
    .encodeToString("envUserSecret2208:litUserPw4417".getBytes(StandardCharsets.UTF_8));

  static TestGateway gw;
  static ConsoleClient console;
  static final List<String> logLines = new CopyOnWriteArrayList<>();
  static final LoggerContext logs = (LoggerContext) LoggerFactory.getILoggerFactory();
  static final List<Appender<ILoggingEvent>> usual = new java.util.ArrayList<>();
  /** Every line the gateway logs, at every level, as the readable format writes it (fields included). */
  static final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
    private final Encoder<ILoggingEvent> format = LogSetup.encoder(logs, LogOptions.DEFAULTS);

    @Override
    protected void append(ILoggingEvent event) {
      logLines.add(new String(format.encode(event), StandardCharsets.UTF_8));
    }
  };

  @BeforeAll
  static void start(Vertx vertx) {
    capture.setContext(logs);
    capture.start();
    logs.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(usual::add);
    usual.forEach(logs.getLogger(Logger.ROOT_LOGGER_NAME)::detachAppender); // all levels: too much for the console
    logs.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
    logs.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.ALL);
    JsonObject env = new JsonObject();
    ENV.forEach(env::put);
    gw = result(TestGateway.start(vertx, new JsonObject().put("env", env)));
    console = result(ConsoleClient.connect(vertx, gw.gateway.port()));
    console.subscribe("*", 0);
    console.awaitFrame(f -> "subscribed".equals(f.getString("op")));
  }

  @AfterAll
  static void stop() {
    logs.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(capture);
    usual.forEach(logs.getLogger(Logger.ROOT_LOGGER_NAME)::addAppender);
    logs.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
  }

  private static JsonObject leaky(String name) {
    return new JsonObject().put("name", name).put("method", "POST").put("retries", 0)
      .put("url", "http://{$env.BASIC_USER}:litUserPw4417@127.0.0.1:{$botContext.port}/record/{$env.PATH_SECRET}"
        + "/items?api_key=litApiKey8830&ref={$env.REF_SECRET}")
      .put("query", new JsonObject().put("code", "litCode1192").put("q", "{$env.Q_SECRET}")
        .put("status", "{$botContext.status}"))
      .put("headers", new JsonObject().put("X-Custom-Credential", "litCredential5560")
        .put("X-Authentication", "litAuthn7734").put("X-Client-Pass", "litClientPass2281")
        .put("X-Trace", "t-{$env.HDR_SECRET}-x").put("X-Note", "plain"))
      .put("body", new JsonObject().put("user", "bot").put("password", "litBodyPw3390")
        .put("note", "see {$env.BODY_SECRET} here").put("nested", new JsonObject().put("apiKey", "litNestedKey6612")));
  }

  private static JsonObject run(String session, String integration, Object port, String status) {
    return result(gw.execute(session, integration, new JsonObject().put("variables",
      new JsonObject().put("port", String.valueOf(port)).put("status", status))));
  }

  private static HttpResponse<Buffer> get(String path) {
    return result(gw.http.get(gw.gateway.port(), "127.0.0.1", path).send());
  }

  private static String status(JsonObject answer) {
    return answer.getJsonObject("result").getString("statusCode");
  }

  @Test
  void shouldShowNoSecretAnywhereWhileTheUpstreamGetsThemAll() {
    List<String> shown = new ArrayList<>();
    HttpResponse<Buffer> put = result(gw.declare(leaky("leaky")));
    assertThat(put.statusCode()).isEqualTo(201);
    shown.add(put.bodyAsString());
    int port = gw.upstream.port();
    int before = gw.upstream.received.size();

    JsonObject ok = run("leak", "leaky", port, "200");
    JsonObject failed = run("leak", "leaky", port, "500");
    JsonObject refused = run("leak", "leaky", 9, "200");
    JsonObject invalid = run("leak", "leaky", "x y", "200");
    assertThat(List.of(status(ok), status(failed), status(refused), status(invalid)))
      .containsExactly("200", "500", "502", "440");
    assertThat(ok.getString("request")).isEqualTo("POST http://****@127.0.0.1:" + port
      + "/record/****/items?api_key=****&ref=****&code=****&q=****&status=200");
    assertThat(invalid.getString("reason")).contains("is not a number from 1 to 65535"); // checked before the URL parses
    Stream.of(ok, failed, refused, invalid).forEach(a -> shown.add(a.encode()));

    List<StubUpstream.Received> got = gw.upstream.received.subList(before, gw.upstream.received.size());
    assertThat(got).hasSize(2);
    for (StubUpstream.Received r : got) {
      assertThat(r.uri()).isEqualTo("/record/envPathSecret7781/items?api_key=litApiKey8830&ref=envUrlQuerySecret5523"
        + "&code=litCode1192&q=envQuerySecret9914&status=" + (r == got.get(0) ? "200" : "500"));
      assertThat(r.headers().getString("authorization")).isEqualTo("Basic " + BASIC);
      assertThat(r.headers().getString("x-custom-credential")).isEqualTo("litCredential5560");
      assertThat(r.headers().getString("x-authentication")).isEqualTo("litAuthn7734");
      assertThat(r.headers().getString("x-client-pass")).isEqualTo("litClientPass2281");
      assertThat(r.headers().getString("x-trace")).isEqualTo("t-envHeaderSecret3349-x");
      assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("user", "bot").put("password", "litBodyPw3390")
        .put("note", "see envBodySecret6671 here").put("nested", new JsonObject().put("apiKey", "litNestedKey6612")));
    }

    await().until(() -> console.events("leak").stream().filter(e -> "finish".equals(phase(e))).count() == 4);
    JsonObject start = console.events("leak").stream().filter(e -> "start".equals(phase(e))).findFirst().orElseThrow();
    assertThat(start.getJsonObject("data").getJsonObject("headers").getString("X-Trace")).isEqualTo("t-****-x");
    assertThat(start.getJsonObject("data").getJsonObject("headers").getString("X-Note")).isEqualTo("plain");
    JsonObject finish = console.events("leak").stream().filter(e -> "finish".equals(phase(e))).findFirst()
      .orElseThrow().getJsonObject("data");
    assertThat(finish.getJsonObject("requestHeaders").getString("X-Trace")).isEqualTo("t-****-x");
    assertThat(finish.getJsonObject("requestHeaders").getString("X-Client-Pass")).isEqualTo("****");
    assertThat(finish.getJsonObject("requestBody").getJsonObject("json")).isEqualTo(new JsonObject().put("user", "bot")
      .put("password", "****").put("note", "see **** here").put("nested", new JsonObject().put("apiKey", "****")));
    assertThat(finish.getJsonObject("response").getInteger("status")).isEqualTo(200);
    shown.add(console.frames.toString());
    shown.add(get("/api/sessions/leak/events?after=0&limit=1000").bodyAsString());
    shown.add(get("/api/sessions/leak").bodyAsString());
    shown.add(get("/api/integrations").bodyAsString());
    shown.add(get("/api/integrations/leaky").bodyAsString());
    assertThat(logLines).as("the log capture works").anyMatch(line -> line.contains("botgate listening"));
    shown.addAll(logLines);

    String everything = String.join("\n", shown);
    Stream.concat(Stream.concat(ENV.values().stream(), WRITTEN_IN.stream()), Stream.of(BASIC))
      .forEach(secret -> assertThat(everything).as("shown texts must not hold " + secret).doesNotContain(secret));
  }

  /**
   * Bodies shown as text (over 16 KiB, or not JSON) are masked as text: a form body with an env value and a
   * secret-named field, sent to an upstream that echoes it all back in a response too large for a tree.
   */
  @Test
  void shouldMaskRequestAndResponseBodiesShownAsText() {
    String pad = "p".repeat(17 * 1024);
    JsonObject definition = new JsonObject().put("name", "textLeaky").put("method", "POST").put("retries", 0)
      .put("url", "http://127.0.0.1:{$botContext.port}/echo")
      .put("headers", new JsonObject().put("Content-Type", "application/x-www-form-urlencoded")
        .put("X-Trace", "t-{$env.HDR_SECRET}-x").put("X-Client-Pass", "litClientPass2281"))
      .put("body", "note={$env.BODY_SECRET}&password=litBodyPw3390&pad=" + pad);
    assertThat(result(gw.declare(definition)).statusCode()).isEqualTo(201);
    int before = gw.upstream.received.size();
    assertThat(status(run("textLeak", "textLeaky", gw.upstream.port(), "200"))).isEqualTo("200");
    StubUpstream.Received sent = gw.upstream.received.get(before);
    assertThat(sent.body()).startsWith("note=envBodySecret6671&password=litBodyPw3390&pad=p");
    assertThat(sent.headers().getString("x-trace")).isEqualTo("t-envHeaderSecret3349-x");

    await().until(() -> console.events("textLeak").stream().anyMatch(e -> "finish".equals(phase(e))));
    JsonObject finish = console.events("textLeak").stream().filter(e -> "finish".equals(phase(e))).findFirst()
      .orElseThrow().getJsonObject("data");
    JsonObject request = finish.getJsonObject("requestBody");
    assertThat(request.getBoolean("truncated")).isTrue();
    assertThat(request.getString("text")).startsWith("note=****&password=****&pad=p");
    JsonObject response = finish.getJsonObject("response").getJsonObject("body");
    assertThat(response.getBoolean("truncated")).isTrue();
    assertThat(response.getString("text")).contains("t-****-x").contains("note=****");
    String everything = console.frames + "\n" + get("/api/sessions/textLeak/events?after=0&limit=1000").bodyAsString();
    Stream.of("envHeaderSecret3349", "envBodySecret6671", "litClientPass2281")
      .forEach(secret -> assertThat(everything).as("shown texts must not hold " + secret).doesNotContain(secret));
    assertThat(request.getString("text")).doesNotContain("litBodyPw3390");
  }

  /**
   * An upstream that echoes a secret as a bare token (not JSON): Jackson's reason quotes the token up to its first
   * '.', a part of the secret that masking the whole value does not find. The reason says where and how long.
   */
  @Test
  void shouldNotQuoteAnEchoedSecretInTheReasonABodyIsNotJson() {
    JsonObject definition = new JsonObject().put("name", "bareEcho").put("method", "GET").put("retries", 0)
      .put("url", "http://127.0.0.1:{$botContext.port}/unquoted")
      .put("headers", new JsonObject().put("X-Unquoted", "{$env.DOT_SECRET}"));
    assertThat(result(gw.declare(definition)).statusCode()).isEqualTo(201);
    JsonObject answer = run("bareEcho", "bareEcho", gw.upstream.port(), "200");
    assertThat(status(answer)).isEqualTo("502");
    assertThat(answer.getString("reason")).contains("not JSON: line 1, column 26: Unrecognized token of 16 characters");
    await().until(() -> console.events("bareEcho").stream().anyMatch(e -> "finish".equals(phase(e))));
    String everything = answer.encode() + "\n" + console.frames + "\n" + String.join("\n", logLines) + "\n"
      + get("/api/sessions/bareEcho/events?after=0&limit=1000").bodyAsString() + get("/api/sessions/bareEcho").bodyAsString();
    // every piece a cut at '.' or '-' could show; not "4410" alone, which a TRACE line's hash code held once in CI
    assertThat(everything).doesNotContain("envDotSecret").doesNotContain("4410.tail").doesNotContain("tail-part");
  }

  @Test
  void shouldKeepTheStoredSecretsWhenTheMaskedDefinitionIsPutBack() {
    assertThat(result(gw.declare(leaky("roundTrip"))).statusCode()).isEqualTo(201);
    JsonObject shown = get("/api/integrations/roundTrip").bodyAsJsonObject();
    assertThat(shown.getString("url")).startsWith("http://****@127.0.0.1:").contains("api_key=****")
      .contains("{$env.PATH_SECRET}");
    assertThat(shown.getJsonObject("headers").getString("X-Client-Pass")).isEqualTo("****");
    assertThat(shown.getJsonObject("headers").getString("X-Trace")).isEqualTo("t-{$env.HDR_SECRET}-x");
    assertThat(shown.getJsonObject("body").getString("password")).isEqualTo("****");

    HttpResponse<Buffer> again = result(gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/integrations/roundTrip")
      .sendJsonObject(shown.put("timeoutMs", 5000)));
    assertThat(again.statusCode()).isEqualTo(200);
    int before = gw.upstream.received.size();
    assertThat(status(run("round", "roundTrip", gw.upstream.port(), "200"))).isEqualTo("200");
    StubUpstream.Received r = gw.upstream.received.get(before);
    assertThat(r.uri()).contains("api_key=litApiKey8830").contains("code=litCode1192");
    assertThat(r.headers().getString("authorization")).isEqualTo("Basic " + BASIC);
    assertThat(r.headers().getString("x-client-pass")).isEqualTo("litClientPass2281");
    assertThat(new JsonObject(r.body()).getString("password")).isEqualTo("litBodyPw3390");
  }

  @Test
  void shouldRefuseTheMaskWhereNoStoredSecretCanTakeItsPlace() {
    assertThat(result(gw.declare(leaky("original"))).statusCode()).isEqualTo(201);
    JsonObject copy = get("/api/integrations/original").bodyAsJsonObject().put("name", "copy");
    HttpResponse<Buffer> refused = result(gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/integrations/copy")
      .sendJsonObject(copy));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.bodyAsString()).contains("headers.X-Client-Pass").contains("body.password").contains("\"url\"")
      .contains("holds the mask");
    assertThat(get("/api/integrations/copy").statusCode()).isEqualTo(404);
  }

  @Test
  void shouldMaskSecretsWrittenIntoMocksAndKeepThemWhenTheShownDefinitionIsPutBack() {
    JsonObject mock = new JsonObject()
      .put("match", new JsonObject().put("path", "/m").put("query", new JsonObject().put("api_key", "mockQueryKey5150")))
      .put("headers", new JsonObject().put("Set-Cookie", "sid=mockCookie3382").put("X-Note", "plain"))
      .put("body", new JsonObject().put("access_token", "mockToken7261").put("answer", 42));
    JsonObject definition = new JsonObject().put("name", "mocked").put("method", "GET").put("mode", "mock")
      .put("url", "http://127.0.0.1:9/m?api_key=mockQueryKey5150").put("mocks", new io.vertx.core.json.JsonArray().add(mock));
    assertThat(result(gw.declare(definition)).statusCode()).isEqualTo(201);

    String list = get("/api/integrations").bodyAsString();
    JsonObject shown = get("/api/integrations/mocked").bodyAsJsonObject();
    JsonObject shownMock = shown.getJsonArray("mocks").getJsonObject(0);
    assertThat(shownMock.getJsonObject("headers").getString("Set-Cookie")).isEqualTo("****");
    assertThat(shownMock.getJsonObject("headers").getString("X-Note")).isEqualTo("plain");
    assertThat(shownMock.getJsonObject("match").getJsonObject("query").getString("api_key")).isEqualTo("****");
    assertThat(shownMock.getJsonObject("body").getString("access_token")).isEqualTo("****");
    assertThat(shownMock.getJsonObject("body").getInteger("answer")).isEqualTo(42);
    Stream.of("mockQueryKey5150", "mockCookie3382", "mockToken7261").forEach(secret -> {
      assertThat(list).as("GET /api/integrations must not hold " + secret).doesNotContain(secret);
      assertThat(shown.encode()).doesNotContain(secret);
    });

    HttpResponse<Buffer> again = result(gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/integrations/mocked")
      .sendJsonObject(shown));
    assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(200);
    JsonObject answer = result(gw.execute("mockRound", "mocked", null));
    assertThat(status(answer)).as("the stored match.query value still matches the request").isEqualTo("200");
    assertThat(get("/api/sessions/mockRound").bodyAsString()).as("the mock still answers its stored body")
      .contains("mockToken7261");

    JsonObject wildcard = definition.copy().put("name", "mockedAny");
    wildcard.getJsonArray("mocks").getJsonObject(0).getJsonObject("match").getJsonObject("query").put("api_key", "****");
    assertThat(result(gw.declare(wildcard)).statusCode()).as("a mask in match.query matches any value").isEqualTo(201);
    assertThat(status(result(gw.execute("mockAny", "mockedAny", null)))).isEqualTo("200");
  }

  private static String phase(JsonObject event) {
    return event.getJsonObject("data") == null ? null : event.getJsonObject("data").getString("phase");
  }
}
