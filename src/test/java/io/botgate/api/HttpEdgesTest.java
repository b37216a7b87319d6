package io.botgate.api;

import io.botgate.session.LocalSessionStore;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a browser page, a rebinding DNS name or a malformed request can and cannot do, seen from an HTTP
 * client that sets Host and Origin as a browser would; and the README's curl commands, which send neither
 * an Origin nor anything but JSON, still working.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class HttpEdgesTest {

  static final String LISTED = "http://console.example:3000";
  static final String LEGACY = "http://old-console.example:4000";
  static TestGateway gw;
  static int port;
  static WebSocketClient sockets;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("body.limit.bytes", 2048)
      .put("http.allowedOrigins", new JsonArray().add(LISTED)).put("console.origins", new JsonArray().add(LEGACY))));
    port = gw.gateway.port();
    sockets = vertx.createWebSocketClient();
  }

  private static HttpRequest<Buffer> request(HttpMethod method, String path) {
    return gw.http.request(method, port, "127.0.0.1", path);
  }

  private static HttpRequest<Buffer> as(String host, HttpMethod method, String path) {
    return request(method, path).putHeader("Host", host);
  }

  private static HttpRequest<Buffer> from(String origin, HttpMethod method, String path) {
    return request(method, path).putHeader("Origin", origin);
  }

  private static JsonObject error(HttpResponse<Buffer> r, int status, String code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    assertThat(r.getHeader("X-Content-Type-Options")).as("read as JSON only").isEqualTo("nosniff");
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
    return error;
  }

  private static JsonObject script(String code) {
    return new JsonObject().put("code", code);
  }

  /** The console's files are revalidated on every load (no version in their names), and unchanged ones cost a 304. */
  @Test
  void shouldHaveTheConsolesFilesRevalidatedRatherThanKeptADay() {
    for (String path : List.of("/", "/js/main.js", "/console.css")) {
      HttpResponse<Buffer> first = result(request(HttpMethod.GET, path).send());
      assertThat(first.statusCode()).as(path).isEqualTo(200);
      assertThat(first.getHeader("Cache-Control")).as(path).isEqualTo("no-cache");
      String modified = first.getHeader("Last-Modified");
      assertThat(modified).as(path).isNotNull();
      HttpResponse<Buffer> again = result(request(HttpMethod.GET, path).putHeader("If-Modified-Since", modified).send());
      assertThat(again.statusCode()).as(path).isEqualTo(304);
    }
  }

  private static boolean ran(String session) {
    return ((LocalSessionStore) gw.gateway.sessions()).find(session).isPresent() || gw.gateway.stream().lastSeq(session) > 0;
  }

  @Test
  void shouldServeTheReadmeCurlTourUnderEitherLoopbackName() {
    for (String host : List.of("127.0.0.1:" + port, "localhost:" + port)) {
      String session = "tour-" + host.substring(0, 3);
      HttpResponse<Buffer> executed = result(as(host, HttpMethod.POST, "/api/sessions/" + session
        + "/integrations/faqIntegration").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"variables\": {\"question\": \"roaming\"}}")));
      assertThat(executed.statusCode()).as(executed.bodyAsString()).isEqualTo(200);
      assertThat(executed.bodyAsJsonObject().getJsonObject("result").getString("statusCode")).isEqualTo("200");
      assertThat(result(as(host, HttpMethod.GET, "/api/sessions/" + session).send()).statusCode()).isEqualTo(200);

      HttpResponse<Buffer> declared = result(as(host, HttpMethod.PUT, "/api/integrations/broken")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"method\": \"GET\", \"url\": \"http://127.0.0.1:9/nothing\", \"retries\": 0}")));
      assertThat(declared.statusCode()).isIn(200, 201);
      HttpResponse<Buffer> failed = result(as(host, HttpMethod.POST, "/api/sessions/" + session
        + "/integrations/broken").send());
      assertThat(failed.statusCode()).as(failed.bodyAsString()).isEqualTo(200);
      assertThat(failed.bodyAsJsonObject().getJsonObject("result").getString("statusCode")).isEqualTo("502");

      error(result(as(host, HttpMethod.PUT, "/api/integrations/bad").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"method\": \"FETCH\", \"url\": \"ftp://x\", \"retries\": \"three\"}"))),
        400, "invalid_integration");
      assertThat(result(as(host, HttpMethod.GET, "/api/sessions/" + session + "/events?after=0&limit=5").send())
        .bodyAsJsonObject().getJsonArray("events")).hasSize(4);
      HttpResponse<Buffer> ran = result(as(host, HttpMethod.POST, "/api/sessions/" + session + "/scripts")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(script("botContext.sendMessage('hi from curl');").toBuffer()));
      assertThat(ran.bodyAsJsonObject().getString("outcome")).isEqualTo("ok");
      assertThat(result(as(host, HttpMethod.GET, "/").send()).bodyAsString()).contains("botgate console");
      assertThat(result(as(host, HttpMethod.GET, "/health").send()).statusCode()).isEqualTo(200);
      assertThat(result(as(host, HttpMethod.GET, "/metrics").send()).statusCode()).isEqualTo(200);
      assertThat(result(as(host, HttpMethod.DELETE, "/api/sessions/" + session).send()).statusCode()).isEqualTo(204);
    }
  }

  @Test
  void shouldRefuseAHostNameReboundToLoopback() {
    String evil = "evil.example:" + port;
    JsonObject refused = error(result(as(evil, HttpMethod.POST, "/api/sessions/rebound/scripts")
      .putHeader("Content-Type", "application/json").sendBuffer(script("botContext.sendMessage('x');").toBuffer())),
      403, "host_not_allowed");
    assertThat(refused.getString("message")).contains("evil.example").contains("http.allowedHosts");
    for (String path : List.of("/", "/index.html", "/api/sessions", "/api/sessions/rebound", "/health", "/metrics",
      "/demo/faq", "/api/integrations", "/console", "/nothing-here", "/proxy/faqIntegration/x")) {
      error(result(as(evil, HttpMethod.GET, path).send()), 403, "host_not_allowed");
    }
    error(result(as("127.0.0.1.evil.example", HttpMethod.GET, "/api/sessions").send()), 403, "host_not_allowed");
    Throwable socket = failure(sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
      .setURI("/console").addHeader("Host", evil)));
    assertThat(socket.getMessage()).contains("403");
    assertThat(ran("rebound")).isFalse();
  }

  @Test
  void shouldJudgeTheHostOfAnAbsoluteTargetAndRefuseTwoHostHeaders() throws IOException {
    String absolute = raw("GET http://evil.example/api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    assertThat(absolute).startsWith("HTTP/1.1 403").contains("host_not_allowed", "the request target's host 'evil.example'");
    assertThat(raw("GET http://user@localhost:" + port + "/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"))
      .startsWith("HTTP/1.1 200");
    assertThat(raw("GET http://[::1]/health HTTP/1.1\r\nHost: evil.example\r\n")).startsWith("HTTP/1.1 200");
    assertThat(raw("GET ws://evil.example/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")).as("any scheme's target")
      .startsWith("HTTP/1.1 403").contains("the request target's host 'evil.example'");
    String twice = raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n");
    assertThat(twice).startsWith("HTTP/1.1 400").contains("more than one Host header");
  }

  @Test
  void shouldSayAHostHeaderThatIsNotHostAndPortIsUnreadableRatherThanMissing() throws IOException {
    for (String host : List.of("localhost:abc", "evil@localhost", "127.0.0.1:99999")) {
      for (String path : List.of("/health", "/api/sessions/x", "/proxy/faqIntegration/x", "/console")) {
        String answer = raw("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        assertThat(answer).as(host + " " + path).startsWith("HTTP/1.1 400")
          .contains("invalid_host", "the Host header '" + host + "' is not host[:port]");
      }
    }
    assertThat(raw("GET /health HTTP/1.1\r\n")).as("none at all").startsWith("HTTP/1.1 400").contains("'Host' header is required");
  }

  @Test
  void shouldNameItsOwnCauseForA400OfARequestWhoseHostIsUnreadableButNotRefusedForIt(Vertx vertx) throws IOException {
    // HTTP/1.0 needs no Host, so the router serves such a request (here every host is allowed, with a token), and
    // any 400 of its own, such as a broken %-escape, was reported as invalid_host
    TestGateway open = result(TestGateway.start(vertx, new JsonObject().put("auth.token", "edges-token")
      .put("http.allowedHosts", new JsonArray().add("*"))));
    try {
      String answer;
      try (Socket socket = new Socket("127.0.0.1", open.gateway.port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /api/sessions/x%ZZ HTTP/1.0\r\nHost: localhost:abc\r\n"
          + "Authorization: Bearer edges-token\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(answer).startsWith("HTTP/1.0 400").contains("\"malformed_uri\"").doesNotContain("invalid_host");
    } finally {
      result(vertx.undeploy(open.gateway.deploymentID()));
    }
  }

  @Test
  void shouldAnswer400ToAHostWithAPercentEscapeThatVertxCannotParse() throws IOException {
    // Vert.x's authority parser throws on these while the router matches a route: the request went unanswered.
    for (String host : List.of("%41", "local%68ost", "ab%41cd:80", "127.0.0.1%")) {
      for (String path : List.of("/health", "/api/sessions/x", "/proxy/faqIntegration/x", "/console")) {
        String answer = raw("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        assertThat(answer).as(host + " " + path).startsWith("HTTP/1.1 400").contains("bad_request", "'%' escape");
      }
    }
    assertThat(raw("GET http://%41/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")).startsWith("HTTP/1.1 400");
    assertThat(raw("GET http://localhost:" + port + "/health?q=%41 HTTP/1.1\r\nHost: 127.0.0.1\r\n"))
      .as("a '%' after the authority is the path's or the query's").startsWith("HTTP/1.1 200");
    assertThat(raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")).startsWith("HTTP/1.1 200");
  }

  /** RFC 9110 §9.3.7: {@code OPTIONS *} asks about the server in general, and is answered so. */
  @Test
  void shouldAnswerOptionsAsteriskWithTheMethodsTheGatewayServes() throws IOException {
    String answer = raw("OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("\r\nallow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n")
      .containsIgnoringCase("\r\ncontent-length: 0\r\n").endsWith("\r\n\r\n");
    assertThat(raw("OPTIONS * HTTP/1.1\r\nHost: rebound.example\r\n")).as("the Host is checked first")
      .startsWith("HTTP/1.1 403").contains("host_not_allowed");
  }

  /**
   * What OPTIONS * says the gateway serves is what the pass-through forwards: TRACE, whose answer echoes the request
   * with the credential the gateway adds, is refused 405 with that same list, and nothing reaches the upstream.
   */
  @Test
  void shouldRefuseTraceThroughThePassThroughWithTheMethodsOptionsAsteriskLists() throws IOException {
    assertThat(result(gw.declare(new JsonObject().put("name", "traced").put("method", "GET").put("url", "stub:/")))
      .statusCode()).isLessThan(300);
    String allow = header(raw("OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n"), "allow");
    int before = gw.upstream.hits("/echo");
    for (String target : List.of("/proxy/traced/echo", "/proxy/traced/echo?x=%41", "/proxy/traced//echo")) {
      String answer = raw("TRACE " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Botgate-Session: tr\r\n"
        + "Cookie: sid=visible-to-trace\r\n");
      assertThat(answer).as(target).startsWith("HTTP/1.1 405").contains("\"method_not_allowed\"")
        .doesNotContain("visible-to-trace");
      assertThat(header(answer, "allow")).as(target).isEqualTo(allow);
    }
    assertThat(gw.upstream.hits("/echo")).isEqualTo(before);
    assertThat(raw("TRACE /proxy/traced/echo HTTP/1.1\r\nHost: rebound.example\r\n")).as("the Host is checked first")
      .startsWith("HTTP/1.1 403");
  }

  @Test
  void shouldAnswerHeadOnTheApisReadsAsTheirGetWithoutContent() throws IOException {
    // RFC 9110 §9.1: a general-purpose server supports HEAD where it serves GET (load balancers probe /health so)
    for (String path : List.of("/health", "/api/integrations", "/openapi.json", "/metrics")) {
      String get = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      String head = raw("HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      assertThat(head).as(path).startsWith(get.substring(0, get.indexOf("\r\n"))).endsWith("\r\n\r\n")
        .containsIgnoringCase("\r\ncontent-type: " + header(get, "content-type"));
    }
    assertThat(raw("HEAD /api/sessions/nobody HTTP/1.1\r\nHost: 127.0.0.1\r\n")).as("as its GET: unknown")
      .startsWith("HTTP/1.1 404").endsWith("\r\n\r\n");
    assertThat(raw("HEAD /api/sessions/nobody/scripts HTTP/1.1\r\nHost: 127.0.0.1\r\n")).as("a POST only route")
      .startsWith("HTTP/1.1 405").containsIgnoringCase("\r\nallow: POST\r\n");
  }

  private static String header(String answer, String name) {
    return answer.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith(name + ":"))
      .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElseThrow();
  }

  @Test
  void shouldSayThatATargetWithoutAPathIsNotServed() throws IOException {
    for (String line : List.of("GET * HTTP/1.1", "CONNECT evil.example:443 HTTP/1.1")) {
      String answer = raw(line + "\r\nHost: 127.0.0.1\r\n");
      assertThat(answer).as(line).startsWith("HTTP/1.1 404").contains("\"not_found\"")
        .contains("no route " + line.substring(0, line.indexOf(" HTTP"))).contains("paths starting with '/'");
    }
    assertThat(raw("GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n")).contains("no route GET /nowhere\"");
  }

  @Test
  void shouldAnswer505WithJsonToAnHttpVersionItDoesNotSpeak() throws IOException {
    for (String version : List.of("HTTP/2.5", "HTTP/1.2", "FOO/1.1")) {
      String answer = raw("GET /health " + version + "\r\nHost: 127.0.0.1\r\n");
      assertThat(answer).as(version).startsWith("HTTP/1.1 505").contains("\"http_version_not_supported\"")
        .contains("not " + version);
    }
    // pipelined behind a request in HTTP/1.1 still being answered (its upstream takes 300 ms): that one is
    // answered first, and nothing after the refused one
    assertThat(result(gw.declare(new JsonObject().put("name", "slowBeforeRefusal").put("method", "GET")
      .put("url", "stub:/slow/300"))).statusCode()).isIn(200, 201);
    String pipelined = raw("POST /api/sessions/pipelined/integrations/slowBeforeRefusal HTTP/1.1\r\n"
      + "Host: 127.0.0.1\r\nContent-Length: 0\r\n\r\nGET /health HTTP/2.5\r\nHost: 127.0.0.1\r\n"
      + "\r\nGET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    assertThat(Pattern.compile("HTTP/1\\.1 \\d{3}").matcher(pipelined).results().map(MatchResult::group))
      .containsExactly("HTTP/1.1 200", "HTTP/1.1 505");
    assertThat(raw("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n")).startsWith("HTTP/1.0 200");
    assertThat(raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")).startsWith("HTTP/1.1 200");
    assertThat(raw("GET /health http/1.1\r\nHost: 127.0.0.1\r\n")).startsWith("HTTP/1.1 200"); // Vert.x: a bare 501
    assertThat(raw("GET /health HTTP/01.0\r\nHost: 127.0.0.1\r\n")).startsWith("HTTP/1.0 200");
  }

  @Test
  void shouldRefuseAConsoleHandshakeFromAnotherOriginWhateverUpgradeHeaderNamesTheWebSocket() throws IOException {
    String handshake = "GET /console HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    for (String upgrades : List.of("Upgrade: websocket\r\n", "Upgrade: foo\r\nUpgrade: websocket\r\n",
      "Upgrade: foo, WebSocket\r\n")) {
      assertThat(raw(handshake + upgrades)).as(upgrades).startsWith("HTTP/1.1 403").contains("origin_not_allowed");
    }
  }

  /** The answer to a request written by hand, headers given without the blank line ending them. */
  private static String raw(String head) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldRefuseChangesFromAPageOfAnotherOrigin() {
    for (String origin : List.of("http://evil.example", "http://127.0.0.1:" + (port == 65535 ? 1 : port + 1),
      "https://localhost", "null", "http://localhost:" + port)) {
      JsonObject refused = error(result(from(origin, HttpMethod.POST, "/api/sessions/foreign/scripts")
        .sendJsonObject(script("botContext.sendMessage('x');"))), 403, "origin_not_allowed");
      assertThat(refused.getString("message")).contains(origin).contains("http.allowedOrigins");
      error(result(from(origin, HttpMethod.POST, "/api/sessions/foreign/integrations/faqIntegration").send()),
        403, "origin_not_allowed");
      error(result(from(origin, HttpMethod.PUT, "/api/integrations/planted")
        .sendJsonObject(new JsonObject().put("method", "GET").put("url", "https://example.com"))), 403, "origin_not_allowed");
      error(result(from(origin, HttpMethod.DELETE, "/api/integrations/faqIntegration").send()), 403, "origin_not_allowed");
      error(result(from(origin, HttpMethod.POST, "/proxy/faqIntegration/x").putHeader("X-Botgate-Session", "foreign")
        .send()), 403, "origin_not_allowed");
    }
    // its own origin first and another after it: which one a server reads is anyone's guess, so neither is taken
    String own = "http://127.0.0.1:" + port;
    for (List<String> two : List.of(List.of(own, "http://evil.example"), List.of("http://evil.example", own))) {
      JsonObject refused = error(result(request(HttpMethod.POST, "/api/sessions/foreign/scripts").putHeader("Origin", two)
        .sendJsonObject(script("botContext.sendMessage('x');"))), 403, "origin_not_allowed");
      assertThat(refused.getString("message")).contains("more than one Origin header");
    }
    assertThat(ran("foreign")).isFalse();
    assertThat(result(request(HttpMethod.GET, "/api/integrations/planted").send()).statusCode()).isEqualTo(404);
    assertThat(result(request(HttpMethod.GET, "/api/integrations/faqIntegration").send()).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> read = result(from("http://evil.example", HttpMethod.GET, "/api/integrations").send());
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.getHeader("Access-Control-Allow-Origin")).as("a foreign page may not read answers").isNull();
  }

  @Test
  void shouldAcceptChangesFromItsOwnOriginAndListedOnes() {
    for (String origin : List.of("http://127.0.0.1:" + port, LISTED, LISTED.toUpperCase() + "/", LEGACY)) {
      HttpResponse<Buffer> r = result(from(origin, HttpMethod.POST, "/api/sessions/own/scripts")
        .sendJsonObject(script("botContext.sendMessage('ok');")));
      assertThat(r.statusCode()).as(origin + ": " + r.bodyAsString()).isEqualTo(200);
    }
    HttpResponse<Buffer> viaLocalhost = result(as("localhost:" + port, HttpMethod.POST, "/api/sessions/own/scripts")
      .putHeader("Origin", "http://localhost:" + port).sendJsonObject(script("botContext.sendMessage('ok');")));
    assertThat(viaLocalhost.statusCode()).isEqualTo(200);

    List<String> origins = List.of("http://127.0.0.1:" + port, LISTED, LEGACY);
    for (String origin : origins) {
      var socket = result(sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/console").addHeader("Origin", origin)));
      result(socket.close());
    }
    Throwable foreign = failure(sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
      .setURI("/console").addHeader("Origin", "http://evil.example")));
    assertThat(foreign.getMessage()).contains("403");
  }

  @Test
  void shouldTakeJsonBodiesOnlyAsApplicationJson() {
    String path = "/api/sessions/typed/scripts";
    Buffer body = script("botContext.setBotVariable('typed', 1, true, false);").toBuffer();
    for (String type : List.of("text/plain;a=json", "text/plain", "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x", "application/json-patch+json", "application/jsonx", "text/json",
      "application/json; charset=iso-8859-1")) {
      JsonObject refused = error(result(request(HttpMethod.POST, path).putHeader("Content-Type", type).sendBuffer(body)),
        415, "unsupported_media_type");
      assertThat(refused.getString("message")).contains("application/json");
    }
    error(result(request(HttpMethod.POST, path).sendBuffer(body)), 415, "unsupported_media_type");
    error(result(request(HttpMethod.POST, "/api/sessions/typed/integrations/faqIntegration")
      .putHeader("Content-Type", "application/x-www-form-urlencoded").send()), 415, "unsupported_media_type");
    assertThat(ran("typed")).isFalse();

    for (String type : List.of("application/json", "Application/JSON; charset=UTF-8", "application/json;charset=\"utf-8\"")) {
      HttpResponse<Buffer> r = result(request(HttpMethod.POST, path).putHeader("Content-Type", type).sendBuffer(body));
      assertThat(r.statusCode()).as(type).isEqualTo(200);
    }
    assertThat(result(request(HttpMethod.POST, "/api/sessions/typed/integrations/faqIntegration").send()).statusCode())
      .as("an execution without a body needs no Content-Type").isEqualTo(200);
  }

  @Test
  void shouldPageLargeEventsByBytesSoThatEachAnswerStaysBounded() {
    String code = "var s = new Array(65537).join('m'); for (var i = 0; i < 40; i++) botContext.sendMessage(s + i)";
    for (int run = 0; run < 3; run++) {
      assertThat(result(request(HttpMethod.POST, "/api/sessions/large-events/scripts")
        .sendJsonObject(script(code))).statusCode()).isEqualTo(200);
    }
    long after = 0;
    long lastSeq;
    int pages = 0;
    do {
      HttpResponse<Buffer> page = result(request(HttpMethod.GET, "/api/sessions/large-events/events?after=" + after
        + "&limit=1000").send());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body().length()).as("one page's bytes").isLessThan(5 << 20);
      JsonArray events = page.bodyAsJsonObject().getJsonArray("events");
      assertThat(events).isNotEmpty();
      for (int i = 0; i < events.size(); i++) {
        assertThat(events.getJsonObject(i).getLong("seq")).as("no event skipped").isEqualTo(after + 1);
        after++;
      }
      lastSeq = page.bodyAsJsonObject().getLong("lastSeq");
      pages++;
    } while (after < lastSeq);
    assertThat(pages).as("pages for about 12 MB of events").isGreaterThan(2);
  }

  /** A page of a session's history in seq order: "7" for an event, "gap 4-9" for a gap. */
  private static List<String> paged(String session, long after) {
    HttpResponse<Buffer> r = result(request(HttpMethod.GET, "/api/sessions/" + session + "/events?after=" + after).send());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    TreeMap<Long, String> bySeq = new TreeMap<>();
    r.bodyAsJsonObject().getJsonArray("events").forEach(e -> bySeq.put(((JsonObject) e).getLong("seq"),
      String.valueOf(((JsonObject) e).getLong("seq"))));
    r.bodyAsJsonObject().getJsonArray("gaps").forEach(g -> bySeq.put(((JsonObject) g).getLong("from"),
      "gap " + ((JsonObject) g).getLong("from") + "-" + ((JsonObject) g).getLong("to")));
    return List.copyOf(bySeq.values());
  }

  @Test
  void shouldMarkInAPageOfHistoryTheEventsNoLongerKept() {
    JsonObject run = script("botContext.printDebugMessage('one')");
    assertThat(result(request(HttpMethod.POST, "/api/sessions/holes/scripts").sendJsonObject(run)).statusCode()).isEqualTo(200);
    long first = gw.gateway.stream().lastSeq("holes");
    gw.gateway.stream().continueFrom("holes", first + 4); // as if they had left the history
    assertThat(paged("holes", first)).containsExactly("gap " + (first + 1) + "-" + (first + 4));
    assertThat(paged("holes", first + 4)).isEmpty();

    assertThat(result(request(HttpMethod.POST, "/api/sessions/holes/scripts").sendJsonObject(run)).statusCode()).isEqualTo(200);
    long end = gw.gateway.stream().lastSeq("holes");
    List<String> expected = new ArrayList<>();
    for (long seq = 1; seq <= end; seq++) {
      if (seq == first + 1) {
        expected.add("gap " + (first + 1) + "-" + (first + 4));
      }
      if (seq <= first || seq > first + 4) {
        expected.add(String.valueOf(seq));
      }
    }
    assertThat(paged("holes", 0)).containsExactlyElementsOf(expected);
    assertThat(paged("holes", 1)).containsExactlyElementsOf(expected.subList(1, expected.size()));
  }

  @Test
  void shouldAnswerAMalformedEscapeWithJson() {
    for (String path : List.of("/%zz", "/api/%zz", "/api/sessions/%zz", "/api/sessions/x/events?after=%zz", "/x%zz.js",
      "/api/integrations/%")) {
      JsonObject e = error(result(request(HttpMethod.GET, path).send()), 400, "malformed_uri");
      assertThat(e.getString("message")).as(path).contains("%");
    }
    // bytes that are no UTF-8 (Vert.x made each U+FFFD, one session for them all): a lone byte, a cut sequence,
    // a surrogate, an overlong '/', in a path or a query
    for (String path : List.of("/api/sessions/%FF", "/api/sessions/%FE", "/api/sessions/%C3", "/api/sessions/%ED%A0%80",
      "/api/sessions/%C0%AF", "/api/sessions/x/events?after=%FF", "/proxy/../api/sessions/%FF")) {
      JsonObject e = error(result(request(HttpMethod.GET, path).send()), 400, "malformed_uri");
      assertThat(e.getString("message")).as(path).contains("not UTF-8");
    }
    assertThat(result(request(HttpMethod.POST, "/api/sessions/caf%C3%A9/scripts")
      .sendJsonObject(script("botContext.sendMessage('ok');"))).bodyAsJsonObject().getJsonArray("messages")).hasSize(1);
    assertThat(result(request(HttpMethod.GET, "/api/sessions/%EF%BF%BD").send()).statusCode()).isNotEqualTo(400);
  }

  @Test
  void shouldAnswerAnOversizedRequestLineOrHeaderWithJson() {
    HttpResponse<Buffer> longUri = result(request(HttpMethod.GET, "/api/sessions/" + "a".repeat(10_000)).send());
    assertThat(error(longUri, 414, "uri_too_long").getString("message")).contains("4096 bytes");
    HttpResponse<Buffer> bigHeader = result(request(HttpMethod.GET, "/api/sessions").putHeader("X-Big", "b".repeat(20_000)).send());
    assertThat(error(bigHeader, 431, "headers_too_large").getString("message")).contains("8192 bytes");
    gw.assertHealthy();
  }

  @Test
  void shouldAnswer405WithAllowForAMethodAKnownPathDoesNotTake() {
    HttpResponse<Buffer> patch = result(request(HttpMethod.PATCH, "/api/integrations/faqIntegration").send());
    assertThat(error(patch, 405, "method_not_allowed").getString("message")).contains("PATCH")
      .contains("DELETE, GET, HEAD, PUT");
    assertThat(patch.getHeader("Allow")).isEqualTo("DELETE, GET, HEAD, PUT");
    assertThat(result(request(HttpMethod.PATCH, "/api/sessions/s/scripts").send()).getHeader("Allow")).isEqualTo("POST");
    assertThat(result(request(HttpMethod.GET, "/api/sessions/s/integrations/faqIntegration").send()).getHeader("Allow"))
      .isEqualTo("POST");
    HttpResponse<Buffer> health = result(request(HttpMethod.PUT, "/health").putHeader("Content-Type", "application/json").send());
    error(health, 405, "method_not_allowed");
    assertThat(health.getHeader("Allow")).isEqualTo("GET, HEAD");
    assertThat(result(request(HttpMethod.PATCH, "/api/integrations").send()).getHeader("Allow")).isEqualTo("GET, HEAD");
  }

  @Test
  void shouldAnswerEveryErrorAsJson() {
    assertThat(error(result(request(HttpMethod.GET, "/api/nothing").send()), 404, "not_found").getString("message"))
      .contains("GET /api/nothing");
    error(result(request(HttpMethod.GET, "/missing.html").send()), 404, "not_found");
    error(result(request(HttpMethod.GET, "/js/missing.js").send()), 404, "not_found");
    error(result(request(HttpMethod.PATCH, "/nothing").send()), 404, "not_found");
    error(result(request(HttpMethod.GET, "/api/sessions/nobody").send()), 404, "unknown_session");
    error(result(request(HttpMethod.GET, "/api/sessions/x/events?limit=0").send()), 400, "invalid_parameter");
    error(result(request(HttpMethod.POST, "/api/sessions/big/scripts")
      .sendJsonObject(script("'" + "x".repeat(4096) + "'"))), 413, "payload_too_large");
    error(result(request(HttpMethod.POST, "/api/sessions/bad/scripts").putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{nope"))), 400, "malformed_json");
    error(result(request(HttpMethod.GET, "/console").send()), 400, "websocket_required");
    for (String path : List.of("/%2e%2e/pom.xml", "/js/../../pom.xml", "//etc/passwd", "/%00", "/api", "/console/x")) {
      error(result(request(HttpMethod.GET, path).send()), 404, "not_found");
    }
    HttpResponse<Buffer> preflight = result(request(HttpMethod.OPTIONS, "/api/sessions/x/scripts")
      .putHeader("Origin", "http://evil.example").putHeader("Access-Control-Request-Method", "POST").send());
    error(preflight, 405, "method_not_allowed");
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isNull();
  }

  /** A session's variables, results and definitions are a conversation's data: no cache keeps an answer of the API. */
  @Test
  void shouldKeepTheApisAnswersOutOfCachesAndReadAsJsonOnly() throws IOException {
    HttpResponse<Buffer> executed = result(request(HttpMethod.POST, "/api/sessions/cached/integrations/faqIntegration")
      .sendJsonObject(new JsonObject()));
    List<HttpResponse<Buffer>> answers = List.of(executed,
      result(request(HttpMethod.GET, "/api/sessions/cached").send()),
      result(request(HttpMethod.GET, "/api/integrations").send()),
      result(request(HttpMethod.GET, "/api/cluster").send()),
      result(request(HttpMethod.GET, "/api/sessions/nobody").send()),
      result(request(HttpMethod.GET, "/api/nothing-here").send()),
      result(request(HttpMethod.PATCH, "/api/integrations").send()),
      result(as("rebound.example", HttpMethod.GET, "/api/sessions/cached").send()));
    for (HttpResponse<Buffer> r : answers) {
      assertThat(r.getHeader("Cache-Control")).as(r.bodyAsString()).isEqualTo("no-store");
      assertThat(r.getHeader("X-Content-Type-Options")).as(r.bodyAsString()).isEqualTo("nosniff");
    }
    // refused before any route: by the request checks, and by Vert.x's parser
    for (String head : List.of("POST /api/sessions/framed/scripts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      + "Transfer-Encoding: gzip\r\n", "GET /health HTTP/1.2\r\nHost: 127.0.0.1\r\n")) {
      assertThat(raw(head).toLowerCase()).as(head).contains("\r\ncache-control: no-store\r\n")
        .contains("\r\nx-content-type-options: nosniff\r\n");
    }
  }

  @Test
  void shouldRefuseABodyWhoseTransferEncodingDoesNotEndInChunkedAndServeNothingAfterIt() throws IOException {
    // the body Netty would frame as empty (or as chunked) holds a second request: it must not be served
    String smuggled = "GET /api/integrations/faqIntegration HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    for (String codings : List.of("gzip", "xchunked", "chunked, identity", "gzip, chunked")) {
      String answer = sent("POST /api/sessions/framed/scripts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        + "application/json\r\nTransfer-Encoding: " + codings + "\r\n\r\n" + smuggled);
      boolean endsChunked = codings.endsWith(" chunked");
      assertThat(Pattern.compile("HTTP/1\\.1 \\d{3}").matcher(answer).results().map(MatchResult::group))
        .as(codings).containsExactly(endsChunked ? "HTTP/1.1 501" : "HTTP/1.1 400");
      assertThat(answer).contains(endsChunked ? "\"unsupported_transfer_coding\"" : "\"malformed_request\"")
        .contains("Transfer-Encoding '" + codings + "'").doesNotContain("\"url\"");
    }
    // HTTP/1.0 has no chunked coding (Netty decodes it, and kept a Content-Length the pass-through would send on)
    for (String head : List.of("POST /api/sessions/framed/scripts HTTP/1.0\r\nContent-Length: 4\r\n",
      "POST /api/sessions/framed/scripts HTTP/1.0\r\n")) {
      String answer = sent(head + "Host: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
        + "\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + smuggled);
      assertThat(Pattern.compile("HTTP/1\\.\\d \\d{3}").matcher(answer).results().map(MatchResult::group))
        .as(head).containsExactly("HTTP/1.1 400");
      assertThat(answer).contains("\"malformed_request\"").contains("Transfer-Encoding");
    }
    assertThat(ran("framed")).isFalse();
    // chunked alone is read as before, and a request after its last chunk is served
    String chunked = sent("POST /api/sessions/framed/scripts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      + "application/json\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
      + "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assertThat(Pattern.compile("HTTP/1\\.1 \\d{3}").matcher(chunked).results().map(MatchResult::group))
      .containsExactly("HTTP/1.1 400", "HTTP/1.1 200");
    assertThat(chunked).contains("'code' is required");
  }

  @Test
  void shouldAnswer400NamingAChunkedBodyItCouldNotDecodeAndRunNothing() throws IOException {
    assertThat(result(gw.declare(new JsonObject().put("name", "neverFed").put("method", "GET")
      .put("url", "stub:/faq"))).statusCode()).isIn(200, 201);
    // a chunk size that is not hex, and one line of a chunk size longer than Netty's limit, after a good chunk;
    // a request answered before it on the same connection keeps its answer
    for (String body : List.of("zz\r\n", "2\r\n{}\r\n1;" + "x".repeat(9_000) + "\r\n")) {
      String answer = sent("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        + "POST /api/sessions/undecoded/integrations/neverFed HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
      assertThat(Pattern.compile("HTTP/1\\.1 \\d{3}").matcher(answer).results().map(MatchResult::group))
        .containsExactly("HTTP/1.1 200", "HTTP/1.1 400");
      String refusal = answer.substring(answer.lastIndexOf("HTTP/1.1 400"));
      assertThat(refusal.toLowerCase()).contains("connection: close");
      assertThat(refusal).contains("\"malformed_body\"").contains("not valid HTTP chunked transfer coding: ");
    }
    assertThat(ran("undecoded")).as("nothing ran for a body that never arrived whole").isFalse();
    assertThat(result(request(HttpMethod.POST, "/api/sessions/undecoded/integrations/neverFed").send()).statusCode())
      .isEqualTo(200);
  }

  /** What the gateway answers to {@code bytes} written on a connection of their own, read to its end. */
  private static String sent(String bytes) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldReadABodyWholeWhetherItsBufferWasSizedAheadOrGrown() {
    // a few bytes and exactly the most sized ahead (from their Content-Length), one byte more and twice that
    // (grown as they come: this gateway's body.limit.bytes is 2048), and one sent in chunks with no Content-Length
    String script = "botContext.sendMessage('%s');";
    int overhead = script(script.formatted("")).encode().length();
    for (int size : List.of(overhead + 2, ApiRoutes.SIZED_BODY_BYTES, ApiRoutes.SIZED_BODY_BYTES + 1,
      2 * ApiRoutes.SIZED_BODY_BYTES)) {
      String text = "y".repeat(size - overhead);
      HttpResponse<Buffer> r = result(request(HttpMethod.POST, "/api/sessions/sized/scripts")
        .sendJsonObject(script(script.formatted(text))));
      assertThat(r.statusCode()).as(size + " bytes: " + r.bodyAsString()).isEqualTo(200);
      assertThat(r.bodyAsString()).as(size + " bytes").contains('"' + text + '"');
    }
    HttpClient client = gw.vertx.createHttpClient();
    try {
      String text = "z".repeat(3 * ApiRoutes.SIZED_BODY_BYTES / 2);
      String answer = result(client.request(HttpMethod.POST, port, "127.0.0.1", "/api/sessions/chunked/scripts")
        .compose(req -> req.setChunked(true).putHeader("Content-Type", "application/json")
          .send(script(script.formatted(text)).toBuffer()))
        .compose(resp -> resp.body().map(body -> resp.statusCode() + " " + body)));
      assertThat(answer).startsWith("200 ").contains('"' + text + '"');
    } finally {
      client.close();
    }
  }

  @Test
  void shouldRefuseABodyPastALimitBelowTheSizedOnes() {
    // a gateway of its own, in a Vert.x of its own
    Vertx own = Vertx.vertx();
    try {
      TestGateway small = result(TestGateway.start(own, new JsonObject().put("body.limit.bytes", 512)));
      int at = small.gateway.port();
      String script = "botContext.sendMessage('%s');";
      int overhead = script(script.formatted("")).encode().length();
      for (int size : List.of(512, 513, ApiRoutes.SIZED_BODY_BYTES)) {
        HttpResponse<Buffer> r = result(small.http.post(at, "127.0.0.1", "/api/sessions/limited/scripts")
          .sendJsonObject(script(script.formatted("y".repeat(size - overhead)))));
        assertThat(r.statusCode()).as(size + " bytes: " + r.bodyAsString()).isEqualTo(size <= 512 ? 200 : 413);
      }
    } finally {
      result(own.close());
    }
  }

  @Test
  void shouldSizeABodysBufferAheadOnlyForASmallPlainContentLength() {
    assertThat(ApiRoutes.smallBody("0")).isTrue();
    assertThat(ApiRoutes.smallBody("31")).isTrue();
    assertThat(ApiRoutes.smallBody(String.valueOf(ApiRoutes.SIZED_BODY_BYTES))).isTrue();
    for (String length : Arrays.asList(null, "", String.valueOf(ApiRoutes.SIZED_BODY_BYTES + 1), "65535",
      "99999999999", "+12", "-1", " 12", "1e3", "0x10")) {
      assertThat(ApiRoutes.smallBody(length)).as(String.valueOf(length)).isFalse();
    }
  }

  @Test
  void shouldRefuseADefinitionThatCouldNeverRunNamingTheField() {
    JsonObject badUrl = error(result(request(HttpMethod.PUT, "/api/integrations/v6").sendJsonObject(new JsonObject()
      .put("method", "GET").put("url", "http://[::1"))), 400, "invalid_integration");
    assertThat(badUrl.getJsonArray("problems").getJsonObject(0).getString("field")).isEqualTo("url");
    assertThat(badUrl.getString("message")).contains("url: is not a valid URL");

    JsonObject badScript = error(result(request(HttpMethod.PUT, "/api/integrations/tx").sendJsonObject(new JsonObject()
      .put("method", "GET").put("url", "https://example.com/x").put("transformScript", "var a = 1;\nvar b = ;"))),
      400, "invalid_integration");
    JsonObject problem = badScript.getJsonArray("problems").getJsonObject(0);
    assertThat(problem.getString("field")).isEqualTo("transformScript");
    assertThat(problem.getString("message")).startsWith("syntax error at line 2, column ");
    assertThat(result(request(HttpMethod.GET, "/api/integrations/tx").send()).statusCode()).isEqualTo(404);

  }

  @Test
  void shouldGiveASecondGatewayInTheSameVertxAPortOfItsOwn(Vertx vertx) {
    TestGateway second = result(TestGateway.start(vertx, new JsonObject().put("http.instances", 2)
      .put("body.limit.bytes", 4096)));
    try {
      assertThat(second.gateway.port()).isNotEqualTo(port);
      for (int i = 0; i < 4; i++) { // whichever of its servers takes the connection, each port is one gateway's
        String big = script("1").put("variables", new JsonObject().put("pad", "x".repeat(3000))).encode();
        assertThat(result(gw.http.post(port, "127.0.0.1", "/api/sessions/s" + i + "/scripts")
          .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(big))).statusCode())
          .as("past this gateway's body.limit.bytes").isEqualTo(413);
        assertThat(result(second.http.post(second.gateway.port(), "127.0.0.1", "/api/sessions/s" + i + "/scripts")
          .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(big))).statusCode())
          .as("within the second's").isEqualTo(200);
      }
    } finally {
      result(vertx.undeploy(second.gateway.deploymentID()));
    }
  }
}
