package io.botgate.integration;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.botgate.Await.result;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Executions against a real misbehaving upstream: every row of the status-code table and CB's semantics. */
@ExtendWith(VertxExtension.class)
class ExecutionTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("upstream.limit.bytes", 1_000_000)
      .put("env", new JsonObject().put("TEAM", "bots"))));
  }

  private static JsonObject def(String name, String url) {
    return new JsonObject().put("name", name).put("method", "GET").put("url", url);
  }

  private static JsonObject run(String session, JsonObject definition) {
    return result(gw.declareAndExecute(session, definition, null));
  }

  private static String status(JsonObject report) {
    return report.getJsonObject("result").getString("statusCode");
  }

  private static int attempts(JsonObject report) {
    return report.getJsonObject("result").getInteger("attempts");
  }

  /**
   * How long the execution took as the gateway measured it, from its start to its outcome: the deadline's
   * contract. The test's own clock would add the HTTP round trip, which on a loaded machine is not the gateway's.
   */
  private static long gatewayMs(JsonObject report) {
    return report.getJsonObject("result").getLong("durationMs");
  }

  @Test
  void shouldSucceedOn200And201() {
    JsonObject ok = run("codes", def("ok200", "stub:/status/200"));
    JsonObject created = run("codes", def("ok201", "stub:/status/201"));
    assertThat(status(ok)).isEqualTo("200");
    assertThat(ok.getString("outcome")).isEqualTo("success");
    assertThat(status(created)).isEqualTo("201");
    assertThat(created.getJsonObject("result").getBoolean("success")).isTrue();
  }

  @Test
  void shouldPassUpstreamFailureStatusesThroughAsStrings() {
    JsonObject notFound = run("codes", def("nf404", "stub:/status/404").put("retries", 0));
    assertThat(status(notFound)).isEqualTo("404");
    assertThat(notFound.getString("outcome")).isEqualTo("failure");
    assertThat(attempts(notFound)).isEqualTo(1);
  }

  @Test
  void shouldKeepTheStatusOfAFailureWhoseBodyIsNotJson() {
    JsonObject report = run("codes", def("html404", "stub:/html404"));
    assertThat(status(report)).isEqualTo("404");
  }

  @Test
  void shouldHonourDeclaredSuccessCodes() {
    JsonObject report = run("codes", def("accept404", "stub:/status/404").put("successCodes", new JsonArray().add(404)));
    assertThat(report.getJsonObject("result").getBoolean("success")).isTrue();
  }

  @Test
  void shouldRetryServerErrorsUpToTheConfiguredCount() {
    JsonObject report = run("retry", def("always500", "stub:/status/500").put("retries", 2));
    assertThat(status(report)).isEqualTo("500");
    assertThat(attempts(report)).isEqualTo(3);
    assertThat(gw.upstream.hits("/status/500")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void shouldSucceedWhenARetryDoes() {
    JsonObject report = run("retry", def("flaky", "stub:/flaky/2"));
    assertThat(status(report)).isEqualTo("200");
    assertThat(attempts(report)).isEqualTo(3);
    assertThat(gw.upstream.hits("/flaky/2")).isEqualTo(3);
  }

  @Test
  void shouldNotRetryPostByDefault() {
    JsonObject report = run("retry", def("post503", "stub:/flaky/5").put("method", "POST").put("body", "{}"));
    assertThat(status(report)).isEqualTo("503");
    assertThat(attempts(report)).isEqualTo(1);
    assertThat(gw.upstream.hits("/flaky/5")).isEqualTo(1);
  }

  @Test
  void shouldRetryPostWhenTheIntegrationOptsIn() {
    JsonObject report = run("retry", def("post503ok", "stub:/flaky/1").put("method", "POST")
      .put("retryNonIdempotent", true));
    assertThat(status(report)).isEqualTo("200");
    assertThat(attempts(report)).isEqualTo(2);
  }

  @Test
  @Timeout(20)
  void shouldStopRetryingWhenTheNextBackoffWouldEndPastTheDeadline() {
    // Attempts at about 0, 100, 300, 700 and 1500 ms; the next backoff (1600 ms) would end past 3000 ms, so
    // the last answer (503) is the outcome, well before the deadline. Without the deadline in the retry
    // condition, a sixth attempt is scheduled and the deadline's 504 wins instead.
    JsonObject report = run("retry", def("bounded", "stub:/status/503").put("retries", 10).put("timeoutMs", 3000));
    assertThat(status(report)).isEqualTo("503");
    assertThat(attempts(report)).isBetween(4, 5);
    // The gateway's clock starts before the call's deadline does (the request is rendered first): a margin.
    assertThat(gatewayMs(report)).isBetween(700L, 2 * 3000L + 1000);
  }

  @Test
  void shouldNotRetryPatchByDefault() {
    JsonObject report = run("retry", def("patch503", "stub:/flaky/7").put("method", "PATCH").put("body", "{}")
      .put("retries", 2));
    assertThat(status(report)).isEqualTo("503");
    assertThat(attempts(report)).isEqualTo(1);
    assertThat(gw.upstream.hits("/flaky/7")).isEqualTo(1);
  }

  @Test
  void shouldRetryPutAndDeleteAsIdempotent() {
    assertThat(attempts(run("retry", def("put503", "stub:/flaky/1/put").put("method", "PUT").put("retries", 2))))
      .isEqualTo(2);
    assertThat(attempts(run("retry", def("delete503", "stub:/flaky/1/delete").put("method", "DELETE").put("retries", 2))))
      .isEqualTo(2);
  }

  @Test
  void shouldNotRetryAClientErrorButRetryTooManyRequests() {
    for (int code : new int[] {400, 404, 409, 499}) {
      JsonObject report = run("retry", def("client" + code, "stub:/status/" + code).put("retries", 2));
      assertThat(status(report)).isEqualTo(String.valueOf(code));
      assertThat(attempts(report)).as("attempts for %d", code).isEqualTo(1);
    }
    JsonObject busy = run("retry", def("busy429", "stub:/status/429").put("retries", 1));
    assertThat(attempts(busy)).isEqualTo(2);
    JsonObject notImplemented = run("retry", def("ni501", "stub:/status/501").put("retries", 2));
    assertThat(attempts(notImplemented)).isEqualTo(1);
  }

  @Test
  @Timeout(20)
  void shouldAnswer504WhenTheUpstreamHangs() {
    JsonObject report = run("deadline", def("hang", "stub:/hang").put("timeoutMs", 300).put("retries", 3));
    assertThat(status(report)).isEqualTo("504");
    assertThat(report.getString("reason")).contains("deadline of 300 ms");
    assertThat(attempts(report)).isEqualTo(1);
    assertThat(gatewayMs(report)).isBetween(300L, 2 * 300L + 1000);
  }

  @Test
  @Timeout(20)
  void shouldAnswer504WhenTheUpstreamDripsPastTheDeadline() {
    JsonObject report = run("deadline", def("drip", "stub:/drip").put("timeoutMs", 700).put("retries", 0));
    assertThat(status(report)).isEqualTo("504");
    assertThat(report.getString("reason")).contains("deadline of 700 ms");
    assertThat(gatewayMs(report)).isBetween(700L, 2 * 700L + 1000);
  }

  @Test
  void shouldAnswer502WhenTheConnectionIsRefused() {
    JsonObject report = run("transport", def("refused", "http://127.0.0.1:9/nothing").put("retries", 1));
    assertThat(status(report)).isEqualTo("502");
    assertThat(attempts(report)).isEqualTo(2);
    assertThat(report.getString("reason")).contains("transport failure");
  }

  @Test
  void shouldAnswer502WhenTheConnectionIsReset() {
    JsonObject report = run("transport", def("reset", "stub:/reset").put("retries", 0));
    assertThat(status(report)).isEqualTo("502");
  }

  @Test
  void shouldAnswer502ForADnsFailure() {
    JsonObject report = run("transport", def("dns", "http://no-such-host.invalid/x").put("retries", 0));
    assertThat(status(report)).isEqualTo("502");
    assertThat(report.getString("reason")).contains("no-such-host.invalid");
  }

  @Test
  void shouldShowAnEnvValueTheUpstreamEchoedMaskedInTheAnswerTheEventAndSessionReadsWhileScriptsReadIt() {
    JsonObject report = run("echoed", def("echoed", "stub:/echo").put("headers", new JsonObject().put("X-Team",
      "{$env.TEAM}")).put("customDataFields", new JsonObject().put("team", "{$.api_echoed.headers.x-team}")));
    assertThat(report.getJsonObject("variables").getString("echoed.team")).isEqualTo("****");
    JsonObject finish = report.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> "finish".equals(e.getJsonObject("data").getString("phase"))).findFirst().orElseThrow();
    assertThat(finish.getJsonObject("data").getJsonObject("fields").getString("echoed.team")).isEqualTo("****");
    assertThat(result(gw.session("echoed")).getJsonObject("variables").getString("echoed.team"))
      .as("a session read shows it as the answer does").isEqualTo("****");
    JsonObject script = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/echoed/scripts")
      .sendJsonObject(new JsonObject().put("code", "botContext.setBotVariable('read', "
        + "botContext.getBotVariable('echoed.team') === 'bots' ? 'as sent' : 'changed');"))).bodyAsJsonObject();
    assertThat(script.getJsonObject("variableChanges").getString("read"))
      .as("the bot's scripts read what the upstream sent").isEqualTo("as sent");
  }

  @Test
  void shouldAnswer502ForInvalidJson() {
    JsonObject report = run("transport", def("invalid", "stub:/invalid"));
    assertThat(status(report)).isEqualTo("502");
    assertThat(report.getString("reason")).contains("not JSON");
    assertThat(attempts(report)).isEqualTo(1);
  }

  @Test
  void shouldAnswer502ForAnOversizedBodyWithoutReadingItAll() {
    int closedBefore = gw.upstream.hugesClosed();
    long takenBefore = gw.upstream.hugeBytesTaken();
    JsonObject report = run("transport", def("huge", "stub:/huge/200").put("retries", 0));
    assertThat(status(report)).isEqualTo("502");
    assertThat(report.getString("reason")).contains("larger than the limit of 1000000 bytes");
    // The gateway hangs up at the limit: the stub's socket takes the limit plus what the kernel buffers, far
    // from the 200 MB it would send to a client that read on after answering (as the Web Client alone does).
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.upstream.hugesClosed() > closedBefore);
    assertThat(gw.upstream.hugeBytesTaken() - takenBefore).isLessThan(20L << 20);
  }

  /** A caller's request variable named as the call's api_<rdv> no longer hides the fresh answer from the transform. */
  @Test
  void shouldGiveTheTransformAndTheFieldsTheFreshAnswerWhateverTheCallerNamedItsVariables() {
    JsonObject definition = def("shadowed", "stub:/status/200")
      .put("transformScript", "botContext.printDebugMessage('saw ' + botContext.getBotVariable('api_shadowed').jsonData);")
      .put("customDataFields", new JsonObject().put("title", "{$.api_shadowed.results[i].title}"));
    JsonObject fake = new JsonObject().put("jsonData", "{\"results\":[{\"title\":\"FAKE\"}]}");
    JsonObject report = result(gw.declareAndExecute("shadow", definition,
      new JsonObject().put("variables", new JsonObject().put("api_shadowed", fake).put("n", 1e19))));

    assertThat(status(report)).isEqualTo("200");
    assertThat(report.getJsonObject("variables").getJsonArray("shadowed.title")).containsExactly("only one");
    assertThat(report.encode()).contains("saw {").doesNotContain("FAKE");
    assertThat(io.botgate.session.RequestScope.asText(1e19)).isEqualTo("10000000000000000000");
    assertThat(io.botgate.session.RequestScope.asText(-1e300)).isEqualTo("-1.0E300");
    assertThat(io.botgate.session.RequestScope.asText(42.0)).isEqualTo("42");
  }

  @Test
  void shouldRejectARequestWhosePlaceholdersAddUpPastTheBoundWithoutSending() {
    JsonObject definition = def("amplified", "stub:/echo").put("method", "POST")
      .put("headers", new JsonObject().put("Content-Type", "text/plain"))
      .put("body", "{$botContext.a}".repeat(5));
    int hits = gw.upstream.hits("/echo");
    JsonObject report = result(gw.declareAndExecute("amplified", definition,
      new JsonObject().put("variables", new JsonObject().put("a", "x".repeat(900_000)))));
    assertThat(status(report)).isEqualTo("440");
    assertThat(report.getString("reason")).contains("add up to more than 4194304 characters")
      .contains("{$botContext.a}");
    assertThat(gw.upstream.hits("/echo")).isEqualTo(hits);
  }

  @Test
  void shouldEncodeAValueAsOneFieldOfAFormBody() {
    JsonObject definition = def("form", "stub:/echo/form").put("method", "POST")
      .put("headers", new JsonObject().put("Content-Type", "application/x-www-form-urlencoded"))
      .put("body", "text={$userMessage}&user={$botContext.user}");
    JsonObject report = result(gw.declareAndExecute("form", definition, new JsonObject().put("userMessage",
      "hi&user=admin").put("variables", new JsonObject().put("user", "ann b"))));
    assertThat(status(report)).isEqualTo("200");
    String sent = gw.upstream.received.stream().filter(r -> r.uri().equals("/echo/form")).reduce((a, b) -> b)
      .orElseThrow().body();
    assertThat(sent).isEqualTo("text=hi%26user%3Dadmin&user=ann%20b");
  }

  @Test
  void shouldRejectANewlineInAPlaceholderValueWithoutSending() {
    JsonObject definition = def("newline", "stub:/echo").put("query", new JsonObject().put("q", "{$botContext.q}"));
    JsonObject report = result(gw.declareAndExecute("reject", definition,
      new JsonObject().put("variables", new JsonObject().put("q", "a\r\nX-Injected: 1"))));
    assertThat(status(report)).isEqualTo("440");
    assertThat(report.getString("reason")).contains("{$botContext.q}").contains("newline");
    assertThat(gw.upstream.hits("/echo")).isZero();
  }

  @Test
  void shouldRejectACarriageReturnAloneInAPlaceholderValueWithoutSending() {
    for (String where : new String[] {"query", "headers"}) {
      JsonObject definition = def("cr-" + where, "stub:/echo/cr").put(where, new JsonObject().put("X-Q", "{$botContext.q}"));
      JsonObject report = result(gw.declareAndExecute("reject-cr", definition,
        new JsonObject().put("variables", new JsonObject().put("q", "a\rX-Injected: 1"))));
      assertThat(status(report)).as(where).isEqualTo("440");
      assertThat(report.getString("reason")).contains("{$botContext.q}").contains("newline");
    }
    assertThat(gw.upstream.hits("/echo/cr")).isZero();
  }

  @Test
  void shouldRejectAnUnresolvedPlaceholderWithoutSending() {
    JsonObject definition = def("unresolved", "stub:/status/200?id={$botContext.missing}");
    int before = gw.upstream.hits("/status/200");
    JsonObject report = run("reject", definition);
    assertThat(status(report)).isEqualTo("440");
    assertThat(report.getString("reason")).contains("{$botContext.missing}").contains("no value");
    assertThat(gw.upstream.hits("/status/200")).isEqualTo(before);
  }

  @Test
  void shouldBlockPrivateTargetsThatAreNotAllowed() {
    JsonObject report = run("reject", def("metadata", "http://169.254.169.254/latest/meta-data"));
    assertThat(status(report)).isEqualTo("440");
    assertThat(report.getString("reason")).contains("egress.allow");
  }

  @Test
  void shouldBlockAPrivateIpv4AddressCarriedInAnIpv6One() {
    for (String host : List.of("[::127.0.0.1]", "[::a9fe:a9fe]", "[64:ff9b::7f00:1]", "[2002:a00:1::1]")) {
      JsonObject report = run("reject", def("carried", "http://" + host + ":1/x").put("retries", 0));
      assertThat(status(report)).as(host).isEqualTo("440");
      assertThat(report.getString("reason")).as(host).contains("egress.allow");
    }
  }

  @Test
  void shouldBlockTheSpecialPurposeRangesNoPublicHostIsIn() {
    // IANA's special-purpose registry beyond the private ones: benchmarking (an outside probe reached a service
    // of its network at 198.18.0.1), reserved and broadcast, protocol assignments, documentation, "this network"
    for (String host : List.of("198.18.0.1", "198.19.255.254", "240.0.0.1", "255.255.255.255", "192.0.0.8",
      "192.0.2.1", "198.51.100.7", "203.0.113.9", "0.1.2.3", "[2001:db8::1]", "[64:ff9b::c612:1]", "[2001:2::1]", "[2001:2:0:ffff::1]",
      "[::ffff:0:7f00:1]", "[::ffff:0:a00:1]", "[64:ff9b:1::a00:1]")) { // IPv4-translated (SIIT), local-use NAT64
      JsonObject report = run("reject", def("special", "http://" + host + ":1/x").put("retries", 0));
      assertThat(status(report)).as(host).isEqualTo("440");
      assertThat(report.getString("reason")).as(host).contains("private or reserved").contains("egress.allow");
    }
  }

  @Test
  void shouldBlockARedirectToAPrivateTarget() {
    JsonObject report = run("reject", def("redirect", "stub:/redirect?to=http%3A%2F%2F10.1.2.3%2Fadmin"));
    assertThat(status(report)).isEqualTo("440");
  }

  @Test
  void shouldEncodePlaceholderValuesForWhereTheyLand() {
    JsonObject definition = def("encode", "stub:/echo/{$botContext.id}?tag={$botContext.tag}")
      .put("method", "POST")
      .put("query", new JsonObject().put("q", "{$userMessage}"))
      .put("headers", new JsonObject().put("X-Conversation", "{$conversationId}").put("X-Env", "{$env.TEAM}"))
      .put("body", new JsonObject().put("text", "{$userMessage}").put("nested", new JsonArray().add("{$botContext.id}")));
    JsonObject report = result(gw.declareAndExecute("enc-1", definition, new JsonObject()
      .put("userMessage", "a \"quoted\" & spaced?")
      .put("variables", new JsonObject().put("id", "x/y z").put("tag", "a&b=c"))));
    assertThat(status(report)).isEqualTo("200");
    JsonObject echo = new JsonObject(new JsonObject(result(gw.session("enc-1")).getJsonObject("variables")
      .getJsonObject("api_encode").getString("jsonData")).getJsonObject("api_encode").encode());
    assertThat(echo.getString("uri")).startsWith("/echo/x%2Fy%20z?tag=a%26b%3Dc&q=a%20%22quoted%22%20%26%20spaced%3F");
    assertThat(echo.getJsonObject("headers").getString("x-conversation")).isEqualTo("enc-1");
    assertThat(echo.getJsonObject("headers").getString("x-env")).as("a session read masks the env value echoed")
      .isEqualTo("****");
    assertThat(gw.upstream.received.get(gw.upstream.received.size() - 1).headers().getString("x-env"))
      .as("the upstream gets it").isEqualTo("bots");
    assertThat(echo.getJsonObject("headers").getString("content-type")).isEqualTo("application/json;charset=UTF-8");
    assertThat(new JsonObject(echo.getString("body")))
      .isEqualTo(new JsonObject().put("text", "a \"quoted\" & spaced?").put("nested", new JsonArray().add("x/y z")));
  }

  @Test
  void shouldStoreTheRawResponseAsCbDoes() {
    run("store", def("stored", "stub:/status/200"));
    JsonObject vars = result(gw.session("store")).getJsonObject("variables");
    JsonObject raw = vars.getJsonObject("api_stored");
    assertThat(new JsonObject(raw.getString("jsonData")))
      .isEqualTo(new JsonObject().put("api_stored", new JsonObject().put("status", "200")
        .put("results", new JsonArray().add(new JsonObject().put("title", "only one")))));
    assertThat(vars.getString("api_storedStatus")).isEqualTo("200");
  }

  @Test
  void shouldMapEveryElementWithIAndCountIt() {
    JsonObject definition = def("faqStub", "stub:/faq").put("responseDataVariable", "faq")
      .put("query", new JsonObject().put("q", "{$botContext.question}"))
      .put("customDataFields", new JsonObject()
        .put("title", "{$.api_faq.results[i].title}")
        .put("total", "{$.api_faq.total}")
        .put("missing", "{$.api_faq.nothing.here}"));
    JsonObject report = result(gw.declareAndExecute("map", definition,
      new JsonObject().put("variables", new JsonObject().put("question", "roaming"))));
    JsonObject vars = report.getJsonObject("variables");
    assertThat(vars.getJsonArray("faqStub.title")).containsExactly("About roaming", "roaming FAQ");
    assertThat(vars.getInteger("faqStub.title.count")).isEqualTo(2);
    assertThat(vars.getInteger("faqStub.total")).isEqualTo(2);
    assertThat(vars.getInteger("faqStub.total.count")).isEqualTo(1);
    assertThat(vars.getValue("faqStub.missing")).isNull();
    assertThat(vars.getInteger("faqStub.missing.count")).isZero();

    JsonObject none = result(gw.execute("map", "faqStub",
      new JsonObject().put("variables", new JsonObject().put("question", "nothing"))));
    assertThat(none.getJsonObject("variables").getInteger("faqStub.title.count")).isZero();
    assertThat(result(gw.session("map")).getJsonObject("variables").getInteger("faqStub.title.count")).isZero();
  }

  /**
   * A large answer under paths that scan it is mapped on a worker (IntegrationExecutor.OFF_LOOP_WORK), a small one
   * on the event loop: the same fields and counts either way, and the mapping step shown in both.
   */
  @Test
  void shouldMapScanningPathsOverALargeAnswerAsOverASmallOne() {
    for (int n : new int[] {3, 25_000}) {
      JsonObject report = run("scan" + n, def("many" + n, "stub:/many/" + n).put("responseDataVariable", "m")
        .put("customDataFields", new JsonObject()
          .put("needle", "{$.api_m..needle}")
          .put("last", "{$.api_m.items[?(@.id >= " + (n - 2) + ")].title}")
          .put("first", "{$.api_m.items[0].title}")));
      assertThat(status(report)).as("%d items", n).isEqualTo("200");
      JsonObject vars = report.getJsonObject("variables");
      assertThat(vars.getJsonArray("many" + n + ".needle")).containsExactly("found");
      assertThat(vars.getJsonArray("many" + n + ".last")).containsExactly("t" + (n - 2), "t" + (n - 1));
      assertThat(vars.getInteger("many" + n + ".last.count")).isEqualTo(2);
      assertThat(vars.getString("many" + n + ".first")).isEqualTo("t0");
      assertThat(result(gw.session("scan" + n)).getJsonObject("variables").getInteger("many" + n + ".last.count"))
        .isEqualTo(2);
      assertThat(report.getJsonArray("events").stream().map(JsonObject.class::cast)
        .filter(e -> "finish".equals(e.getJsonObject("data", new JsonObject()).getString("phase")))
        .flatMap(e -> e.getJsonObject("data").getJsonArray("phases", new JsonArray()).stream())
        .map(p -> ((JsonObject) p).getString("name"))).contains("mapping");
    }
  }

  /**
   * A few {@code [i]} fields over an answer of 50,000 members each list all 50,000 values: they are mapped on a worker,
   * not on the event loop, and the mapping stops at the first field past session.maxBytes, which no session could
   * keep: the execution ends "502" naming the bound and the fields it did not map, and none is set.
   */
  @Test
  void shouldStopMappingEveryElementFieldsOnceTheyPassSessionMaxBytes(Vertx vertx) {
    String members = "[" + "{\"a\":1},".repeat(49_999) + "{\"a\":1}]"; // 400 kB
    HttpServer many = vertx.createHttpServer().requestHandler(req -> req.response()
      .putHeader("Content-Type", "application/json").end(members));
    result(many.listen(0, "127.0.0.1"));
    try {
      JsonObject fields = new JsonObject();
      for (int i = 0; i < 3; i++) {
        fields.put("f" + i, "{$.api_members[i].a}");
      }
      JsonObject report = run("members", def("members", "http://127.0.0.1:" + many.actualPort() + "/")
        .put("customDataFields", fields));
      assertThat(status(report)).isEqualTo("502");
      assertThat(report.getString("reason")).contains("session.maxBytes (1048576 bytes)")
        .contains("[members.f0, members.f0.count]").contains("the other 2 were not mapped");
      assertThat(result(gw.session("members")).getJsonObject("variables").fieldNames())
        .noneMatch(name -> name.startsWith("members."));
      gw.assertHealthy();
    } finally {
      result(many.close());
    }
  }

  @Test
  void shouldIterateATopLevelArray() {
    JsonObject report = run("map", def("arr", "stub:/array")
      .put("customDataFields", new JsonObject().put("title", "{$.api_arr[i].title}")));
    assertThat(report.getJsonObject("variables").getJsonArray("arr.title")).containsExactly("x", "y");
  }

  @Test
  void shouldTrackTheMostRecentResultAcrossTwoIntegrations() {
    run("recent", def("first", "stub:/status/200"));
    JsonObject afterFirst = result(gw.session("recent")).getJsonObject("lastResult");
    assertThat(afterFirst.getString("integration")).isEqualTo("first");
    assertThat(afterFirst.getBoolean("success")).isTrue();

    run("recent", def("second", "stub:/status/404").put("retries", 0));
    JsonObject session = result(gw.session("recent"));
    JsonObject last = session.getJsonObject("lastResult");
    assertThat(last.getString("integration")).isEqualTo("second");
    assertThat(last.getString("statusCode")).isEqualTo("404");
    assertThat(last.getBoolean("success")).isFalse();
    assertThat(session.getJsonArray("recentResults")).hasSize(2);
    assertThat(session.getJsonObject("variables").getString("api_firstStatus")).isEqualTo("200");
  }

  @Test
  void shouldKeepSessionsApart() {
    run("alice", def("iso1", "stub:/status/200"));
    run("bob", def("iso2", "stub:/status/404").put("retries", 0));
    JsonObject alice = result(gw.session("alice"));
    JsonObject bob = result(gw.session("bob"));
    assertThat(alice.getJsonObject("lastResult").getString("statusCode")).isEqualTo("200");
    assertThat(bob.getJsonObject("lastResult").getString("statusCode")).isEqualTo("404");
    assertThat(alice.getJsonObject("variables").containsKey("api_iso2Status")).isFalse();
  }

  @Test
  void shouldPublishEveryResultOnTheEventBus(Vertx vertx, VertxTestContext test) {
    int runs = 5;
    AtomicInteger seen = new AtomicInteger();
    var checkpoint = test.checkpoint(runs);
    result(gw.declare(def("published", "stub:/status/201")));
    gw.vertx.eventBus().<JsonObject>consumer("botgate.results", msg -> {
      JsonObject r = msg.body();
      if (r.getString("integration").equals("published")) {
        test.verify(() -> {
          assertThat(r.getString("session")).startsWith("bus-");
          assertThat(r.getString("statusCode")).isEqualTo("201");
          assertThat(r.getBoolean("success")).isTrue();
          assertThat(r.getString("node")).isNotBlank();
          assertThat(r.getString("at")).isNotBlank();
        });
        seen.incrementAndGet();
        checkpoint.flag();
      }
    }).completion().onSuccess(v -> {
      for (int i = 0; i < runs; i++) {
        gw.execute("bus-" + i, "published", null);
      }
    });
  }
}
