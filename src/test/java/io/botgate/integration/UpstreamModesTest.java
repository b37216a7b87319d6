package io.botgate.integration;

import io.botgate.StubUpstream;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream modes against real servers: mock answers without any network (the URL points where nothing
 * listens), record keeps masked answers in a file that a mock run and a fresh gateway answer from with the
 * upstream stopped, and rewrite sends a production URL to a stub, before the egress guard.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class UpstreamModesTest {

  static final String REC_KEY = "recordedKey4471";

  @TempDir
  static Path mocks;
  static TestGateway gw;
  /** The upstream that record mode calls, stopped before the answers are replayed. */
  static StubUpstream recording;
  /** Where upstream.rewrite sends "http://prod.example.invalid". */
  static StubUpstream staging;
  static Vertx other;

  @BeforeAll
  static void start(Vertx vertx) {
    staging = new StubUpstream();
    recording = new StubUpstream();
    result(vertx.deployVerticle(staging));
    gw = result(TestGateway.start(vertx, new JsonObject().put("upstream.mocksDir", mocks.toString())
      .put("env", new JsonObject().put("REC_KEY", REC_KEY))
      .put("upstream.rewrite", new JsonObject().put("http://prod.example.invalid", staging.url(""))
        .put("http://prod.example.invalid/blocked", "http://169.254.169.254/latest"))));
  }

  @AfterAll
  static void stop() {
    if (other != null) {
      result(other.close());
    }
  }

  static void declare(TestGateway g, JsonObject definition) {
    HttpResponse<Buffer> r = result(g.declare(definition));
    assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 201);
  }

  static JsonObject run(TestGateway g, String session, String integration, String q) {
    return result(g.execute(session, integration, new JsonObject().put("variables", new JsonObject().put("q", q))));
  }

  static String status(JsonObject answer) {
    return answer.getJsonObject("result").getString("statusCode");
  }

  static JsonObject finish(JsonObject answer) {
    return answer.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> e.getJsonObject("data") != null && "finish".equals(e.getJsonObject("data").getString("phase")))
      .findFirst().orElseThrow().getJsonObject("data");
  }

  /** The raw body as kept in {@code api_<rdv>}: CB's jsonData string holds it verbatim. */
  static String jsonData(TestGateway g, String session, String integration) {
    return result(g.session(session)).getJsonObject("variables").getJsonObject("api_" + integration).getString("jsonData");
  }

  @Test
  void shouldAnswerFromTheFirstMatchingMockWithoutTheNetwork() {
    declare(gw, new JsonObject().put("name", "mocked").put("method", "GET").put("mode", "mock")
      .put("url", "http://127.0.0.1:9/faq").put("query", new JsonObject().put("q", "{$botContext.q}"))
      .put("customDataFields", new JsonObject().put("title", "{$.api_mocked.results[i].title}"))
      .put("mocks", new JsonArray()
        .add(new JsonObject().put("match", new JsonObject().put("method", "GET").put("path", "/faq")
          .put("query", new JsonObject().put("q", "roaming"))).put("status", 200)
          .put("headers", new JsonObject().put("Content-Type", "application/json"))
          .put("body", new JsonObject().put("results", new JsonArray().add(new JsonObject().put("title", "Roaming abroad")))))
        .add(new JsonObject().put("match", new JsonObject().put("path", "/faq")).put("status", 404).put("body", "no such FAQ"))
        .add(new JsonObject().put("match", new JsonObject().put("path", "/never")).put("status", 500))));
    JsonObject roaming = run(gw, "mk", "mocked", "roaming");
    assertThat(status(roaming)).isEqualTo("200");
    assertThat(roaming.getJsonObject("variables").getJsonArray("mocked.title")).containsExactly("Roaming abroad");
    assertThat(finish(roaming).getString("mode")).isEqualTo("mock");
    assertThat(roaming.getString("mode")).as("the answer says which mode answered").isEqualTo("mock");
    assertThat(finish(roaming).getJsonObject("response").getJsonObject("headers").getString("Content-Type"))
      .isEqualTo("application/json");
    JsonObject other = run(gw, "mk", "mocked", "billing");
    assertThat(status(other)).isEqualTo("404");
    assertThat(jsonData(gw, "mk", "mocked")).isEqualTo("{\"api_mocked\":\"no such FAQ\"}");

    declare(gw, new JsonObject().put("name", "unmatched").put("method", "POST").put("mode", "mock")
      .put("url", "http://127.0.0.1:9/faq").put("mocks", new JsonArray().add(new JsonObject()
        .put("match", new JsonObject().put("method", "GET")).put("status", 200))));
    JsonObject none = run(gw, "mk", "unmatched", "x");
    assertThat(status(none)).isEqualTo("440");
    assertThat(none.getString("reason")).contains("no mock of 'unmatched' matches POST http://127.0.0.1:9/faq");
  }

  /** A mock's body is encoded once and kept with the mock: a PUT that changes it answers the new one. */
  @Test
  void shouldAnswerAChangedMocksNewBody() {
    JsonObject definition = new JsonObject().put("name", "changing").put("method", "GET").put("mode", "mock")
      .put("url", "http://127.0.0.1:9/faq");
    declare(gw, definition.copy().put("mocks", new JsonArray().add(new JsonObject()
      .put("body", new JsonObject().put("version", 1)))));
    run(gw, "changes", "changing", "x");
    run(gw, "changes", "changing", "x");
    assertThat(jsonData(gw, "changes", "changing")).isEqualTo("{\"api_changing\":{\"version\":1}}");

    declare(gw, definition.copy().put("mocks", new JsonArray().add(new JsonObject()
      .put("body", new JsonObject().put("version", 2)))));
    run(gw, "changes", "changing", "x");
    assertThat(jsonData(gw, "changes", "changing")).isEqualTo("{\"api_changing\":{\"version\":2}}");
  }

  @Test
  void shouldAnswerPassThroughCallsFromMocksInMockMode() {
    declare(gw, new JsonObject().put("name", "mockedProxy").put("method", "GET").put("mode", "mock").put("capture", true)
      .put("url", "http://127.0.0.1:9/api").put("credential", null)
      .put("customDataFields", new JsonObject().put("title", "{$.api_mockedProxy.results[i].title}"))
      .put("mocks", new JsonArray().add(new JsonObject()
        .put("match", new JsonObject().put("path", "/api/faq").put("query", new JsonObject().put("q", "roaming")))
        .put("headers", new JsonObject().put("Content-Type", "application/json").put("X-Mocked", "yes"))
        .put("body", new JsonObject().put("results", new JsonArray().add(new JsonObject().put("title", "Roaming abroad")))))));
    HttpResponse<Buffer> r = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/mockedProxy/faq?q=roaming")
      .putHeader("X-Botgate-Session", "px").send());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("X-Mocked")).isEqualTo("yes");
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    assertThat(r.bodyAsString()).isEqualTo("{\"results\":[{\"title\":\"Roaming abroad\"}]}");
    JsonObject session = result(gw.session("px"));
    assertThat(session.getJsonObject("lastResult").getString("statusCode")).isEqualTo("200");
    assertThat(session.getJsonObject("variables").getJsonArray("mockedProxy.title")).containsExactly("Roaming abroad");

    HttpResponse<Buffer> none = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/mockedProxy/other")
      .putHeader("X-Botgate-Session", "px").send());
    assertThat(none.statusCode()).isEqualTo(502);
    assertThat(none.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("no_mock");
    assertThat(result(gw.session("px")).getJsonObject("lastResult").getString("statusCode")).isEqualTo("440");
  }

  @Test
  void shouldRefuseAMockWhoseHeadersOrStatusNoClientCouldRead() {
    JsonObject mocks = new JsonObject().put("name", "unreadable").put("method", "GET").put("mode", "mock")
      .put("url", "http://127.0.0.1:9/x").put("mocks", new JsonArray()
        .add(new JsonObject().put("status", 100))
        .add(new JsonObject().put("headers", new JsonObject().put("Bad Name", "v").put("X-Split", "a\r\nInjected: 1")
          .put("Content-Length", "5")))
        .add(new JsonObject().put("body", "text").put("bodyBase64", "AAE="))
        .add(new JsonObject().put("bodyBase64", "not base64!")));
    HttpResponse<Buffer> r = result(gw.declare(mocks));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsString()).contains("mocks[0].status", "final HTTP status code (200-599)")
      .contains("mocks[1].headers.Bad Name", "is not a header name")
      .contains("mocks[1].headers.X-Split", "control character")
      .contains("mocks[1].headers.Content-Length", "is set by the gateway itself")
      .contains("mocks[2].bodyBase64", "not both").contains("mocks[3].bodyBase64", "is not Base64")
      .doesNotContain("Injected");
    assertThat(result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/integrations/unreadable").send()).statusCode())
      .isEqualTo(404);
  }

  @Test
  void shouldWaitAMocksDelayWithinTheDeadline() {
    declare(gw, new JsonObject().put("name", "slowMock").put("method", "GET").put("mode", "mock").put("timeoutMs", 1000)
      .put("url", "http://127.0.0.1:9/slow").put("mocks", new JsonArray()
        .add(new JsonObject().put("match", new JsonObject().put("query", new JsonObject().put("d", "short")))
          .put("status", 200).put("body", new JsonObject()).put("delayMs", 300))
        .add(new JsonObject().put("status", 200).put("delayMs", 5000)))
      .put("query", new JsonObject().put("d", "{$botContext.q}")));
    JsonObject delayed = run(gw, "sl", "slowMock", "short");
    assertThat(status(delayed)).isEqualTo("200");
    assertThat(delayed.getJsonObject("result").getLong("durationMs")).isGreaterThanOrEqualTo(300);
    JsonObject late = run(gw, "sl", "slowMock", "long");
    assertThat(status(late)).isEqualTo("504");
    assertThat(late.getJsonObject("result").getLong("durationMs")).isBetween(1000L, 3000L);
  }

  @Test
  void shouldRecordMaskedAnswersAndReplayThemByteIdenticalWithTheUpstreamStopped(Vertx vertx) throws Exception {
    result(vertx.deployVerticle(recording));
    JsonObject definition = new JsonObject().put("name", "rec").put("method", "GET").put("mode", "record")
      .put("url", recording.url("/faq")).put("query", new JsonObject().put("q", "{$botContext.q}")
        .put("api_key", "{$env.REC_KEY}"));
    JsonObject echo = new JsonObject().put("name", "recEcho").put("method", "GET").put("mode", "record")
      .put("url", recording.url("/echo")).put("headers", new JsonObject().put("X-Api-Key", "{$env.REC_KEY}"))
      .put("query", new JsonObject().put("ref", "{$env.REC_KEY}"));
    declare(gw, definition);
    declare(gw, echo);
    List<String> questions = List.of("roaming", "billing", "nothing");
    for (String q : questions) {
      assertThat(status(run(gw, "live-" + q, "rec", q))).isEqualTo("200");
    }
    JsonObject recorded = run(gw, "live-echo", "recEcho", "x");
    assertThat(finish(recorded).getString("mode")).isEqualTo("record");
    assertThat(recording.hits("/faq")).isEqualTo(3);

    String file = Files.readString(mocks.resolve("rec.json"));
    JsonArray kept = new JsonArray(file);
    assertThat(kept).hasSize(3);
    assertThat(kept.getJsonObject(0).getJsonObject("match").getJsonObject("query").getString("api_key")).isEqualTo("****");
    String echoFile = Files.readString(mocks.resolve("recEcho.json"));
    assertThat(file + echoFile).doesNotContain(REC_KEY);
    try (Stream<Path> files = Files.list(mocks)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left; the recording gateway's lock")
        .containsExactlyInAnyOrder("rec.json", "recEcho.json", ".botgate.lock");
    }

    result(vertx.undeploy(recording.deploymentID()));
    declare(gw, definition.copy().put("mode", "mock"));
    for (String q : questions) {
      JsonObject replayed = run(gw, "mock-" + q, "rec", q);
      assertThat(status(replayed)).isEqualTo("200");
      assertThat(finish(replayed).getString("mode")).isEqualTo("mock");
      assertThat(jsonData(gw, "mock-" + q, "rec")).isEqualTo(jsonData(gw, "live-" + q, "rec"));
    }

    // A gateway started later, in mock mode for every integration, answers from the same files.
    other = Vertx.vertx();
    TestGateway fresh = result(TestGateway.start(other, new JsonObject().put("upstream.mocksDir", mocks.toString())
      .put("upstream.mode", "mock").put("env", new JsonObject().put("REC_KEY", "anotherValue"))));
    declare(fresh, definition.copy().put("mode", null));
    JsonObject fromFile = run(fresh, "later", "rec", "billing");
    assertThat(status(fromFile)).isEqualTo("200");
    assertThat(jsonData(fresh, "later", "rec")).isEqualTo(jsonData(gw, "live-billing", "rec"));
    assertThat(recording.hits("/faq")).isEqualTo(3);
  }

  /**
   * An upstream that gzips its answer for an integration that accepts it: the execution reads the JSON, record mode
   * keeps that decoded body without the Content-Encoding that no longer describes it, and mock mode gives the
   * integration, and a pass-through caller, the same body the live call gave.
   */
  @Test
  void shouldRecordAGzippedAnswerDecodedAndReplayWhatTheIntegrationRead(Vertx vertx) throws Exception {
    String json = new JsonObject().put("results", new JsonArray().add(new JsonObject().put("title", "zipped FAQ"))).encode();
    Buffer zipped = Buffer.buffer(gzip(json));
    Buffer bomb = Buffer.buffer(gzip(" ".repeat(6 << 20) + "{}")); // 6 MiB of JSON once decoded, past upstream.limit.bytes
    HttpServer zipping = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/bomb")) {
        req.response().putHeader("Content-Type", "application/json").putHeader("Content-Encoding", "gzip").end(bomb);
        return;
      }
      boolean gzip = String.valueOf(req.getHeader("Accept-Encoding")).contains("gzip");
      req.response().putHeader("Content-Type", "application/json");
      if (gzip) {
        req.response().putHeader("Content-Encoding", "gzip").end(zipped);
      } else {
        req.response().end(json);
      }
    });
    result(zipping.listen(0, "127.0.0.1"));
    JsonObject definition = new JsonObject().put("name", "zipped").put("method", "GET").put("mode", "record")
      .put("url", "http://127.0.0.1:" + zipping.actualPort() + "/faq").put("capture", true)
      .put("headers", new JsonObject().put("Accept-Encoding", "gzip"))
      .put("customDataFields", new JsonObject().put("title", "{$.api_zipped.results[i].title}"));
    declare(gw, definition);
    JsonObject live = run(gw, "zip-live", "zipped", "x");
    assertThat(status(live)).as(live.encode()).isEqualTo("200");
    assertThat(live.getJsonObject("variables").getJsonArray("zipped.title")).containsExactly("zipped FAQ");
    assertThat(jsonData(gw, "zip-live", "zipped")).isEqualTo("{\"api_zipped\":" + json + "}");

    declare(gw, new JsonObject().put("name", "zipBomb").put("method", "GET").put("retries", 0)
      .put("url", "http://127.0.0.1:" + zipping.actualPort() + "/bomb"));
    JsonObject bombed = run(gw, "zip-bomb", "zipBomb", "x");
    assertThat(status(bombed)).isEqualTo("502");
    assertThat(bombed.getString("reason")).contains("decoded from its Content-Encoding gzip").contains("limit of 5242880");

    JsonObject kept = new JsonArray(Files.readString(mocks.resolve("zipped.json"))).getJsonObject(0);
    assertThat(kept.getJsonObject("body")).isEqualTo(new JsonObject(json));
    assertThat(kept.getJsonObject("headers").fieldNames()).map(String::toLowerCase).contains("content-type")
      .doesNotContain("content-encoding");

    result(zipping.close());
    declare(gw, definition.copy().put("mode", "mock"));
    JsonObject replayed = run(gw, "zip-mock", "zipped", "x");
    assertThat(status(replayed)).isEqualTo("200");
    assertThat(finish(replayed).getString("mode")).isEqualTo("mock");
    assertThat(replayed.getJsonObject("variables")).isEqualTo(live.getJsonObject("variables"));
    assertThat(jsonData(gw, "zip-mock", "zipped")).isEqualTo(jsonData(gw, "zip-live", "zipped"));

    HttpResponse<Buffer> passed = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/zipped")
      .putHeader("X-Botgate-Session", "zip-proxy").send());
    assertThat(passed.statusCode()).isEqualTo(200);
    assertThat(passed.getHeader("Content-Encoding")).isNull();
    assertThat(passed.bodyAsJsonObject()).isEqualTo(new JsonObject(json));
    assertThat(jsonData(gw, "zip-proxy", "zipped")).isEqualTo(jsonData(gw, "zip-live", "zipped"));
  }

  /**
   * An answer that is not UTF-8 text (a Latin-1 page, a picture) is recorded as its bytes, so mock mode, through an
   * execution and through /proxy/, gives back the bytes the upstream sent rather than U+FFFD in place of each byte
   * that was not UTF-8; a gateway reading the file later answers the same bytes. A header the upstream sent on two
   * lines is replayed with both values, not the last one alone.
   */
  @Test
  void shouldRecordAnAnswerThatIsNotUtf8AsItsBytesAndReplayThemUnchanged(Vertx vertx) throws Exception {
    Buffer latin1 = Buffer.buffer("caf\u00e9 na\u00efve".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    Buffer picture = Buffer.buffer(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, (byte) 0xff});
    HttpServer bytes = vertx.createHttpServer().requestHandler(req -> {
      boolean png = req.path().equals("/logo.png");
      req.response().putHeader("Content-Type", png ? "image/png" : "text/plain; charset=ISO-8859-1")
        .putHeader("Vary", (Iterable<String>) List.of("Accept", "Origin")).end(png ? picture : latin1);
    });
    result(bytes.listen(0, "127.0.0.1"));
    String base = "http://127.0.0.1:" + bytes.actualPort();
    JsonObject page = new JsonObject().put("name", "latinPage").put("method", "GET").put("mode", "record")
      .put("url", base + "/page");
    JsonObject logo = new JsonObject().put("name", "logo").put("method", "GET").put("mode", "record")
      .put("url", base + "/logo.png");
    declare(gw, page);
    declare(gw, logo);
    String liveStatus = status(run(gw, "bytes-live", "latinPage", "x")); // "502": an execution reads JSON
    run(gw, "bytes-live", "logo", "x");
    result(bytes.close());

    declare(gw, page.copy().put("mode", "mock"));
    declare(gw, logo.copy().put("mode", "mock"));
    for (String name : List.of("latinPage", "logo")) {
      HttpResponse<Buffer> replayed = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/" + name)
        .putHeader("X-Botgate-Session", "bytes-mock").send());
      assertThat(replayed.statusCode()).isEqualTo(200);
      assertThat(replayed.body()).as(name).isEqualTo(name.equals("logo") ? picture : latin1);
      assertThat(String.join(", ", replayed.headers().getAll("Vary"))).as("a header sent on two lines")
        .isEqualTo("Accept, Origin");
    }
    assertThat(status(run(gw, "bytes-mock", "latinPage", "x"))).isEqualTo(liveStatus);

    RecordedMocks fromFiles = new RecordedMocks(vertx, mocks);
    fromFiles.load();
    assertThat(fromFiles.of("logo").get(0).bodyBuffer()).isEqualTo(picture);
    assertThat(fromFiles.of("latinPage").get(0).bodyBuffer()).isEqualTo(latin1);
  }

  static byte[] gzip(String text) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(out)) {
      zip.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  /** Large answers recorded: the oldest go once an integration's recordings pass their bytes, the newest stays. */
  @Test
  void shouldKeepAnIntegrationsRecordingsWithinTheirBytes() throws Exception {
    declare(gw, new JsonObject().put("name", "recBig").put("method", "GET").put("mode", "record")
      .put("url", "stub:/big/2048").put("query", new JsonObject().put("q", "{$botContext.q}")));
    int calls = 12; // 2 MiB each: 24 MiB recorded in all
    for (int i = 0; i < calls; i++) {
      run(gw, "big-" + i, "recBig", "q" + i);
    }

    JsonArray kept = new JsonArray(Files.readString(mocks.resolve("recBig.json")));
    long bound = RecordedMocks.MAX_BYTES_PER_INTEGRATION / (2 << 20);
    assertThat(kept.size()).as("at most %d of 2 MiB", bound).isBetween(1, (int) bound);
    assertThat(kept.getJsonObject(kept.size() - 1).getJsonObject("match").getJsonObject("query").getString("q"))
      .as("the newest").isEqualTo("q" + (calls - 1));
  }

  @Test
  void shouldRewriteUrlPrefixesBeforeTheEgressGuard() {
    declare(gw, new JsonObject().put("name", "production").put("method", "GET")
      .put("url", "http://prod.example.invalid/faq").put("query", new JsonObject().put("q", "{$botContext.q}")));
    JsonObject answer = run(gw, "rw", "production", "roaming");
    assertThat(status(answer)).isEqualTo("200");
    assertThat(answer.getString("request")).isEqualTo("GET " + staging.url("/faq") + "?q=roaming");
    assertThat(staging.hits("/faq")).isEqualTo(1);

    declare(gw, new JsonObject().put("name", "rewrittenToMetadata").put("method", "GET")
      .put("url", "http://prod.example.invalid/blocked/meta-data"));
    JsonObject blocked = run(gw, "rw", "rewrittenToMetadata", "x");
    assertThat(status(blocked)).isEqualTo("440");
    assertThat(blocked.getString("request")).startsWith("GET http://169.254.169.254/latest/meta-data");
  }
}
