package io.botgate.proxy;

import io.botgate.StubUpstream;
import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.zip.CRC32;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The pass-through proxy against a real stub upstream: streaming, statuses, headers, recording, faults. */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class PassThroughProxyTest {

  static final String SESSION = "X-Botgate-Session";
  static TestGateway gw;
  /**
   * Small limits: 1 MB up, 2 MB down, 100 kB captured. In a Vert.x of its own: two gateways asking one
   * Vert.x for "any free port" get the same shared port and would split the requests between them.
   */
  static TestGateway small;
  static Vertx smallVertx;
  /** Held in a field: Vert.x 5 closes a client nothing refers to. */
  static HttpClient client;
  static final List<JsonObject> published = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
    smallVertx = Vertx.vertx();
    small = result(TestGateway.start(smallVertx, new JsonObject().put("proxy.request.limit.bytes", 1_000_000)
      .put("proxy.response.limit.bytes", 2_000_000).put("upstream.limit.bytes", 100_000)));
    client = vertx.createHttpClient();
    vertx.eventBus().<JsonObject>consumer("botgate.results", m -> published.add(m.body()));
    // The 50 MB lockstep runs under this integration's deadline: a few seconds on a quiet machine, more than the
    // default 20 s on a loaded one (CI shares 2 cores with Chromium and the test). A gateway that buffered would
    // still fail it: the run would wait for an echo that never comes until this deadline cut it.
    declare(gw, def("pipe", "stub:/pipe").put("timeoutMs", 100_000));
    declare(gw, def("stat", "stub:/status"));
    declare(gw, def("empty", "stub:/empty"));
    declare(gw, def("echo", "stub:/echo"));
    declare(gw, def("octets", "stub:/octets"));
    declare(gw, def("faqOn", "stub:/faq").put("capture", true)
      .put("customDataFields", new JsonObject().put("title", "{$.api_faqOn.results[i].title}")));
    declare(gw, def("faqOff", "stub:/faq")
      .put("customDataFields", new JsonObject().put("title", "{$.api_faqOff.results[i].title}")));
    declare(gw, def("slow", "stub:/hang").put("timeoutMs", 1000));
    declare(gw, def("slower", "stub:/hang").put("timeoutMs", 10_000));
    declare(gw, def("drip", "stub:/drip").put("timeoutMs", 1000));
    declare(gw, def("redirect", "stub:/redirect"));
    declare(gw, def("metadata", "http://169.254.169.254/latest"));
    declare(small, def("octets", "stub:/octets"));
    declare(small, def("huge", "stub:/huge").put("capture", true));
    declare(small, def("echo", "stub:/echo"));
  }

  @AfterAll
  static void stop() {
    result(smallVertx.close());
  }

  private static JsonObject def(String name, String url) {
    return new JsonObject().put("name", name).put("method", "GET").put("url", url);
  }

  private static void declare(TestGateway g, JsonObject definition) {
    HttpResponse<Buffer> r = result(g.declare(definition));
    assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 201);
  }

  private static HttpRequest<Buffer> call(TestGateway g, HttpMethod method, String uri, String session) {
    HttpRequest<Buffer> req = g.http.request(method, g.gateway.port(), "127.0.0.1", uri).followRedirects(false);
    return session == null ? req : req.putHeader(SESSION, session);
  }

  private static JsonObject lastResult(TestGateway g, String session) {
    return result(g.session(session)).getJsonObject("lastResult");
  }

  private static JsonObject variables(String session) {
    return result(gw.session(session)).getJsonObject("variables");
  }

  private static JsonArray events(TestGateway g, String session) {
    return result(g.http.get(g.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/events").send())
      .bodyAsJsonObject().getJsonArray("events");
  }

  private static JsonObject integrationEvent(TestGateway g, String session, String phase) {
    return events(g, session).stream().map(JsonObject.class::cast)
      .filter(e -> "integration".equals(e.getString("kind")) && phase.equals(e.getJsonObject("data").getString("phase")))
      .reduce((first, second) -> second).orElseThrow(() -> new AssertionError("no " + phase + " event"));
  }

  private static String errorCode(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonObject("error").getString("code");
  }

  @Test
  void shouldStream50MegabytesBothWaysWithoutBuffering(Vertx vertx) {
    Lockstep run = result(Lockstep.start(client, gw.gateway.port(), 50L << 20));
    assertThat(run.received).isEqualTo(50L << 20);
    assertThat(run.receivedCrc).isEqualTo(run.sentCrc);
    assertThat(run.upstreamFraming).isEqualTo("chunked");
    assertThat(run.echoBeforeSecondHalf).as("the answer began before the request was half sent").isTrue();
    JsonObject last = lastResult(gw, "big");
    assertThat(last.getString("statusCode")).isEqualTo("200");
    assertThat(last.getString("integration")).isEqualTo("pipe");
  }

  @Test
  void shouldCarryABinaryBodyWithItsLengthBothWays() {
    Buffer body = StubUpstream.octets(300_000);
    HttpResponse<Buffer> r = result(call(gw, HttpMethod.PUT, "/proxy/pipe", "bin")
      .putHeader("Content-Type", "application/octet-stream").sendBuffer(body));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
    assertThat(r.getHeader("X-Request-Transfer-Encoding")).isEqualTo("null");
    HttpResponse<Buffer> down = result(call(gw, HttpMethod.GET, "/proxy/octets/100", "bin").send());
    assertThat(down.body()).isEqualTo(StubUpstream.octets(100 * 1024));
    assertThat(down.getHeader("Content-Length")).isEqualTo(String.valueOf(100 * 1024));
  }

  @Test
  void shouldPassAnUncompressedAnswerOnAsItIsToACallerThatAcceptsGzip() {
    // The server gzips botgate's own answers for callers that accept it; an answer passed through stays as sent.
    HttpResponse<Buffer> down = result(call(gw, HttpMethod.GET, "/proxy/octets/100", "gzip")
      .putHeader("Accept-Encoding", "gzip, deflate").send());
    assertThat(down.getHeader("Content-Encoding")).isNull();
    assertThat(down.getHeader("Content-Length")).isEqualTo(String.valueOf(100 * 1024));
    assertThat(down.body()).isEqualTo(StubUpstream.octets(100 * 1024));
  }

  @Test
  void shouldPassStatusesThroughAndRecordEach() {
    for (int status : new int[] {200, 204, 404, 500}) {
      String session = "status" + status;
      String uri = status == 204 ? "/proxy/empty/204" : "/proxy/stat/" + status;
      HttpResponse<Buffer> r = result(call(gw, HttpMethod.GET, uri, session).send());
      assertThat(r.statusCode()).isEqualTo(status);
      JsonObject last = lastResult(gw, session);
      assertThat(last.getString("statusCode")).isEqualTo(String.valueOf(status));
      assertThat(last.getBoolean("success")).isEqualTo(status == 200);
      JsonObject finish = integrationEvent(gw, session, "finish").getJsonObject("data");
      assertThat(finish.getString("statusCode")).isEqualTo(String.valueOf(status));
      assertThat(finish.getJsonArray("phases")).as("no step ran, and the member is there as in every finish").isEmpty();
      assertThat(finish.getString("request")).startsWith("GET http://127.0.0.1:").endsWith(uri.substring(11));
      await().until(() -> published.stream().anyMatch(p -> session.equals(p.getString("session"))
        && String.valueOf(status).equals(p.getString("statusCode"))));
    }
  }

  @Test
  void shouldForwardPathQueryAndHeadersAndHideTheSessionHeader() {
    HttpResponse<Buffer> r = result(call(gw, HttpMethod.POST, "/proxy/echo/a/b?x=1&y=two", "hdr")
      .putHeader("X-Custom", "kept").putHeader("Authorization", "Bearer upstream-secret")
      .putHeader("Proxy-Connection", "keep-alive") // old clients' hop-by-hop header, the caller's link's alone
      .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("hello")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("X-Upstream")).isEqualTo("echo");
    JsonObject seen = r.bodyAsJsonObject();
    assertThat(seen.getString("method")).isEqualTo("POST");
    assertThat(seen.getString("uri")).isEqualTo("/echo/a/b?x=1&y=two");
    assertThat(seen.getString("body")).isEqualTo("hello");
    JsonObject headers = seen.getJsonObject("headers");
    assertThat(headers.getString("x-custom")).isEqualTo("kept");
    assertThat(headers.getString("authorization")).isEqualTo("Bearer upstream-secret");
    assertThat(headers.getString("host")).isEqualTo("127.0.0.1:" + gw.upstream.port());
    assertThat(headers.fieldNames()).doesNotContain("x-botgate-session", "proxy-connection");
    JsonObject start = integrationEvent(gw, "hdr", "start").getJsonObject("data");
    assertThat(start.getString("method")).isEqualTo("POST");
    assertThat(start.getString("url")).endsWith("/echo/a/b?x=1&y=two");
    assertThat(start.getJsonObject("headers").getString("Authorization")).isEqualTo("****");
    assertThat(start.getJsonObject("headers").stream().filter(h -> h.getKey().equalsIgnoreCase("Host"))
      .map(h -> (String) h.getValue())).as("the Host sent, not the caller's").containsExactly("127.0.0.1:" + gw.upstream.port());
    assertThat(start.encode()).doesNotContain("upstream-secret");
  }

  @Test
  void shouldAnswer400ToAChunkedBodyItCouldNotDecodeWhetherItCameBeforeOrDuringTheStream() throws IOException {
    // at once behind the head (before the upstream is connected and the body piped), and after a chunk piped
    for (String body : List.of("zz\r\n", "5\r\nhello\r\nzz\r\n")) {
      String session = "undecoded-" + body.length();
      String answer;
      try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("POST /proxy/echo/undecoded HTTP/1.1\r\nHost: 127.0.0.1\r\n" + SESSION
          + ": " + session + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(answer).as(body).startsWith("HTTP/1.1 400").contains("\"malformed_body\"")
        .contains("not valid HTTP chunked transfer coding");
      await().atMost(java.time.Duration.ofSeconds(10)).until(() -> lastResult(gw, session) != null);
      JsonObject last = lastResult(gw, session);
      assertThat(last.getString("statusCode")).isEqualTo("440");
      assertThat(last.getBoolean("success")).isFalse();
    }
  }

  @Test
  void shouldStreamAChunkedBodyWhateverTheCaseOfItsTransferEncoding() throws IOException {
    String answer;
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /proxy/echo/chunked-case HTTP/1.1\r\nHost: 127.0.0.1\r\n" + SESSION
        + ": chunked-case\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(answer).startsWith("HTTP/1.1 200").contains("hello");
    assertThat(lastResult(gw, "chunked-case").getString("statusCode")).isEqualTo("200");
  }

  @Test
  void shouldSendTheHostOfAnIpv6UpstreamInBrackets() {
    declare(gw, def("ipv6", "http://[::ffff:127.0.0.1]:" + gw.upstream.port() + "/echo"));
    JsonObject echoed = result(call(gw, HttpMethod.GET, "/proxy/ipv6/x", "ipv6").send()).bodyAsJsonObject();
    assertThat(echoed.getJsonObject("headers").getString("host")).isEqualTo("[::ffff:127.0.0.1]:" + gw.upstream.port());
  }

  @Test
  void shouldSendTheBytesOfATargetThatAreNotAllowedRawPercentEncoded() throws IOException {
    // a raw é (two bytes) reached the upstream as four other bytes, and a NUL raw in its request line
    byte[] head = ("GET /proxy/echo/caf\u00c3\u00a9/a\u0000b?q=\u00ff HTTP/1.1\r\nHost: 127.0.0.1\r\n" + SESSION
      + ": raw-target\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    String answer;
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head);
      answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(answer).startsWith("HTTP/1.1 200");
    JsonObject echoed = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertThat(echoed.getString("uri")).isEqualTo("/echo/caf%C3%A9/a%00b?q=%FF");
  }

  @Test
  void shouldRefuseARawHashInTheTargetRatherThanSendAFragmentUpstream() throws IOException {
    // a client keeps a URL's fragment to itself (RFC 9110 7.1); one in a request target is a mistake, and forwarded
    // it reached the upstream inside the path
    for (String target : List.of("/proxy/echo/a#frag", "/proxy/echo/a?x=1#frag", "/proxy/echo/C#/tags")) {
      String answer = rawCall(target, "hash-target");
      assertThat(answer).as(target).startsWith("HTTP/1.1 400").contains("\"fragment_in_target\"", "'#'", "%23");
    }
    String encoded = rawCall("/proxy/echo/C%23/tags?x=%23", "hash-target");
    assertThat(encoded).as("a '#' sent as data, encoded").startsWith("HTTP/1.1 200");
    assertThat(new JsonObject(encoded.substring(encoded.indexOf("\r\n\r\n") + 4)).getString("uri"))
      .isEqualTo("/echo/C%23/tags?x=%23");
  }

  /** What the gateway answers to a GET of {@code target} in the session, sent as written. */
  private static String rawCall(String target, String session) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + SESSION + ": " + session
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldSendTheUrlsUserInfoAsBasicAuthUnlessTheCallerSendsAuthorization() {
    declare(gw, def("userInfo", "http://bob:pw@127.0.0.1:" + gw.upstream.port() + "/echo"));
    JsonObject basic = result(call(gw, HttpMethod.GET, "/proxy/userInfo/x", "userinfo").send()).bodyAsJsonObject();
    assertThat(basic.getJsonObject("headers").getString("authorization")).isEqualTo("Basic Ym9iOnB3");
    JsonObject start = integrationEvent(gw, "userinfo", "start").getJsonObject("data");
    assertThat(start.getJsonObject("headers").getString("Authorization")).isEqualTo("****");
    assertThat(start.encode()).doesNotContain("Ym9iOnB3").doesNotContain("bob:pw");
    JsonObject own = result(call(gw, HttpMethod.GET, "/proxy/userInfo/x", "userinfo-own")
      .putHeader("Authorization", "Bearer mine").send()).bodyAsJsonObject();
    assertThat(own.getJsonObject("headers").getString("authorization")).isEqualTo("Bearer mine");
  }

  @Test
  void shouldPublishTheCallsEventsOnTheBusAsTheConsoleShowsThem(Vertx vertx) {
    List<JsonObject> heard = new CopyOnWriteArrayList<>();
    var consumer = vertx.eventBus().<JsonObject>consumer("botgate.events.bus", m -> heard.add(m.body()));
    result(consumer.completion());
    try {
      HttpResponse<Buffer> r = result(call(gw, HttpMethod.GET, "/proxy/stat/200?x=1", "bus")
        .putHeader("Authorization", "Bearer upstream-secret").send());
      assertThat(r.statusCode()).isEqualTo(200);
      await().until(() -> heard.size() >= 2);
      JsonObject start = heard.get(0).getJsonObject("data");
      assertThat(start.getString("phase")).isEqualTo("start");
      assertThat(start.getString("method")).isEqualTo("GET");
      assertThat(start.getString("url")).endsWith("/status/200?x=1");
      assertThat(start.getJsonObject("headers").getString("Authorization")).isEqualTo("****");
      JsonObject finish = heard.get(1).getJsonObject("data");
      assertThat(finish.getString("phase")).isEqualTo("finish");
      assertThat(finish.getString("statusCode")).isEqualTo("200");
      assertThat(finish.getBoolean("success")).isTrue();
      assertThat(finish.getJsonObject("fields")).isEmpty();
      // The same events as the history keeps and the console replays.
      assertThat(events(gw, "bus").stream().map(e -> ((JsonObject) e).getJsonObject("data")).toList())
        .containsExactly(start, finish);
      assertThat(heard.toString()).doesNotContain("upstream-secret");
    } finally {
      consumer.unregister();
    }
  }

  @Test
  void shouldCaptureAJsonAnswerIntoVariablesAndFieldsWhenAsked() {
    HttpResponse<Buffer> r = result(call(gw, HttpMethod.GET, "/proxy/faqOn?q=roaming", "cap").send());
    assertThat(r.bodyAsJsonObject().getInteger("total")).isEqualTo(2);
    JsonObject vars = variables("cap");
    assertThat(vars.getJsonArray("faqOn.title")).containsExactly("About roaming", "roaming FAQ");
    assertThat(vars.getInteger("faqOn.title.count")).isEqualTo(2);
    assertThat(vars.getString("api_faqOnStatus")).isEqualTo("200");
    assertThat(vars.getJsonObject("api_faqOn").getString("jsonData")).contains("About roaming");
    JsonObject script = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/cap/scripts")
      .sendJsonObject(new JsonObject().put("code", "botContext.sendMessage(botContext.getApiStatusCode() + ' '"
        + " + botContext.isApiExecutionSuccessful() + ' ' + botContext.getBotVariable('faqOn.title.count'))")))
      .bodyAsJsonObject();
    assertThat(script.getJsonArray("messages").getJsonObject(0).getString("text")).isEqualTo("200 true 2");
  }

  /**
   * A caller that accepts gzip gets the upstream's gzipped answer as it was sent, and what is captured is the JSON
   * inside it: the fields are mapped as for an answer that was not compressed.
   */
  @Test
  void shouldPassAGzippedAnswerOnAsSentAndCaptureItDecoded(Vertx vertx) throws IOException {
    String json = new JsonObject().put("results", new JsonArray().add(new JsonObject().put("title", "zipped"))).encode();
    java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(zipped)) {
      zip.write(json.getBytes(StandardCharsets.UTF_8));
    }
    HttpServer gzipping = vertx.createHttpServer().requestHandler(req -> req.response()
      .putHeader("Content-Type", "application/json").putHeader("Content-Encoding", "gzip")
      .end(Buffer.buffer(zipped.toByteArray())));
    result(gzipping.listen(0, "127.0.0.1"));
    try {
      declare(gw, def("zipCap", "http://127.0.0.1:" + gzipping.actualPort() + "/faq").put("capture", true)
        .put("customDataFields", new JsonObject().put("title", "{$.api_zipCap.results[i].title}")));
      HttpResponse<Buffer> r = result(call(gw, HttpMethod.GET, "/proxy/zipCap", "zipcap")
        .putHeader("Accept-Encoding", "gzip").send());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.getHeader("Content-Encoding")).isEqualTo("gzip");
      assertThat(r.body().getBytes()).as("passed on as sent").isEqualTo(zipped.toByteArray());
      JsonObject vars = variables("zipcap");
      assertThat(vars.getJsonObject("api_zipCap").getString("jsonData")).isEqualTo("{\"api_zipCap\":" + json + "}");
      assertThat(vars.getJsonArray("zipCap.title")).containsExactly("zipped");
      assertThat(lastResult(gw, "zipcap").getBoolean("success")).isTrue();
    } finally {
      result(gzipping.close());
    }
  }

  /**
   * A call is sent once, its body with it, whatever the integration's retries (the body streamed and cannot be sent
   * again), and its answer captured once: the 503 goes to the caller and into the session as it came.
   */
  @Test
  void shouldSendACapturedPostOnceWhateverTheIntegrationsRetries() {
    declare(gw, def("flakyCap", "stub:/flaky/1/cap").put("method", "POST").put("capture", true).put("retries", 3)
      .put("retryNonIdempotent", true));
    HttpResponse<Buffer> r = result(call(gw, HttpMethod.POST, "/proxy/flakyCap", "flakycap")
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"order\": 7}")));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(gw.upstream.hits("/flaky/1/cap")).isEqualTo(1);
    assertThat(gw.upstream.received.stream().filter(q -> q.uri().equals("/flaky/1/cap")).map(StubUpstream.Received::body))
      .containsExactly("{\"order\": 7}");
    JsonObject last = lastResult(gw, "flakycap");
    assertThat(last.getString("statusCode")).isEqualTo("503");
    assertThat(last.getInteger("attempts")).isEqualTo(1);
    assertThat(variables("flakycap").getJsonObject("api_flakyCap").getString("jsonData"))
      .isEqualTo("{\"api_flakyCap\":{\"error\":\"try again\"}}");
    assertThat(events(gw, "flakycap").stream().map(JsonObject.class::cast)
      .filter(e -> "finish".equals(e.getJsonObject("data", new JsonObject()).getString("phase")))).hasSize(1);
  }

  @Test
  void shouldKeepNoBodyWithoutCapture() {
    result(call(gw, HttpMethod.GET, "/proxy/faqOff?q=roaming", "nocap").send());
    JsonObject vars = variables("nocap");
    assertThat(vars.getJsonObject("api_faqOff").getString("jsonData")).isEqualTo("{\"api_faqOff\":null}");
    // The field reads as after an execution that got no body: empty (null or no element).
    assertThat(vars.getValue("faqOff.title")).isIn(null, new JsonArray());
    assertThat(vars.getInteger("faqOff.title.count")).isZero();
    assertThat(vars.getString("api_faqOffStatus")).isEqualTo("200");
    assertThat(lastResult(gw, "nocap").getBoolean("success")).isTrue();
  }

  @Test
  void shouldRefuseBlockedEgressAndPassRedirectsBack() {
    HttpResponse<Buffer> blocked = result(call(gw, HttpMethod.GET, "/proxy/metadata", "egress").send());
    assertThat(blocked.statusCode()).isEqualTo(403);
    assertThat(errorCode(blocked)).isEqualTo("egress_blocked");
    assertThat(lastResult(gw, "egress").getString("statusCode")).isEqualTo("440");

    HttpResponse<Buffer> moved = result(call(gw, HttpMethod.GET,
      "/proxy/redirect?to=http://169.254.169.254/latest/meta-data", "redir").send());
    assertThat(moved.statusCode()).isEqualTo(302);
    assertThat(moved.getHeader("Location")).isEqualTo("http://169.254.169.254/latest/meta-data");
    assertThat(lastResult(gw, "redir").getString("statusCode")).isEqualTo("302");
  }

  @Test
  void shouldAnswer504AtTheDeadlineOfAHangingUpstream() {
    long start = System.nanoTime();
    HttpResponse<Buffer> r = result(call(gw, HttpMethod.GET, "/proxy/slow", "hang").send());
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(504);
    assertThat(errorCode(r)).isEqualTo("upstream_timeout");
    assertThat(ms).isBetween(1000L, 2 * 1000L + 1000L);
    assertThat(lastResult(gw, "hang").getString("statusCode")).isEqualTo("504");
  }

  @Test
  void shouldRecordACallerThatGaveUpAsItsOwnDoingNotUpstreams() {
    // The caller closes its connection (its own 300 ms timeout) while a hanging upstream has not answered.
    Throwable gaveUp = failure(client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(gw.gateway.port()).setURI("/proxy/slower").putHeader(SESSION, "gave-up").setIdleTimeout(300))
      .compose(HttpClientRequest::send));
    assertThat(gaveUp).isNotNull();
    await().atMost(java.time.Duration.ofSeconds(15)).until(() -> lastResult(gw, "gave-up") != null);
    assertThat(lastResult(gw, "gave-up").getString("statusCode")).isEqualTo("502");
    assertThat(integrationEvent(gw, "gave-up", "finish").getJsonObject("data").getString("reason"))
      .startsWith("the caller closed its connection before upstream answered");
  }

  @Test
  @Timeout(30)
  void shouldKeepAShortDeadlineBehindLongerOnesInFlight() {
    // Calls under a 10 s deadline first, on connections of their own (spread over the gateway's event loops),
    // then calls under a 1 s one: an event loop's earliest deadline moves earlier, and must still fire in time.
    // Four connections in all: the client's pool has five.
    List<Future<HttpResponse<Buffer>>> longer = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      longer.add(call(gw, HttpMethod.GET, "/proxy/slower", "long" + i).send());
    }
    long start = System.nanoTime();
    List<Future<HttpResponse<Buffer>>> shorter = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      shorter.add(call(gw, HttpMethod.GET, "/proxy/slow", "short" + i).send());
    }
    for (Future<HttpResponse<Buffer>> answer : shorter) {
      assertThat(result(answer).statusCode()).isEqualTo(504);
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(ms).isBetween(1000L, 2 * 1000L + 1000L);
    assertThat(longer).noneMatch(Future::isComplete);
  }

  @Test
  void shouldCutAnAnswerStillStreamingAtTheDeadline() {
    long start = System.nanoTime();
    failure(call(gw, HttpMethod.GET, "/proxy/drip", "drip").send());
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(ms).isBetween(1000L, 2 * 1000L + 1000L);
    await().until(() -> lastResult(gw, "drip") != null);
    assertThat(lastResult(gw, "drip").getString("statusCode")).isEqualTo("504");
  }

  @Test
  void shouldAnswer502WhenTheUpstreamRefuses(Vertx vertx) {
    var closed = vertx.createHttpServer().requestHandler(req -> req.response().end());
    int port = result(closed.listen(0, "127.0.0.1")).actualPort();
    result(closed.close());
    declare(gw, def("refused", "http://127.0.0.1:" + port + "/x"));
    HttpResponse<Buffer> r = result(call(gw, HttpMethod.GET, "/proxy/refused", "refused").send());
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(errorCode(r)).isEqualTo("upstream_unreachable");
    assertThat(lastResult(gw, "refused").getString("statusCode")).isEqualTo("502");
  }

  @Test
  void shouldWaitPastAnInterimAnswerForTheFinalOneAndHandItToNoOtherCall(Vertx vertx) {
    // 102 Processing now, the answer later: a gateway that took the 102 for the answer sent it to the caller, who
    // waited for good, and pooled the connection, where the next call read the late answer as its own
    int port = rawUpstream(vertx, (socket, head) -> {
      if (head.startsWith("GET /interim/slow ")) {
        socket.write("HTTP/1.1 102 Processing\r\n\r\n");
        vertx.setTimer(300, t -> socket.write(rawAnswer("the slow call's answer")));
      } else {
        socket.write(rawAnswer("the next call's answer"));
      }
    });
    declare(gw, def("interim", "http://127.0.0.1:" + port + "/interim"));
    HttpResponse<Buffer> slow = result(call(gw, HttpMethod.GET, "/proxy/interim/slow", "interim-a").send());
    assertThat(slow.statusCode()).isEqualTo(200);
    assertThat(slow.bodyAsString()).isEqualTo("the slow call's answer");
    assertThat(lastResult(gw, "interim-a").getString("statusCode")).isEqualTo("200");
    for (int i = 0; i < 4; i++) { // whichever event loop, and so whichever pooled connection, each call takes
      HttpResponse<Buffer> next = result(call(gw, HttpMethod.GET, "/proxy/interim/next", "interim-b").send());
      assertThat(next.bodyAsString()).isEqualTo("the next call's answer");
    }
  }

  @Test
  void shouldPassOnTheAnswerToAHeadThatCameAfterAnInterimOne(Vertx vertx) {
    // Netty's decoder took the HEAD for the interim answer, read the final one's length as a body to come, and the
    // caller waited until the deadline; the next call on the connection must still get its own answer
    int port = rawUpstream(vertx, (socket, head) -> socket.write(head.startsWith("HEAD ")
      ? "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 22\r\n\r\n"
      : rawAnswer("the next call's answer")));
    declare(gw, def("headInterim", "http://127.0.0.1:" + port + "/head"));
    HttpResponse<Buffer> head = result(call(gw, HttpMethod.HEAD, "/proxy/headInterim/x", "head-interim").timeout(5000)
      .send());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.getHeader("Content-Length")).isEqualTo("22");
    assertThat(lastResult(gw, "head-interim").getString("statusCode")).isEqualTo("200");
    for (int i = 0; i < 4; i++) {
      HttpResponse<Buffer> next = result(call(gw, HttpMethod.GET, "/proxy/headInterim/next", "head-interim").send());
      assertThat(next.bodyAsString()).as("call " + i).isEqualTo("the next call's answer");
    }
  }

  @Test
  void shouldAnswer502ToAProtocolSwitchTheCallerNeverAskedFor(Vertx vertx) {
    int port = rawUpstream(vertx, (socket, head) -> socket.write("HTTP/1.1 101 Switching Protocols\r\n"
      + "Upgrade: h2c\r\nConnection: Upgrade\r\n\r\nnot HTTP any more"));
    declare(gw, def("switching", "http://127.0.0.1:" + port + "/switch"));
    HttpResponse<Buffer> r = result(call(gw, HttpMethod.GET, "/proxy/switching", "switching").send());
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(errorCode(r)).isEqualTo("upstream_broken");
    assertThat(lastResult(gw, "switching").getString("statusCode")).isEqualTo("502");
  }

  @Test
  void shouldAnswer502ToAStatusPast599AndHandItsConnectionToNoOtherCall(Vertx vertx) {
    // Netty reads any number as a status: "2000" went to the caller and into the session's result as "2000"
    int port = rawUpstream(vertx, (socket, head) -> socket.write(head.startsWith("GET /odd/first ")
      ? "HTTP/1.1 2000 Odd\r\nContent-Length: 5\r\n\r\nodd!!" : rawAnswer("the next call's answer")));
    declare(gw, def("odd", "http://127.0.0.1:" + port + "/odd"));
    HttpResponse<Buffer> r = result(call(gw, HttpMethod.GET, "/proxy/odd/first", "odd-a").send());
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(errorCode(r)).isEqualTo("upstream_broken");
    assertThat(r.bodyAsString()).contains("2000", "not an HTTP status");
    assertThat(lastResult(gw, "odd-a").getString("statusCode")).isEqualTo("502");
    for (int i = 0; i < 4; i++) {
      HttpResponse<Buffer> next = result(call(gw, HttpMethod.GET, "/proxy/odd/next", "odd-b").send());
      assertThat(next.bodyAsString()).as("call " + i).isEqualTo("the next call's answer");
    }
  }

  @Test
  void shouldNotLetTheBodyOfA204ThatHasOneSpoilTheNextCallOnItsConnection(Vertx vertx) {
    int port = rawUpstream(vertx, (socket, head) -> socket.write(head.startsWith("GET /nobody/first ")
      ? "HTTP/1.1 204 No Content\r\nContent-Length: 16\r\n\r\nthe 204's secret"
      : rawAnswer("the next call's answer")));
    declare(gw, def("nobody", "http://127.0.0.1:" + port + "/nobody"));
    assertThat(result(call(gw, HttpMethod.GET, "/proxy/nobody/first", "nobody-a").send()).statusCode()).isEqualTo(204);
    for (int i = 0; i < 4; i++) {
      HttpResponse<Buffer> next = result(call(gw, HttpMethod.GET, "/proxy/nobody/next", "nobody-b").send());
      assertThat(next.bodyAsString()).as("call " + i).isEqualTo("the next call's answer");
    }
  }

  @Test
  void shouldAnswer502WhenTheAnswerBreaksOffBeforeAnyOfItWasPassedOn(Vertx vertx) {
    // the head alone then a close, or a body that is not chunked coding: the caller got a closed connection, no answer
    int port = rawUpstream(vertx, (socket, head) -> {
      if (head.startsWith("GET /broken/closed ")) {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n").onComplete(written -> socket.close());
      } else {
        socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
      }
    });
    declare(gw, def("broken", "http://127.0.0.1:" + port + "/broken"));
    for (String path : List.of("closed", "unchunked")) {
      HttpResponse<Buffer> r = result(call(gw, HttpMethod.GET, "/proxy/broken/" + path, "broken-" + path).send());
      assertThat(r.statusCode()).as(path).isEqualTo(502);
      assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(errorCode(r)).isEqualTo("upstream_broken");
      assertThat(lastResult(gw, "broken-" + path).getString("statusCode")).isEqualTo("502");
    }
  }

  /** An upstream that answers each request head (bodies are not read) as {@code answer} writes it; its port. */
  private static int rawUpstream(Vertx vertx, BiConsumer<NetSocket, String> answer) {
    return result(vertx.createNetServer().connectHandler(socket -> socket.handler(RecordParser.newDelimited(
      "\r\n\r\n", head -> answer.accept(socket, head.toString(StandardCharsets.ISO_8859_1)))))
      .listen(0, "127.0.0.1")).actualPort();
  }

  private static String rawAnswer(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  @Test
  void shouldShowAMisspeltIntegrationInTheSessionsConsole() {
    assertThat(result(call(gw, HttpMethod.GET, "/proxy/echo/x", "typo-proxy").send()).statusCode()).isEqualTo(200);
    long before = gw.gateway.stream().lastSeq("typo-proxy");
    HttpResponse<Buffer> unknown = result(call(gw, HttpMethod.GET, "/proxy/ecoh/x", "typo-proxy").send());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getJsonObject("error").getString("message"))
      .isEqualTo("no integration named 'ecoh' (did you mean 'echo'?)");

    JsonArray events = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/typo-proxy/events?after="
      + before).send()).bodyAsJsonObject().getJsonArray("events");
    assertThat(events).hasSize(1);
    assertThat(events.getJsonObject(0).getString("level")).isEqualTo("error");
    assertThat(events.getJsonObject(0).getString("text")).isEqualTo("no integration named 'ecoh' (did you mean 'echo'?)");
  }

  /** A call refused before it began (its upgrade, its method, its path) shows in the console of a session with events. */
  @Test
  void shouldShowACallRefusedBeforeItBeganInTheSessionsConsole() throws IOException {
    String session = "refused-proxy";
    assertThat(result(call(gw, HttpMethod.GET, "/proxy/echo/x", session).send()).statusCode()).isEqualTo(200);
    long before = gw.gateway.stream().lastSeq(session);
    List<JsonObject> refused = new ArrayList<>();
    HttpResponse<Buffer> ws = result(call(gw, HttpMethod.GET, "/proxy/echo/chat", session).putHeader("Upgrade", "websocket")
      .putHeader("Connection", "Upgrade").putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
      .putHeader("Sec-WebSocket-Version", "13").send());
    refused.add(ws.bodyAsJsonObject().getJsonObject("error").put("status", ws.statusCode()));
    HttpResponse<Buffer> dots = result(call(gw, HttpMethod.GET, "/proxy/echo/a/%2e%2e/admin", session).send());
    refused.add(dots.bodyAsJsonObject().getJsonObject("error").put("status", dots.statusCode()));
    String connect;
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(("CONNECT /proxy/echo/tunnel HTTP/1.1\r\nHost: 127.0.0.1\r\n" + SESSION + ": "
        + session + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      connect = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(connect).startsWith("HTTP/1.1 400");
    refused.add(new JsonObject(connect.substring(connect.indexOf("\r\n\r\n") + 4)).getJsonObject("error").put("status", 400));
    assertThat(refused).extracting(e -> e.getString("code"))
      .containsExactly("websocket_not_supported", "invalid_path", "connect_not_supported");

    JsonArray events = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/events?after="
      + before).send()).bodyAsJsonObject().getJsonArray("events");
    assertThat(events).as("one error event a refusal, nothing else: no call began").hasSize(refused.size());
    for (int i = 0; i < refused.size(); i++) {
      JsonObject event = events.getJsonObject(i);
      JsonObject error = refused.get(i);
      assertThat(event.getString("kind")).isEqualTo("error");
      assertThat(event.getString("level")).isEqualTo("error");
      assertThat(event.getString("text")).isEqualTo(error.getString("message"));
      assertThat(event.getJsonObject("data").getString("code")).isEqualTo(error.getString("code"));
      assertThat(event.getJsonObject("data").getInteger("status")).isEqualTo(400);
      assertThat(event.getJsonObject("data").getString("integration")).isEqualTo("echo");
    }
    assertThat(gw.upstream.hits("/echo/chat")).isZero();

    // a session without events keeps nothing of a refusal: made-up ids would each keep a history
    assertThat(result(call(gw, HttpMethod.GET, "/proxy/echo/a/%2e%2e/admin", "refused-proxy-new").send())
      .statusCode()).isEqualTo(400);
    assertThat(gw.gateway.stream().lastSeq("refused-proxy-new")).isZero();
  }

  @Test
  void shouldRefuseWithoutSessionUnknownIntegrationsAndWebSockets() {
    HttpResponse<Buffer> noSession = result(call(gw, HttpMethod.GET, "/proxy/echo", null).send());
    assertThat(noSession.statusCode()).isEqualTo(400);
    assertThat(errorCode(noSession)).isEqualTo("missing_session");
    HttpResponse<Buffer> unknown = result(call(gw, HttpMethod.GET, "/proxy/nope/x", "s").send());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(errorCode(unknown)).isEqualTo("unknown_integration");
    for (HttpResponse<Buffer> refusal : List.of(noSession, unknown)) { // the gateway's own answers, as the API's are
      assertThat(refusal.getHeader("Cache-Control")).isEqualTo("no-store");
      assertThat(refusal.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    }
    HttpResponse<Buffer> ws = result(call(gw, HttpMethod.GET, "/proxy/echo", "s").putHeader("Upgrade", "websocket")
      .putHeader("Connection", "Upgrade").putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
      .putHeader("Sec-WebSocket-Version", "13").send());
    assertThat(ws.statusCode()).isEqualTo(400);
    assertThat(errorCode(ws)).isEqualTo("websocket_not_supported");
    HttpResponse<Buffer> dots = result(call(gw, HttpMethod.GET, "/proxy/echo/a/%2e%2e/b", "s").send());
    assertThat(dots.statusCode()).isEqualTo(400);
    assertThat(gw.upstream.hits("/echo/a/%2e%2e/b")).isZero();
    // encoded twice, as a template placeholder refuses it too: servers and proxies that decode twice exist
    HttpResponse<Buffer> twice = result(call(gw, HttpMethod.GET, "/proxy/echo/a/%252e%252E/b", "s").send());
    assertThat(twice.statusCode()).isEqualTo(400);
    assertThat(errorCode(twice)).isEqualTo("invalid_path");
    // read as '..' inside the segment by servers that decode a slash (nginx), take '\\' for one (IIS) or cut at ';'
    // (Tomcat): /api/public/..%2Fadmin reached an nginx's /api/admin with the integration's credential
    for (String path : List.of("/proxy/echo/..%2Fadmin", "/proxy/echo/a%2F..%2F..%2Fx", "/proxy/echo/..%5Cadmin",
      "/proxy/echo/..;/admin", "/proxy/echo/%2e%2e%2fadmin")) {
      HttpResponse<Buffer> inside = result(call(gw, HttpMethod.GET, path, "s").send());
      assertThat(inside.statusCode()).as(path).isEqualTo(400);
      assertThat(errorCode(inside)).as(path).isEqualTo("invalid_path");
    }
  }

  @Test
  void shouldHoldAnAnswerOfUnknownLengthForAnHttp10CallerOnlyToTheUpstreamLimit() throws IOException {
    // vertx-http-proxy holds such an answer whole to give it a Content-Length: at proxy.response.limit.bytes, four
    // callers of a 90 MB answer ran a 300 MB heap out
    assertThat(http10Put(1 << 20)).startsWith("HTTP/1.0 200").containsIgnoringCase("Content-Length: " + (1 << 20));
    String tooLong = http10Put(6 << 20);
    assertThat(tooLong).startsWith("HTTP/1.0 502").contains("upstream.limit.bytes").contains("HTTP/1.1");
  }

  /** PUTs {@code bytes} to the echoing upstream as an HTTP/1.0 caller; the answer's head and a little of its body. */
  private String http10Put(int bytes) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      socket.setSoTimeout(20_000);
      var out = socket.getOutputStream();
      out.write(("PUT /proxy/pipe/old HTTP/1.0\r\nHost: 127.0.0.1\r\n" + SESSION + ": old-client\r\nContent-Length: "
        + bytes + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[bytes]);
      out.flush();
      byte[] head = socket.getInputStream().readNBytes(2048);
      return new String(head, StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void shouldRefuseToForwardAConnect() throws IOException {
    String answer;
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(("CONNECT /proxy/echo/tunnel HTTP/1.1\r\nHost: 127.0.0.1\r\n" + SESSION
        + ": tunnel\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(answer).startsWith("HTTP/1.1 400").contains("\"connect_not_supported\"");
    assertThat(gw.upstream.hits("/echo/tunnel")).isZero();
  }

  /**
   * A call the proxy failed on is logged with a pattern, not a message built per call: for log.repeats.perSecond
   * the lines of every failed call are one kind (its logger, level and pattern), not one kind per path.
   */
  @Test
  void shouldLogEveryFailedCallAsOneKindOfLine(Vertx vertx) {
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
      .getLogger(PassThroughProxy.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
      new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    log.addAppender(lines);
    HttpServer failing = result(vertx.createHttpServer().requestHandler(request -> PassThroughProxy.failed(request,
      new IllegalStateException("no proxy for " + request.path()))).listen(0, "127.0.0.1"));
    try {
      for (String path : List.of("/proxy/one/a", "/proxy/two/b?q=1")) {
        HttpResponse<Buffer> answer = result(gw.http.get(failing.actualPort(), "127.0.0.1", path).send());
        assertThat(answer.statusCode()).isEqualTo(500);
        assertThat(errorCode(answer)).isEqualTo("internal_error");
      }
      assertThat(lines.list).hasSize(2).allMatch(line -> line.getLevel() == ch.qos.logback.classic.Level.ERROR);
      assertThat(lines.list).extracting(line -> line.getMessage()).as("one pattern").containsOnly("request {} {} failed");
      assertThat(lines.list).extracting(line -> line.getFormattedMessage())
        .containsExactly("request GET /proxy/one/a failed", "request GET /proxy/two/b failed");
      assertThat(lines.list.get(0).getThrowableProxy().getMessage()).isEqualTo("no proxy for /proxy/one/a");
    } finally {
      log.detachAppender(lines);
      result(failing.close());
    }
  }

  @Test
  void shouldSkipTheRouterOnlyForUrisItWouldRouteToTheProxyAsWritten() {
    assertThat(PassThroughProxy.direct("/proxy/pass/faq?q=bench&page=2")).isTrue();
    assertThat(PassThroughProxy.direct("/proxy/pass")).isTrue();
    assertThat(PassThroughProxy.direct("/proxy/pass/a.b/c?x=/../y")).isTrue();
    for (String uri : List.of("/proxy", "/api/sessions", "/proxy/pass/../x", "/proxy/pass/./x", "/proxy/pass/.",
      "/proxy//pass", "/proxy/pass/%2e%2e/x", "/proxy/pass/x?q=%zz", "/proxy/pass\\x", "http://h/proxy/pass/x")) {
      assertThat(PassThroughProxy.direct(uri)).as(uri).isFalse();
    }
  }

  @Test
  void shouldRefuseAnAnswerAnnouncedLargerThanTheLimit() {
    HttpResponse<Buffer> r = result(call(small, HttpMethod.GET, "/proxy/octets/3000", "big-down").send());
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(errorCode(r)).isEqualTo("upstream_too_large");
    assertThat(lastResult(small, "big-down").getString("statusCode")).isEqualTo("502");
  }

  @Test
  void shouldCutAStreamedAnswerAtTheLimit() {
    failure(call(small, HttpMethod.GET, "/proxy/huge/3", "cut-down").send());
    await().until(() -> lastResult(small, "cut-down") != null);
    assertThat(lastResult(small, "cut-down").getString("statusCode")).isEqualTo("502");
  }

  @Test
  void shouldPassAnAnswerTooLargeToCaptureWithoutCapturingIt() {
    HttpResponse<Buffer> r = result(call(small, HttpMethod.GET, "/proxy/huge/1", "nocapture").send());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body().length()).isGreaterThan(1_000_000);
    JsonObject vars = result(small.session("nocapture")).getJsonObject("variables");
    assertThat(vars.getJsonObject("api_huge").getString("jsonData")).isEqualTo("{\"api_huge\":null}");
    assertThat(events(small, "nocapture").encode()).contains("not captured");
  }

  @Test
  void shouldRefuseARequestBodyLargerThanTheLimit() {
    // The gateway answers 413 as soon as it reads the announced length, drops the rest of the body as it comes
    // and ends the connection in order: the client, still writing its 1.5 MB, reads the answer.
    var sent = call(small, HttpMethod.POST, "/proxy/echo/whole", "big-up").sendBuffer(StubUpstream.octets(1_500_000));
    assertThat(result(sent).statusCode()).isEqualTo(413);
    await().until(() -> lastResult(small, "big-up") != null);
    assertThat(lastResult(small, "big-up").getString("statusCode")).isEqualTo("440");
    assertThat(small.upstream.hits("/echo/whole")).isZero();
  }

  @Test
  void shouldCutAChunkedRequestBodyAtTheLimit() {
    HttpClientRequest req = result(client.request(new RequestOptions().setMethod(HttpMethod.POST)
      .setPort(small.gateway.port()).setHost("127.0.0.1").setURI("/proxy/echo/chunked").putHeader(SESSION, "cut-up")));
    req.setChunked(true);
    Buffer chunk = StubUpstream.octets(64 * 1024);
    for (int i = 0; i < 30; i++) {
      req.write(chunk);
    }
    req.end();
    // The gateway answers 413 once the body passes the limit and ends the connection in order: the client,
    // still writing, reads the answer.
    assertThat(result(req.response()).statusCode()).isEqualTo(413);
    await().until(() -> lastResult(small, "cut-up") != null);
    assertThat(lastResult(small, "cut-up").getString("statusCode")).isEqualTo("440");
    assertThat(integrationEvent(small, "cut-up", "finish").getJsonObject("data").getString("reason"))
      .contains("proxy.request.limit.bytes");
  }

  /**
   * Sends {@code total} random bytes chunked to the echoing upstream and reads the echo as it comes. It
   * stops at half way until the first echoed byte has arrived: a gateway that held the request (or the
   * answer) back until it was whole would never send that byte, and the run would not finish.
   */
  static final class Lockstep {
    final CRC32 sent = new CRC32();
    final CRC32 got = new CRC32();
    long sentBytes;
    long received;
    long sentCrc;
    long receivedCrc;
    String upstreamFraming;
    boolean echoBeforeSecondHalf;
    private final Promise<Lockstep> done = Promise.promise();
    private final Buffer[] chunks = new Buffer[8];
    private final long total;
    private HttpClientRequest req;
    private Runnable waitingForEcho;

    private Lockstep(long total) {
      this.total = total;
      Random random = new Random(42);
      for (int i = 0; i < chunks.length; i++) {
        byte[] bytes = new byte[64 * 1024];
        random.nextBytes(bytes);
        chunks[i] = Buffer.buffer(bytes);
      }
    }

    static Future<Lockstep> start(HttpClient client, int port, long total) {
      Lockstep run = new Lockstep(total);
      client.request(new RequestOptions().setMethod(HttpMethod.POST).setPort(port).setHost("127.0.0.1")
          .setURI("/proxy/pipe/stream").putHeader(SESSION, "big").putHeader("Content-Type", "application/octet-stream"))
        .onSuccess(req -> run.send(req)).onFailure(run.done::tryFail);
      return run.done.future();
    }

    private void send(HttpClientRequest request) {
      req = request;
      req.setChunked(true);
      req.response().onFailure(done::tryFail).onSuccess(resp -> {
        upstreamFraming = resp.getHeader("X-Request-Transfer-Encoding");
        resp.handler(data -> {
          received += data.length();
          got.update(data.getBytes());
          Runnable waiting = waitingForEcho;
          if (waiting != null) {
            waitingForEcho = null;
            waiting.run();
          }
        });
        resp.exceptionHandler(done::tryFail);
        resp.endHandler(v -> {
          sentCrc = sent.getValue();
          receivedCrc = got.getValue();
          done.tryComplete(this);
        });
      });
      writeMore();
    }

    private void writeMore() {
      while (sentBytes < total && !req.writeQueueFull()) {
        if (sentBytes == total / 2 && !echoBeforeSecondHalf) {
          if (received > 0) {
            echoBeforeSecondHalf = true;
          } else {
            waitingForEcho = this::writeMore;
            return;
          }
        }
        Buffer chunk = chunks[(int) ((sentBytes >> 16) % chunks.length)];
        sent.update(chunk.getBytes());
        sentBytes += chunk.length();
        req.write(chunk);
      }
      if (sentBytes >= total) {
        req.end();
      } else {
        req.drainHandler(v -> writeMore());
      }
    }
  }
}
