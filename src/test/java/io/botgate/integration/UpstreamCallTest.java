package io.botgate.integration;

import io.botgate.StubUpstream;
import io.botgate.events.SecretMask;
import io.netty.handler.codec.DateFormatter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import io.vertx.junit5.VertxExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One execution's attempts against a real stub upstream, through the caller itself (no gateway around it):
 * how many attempts, how far apart, when the deadline answers 504 and hangs up, one credential renewal on a
 * 401, redirects, and each failure's status ("440", "460", "502", "504") and how each step is traced.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class UpstreamCallTest {

  static final SecretMask MASK = new SecretMask(List.of());
  static Vertx vertx;
  static StubUpstream upstream;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    upstream = new StubUpstream();
    result(v.deployVerticle(upstream));
    // One call first, so no test's deadline pays for loading the client's classes (seconds on a loaded machine).
    call(caller(), get("warmUp", upstream.url("/status/200")).put("timeoutMs", 60_000));
  }

  /** A credential store whose grants carry one bearer token each: {@code tokens} in turn, renewals counted. */
  static final class Tokens implements UpstreamCredentials {
    final List<String> tokens;
    final boolean renewable;
    final WebClient client;
    final AtomicInteger renewals = new AtomicInteger();
    int next;

    Tokens(boolean renewable, WebClient client, String... tokens) {
      this.tokens = List.of(tokens);
      this.renewable = renewable;
      this.client = client;
    }

    Tokens(boolean renewable, String... tokens) {
      this(renewable, null, tokens);
    }

    @Override
    public boolean declared(String name) {
      return true;
    }

    @Override
    public synchronized Future<CredentialGrant> obtain(String name) {
      if (next >= tokens.size()) {
        return Future.failedFuture(new CredentialUnavailable("credential '" + name + "': the token endpoint answered 500"));
      }
      String token = tokens.get(next++);
      return Future.succeededFuture(new CredentialGrant(name, List.of(Map.entry("Authorization", "Bearer " + token)),
        List.of(token), null, client, renewable));
    }

    @Override
    public Future<CredentialGrant> renew(String name, CredentialGrant refused) {
      renewals.incrementAndGet();
      return obtain(name);
    }
  }

  static UpstreamCaller caller(UpstreamCredentials credentials, String... allow) {
    return new UpstreamCaller(vertx, new EgressGuard(List.of(allow)), MASK, 10_000, credentials,
      UpstreamOptions.defaults(), new RecordedMocks(vertx, null));
  }

  static UpstreamCaller caller() {
    return caller(UpstreamCredentials.NONE, "127.0.0.1", "localhost");
  }

  /**
   * A GET without retries, under a deadline of 5 s rather than the default 20 s: ample for loopback, and a
   * broken caller that loses its answer fails in 5 s (pitest runs every test once per mutant).
   */
  static JsonObject get(String name, String url) {
    return new JsonObject().put("name", name).put("method", "GET").put("url", url).put("retries", 0)
      .put("timeoutMs", 5_000);
  }

  /** Prepares (credential and all) and calls, as the executor does. */
  static UpstreamResponse call(UpstreamCaller caller, JsonObject json, ExchangeTrace trace) {
    IntegrationDefinition definition = IntegrationDefinition.fromJson(json, null);
    RenderedRequest rendered = definition.request().render(p -> null, "http://127.0.0.1:1", MASK);
    try {
      return result(caller.prepare(definition, rendered).compose(prepared -> caller.call(definition, prepared, trace)));
    } finally {
      caller.close();
    }
  }

  static UpstreamResponse call(UpstreamCaller caller, JsonObject json) {
    return call(caller, json, new ExchangeTrace());
  }

  static List<JsonObject> phases(ExchangeTrace trace) {
    List<JsonObject> out = new ArrayList<>();
    trace.toJson(MASK, null, null, null).getJsonArray("phases").forEach(p -> out.add((JsonObject) p));
    return out;
  }

  static List<String> names(ExchangeTrace trace) {
    return phases(trace).stream().map(p -> p.getString("name")).toList();
  }

  static List<String> outcomes(ExchangeTrace trace) {
    return phases(trace).stream().map(p -> String.valueOf(p.getString("outcome"))).toList();
  }

  static JsonObject echo(UpstreamResponse response) {
    assertThat(response.statusCode()).as(response.reason()).isEqualTo("200");
    return new JsonObject(response.body());
  }

  static String encoded(String url) {
    return URLEncoder.encode(url, StandardCharsets.UTF_8);
  }

  // --- attempts, backoff, deadline ---

  @Test
  void shouldWaitPastAnInterimAnswerForTheFinalOneAndHandItToNoOtherCall() {
    // 102 Processing now, the answer later: taken for the answer, it was the call's status ("102"), and the late answer
    // stayed on the pooled connection, where the next call (another session's, maybe) read it as its own
    int port = result(vertx.createNetServer().connectHandler(socket -> socket.handler(RecordParser.newDelimited(
      "\r\n\r\n", head -> {
        if (head.toString(StandardCharsets.ISO_8859_1).startsWith("GET /slow ")) {
          socket.write("HTTP/1.1 102 Processing\r\n\r\n");
          vertx.setTimer(300, t -> socket.write(rawJson("{\"for\":\"the slow call\"}")));
        } else {
          socket.write(rawJson("{\"for\":\"the next call\"}"));
        }
      }))).listen(0, "127.0.0.1")).actualPort();
    UpstreamCaller caller = caller();
    try {
      IntegrationDefinition slow = IntegrationDefinition.fromJson(get("slow", "http://127.0.0.1:" + port + "/slow"), null);
      UpstreamResponse answer = result(caller.call(slow, slow.request().render(p -> null, "http://127.0.0.1:1", MASK)));
      assertThat(answer.statusCode()).isEqualTo("200");
      assertThat(answer.body().toString()).contains("the slow call");
      IntegrationDefinition next = IntegrationDefinition.fromJson(get("next", "http://127.0.0.1:" + port + "/next"), null);
      for (int i = 0; i < 3; i++) {
        UpstreamResponse after = result(caller.call(next, next.request().render(p -> null, "http://127.0.0.1:1", MASK)));
        assertThat(after.body().toString()).contains("the next call");
      }
    } finally {
      caller.close();
    }
  }

  @Test
  void shouldNotLetTheBodyOfA204ThatHasOneSpoilTheNextCallOnItsConnection() {
    int port = result(vertx.createNetServer().connectHandler(socket -> socket.handler(RecordParser.newDelimited(
      "\r\n\r\n", head -> socket.write(head.toString(StandardCharsets.ISO_8859_1).startsWith("GET /nobody ")
        ? "HTTP/1.1 204 No Content\r\nContent-Length: 16\r\n\r\nthe 204's secret" : rawJson("{\"for\":\"the next call\"}")))))
      .listen(0, "127.0.0.1")).actualPort();
    UpstreamCaller caller = caller();
    try {
      IntegrationDefinition nobody = IntegrationDefinition.fromJson(get("nobody", "http://127.0.0.1:" + port + "/nobody"),
        null);
      assertThat(result(caller.call(nobody, nobody.request().render(p -> null, "http://127.0.0.1:1", MASK)))
        .statusCode()).isEqualTo("204");
      IntegrationDefinition next = IntegrationDefinition.fromJson(get("next", "http://127.0.0.1:" + port + "/next"), null);
      for (int i = 0; i < 3; i++) {
        UpstreamResponse after = result(caller.call(next, next.request().render(p -> null, "http://127.0.0.1:1", MASK)));
        assertThat(after.statusCode()).isEqualTo("200");
        assertThat(after.body().toString()).contains("the next call");
      }
    } finally {
      caller.close();
    }
  }

  @Test
  void shouldAnswerA101NobodyAskedForAs502AndHandItsConnectionToNoOtherCall() {
    // Executions send no Upgrade. A 101 was the call's status ("101") and its connection went back to the pool no
    // longer speaking HTTP, where the next call (another session's, maybe) waited until its deadline; a 101 naming
    // websocket was awaited until the call's own deadline.
    int port = result(vertx.createNetServer().connectHandler(socket -> socket.handler(RecordParser.newDelimited(
      "\r\n\r\n", head -> {
        String line = head.toString(StandardCharsets.ISO_8859_1);
        if (line.startsWith("GET /h2c ")) {
          socket.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
        } else if (line.startsWith("GET /websocket ")) {
          socket.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        } else {
          socket.write(rawJson("{\"for\":\"the next call\"}"));
        }
      }))).listen(0, "127.0.0.1")).actualPort();
    UpstreamCaller caller = caller();
    try {
      for (String upgrade : List.of("h2c", "websocket")) {
        IntegrationDefinition switching = IntegrationDefinition.fromJson(get(upgrade,
          "http://127.0.0.1:" + port + "/" + upgrade), null);
        UpstreamResponse answer = result(caller.call(switching, switching.request().render(p -> null,
          "http://127.0.0.1:1", MASK)));
        assertThat(answer.statusCode()).as(upgrade).isEqualTo("502");
        assertThat(answer.reason()).as(upgrade).contains("101");
        IntegrationDefinition next = IntegrationDefinition.fromJson(get("next", "http://127.0.0.1:" + port + "/next"),
          null);
        for (int i = 0; i < 3; i++) {
          UpstreamResponse after = result(caller.call(next, next.request().render(p -> null, "http://127.0.0.1:1", MASK)));
          assertThat(after.statusCode()).as(upgrade).isEqualTo("200");
          assertThat(after.body().toString()).contains("the next call");
        }
      }
    } finally {
      caller.close();
    }
  }

  @Test
  void shouldAnswerAStatusOutside100To599As502AndHandItsConnectionToNoOtherCall() {
    // Netty reads any number as a status: "2000" passed through as the call's statusCode, and the answer was kept
    // as an HTTP one, though no HTTP status is past 599 (RFC 9110 15) and CB's statusCode is an HTTP status; one
    // below 100, "42", was called an interim status, which it is not either.
    int port = result(vertx.createNetServer().connectHandler(socket -> socket.handler(RecordParser.newDelimited(
      "\r\n\r\n", head -> {
        String line = head.toString(StandardCharsets.ISO_8859_1);
        String status = line.startsWith("GET /odd/") ? line.substring("GET /odd/".length(), line.indexOf(' ', 4)) : null;
        socket.write(status == null ? rawJson("{\"for\":\"the next call\"}")
          : "HTTP/1.1 " + status + " Odd\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
      }))).listen(0, "127.0.0.1")).actualPort();
    UpstreamCaller caller = caller();
    try {
      for (String status : List.of("2000", "600", "999", "42")) {
        IntegrationDefinition odd = IntegrationDefinition.fromJson(get("odd" + status,
          "http://127.0.0.1:" + port + "/odd/" + status).put("retries", 2), null);
        ExchangeTrace trace = new ExchangeTrace();
        UpstreamResponse answer = result(caller.call(odd, odd.request().render(p -> null, "http://127.0.0.1:1", MASK),
          trace));
        assertThat(answer.statusCode()).as(status).isEqualTo("502");
        assertThat(answer.httpStatus()).as(status).isZero();
        assertThat(answer.reason()).as(status).contains(status, "not an HTTP status");
        assertThat(answer.attempts()).as("%s: the same answer again, not retried", status).isEqualTo(1);
        assertThat(names(trace)).as(status).containsExactly("attempt 1");
        IntegrationDefinition next = IntegrationDefinition.fromJson(get("next", "http://127.0.0.1:" + port + "/next"),
          null);
        UpstreamResponse after = result(caller.call(next, next.request().render(p -> null, "http://127.0.0.1:1", MASK)));
        assertThat(after.statusCode()).as(status).isEqualTo("200");
        assertThat(after.body().toString()).contains("the next call");
      }
    } finally {
      caller.close();
    }
  }

  private static String rawJson(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  @Test
  void shouldRetryUpToTheConfiguredCountWithABackoffThatDoubles() {
    ExchangeTrace trace = new ExchangeTrace();
    int before = upstream.hits("/status/503");
    UpstreamResponse response = call(caller(), get("retry3", upstream.url("/status/503")).put("retries", 3)
      .put("timeoutMs", 20_000), trace);
    assertThat(response.statusCode()).isEqualTo("503");
    assertThat(response.attempts()).isEqualTo(4);
    assertThat(upstream.hits("/status/503") - before).isEqualTo(4);
    assertThat(names(trace)).containsExactly("attempt 1", "attempt 2", "attempt 3", "attempt 4");
    assertThat(outcomes(trace)).containsOnly("503");
    // Each attempt starts no sooner than its backoff after the one before: 100, 200, 400 ms (timers never fire early).
    List<JsonObject> phases = phases(trace);
    for (int i = 1; i < phases.size(); i++) {
      double gap = phases.get(i).getDouble("startMs") - phases.get(i - 1).getDouble("startMs");
      assertThat(gap).as("gap before attempt %d", i + 1).isGreaterThanOrEqualTo(UpstreamCaller.FIRST_BACKOFF_MS << (i - 1));
    }
  }

  /**
   * An upstream that answers the first request of each {@code key} with {@code status} and {@code Retry-After:
   * <after>} (both from the query; {@code dateIn<ms>}: the HTTP-date that many ms later), and every later one 200; it
   * notes when it began its first answer and when the next request came (nanoTime).
   */
  static final class Busy implements AutoCloseable {
    final Map<String, Long> answered = new ConcurrentHashMap<>();
    final Map<String, Long> cameBack = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    final HttpServer server;

    Busy() {
      server = result(vertx.createHttpServer().requestHandler(req -> {
        String key = req.getParam("key");
        int hit = hits.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        if (hit == 1) {
          String after = req.getParam("after");
          if (after.startsWith("dateIn")) { // an HTTP-date that many ms from now
            after = DateFormatter.format(new Date(System.currentTimeMillis() + Long.parseLong(after.substring(6))));
          }
          answered.put(key, System.nanoTime()); // before the answer: the client's wait begins after it
          req.response().setStatusCode(Integer.parseInt(req.getParam("status")))
            .putHeader("Retry-After", after).putHeader("Content-Type", "application/json").end("{\"busy\":true}");
        } else {
          cameBack.putIfAbsent(key, System.nanoTime());
          req.response().putHeader("Content-Type", "application/json").end("{\"busy\":false}");
        }
      }).listen(0, "127.0.0.1"));
    }

    JsonObject get(String key, int status, String after) {
      return UpstreamCallTest.get(key, "http://127.0.0.1:" + server.actualPort() + "/busy?key=" + key + "&status="
        + status + "&after=" + encoded(after));
    }

    long gapMs(String key) {
      return (cameBack.get(key) - answered.get(key)) / 1_000_000;
    }

    int hits(String key) {
      AtomicInteger n = hits.get(key);
      return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
      server.close();
    }
  }

  @Test
  void shouldWaitWhatA503sOrA429sRetryAfterAsksBeforeTheNextAttempt() {
    // Retry-After was ignored: the next attempt came after the backoff's 100 ms, which an upstream that said how
    // long it is busy refuses again (and a rate limit may count against the caller).
    try (Busy busy = new Busy()) {
      Map<String, JsonObject> calls = Map.of(
        "seconds", busy.get("seconds", 503, "1"),
        "date", busy.get("date", 429, "dateIn2500"));
      for (Map.Entry<String, JsonObject> call : calls.entrySet()) {
        String key = call.getKey();
        ExchangeTrace trace = new ExchangeTrace();
        UpstreamResponse response = call(caller(), call.getValue().put("retries", 2).put("timeoutMs", 20_000), trace);
        assertThat(response.statusCode()).as(key).isEqualTo("200");
        assertThat(response.attempts()).as(key).isEqualTo(2);
        // 1 s asked; the date is 1.5 to 2.5 s after the answer was made (an HTTP-date has whole seconds)
        assertThat(busy.gapMs(key)).as("%s: from the first answer to the second attempt", key)
          .isGreaterThanOrEqualTo(1000);
        assertThat(names(trace)).as(key).containsExactly("attempt 1", "Retry-After", "attempt 2");
        assertThat(outcomes(trace).get(1)).as(key).startsWith("Retry-After of the " + (key.equals("date") ? 429 : 503))
          .contains("waited");
      }
    }
  }

  @Test
  void shouldAnswerTheStatusAtOnceWhenItsRetryAfterWouldPassTheDeadline() {
    // A wait past the deadline would end in a 504 that hides what the upstream said: the 503 is the answer, at once
    // (a call that waited, or hung, would be the deadline's 504), and nothing more is sent. Absurd values alike.
    try (Busy busy = new Busy()) {
      Map<String, String> afters = Map.of("twoMinutes", "120", "digits", "99999999999999999999999",
        "farDate", "Fri, 31 Dec 9999 23:59:59 GMT");
      for (Map.Entry<String, String> after : afters.entrySet()) {
        String key = after.getKey();
        ExchangeTrace trace = new ExchangeTrace();
        UpstreamResponse response = call(caller(), busy.get(key, 503, after.getValue()).put("retries", 3)
          .put("timeoutMs", 5_000), trace);
        assertThat(response.statusCode()).as(key).isEqualTo("503");
        assertThat(response.attempts()).as(key).isEqualTo(1);
        assertThat(busy.hits(key)).as(key).isEqualTo(1);
        assertThat(names(trace)).as(key).containsExactly("attempt 1", "Retry-After");
        assertThat(outcomes(trace).get(1)).as(key).contains("past the deadline of 5000 ms: not retried");
      }
    }
  }

  @Test
  void shouldRetryAfterTheBackoffWhenRetryAfterIsUnreadableOrOnAnotherStatus() {
    try (Busy busy = new Busy()) {
      for (JsonObject definition : List.of(busy.get("unreadable", 503, "soon"), busy.get("negative", 503, "-5"),
        busy.get("on500", 500, "120"))) {
        String key = definition.getString("name");
        ExchangeTrace trace = new ExchangeTrace();
        UpstreamResponse response = call(caller(), definition.put("retries", 1).put("timeoutMs", 20_000), trace);
        assertThat(response.statusCode()).as(key).isEqualTo("200");
        assertThat(names(trace)).as(key).containsExactly("attempt 1", "attempt 2");
      }
    }
  }

  @Test
  @Timeout(30)
  void shouldStopRetryingWhenTheNextBackoffWouldEndPastTheDeadlineAndAnswerTheLastStatus() {
    // Attempts start at about 0, 100, 300, 700, 1500 and 3100 ms; after the sixth the backoff (3200 ms) would end
    // past 4700 ms, so its 503 is the outcome, before the deadline. On a machine so loaded that each attempt
    // takes over 300 ms the fifth is the last. A backoff that grew twice as fast stops after the fourth; one
    // that shrank, or a retry condition without the deadline, goes on to the retries' 11 or the deadline's 504.
    long started = System.nanoTime();
    UpstreamResponse response = call(caller(), get("bounded", upstream.url("/status/503")).put("retries", 10)
      .put("timeoutMs", 4700));
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(response.statusCode()).isEqualTo("503");
    assertThat(response.attempts()).isBetween(5, 6);
    assertThat(tookMs).isLessThan(2 * 4700 + 1000);
  }

  @Test
  @Timeout(20)
  void shouldAnswer504AtTheDeadlineAndHangUpOnTheUpstream() {
    int closedBefore = upstream.hangsClosed();
    ExchangeTrace trace = new ExchangeTrace();
    // The caller stays open until the end: closing it would close the connection whatever the deadline did.
    UpstreamCaller caller = caller();
    try {
      IntegrationDefinition definition = IntegrationDefinition.fromJson(get("hang", upstream.url("/hang"))
        .put("retries", 3).put("timeoutMs", 500), null);
      RenderedRequest rendered = definition.request().render(p -> null, "http://127.0.0.1:1", MASK);
      long started = System.nanoTime();
      UpstreamResponse response = result(caller.call(definition, rendered, trace));
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(response.statusCode()).isEqualTo("504");
      assertThat(response.reason()).isEqualTo("no answer within the deadline of 500 ms");
      assertThat(response.attempts()).isEqualTo(1);
      assertThat(tookMs).isBetween(500L, 2 * 500L + 1000);
      // The request itself is bounded by what is left of the deadline: the hanging connection is closed, not
      // kept, and the attempt is traced with its 504, not retried.
      // (A liveness bound, not the contract's: a request left without its timeout would stay open for good.)
      await().atMost(Duration.ofSeconds(10)).until(() -> upstream.hangsClosed() > closedBefore);
      await().atMost(Duration.ofSeconds(10)).until(() -> names(trace).contains("attempt 1"));
      assertThat(names(trace)).containsExactly("attempt 1");
      assertThat(outcomes(trace)).containsExactly("504 no answer within the deadline of 500 ms");
    } finally {
      caller.close();
    }
  }

  @Test
  @Timeout(20)
  void shouldHangUpAtTheDeadlineOnAnAnswerThatTricklesIn() {
    int closedBefore = upstream.dripsClosed();
    // The caller stays open: closing it would close the connection whatever the deadline did.
    UpstreamCaller caller = caller();
    try {
      IntegrationDefinition definition = IntegrationDefinition.fromJson(get("drip", upstream.url("/drip"))
        .put("retries", 0).put("timeoutMs", 500), null);
      RenderedRequest rendered = definition.request().render(p -> null, "http://127.0.0.1:1", MASK);
      UpstreamResponse response = result(caller.call(definition, rendered, new ExchangeTrace()));
      assertThat(response.statusCode()).isEqualTo("504");
      // A byte every 200 ms keeps the request's idle timeout from ever firing: only the deadline ends it, and
      // it must end the request too, not only the answer (a pool of such requests would block the upstream).
      await().atMost(Duration.ofSeconds(10)).until(() -> upstream.dripsClosed() > closedBefore);
    } finally {
      caller.close();
    }
  }

  @Test
  void shouldRetryARefusedConnectionAndAnswer502NamingIt() {
    ExchangeTrace trace = new ExchangeTrace();
    UpstreamResponse response = call(caller(), get("refused", "http://127.0.0.1:9/nothing").put("retries", 1), trace);
    assertThat(response.statusCode()).isEqualTo("502");
    assertThat(response.attempts()).isEqualTo(2);
    assertThat(response.reason()).startsWith("transport failure: ").containsIgnoringCase("connection refused");
    assertThat(names(trace)).containsExactly("attempt 1", "attempt 2");
    assertThat(outcomes(trace)).allSatisfy(o -> assertThat(o).startsWith("502 transport failure: "));
  }

  @Test
  void shouldAnswer502ForADnsFailureSayingSo() {
    UpstreamResponse response = call(caller(UpstreamCredentials.NONE), get("dns", "http://no-such-host.invalid/x"));
    assertThat(response.statusCode()).isEqualTo("502");
    assertThat(response.reason()).startsWith("DNS lookup failed for ").contains("no-such-host.invalid");
  }

  @Test
  void shouldAnswer440WithoutRetryingWhenEgressIsBlockedNamingTheDefaultPortOfTheScheme() {
    UpstreamResponse http = call(caller(UpstreamCredentials.NONE), get("blockedHttp", "http://127.0.0.1/x").put("retries", 2));
    assertThat(http.statusCode()).isEqualTo("440");
    assertThat(http.attempts()).isEqualTo(1);
    assertThat(http.reason()).contains("127.0.0.1:80)").contains("egress.allow");
    UpstreamResponse https = call(caller(UpstreamCredentials.NONE), get("blockedHttps", "https://127.0.0.1/x"));
    assertThat(https.reason()).contains("127.0.0.1:443)");
  }

  @Test
  void shouldAnswerAnIpv6ZoneTheMachineDoesNotHaveAsAFailureNotAnError() {
    UpstreamResponse zoned = call(caller(UpstreamCredentials.NONE), get("zoned", "http://[fe80::1%25nosuchif9]:1/x")
      .put("retries", 0));
    assertThat(zoned.statusCode()).isIn("440", "502");
    assertThat(zoned.reason()).isNotBlank();
  }

  @Test
  void shouldKeepAHeaderWithAnEnvValueFromARedirectToAnotherOrigin() {
    String elsewhere = "http://localhost:" + upstream.port() + "/echo/elsewhere";
    IntegrationDefinition definition = IntegrationDefinition.fromJson(get("envRedirect",
      upstream.url("/redirect/302?to=" + encoded(elsewhere))).put("headers", new JsonObject()
      .put("X-Custom", "{$env.SECRET}").put("X-Trace", "t1")), null);
    RenderedRequest rendered = definition.request().render(p -> p.kind() == Template.Placeholder.Kind.ENV
      ? "S3cr3tV4lue" : null, "http://127.0.0.1:1", MASK);
    UpstreamCaller caller = caller(UpstreamCredentials.NONE, "127.0.0.1", "localhost");
    try {
      JsonObject headers = echo(result(caller.call(definition, rendered))).getJsonObject("headers");
      assertThat(headers.getString("x-trace")).isEqualTo("t1");
      assertThat(headers.fieldNames()).doesNotContain("x-custom");
    } finally {
      caller.close();
    }
  }

  @Test
  void shouldNotResendABodyHoldingASecretToAnotherOriginOn307Or308() {
    String elsewhere = "http://localhost:" + upstream.port() + "/echo/elsewhere-body";
    for (int code : new int[] {307, 308}) {
      IntegrationDefinition definition = IntegrationDefinition.fromJson(get("envBody" + code, null)
        .put("method", "POST").put("url", upstream.url("/redirect/" + code + "?to=" + encoded(elsewhere)))
        .put("body", new JsonObject().put("key", "{$env.SECRET}")), null);
      RenderedRequest rendered = definition.request().render(p -> p.kind() == Template.Placeholder.Kind.ENV
        ? "S3cr3tV4lue" : null, "http://127.0.0.1:1", MASK);
      int before = upstream.hits("/echo/elsewhere-body");
      UpstreamCaller caller = caller(UpstreamCredentials.NONE, "127.0.0.1", "localhost");
      try {
        UpstreamResponse refused = result(caller.call(definition, rendered));
        assertThat(refused.statusCode()).as("%d", code).isEqualTo("440");
        assertThat(refused.reason()).contains("another origin", elsewhere, "body holds a secret")
          .doesNotContain("S3cr3tV4lue");
      } finally {
        caller.close();
      }
      assertThat(upstream.hits("/echo/elsewhere-body")).as("nothing sent there").isEqualTo(before);
    }
    // a secret-looking field name counts too; a body without a secret follows, and so does one to its own origin
    UpstreamResponse named = call(caller(UpstreamCredentials.NONE, "127.0.0.1", "localhost"), get("namedBody", null)
      .put("method", "POST").put("url", upstream.url("/redirect/307?to=" + encoded(elsewhere)))
      .put("body", new JsonObject().put("password", "literal")));
    assertThat(named.statusCode()).isEqualTo("440");
    JsonObject plain = echo(call(caller(UpstreamCredentials.NONE, "127.0.0.1", "localhost"), get("plainBody", null)
      .put("method", "POST").put("url", upstream.url("/redirect/307?to=" + encoded(elsewhere)))
      .put("body", new JsonObject().put("n", 1))));
    assertThat(plain.getString("path")).isEqualTo("/echo/elsewhere-body");
    assertThat(plain.getString("body")).isEqualTo("{\"n\":1}");
    JsonObject own = echo(call(caller(), get("ownBody", null).put("method", "POST")
      .put("url", upstream.url("/redirect/307?to=%2Fecho%2Fown-body")).put("body", new JsonObject().put("password", "p1"))));
    assertThat(own.getString("body")).isEqualTo("{\"password\":\"p1\"}");
  }

  @Test
  void shouldSpeakTlsToAnHttpsUrl() {
    // The stub speaks plain HTTP: a TLS handshake with it fails (502), where plain HTTP would have had a 200.
    UpstreamResponse response = call(caller(), get("tls", upstream.url("/status/200").replace("http://", "https://")));
    assertThat(response.statusCode()).isEqualTo("502");
    assertThat(response.httpStatus()).isZero();
  }

  // --- credential renewal ---

  @Test
  void shouldRenewARefusedTokenOnceAndSendAgain() {
    Tokens tokens = new Tokens(true, "stale", "fresh");
    ExchangeTrace trace = new ExchangeTrace();
    UpstreamResponse response = call(caller(tokens, "127.0.0.1"), get("renewed", upstream.url("/bearer/fresh"))
      .put("credential", "api"), trace);
    assertThat(response.statusCode()).isEqualTo("200");
    assertThat(response.attempts()).isEqualTo(2);
    assertThat(tokens.renewals).hasValue(1);
    assertThat(names(trace)).containsExactly("attempt 1", "credential renewed", "attempt 2");
    assertThat(outcomes(trace)).containsExactly("401", "null", "200");
  }

  @Test
  void shouldRenewOnlyOnceWhenTheFreshTokenIsRefusedToo() {
    Tokens tokens = new Tokens(true, "stale", "fresh", "fresher");
    UpstreamResponse response = call(caller(tokens, "127.0.0.1"), get("refusedTwice", upstream.url("/bearer/never"))
      .put("credential", "api").put("retries", 2));
    assertThat(response.statusCode()).isEqualTo("401");
    assertThat(response.attempts()).isEqualTo(2);
    assertThat(tokens.renewals).hasValue(1);
  }

  @Test
  void shouldNotRenewACredentialThatIsNotRenewableNorOnAnotherStatus() {
    Tokens fixed = new Tokens(false, "stale", "fresh");
    UpstreamResponse refused = call(caller(fixed, "127.0.0.1"), get("fixed", upstream.url("/bearer/fresh"))
      .put("credential", "api"));
    assertThat(refused.statusCode()).isEqualTo("401");
    assertThat(refused.attempts()).isEqualTo(1);
    assertThat(fixed.renewals).hasValue(0);

    Tokens renewable = new Tokens(true, "stale", "fresh");
    UpstreamResponse forbidden = call(caller(renewable, "127.0.0.1"), get("forbidden", upstream.url("/status/403"))
      .put("credential", "api"));
    assertThat(forbidden.statusCode()).isEqualTo("403");
    assertThat(renewable.renewals).hasValue(0);

    UpstreamResponse bare = call(caller(), get("bare", upstream.url("/bearer/fresh")));
    assertThat(bare.statusCode()).isEqualTo("401");
    assertThat(bare.attempts()).isEqualTo(1);
  }

  @Test
  void shouldAnswer460WhenTheRenewalFails() {
    Tokens once = new Tokens(true, "stale");
    ExchangeTrace trace = new ExchangeTrace();
    UpstreamResponse response = call(caller(once, "127.0.0.1"), get("renewFails", upstream.url("/bearer/fresh"))
      .put("credential", "api").put("retries", 2), trace);
    assertThat(response.statusCode()).isEqualTo("460");
    assertThat(response.reason()).isEqualTo("credential 'api': the token endpoint answered 500");
    assertThat(response.attempts()).isEqualTo(1);
    assertThat(names(trace)).containsExactly("attempt 1", "credential renewed");
    assertThat(outcomes(trace)).containsExactly("401", "460");
  }

  @Test
  void shouldHideTheRenewedTokenInReasons() {
    // The fresh token is accepted, and the upstream redirects to a URL quoting it: the reason must mask it.
    String location = "ftp://127.0.0.1/freshtoken42";
    Tokens tokens = new Tokens(true, "staletoken41", "freshtoken42");
    UpstreamResponse response = call(caller(tokens, "127.0.0.1"),
      get("leak", upstream.url("/bearer/freshtoken42?then=" + encoded(location))).put("credential", "api"));
    assertThat(response.statusCode()).isEqualTo("440");
    assertThat(response.reason()).isEqualTo("URL 'ftp://127.0.0.1/****' is invalid: not an absolute http(s) URL with a host");
  }

  // --- redirects, and what goes where ---

  @Test
  void shouldFollowAtMostFiveRedirectsThenAnswerTheSixth() {
    int before = upstream.hits("/loop");
    UpstreamResponse response = call(caller(), get("loop", upstream.url("/loop")));
    assertThat(response.statusCode()).isEqualTo("302");
    assertThat(upstream.hits("/loop") - before).isEqualTo(UpstreamCaller.MAX_REDIRECTS + 1);
  }

  @Test
  void shouldAnswerARedirectWithoutLocationAsItIs() {
    assertThat(call(caller(), get("noLocation", upstream.url("/redirect/302"))).statusCode()).isEqualTo("302");
  }

  @Test
  void shouldAnswer502ForARedirectToAnInvalidUrl() {
    UpstreamResponse response = call(caller(), get("badLocation", upstream.url("/redirect/302?to=" + encoded("/a b"))));
    assertThat(response.statusCode()).isEqualTo("502");
    assertThat(response.reason()).isEqualTo("upstream redirected to an invalid URL");
  }

  @Test
  void shouldKeepMethodAndBodyOn307And308AndGetWithoutBodyOn302() {
    for (int code : new int[] {307, 308, 302}) {
      JsonObject echo = echo(call(caller(), get("post" + code, null).put("method", "POST")
        .put("url", upstream.url("/redirect/" + code + "?to=%2Fecho%2F" + code)).put("body", new JsonObject().put("n", code))));
      boolean keep = code != 302;
      assertThat(echo.getString("path")).isEqualTo("/echo/" + code);
      assertThat(echo.getString("method")).as("%d", code).isEqualTo(keep ? "POST" : "GET");
      assertThat(echo.getString("body")).as("%d", code).isEqualTo(keep ? "{\"n\":" + code + "}" : "");
    }
  }

  @Test
  void shouldSendTheCredentialAndItsClientToTheIntegrationsOriginOnlyAndOtherHeadersEverywhere() {
    WebClient certificateClient = WebClient.create(vertx, new WebClientOptions().setUserAgent("client-with-certificate"));
    try {
      JsonObject headers = new JsonObject().put("X-Trace", "t1");
      JsonObject own = echo(call(caller(new Tokens(false, certificateClient, "tok1"), "127.0.0.1", "localhost"),
        get("own", upstream.url("/echo/own")).put("credential", "api").put("headers", headers))).getJsonObject("headers");
      assertThat(own.getString("authorization")).isEqualTo("Bearer tok1");
      assertThat(own.getString("user-agent")).isEqualTo("client-with-certificate");
      assertThat(own.getString("x-trace")).isEqualTo("t1");

      String elsewhere = "http://localhost:" + upstream.port() + "/echo/elsewhere";
      JsonObject other = echo(call(caller(new Tokens(false, certificateClient, "tok2"), "127.0.0.1", "localhost"),
        get("redirected", upstream.url("/redirect/302?to=" + encoded(elsewhere))).put("credential", "api")
          .put("headers", headers))).getJsonObject("headers");
      assertThat(other.containsKey("authorization")).isFalse();
      assertThat(other.getString("user-agent")).isNotEqualTo("client-with-certificate");
      assertThat(other.getString("x-trace")).isEqualTo("t1");

      // without a credential, a redirect to another origin carries the headers too, but none with a secret
      JsonObject bare = echo(call(caller(), get("bareRedirect", upstream.url("/redirect/302?to=" + encoded(elsewhere)))
        .put("headers", headers.copy().put("Authorization", "Bearer literal").put("X-Api-Key", "k1"))))
        .getJsonObject("headers");
      assertThat(bare.getString("x-trace")).isEqualTo("t1");
      assertThat(bare.fieldNames()).doesNotContain("authorization", "x-api-key");
      JsonObject same = echo(call(caller(), get("sameRedirect", upstream.url("/redirect/302?to="
        + encoded(upstream.url("/echo/same")))).put("headers", new JsonObject().put("Authorization", "Bearer literal"))))
        .getJsonObject("headers");
      assertThat(same.getString("authorization")).as("to the same origin it goes").isEqualTo("Bearer literal");
    } finally {
      certificateClient.close();
    }
  }

  @Test
  void shouldTurnUserInfoIntoBasicAuthUnlessTheDefinitionSetsAuthorization() {
    String url = "http://bob:pw@127.0.0.1:" + upstream.port() + "/echo/userinfo";
    JsonObject basic = echo(call(caller(), get("userInfo", url))).getJsonObject("headers");
    assertThat(basic.getString("authorization")).isEqualTo("Basic Ym9iOnB3");
    JsonObject explicit = echo(call(caller(), get("userInfoAndHeader", url)
      .put("headers", new JsonObject().put("Authorization", "Bearer mine")))).getJsonObject("headers");
    assertThat(explicit.getString("authorization")).isEqualTo("Bearer mine");
    JsonObject none = echo(call(caller(), get("noUserInfo", upstream.url("/echo/plain")))).getJsonObject("headers");
    assertThat(none.containsKey("authorization")).isFalse();
  }

  @Test
  void shouldSendSlashForAnEmptyPathAndKeepTheQuery() {
    int before = upstream.received.size();
    call(caller(), get("root", "http://127.0.0.1:" + upstream.port()));
    call(caller(), get("rootQuery", "http://127.0.0.1:" + upstream.port() + "?a=1"));
    assertThat(upstream.received.subList(before, upstream.received.size())).extracting(StubUpstream.Received::uri)
      .containsExactly("/", "/?a=1");
  }

  @Test
  void shouldSendABodyOnlyWhenThereIsOne() {
    JsonObject post = echo(call(caller(), get("withBody", null).put("method", "POST")
      .put("url", upstream.url("/echo/body")).put("body", new JsonObject().put("a", 1))));
    assertThat(post.getString("body")).isEqualTo("{\"a\":1}");
    JsonObject get = echo(call(caller(), get("withoutBody", upstream.url("/echo/nobody"))));
    assertThat(get.getString("body")).isEmpty();
    assertThat(get.getJsonObject("headers").containsKey("content-length")).isFalse();
  }

  @Test
  void shouldNoteTheAnswerInTheTrace() {
    ExchangeTrace trace = new ExchangeTrace();
    call(caller(), get("traced", upstream.url("/echo/traced")), trace);
    JsonObject shown = trace.toJson(MASK, null, null, null);
    assertThat(shown.getJsonObject("response").getInteger("status")).isEqualTo(200);
    assertThat(trace.responseHeaders().get("X-Upstream")).isEqualTo("echo");
  }

  @Test
  void shouldConnectToAnAddressLiteralAsWritten() {
    // 127.0.0.2 is loopback but not 127.0.0.1 nor the wildcard: only a connection to exactly it reaches this server.
    HttpServer server = result(vertx.createHttpServer()
      .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end("{\"at\":\"127.0.0.2\"}"))
      .listen(0, "127.0.0.2"));
    try {
      UpstreamResponse response = call(caller(UpstreamCredentials.NONE, "127.0.0.2"),
        get("second", "http://127.0.0.2:" + server.actualPort() + "/x"));
      assertThat(echo(response).getString("at")).isEqualTo("127.0.0.2");
    } finally {
      server.close();
    }
  }

  @Test
  void shouldReachAnIpv6LiteralThroughItsCheckedAddress() {
    HttpServer server = result(vertx.createHttpServer()
      .requestHandler(req -> req.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("host", req.getHeader("Host")).encode()))
      .listen(0, "::1"));
    try {
      UpstreamResponse response = call(caller(UpstreamCredentials.NONE, "::1"),
        get("v6", "http://[::1]:" + server.actualPort() + "/x"));
      assertThat(echo(response).getString("host")).isEqualTo("[::1]:" + server.actualPort());
    } finally {
      server.close();
    }
  }
}
