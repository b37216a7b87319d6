package io.botgate.credentials;

import io.botgate.TestGateway;
import io.botgate.integration.CredentialGrant;
import io.botgate.integration.EgressGuard;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each credential type against real loopback servers: a token endpoint that counts its fetches and can be slow,
 * failing or expiring, an API that checks what it is sent, and a TLS server that requires a client certificate
 * the test made. Then the secrets: no answer, event, error, log line or GET shows a credential's value.
 */
@ExtendWith(VertxExtension.class)
@Timeout(180)
class CredentialsTest {

  static final String BASIC_PW = "basicPw5517";
  static final String PARTNER_KEY = "partnerKey6631";
  /** A value botgate sends (an {@code {$env.*}} header), in lower-case letters: what an OAuth error code may be. */
  static final String SENT_KEY = "sentkeyvaluefortoken";

  @TempDir
  static Path dir;
  static TestGateway gw;
  static AuthUpstream auth;
  static HttpServer tls;
  static TestCertificates.Pem server;
  static TestCertificates.Pem client;
  static TestCertificates.Pem expired;
  static final List<String> logLines = new CopyOnWriteArrayList<>();
  static final ch.qos.logback.classic.LoggerContext logs =
    (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
  /** Every line the gateway logs, as the readable format writes it, fields included (the gateway logs with logback). */
  static final ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> capture =
    new ch.qos.logback.core.AppenderBase<>() {
      private final ch.qos.logback.core.encoder.Encoder<ch.qos.logback.classic.spi.ILoggingEvent> format =
        io.botgate.logging.LogSetup.encoder(logs, io.botgate.logging.LogOptions.DEFAULTS);

      @Override
      protected void append(ch.qos.logback.classic.spi.ILoggingEvent event) {
        logLines.add(new String(format.encode(event), StandardCharsets.UTF_8));
      }
    };

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    capture.setContext(logs);
    capture.start();
    logs.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(capture);
    auth = new AuthUpstream();
    result(vertx.deployVerticle(auth));
    auth.basic = "Basic " + Base64.getEncoder().encodeToString(("bob:" + BASIC_PW).getBytes(StandardCharsets.UTF_8));
    auth.apiKey = PARTNER_KEY;
    server = TestCertificates.selfSigned(dir, "tls-server", null, 2);
    client = TestCertificates.selfSigned(dir, "bot-client", null, 2);
    expired = TestCertificates.selfSigned(dir, "old-client", "-3d", 1);
    tls = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(server.cert())).setKeyValue(Buffer.buffer(server.key())))
      .setClientAuth(ClientAuth.REQUIRED)
      .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(client.cert())).addCertValue(Buffer.buffer(expired.cert()))));
    result(tls.requestHandler(req -> {
      String peer;
      try {
        peer = ((X509Certificate) req.connection().peerCertificates().get(0)).getSubjectX500Principal().getName();
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        peer = "none";
      }
      req.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("client", peer).encode());
    }).listen(0, "127.0.0.1"));

    Path file = dir.resolve("credentials.json");
    Files.writeString(file, new JsonArray()
      .add(new JsonObject().put("name", "partnerBasic").put("type", "basic").put("user", "bob")
        .put("password", "{$env.BASIC_PW}"))
      .add(new JsonObject().put("name", "partnerKey").put("type", "token").put("header", "X-Partner-Key")
        .put("value", "{$env.PARTNER_KEY}")).encodePrettily());
    gw = result(TestGateway.start(vertx, new JsonObject().put("credentials.file", file.toString())
      .put("env", new JsonObject().put("BASIC_PW", BASIC_PW).put("PARTNER_KEY", PARTNER_KEY).put("COLON_USER", "bob:admin")
        .put("CLIENT_SECRET", AuthUpstream.CLIENT_SECRET).put("REGION", "eu-west-3")
        .put("SENT_KEY", SENT_KEY))));
  }

  @AfterAll
  static void stop() {
    logs.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(capture);
  }

  @BeforeEach
  void freshToken() {
    auth.reset();
    putCredential(oauth("partnerOAuth", auth.url("/oauth/token"), "{$env.CLIENT_SECRET}"));
  }

  static JsonObject oauth(String name, String tokenUrl, String secret) {
    return new JsonObject().put("name", name).put("type", "oauth2").put("tokenUrl", tokenUrl)
      .put("clientId", AuthUpstream.CLIENT_ID).put("clientSecret", secret).put("scope", "faq.read");
  }

  static HttpResponse<Buffer> putCredential(JsonObject credential) {
    return result(gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/credentials/" + credential.getString("name"))
      .sendJsonObject(credential));
  }

  static void declare(String name, String url, String credential) {
    JsonObject definition = new JsonObject().put("name", name).put("method", "GET").put("url", url).put("retries", 0);
    if (credential != null) {
      definition.put("credential", credential);
    }
    HttpResponse<Buffer> r = result(gw.declare(definition));
    assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 201);
  }

  static JsonObject run(String session, String integration) {
    return result(gw.execute(session, integration, null));
  }

  static String status(JsonObject answer) {
    return answer.getJsonObject("result").getString("statusCode");
  }

  static HttpResponse<Buffer> get(String path) {
    return result(gw.http.get(gw.gateway.port(), "127.0.0.1", path).send());
  }

  static JsonObject finish(JsonObject answer) {
    return answer.getJsonArray("events").stream().map(JsonObject.class::cast)
      .filter(e -> e.getJsonObject("data") != null && "finish".equals(e.getJsonObject("data").getString("phase")))
      .findFirst().orElseThrow().getJsonObject("data");
  }

  @Test
  void shouldSendBasicAndTokenCredentialsFromTheFile() {
    declare("basicApi", auth.url("/basic"), "partnerBasic");
    declare("keyApi", auth.url("/apikey"), "partnerKey");
    declare("bareApi", auth.url("/apikey"), null);
    assertThat(status(run("c1", "basicApi"))).isEqualTo("200");
    assertThat(status(run("c1", "keyApi"))).isEqualTo("200");
    assertThat(status(run("c1", "bareApi"))).isEqualTo("401");
    assertThat(auth.seen.get(0).getJsonObject("headers").getString("authorization")).isEqualTo(auth.basic);
    assertThat(auth.seen.get(1).getJsonObject("headers").getString("x-partner-key")).isEqualTo(PARTNER_KEY);
  }

  @Test
  void shouldFail460WithoutCallingWhenABasicUserFromTheEnvironmentHoldsAColon() {
    HttpResponse<Buffer> saved = putCredential(new JsonObject().put("name", "colonBasic").put("type", "basic")
      .put("user", "{$env.COLON_USER}").put("password", "{$env.BASIC_PW}"));
    assertThat(saved.statusCode()).as(saved.bodyAsString()).isIn(200, 201);
    declare("colonApi", auth.url("/basic"), "colonBasic");
    JsonObject refused = run("c3", "colonApi");
    assertThat(status(refused)).isEqualTo("460");
    assertThat(refused.getString("reason")).contains("colonBasic").contains("contains ':'").doesNotContain("bob:admin");
    assertThat(auth.seen).noneMatch(call -> call.getString("path").equals("/basic")); // never sent
  }

  @Test
  void shouldNotFollowARedirectToAnotherOriginWithTheCredential() {
    String elsewhere = auth.url("/apikey");
    declare("redirected", gw.upstream.url("/redirect?to=" + java.net.URLEncoder.encode(elsewhere, StandardCharsets.UTF_8)),
      "partnerKey");
    assertThat(status(run("c2", "redirected"))).isEqualTo("401");
    assertThat(auth.seen.get(0).getJsonObject("headers").containsKey("x-partner-key")).isFalse();
  }

  @Test
  void shouldFetchOneTokenAndKeepItUntilShortlyBeforeItExpires() {
    declare("bearerApi", auth.url("/bearer"), "partnerOAuth");
    auth.expiresIn = 3L;
    long first = System.nanoTime();
    assertThat(status(run("o1", "bearerApi"))).isEqualTo("200");
    assertThat(status(run("o1", "bearerApi"))).isEqualTo("200");
    assertThat(auth.tokenFetches.get()).as("the second call reuses the token").isEqualTo(1);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
      assertThat(status(run("o1", "bearerApi"))).isEqualTo("200");
      return auth.tokenFetches.get() == 2;
    });
    long renewedAfterMs = (System.nanoTime() - first) / 1_000_000;
    // expires_in 3 s, renewed a tenth of its lifetime early: not before 2.7 s, and without waiting for a 401.
    assertThat(renewedAfterMs).isGreaterThanOrEqualTo(2_700);
  }

  @Test
  void shouldKeepATokenWhoseLifetimeIsHugeAsOneThatNeverExpires() {
    // some token endpoints say "never" with a huge expires_in; its milliseconds overflowed into a time long past
    declare("bearerApi", auth.url("/bearer"), "partnerOAuth");
    for (Number huge : List.of(9_300_000_000_000_000L, 1e300, new java.math.BigInteger("18446744073709551617"))) {
      auth.reset();
      auth.expiresIn = huge;
      putCredential(oauth("partnerOAuth", auth.url("/oauth/token"), "{$env.CLIENT_SECRET}")); // its token forgotten
      assertThat(status(run("h1", "bearerApi"))).as("%s", huge).isEqualTo("200");
      assertThat(status(run("h1", "bearerApi"))).as("%s", huge).isEqualTo("200");
      assertThat(auth.tokenFetches.get()).as("expires_in %s: the second call reuses the token", huge).isEqualTo(1);
    }
  }

  @Test
  void shouldShareOneTokenFetchAmongConcurrentCalls() {
    declare("bearerApi", auth.url("/bearer"), "partnerOAuth");
    auth.tokenDelayMs = 500;
    List<Future<JsonObject>> calls = IntStream.range(0, 8)
      .mapToObj(i -> gw.execute("par" + i, "bearerApi", null)).toList();
    List<String> statuses = calls.stream().map(f -> status(result(f))).toList();
    assertThat(statuses).containsOnly("200");
    assertThat(auth.tokenFetches.get()).isEqualTo(1);
  }

  @Test
  void shouldFetchTheTokenAgainOnceOnA401AndRetryTheCall() {
    declare("bearerApi", auth.url("/bearer"), "partnerOAuth");
    assertThat(status(run("r1", "bearerApi"))).isEqualTo("200");
    auth.valid.clear(); // the API forgets the token before it expires
    JsonObject again = run("r1", "bearerApi");
    assertThat(status(again)).isEqualTo("200");
    assertThat(again.getJsonObject("result").getInteger("attempts")).isEqualTo(2);
    assertThat(auth.tokenFetches.get()).isEqualTo(2);
    assertThat(auth.apiCalls.get()).isEqualTo(3);
    assertThat(finish(again).getJsonArray("phases").encode()).contains("credential renewed");
  }

  @Test
  void shouldRenewOnlyOnceWhenTheFreshTokenIsRefusedToo() {
    declare("bearerApi", auth.url("/bearer"), "partnerOAuth");
    auth.refuseEveryToken = true;
    JsonObject refused = run("r2", "bearerApi");
    assertThat(status(refused)).isEqualTo("401");
    assertThat(refused.getJsonObject("result").getInteger("attempts")).isEqualTo(2);
    assertThat(auth.tokenFetches.get()).isEqualTo(2);
    assertThat(auth.apiCalls.get()).isEqualTo(2);
  }

  @Test
  void shouldFail460WhenTheTokenCannotBeObtained() {
    declare("bearerApi", auth.url("/bearer"), "partnerOAuth");
    auth.tokenStatus = 500;
    JsonObject down = run("f1", "bearerApi");
    assertThat(status(down)).isEqualTo("460");
    assertThat(down.getString("reason")).contains("partnerOAuth").contains("answered 500").contains("server_error");

    auth.tokenStatus = 200;
    auth.tokenBody = "{\"token\": \"not the field\"}";
    assertThat(run("f1", "bearerApi").getString("reason")).contains("access_token");
    auth.tokenBody = "<html>oops</html>";
    assertThat(status(run("f1", "bearerApi"))).isEqualTo("460");
    auth.tokenBody = "{\"access_token\": \"Tok\\r\\nX-Injected: yes\", \"expires_in\": 3600}";
    JsonObject injected = run("f1", "bearerApi");
    assertThat(status(injected)).isEqualTo("460");
    assertThat(injected.getString("reason")).contains("control character").doesNotContain("Injected");

    putCredential(oauth("closedOAuth", "http://127.0.0.1:9/oauth/token", "{$env.CLIENT_SECRET}"));
    declare("closedApi", auth.url("/bearer"), "closedOAuth");
    JsonObject unreachable = run("f1", "closedApi");
    assertThat(status(unreachable)).isEqualTo("460");
    assertThat(unreachable.getString("reason")).contains("closedOAuth").contains("could not be reached");

    putCredential(oauth("noEnvOAuth", auth.url("/oauth/token"), "{$env.NOT_SET_ANYWHERE}"));
    declare("noEnvApi", auth.url("/bearer"), "noEnvOAuth");
    JsonObject noEnv = run("f1", "noEnvApi");
    assertThat(status(noEnv)).isEqualTo("460");
    assertThat(noEnv.getString("reason")).contains("{$env.NOT_SET_ANYWHERE}").contains("not set");

    putCredential(oauth("wrongOAuth", auth.url("/oauth/token"), "notTheSecret4410"));
    declare("wrongApi", auth.url("/bearer"), "wrongOAuth");
    JsonObject wrong = run("f1", "wrongApi");
    assertThat(wrong.getString("reason")).contains("answered 401").contains("invalid_client")
      .doesNotContain("notTheSecret4410");
    assertThat(auth.apiCalls.get()).as("nothing reached the API without a token").isZero();
    assertThat(down.getJsonObject("result").getBoolean("success")).isFalse();
  }

  @Test
  void shouldNotFetchATokenFromTheGatewaysOwnApi() {
    putCredential(oauth("selfOAuth", "http://127.0.0.1:" + gw.gateway.port() + "/api/import/cb", "{$env.CLIENT_SECRET}"));
    declare("selfApi", auth.url("/bearer"), "selfOAuth");
    JsonObject self = run("f1", "selfApi");
    assertThat(status(self)).isEqualTo("460");
    assertThat(self.getString("reason")).contains("selfOAuth").contains("may not be reached").contains("this gateway")
      .doesNotContain("answered");
    assertThat(auth.apiCalls.get()).as("nothing reached the API without a token").isZero();
  }

  /**
   * A client secret of lower-case letters fits the pattern of an OAuth error code: a token endpoint that answers it
   * as its {@code error} must not have it quoted in the "460" reason of the answer, the events, the log or a
   * pass-through caller's answer. The endpoint is refused before anything botgate knows the secret from a grant.
   */
  @Test
  void shouldMaskAClientSecretTheTokenEndpointEchoesAsItsErrorCode() {
    String secret = "echoedclientsecretvalue";
    putCredential(oauth("echoOAuth", auth.url("/oauth/token"), secret));
    declare("echoTokenApi", auth.url("/bearer"), "echoOAuth");
    auth.echoClientSecret = true;
    JsonObject refused = run("echo460", "echoTokenApi");
    assertThat(status(refused)).isEqualTo("460");
    assertThat(refused.getString("reason")).contains("echoOAuth").contains("answered 400 (****)");
    HttpResponse<Buffer> passed = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/echoTokenApi/")
      .putHeader("X-Botgate-Session", "echo460").send());
    assertThat(passed.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("credential_unavailable");
    assertThat(passed.bodyAsString()).contains("answered 400 (****)");

    String shown = String.join("\n", refused.encode(), passed.bodyAsString(),
      get("/api/sessions/echo460/events?after=0&limit=1000").bodyAsString(), String.join("\n", logLines));
    assertThat(shown).contains("echoOAuth").doesNotContain(secret);
    assertThat(auth.apiCalls.get()).as("nothing reached the API without a token").isZero();
  }

  /**
   * A token endpoint that quotes, as its error code, a value botgate sent elsewhere (an {@code {$env.*}} header of
   * another integration): the log line of the failed call and a pass-through caller's answer are scrubbed of it,
   * as the execution's answer and events are.
   */
  @Test
  void shouldMaskAKnownSecretTheTokenEndpointQuotesInTheLogAndThePassThroughAnswer() {
    HttpResponse<Buffer> sender = result(gw.declare(new JsonObject().put("name", "sendsKey").put("method", "GET")
      .put("url", "stub:/status/200").put("headers", new JsonObject().put("X-Sent-Key", "{$env.SENT_KEY}"))));
    assertThat(sender.statusCode()).isIn(200, 201);
    assertThat(status(run("known460", "sendsKey"))).isEqualTo("200");
    declare("knownTokenApi", auth.url("/bearer"), "partnerOAuth");
    auth.tokenError = SENT_KEY;
    logLines.clear();
    JsonObject refused = run("known460", "knownTokenApi");
    assertThat(status(refused)).isEqualTo("460");
    HttpResponse<Buffer> passed = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/knownTokenApi/")
      .putHeader("X-Botgate-Session", "known460").send());
    assertThat(passed.statusCode()).isEqualTo(502);

    assertThat(logLines).anyMatch(line -> line.contains("knownTokenApi"));
    String shown = String.join("\n", refused.encode(), passed.bodyAsString(),
      get("/api/sessions/known460/events?after=0&limit=1000").bodyAsString(), String.join("\n", logLines));
    assertThat(shown).contains("answered 400 (****)").doesNotContain(SENT_KEY);
  }

  @Test
  void shouldPresentTheClientCertificateToAServerThatRequiresOne() {
    String url = "https://127.0.0.1:" + tls.actualPort() + "/hello";
    putCredential(new JsonObject().put("name", "botCert").put("type", "mtls").put("cert", client.cert())
      .put("key", client.key()).put("ca", server.cert()));
    declare("mtlsApi", url, "botCert");
    JsonObject ok = run("m1", "mtlsApi");
    assertThat(status(ok)).as(ok.encode()).isEqualTo("200");
    assertThat(finish(ok).getJsonObject("response").getJsonObject("body").getJsonObject("json").getString("client"))
      .isEqualTo("CN=bot-client");

    putCredential(new JsonObject().put("name", "serverOnly").put("type", "mtls").put("cert", server.cert())
      .put("key", server.key()).put("ca", server.cert()));
    declare("wrongCertApi", url, "serverOnly");
    assertThat(status(run("m1", "wrongCertApi"))).as("a certificate the server does not trust").isEqualTo("502");
    declare("noCertApi", url, null);
    assertThat(status(run("m1", "noCertApi"))).isEqualTo("502");
  }

  /**
   * A grant carries the client of the event loop that asked for it, the first grants (while the credential is
   * being built on a worker) too, and comes back on that loop, where the call goes on.
   */
  @Test
  void shouldGrantEachEventLoopAClientOfItsOwnWithTheCertificate(Vertx vertx) throws Exception {
    CredentialRegistry registry = new CredentialRegistry(vertx, Map.of(), new EgressGuard(List.of("127.0.0.1")));
    registry.load(new JsonArray().add(new JsonObject().put("name", "loopCert").put("type", "mtls")
      .put("cert", client.cert()).put("key", client.key()).put("ca", server.cert())).encode(), "test");
    try {
      List<Context> loops = new ArrayList<>();
      for (int i = 0; i < 4; i++) { // the loops of four deployments: at least two different ones
        CompletableFuture<Context> found = new CompletableFuture<>();
        result(vertx.deployVerticle(new AbstractVerticle() {
          @Override
          public void start() {
            found.complete(context);
          }
        }));
        loops.add(found.get(10, TimeUnit.SECONDS));
      }
      record Granted(Thread asked, Thread answered, CredentialGrant grant) {
      }
      List<Granted> grants = new ArrayList<>();
      for (int round = 0; round < 2; round++) { // the first grants wait for the build; the second are at once
        List<CompletableFuture<Granted>> pending = new ArrayList<>();
        for (Context loop : loops) {
          CompletableFuture<Granted> one = new CompletableFuture<>();
          loop.runOnContext(v -> {
            Thread asked = Thread.currentThread();
            registry.obtain("loopCert").onComplete(done -> {
              if (done.failed()) {
                one.completeExceptionally(done.cause());
              } else {
                one.complete(new Granted(asked, Thread.currentThread(), done.result()));
              }
            });
          });
          pending.add(one);
        }
        for (CompletableFuture<Granted> one : pending) {
          grants.add(one.get(20, TimeUnit.SECONDS));
        }
      }
      assertThat(grants.stream().map(Granted::asked).distinct().count()).as("loops asked from").isGreaterThan(1);
      for (Granted g : grants) {
        assertThat(g.answered()).as("the grant comes back on the loop that asked").isSameAs(g.asked());
        for (Granted other : grants) {
          assertThat(g.grant().webClient() == other.grant().webClient())
            .as("the same client exactly where the loop is the same").isEqualTo(g.asked() == other.asked());
        }
      }
      // Each loop's client presents the certificate.
      for (Granted g : grants) {
        JsonObject seen = result(g.grant().webClient().getAbs("https://127.0.0.1:" + tls.actualPort() + "/hello").send())
          .bodyAsJsonObject();
        assertThat(seen.getString("client")).isEqualTo("CN=bot-client");
      }
    } finally {
      registry.close();
    }
  }

  @Test
  void shouldFail460WithAnExpiredClientCertificate() throws Exception {
    Path keyFile = dir.resolve("old-client.key");
    Files.writeString(keyFile, expired.key());
    putCredential(new JsonObject().put("name", "oldCert").put("type", "mtls").put("cert", expired.cert())
      .put("key", keyFile.toString()).put("ca", server.cert()));
    declare("oldCertApi", "https://127.0.0.1:" + tls.actualPort() + "/hello", "oldCert");
    JsonObject answer = run("m2", "oldCertApi");
    assertThat(status(answer)).isEqualTo("460");
    assertThat(answer.getString("reason")).contains("oldCert").contains("expired");
  }

  @Test
  void shouldApplyTheCredentialToPassThroughCalls() {
    declare("keyProxy", auth.url("/"), "partnerKey");
    HttpResponse<Buffer> r = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/keyProxy/apikey")
      .putHeader("X-Botgate-Session", "p1").send());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(auth.seen.get(0).getJsonObject("headers").getString("x-partner-key")).isEqualTo(PARTNER_KEY);
    JsonObject start = get("/api/sessions/p1/events").bodyAsJsonObject().getJsonArray("events").stream()
      .map(JsonObject.class::cast).filter(e -> "start".equals(e.getJsonObject("data").getString("phase")))
      .findFirst().orElseThrow().getJsonObject("data");
    assertThat(start.getJsonObject("headers").getString("X-Partner-Key")).isEqualTo("****");

    putCredential(new JsonObject().put("name", "botCert").put("type", "mtls").put("cert", client.cert())
      .put("key", client.key()).put("ca", server.cert()));
    declare("mtlsProxy", "https://127.0.0.1:" + tls.actualPort() + "/", "botCert");
    HttpResponse<Buffer> viaTls = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/mtlsProxy/hello")
      .putHeader("X-Botgate-Session", "p1").send());
    assertThat(viaTls.statusCode()).as(viaTls.bodyAsString()).isEqualTo(200);
    assertThat(viaTls.bodyAsJsonObject().getString("client")).isEqualTo("CN=bot-client");

    auth.tokenStatus = 503;
    declare("oauthProxy", auth.url("/"), "partnerOAuth");
    HttpResponse<Buffer> refused = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/oauthProxy/bearer")
      .putHeader("X-Botgate-Session", "p2").send());
    assertThat(refused.statusCode()).isEqualTo(502);
    assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("credential_unavailable");
    assertThat(result(gw.session("p2")).getJsonObject("lastResult").getString("statusCode")).isEqualTo("460");
  }

  @Test
  void shouldValidateCredentialsListingEveryProblem() throws IOException {
    HttpResponse<Buffer> bad = putCredential(new JsonObject().put("name", "broken").put("type", "oauth2")
      .put("tokenUrl", "ftp://example.com/token").put("clientSecret", "{$botContext.secret}").put("color", "red"));
    assertThat(bad.statusCode()).isEqualTo(400);
    JsonObject error = bad.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("invalid_credential");
    assertThat(error.getJsonArray("problems").stream().map(p -> ((JsonObject) p).getString("field")).toList())
      .contains("tokenUrl", "clientId", "clientSecret", "color");
    assertThat(putCredential(new JsonObject().put("name", "x").put("type", "kerberos")).statusCode()).isEqualTo(400);
    HttpResponse<Buffer> colon = putCredential(new JsonObject().put("name", "colon").put("type", "basic")
      .put("user", "bob:ops").put("password", "colonSecret4471"));
    assertThat(colon.statusCode()).isEqualTo(400);
    assertThat(colon.bodyAsString()).contains("user").contains("':'").doesNotContain("colonSecret4471");
    assertThat(putCredential(new JsonObject().put("name", "certless").put("type", "mtls").put("cert", "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----")
      .put("key", "k.pem")).bodyAsString()).contains("cert");
    assertThat(get("/api/credentials/broken").statusCode()).isEqualTo(404);
    Path notPem = Files.writeString(Files.createTempFile("not-pem", ".txt"), "plain text, no certificate");
    notPem.toFile().deleteOnExit();
    for (String[] files : new String[][] {{"/nonexistent/cert.pem", "/nonexistent/key.pem"}, {notPem.toString(), "/dev/zero"}}) {
      HttpResponse<Buffer> unreadable = putCredential(new JsonObject().put("name", "fileless").put("type", "mtls")
        .put("cert", files[0]).put("key", files[1]));
      assertThat(unreadable.statusCode()).as(files[0]).isEqualTo(400);
      assertThat(unreadable.bodyAsJsonObject().getJsonObject("error").getJsonArray("problems").stream()
        .map(p -> ((JsonObject) p).getString("field")).toList()).as(files[0]).contains("cert", "key");
    }
    for (String header : List.of("Host", "Content-Length", "Transfer-Encoding")) {
      HttpResponse<Buffer> own = putCredential(new JsonObject().put("name", "own").put("type", "token")
        .put("header", header).put("value", "evil.example"));
      assertThat(own.statusCode()).as(header).isEqualTo(400);
      assertThat(own.bodyAsString()).contains("header").contains("set by the gateway");
    }
    HttpResponse<Buffer> split = putCredential(new JsonObject().put("name", "split").put("type", "token")
      .put("value", "abc\r\nX-Evil: 1"));
    assertThat(split.statusCode()).isEqualTo(400);
    assertThat(split.bodyAsString()).contains("value").contains("carriage return").doesNotContain("X-Evil");

    HttpResponse<Buffer> unknown = result(gw.declare(new JsonObject().put("name", "orphan").put("method", "GET")
      .put("url", auth.url("/bearer")).put("credential", "nobodyKnowsIt")));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.bodyAsString()).contains("credential").contains("nobodyKnowsIt");

    declare("keyUser", auth.url("/apikey"), "partnerKey");
    HttpResponse<Buffer> inUse = result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/credentials/partnerKey").send());
    assertThat(inUse.statusCode()).isEqualTo(409);
    assertThat(inUse.bodyAsString()).contains("keyUser");
    putCredential(new JsonObject().put("name", "spare").put("type", "token").put("value", "spareToken0042"));
    assertThat(result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/credentials/spare").send()).statusCode())
      .isEqualTo(204);
    assertThat(get("/api/credentials/spare").statusCode()).isEqualTo(404);
  }

  @Test
  void shouldRefuseToStartWithAnInvalidCredentialsFileListingEveryProblemButNoSecret() throws Exception {
    Path file = dir.resolve("bad-credentials.json");
    Files.writeString(file, new JsonArray()
      .add(new JsonObject().put("name", "half").put("type", "basic").put("password", "halfSecret2290"))
      .add(new JsonObject().put("name", "odd").put("type", "saml").put("value", "oddSecret7712")).encode());
    Vertx other = Vertx.vertx();
    try {
      Throwable failure = io.botgate.Await.failure(other.deployVerticle(new io.botgate.BotgateVerticle(
        io.botgate.GatewayConfig.of(new JsonObject().put("http.port", 0).put("credentials.file", file.toString())))));
      assertThat(failure).hasMessageContaining("half.user").hasMessageContaining("odd.type");
      assertThat(failure.getMessage()).doesNotContain("halfSecret2290").doesNotContain("oddSecret7712");

    } finally {
      result(other.close());
    }
  }

  @Test
  void shouldStartWithASavedIntegrationNamingAnUndeclaredCredentialAndFail460UntilItIsDeclared() throws Exception {
    // A cluster's nodes can come to save one: a credential deleted on one node while another took a PUT naming it.
    Path integrations = dir.resolve("orphan-integrations.json");
    Files.writeString(integrations, new JsonArray().add(new JsonObject().put("name", "orphan").put("method", "GET")
      .put("url", auth.url("/apikey")).put("credential", "missing")).encode());
    Vertx other = Vertx.vertx();
    long apiCallsBefore = auth.apiCalls.get();
    ch.qos.logback.classic.Logger registryLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
      .getLogger(io.botgate.integration.IntegrationRegistry.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> warnings =
      new ch.qos.logback.core.read.ListAppender<>();
    warnings.start();
    registryLog.addAppender(warnings);
    try {
      TestGateway started = result(TestGateway.start(other, new JsonObject().put("integrations.file", integrations.toString())));
      assertThat(warnings.list).anyMatch(line -> line.getLevel() == ch.qos.logback.classic.Level.WARN
        && line.getFormattedMessage().contains("'orphan'") && line.getFormattedMessage().contains("'missing'")
        && line.getFormattedMessage().contains("not declared"));
      JsonObject refused = result(started.execute("o1", "orphan", null));
      assertThat(status(refused)).isEqualTo("460");
      assertThat(refused.getString("reason")).contains("'missing'").contains("not declared");
      assertThat(auth.apiCalls.get()).as("nothing is sent without the credential").isEqualTo(apiCallsBefore);

      assertThat(result(started.http.put(started.gateway.port(), "127.0.0.1", "/api/credentials/missing")
        .sendJsonObject(new JsonObject().put("type", "token").put("header", "X-Partner-Key").put("value", PARTNER_KEY)))
        .statusCode()).isEqualTo(201);
      assertThat(status(result(started.execute("o1", "orphan", null)))).isEqualTo("200");
    } finally {
      registryLog.detachAppender(warnings);
      result(other.close());
    }
  }

  @Test
  void shouldStartWithASavedCredentialWhosePemFileIsGoneAndFail460UntilItIsBack() throws Exception {
    // Files are each node's own: a certificate moved, or a mount not there yet, is not the definition's fault.
    Path certFile = dir.resolve("moved-cert.pem");
    Path keyFile = dir.resolve("moved-key.pem");
    Path credentials = dir.resolve("moved-credentials.json");
    Files.writeString(credentials, new JsonArray().add(new JsonObject().put("name", "movedCert").put("type", "mtls")
      .put("cert", certFile.toString()).put("key", keyFile.toString()).put("ca", server.cert())).encode());
    Path integrations = dir.resolve("moved-integrations.json");
    Files.writeString(integrations, new JsonArray().add(new JsonObject().put("name", "viaMovedCert").put("method", "GET")
      .put("url", "https://127.0.0.1:" + tls.actualPort() + "/hello").put("credential", "movedCert")).encode());
    Vertx other = Vertx.vertx();
    try {
      TestGateway started = result(TestGateway.start(other, new JsonObject().put("credentials.file", credentials.toString())
        .put("integrations.file", integrations.toString())));
      JsonObject refused = result(started.execute("m1", "viaMovedCert", null));
      assertThat(status(refused)).isEqualTo("460");
      assertThat(refused.getString("reason")).contains("movedCert").contains("cert");

      Files.writeString(certFile, client.cert());
      Files.writeString(keyFile, client.key());
      HttpResponse<Buffer> put = result(started.http.put(started.gateway.port(), "127.0.0.1", "/api/credentials/movedCert")
        .sendJsonObject(new JsonObject().put("type", "mtls").put("cert", certFile.toString()).put("key", keyFile.toString())
          .put("ca", server.cert())));
      assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
      JsonObject served = result(started.execute("m1", "viaMovedCert", null));
      assertThat(status(served)).as(served.encode()).isEqualTo("200");
    } finally {
      result(other.close());
    }
  }

  static void declare(String name, String url, String credential, long timeoutMs) {
    HttpResponse<Buffer> r = result(gw.declare(new JsonObject().put("name", name).put("method", "GET").put("url", url)
      .put("retries", 0).put("credential", credential).put("timeoutMs", timeoutMs)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 201);
  }

  @Test
  void shouldRefuseACredentialWhoseValueHoldsALoneSurrogateRatherThanSaveAnotherSecret() {
    String json = oauth("halfPair", auth.url("/oauth/token"), "LONE").encode().replace("LONE", "key-\\ud800-1");
    HttpResponse<Buffer> r = result(gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/credentials/halfPair")
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(json)));

    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsString()).contains("lone surrogate").contains("in clientSecret").doesNotContain("key-");
    assertThat(get("/api/credentials/halfPair").statusCode()).isEqualTo(404);
  }

  /** On one node a credential DELETE and an integration PUT naming it are made one after the other, never both. */
  @Test
  void shouldNeverTakeBothADeleteOfACredentialAndAPutOfAnIntegrationNamingIt() {
    for (int round = 0; round < 20; round++) {
      assertThat(putCredential(new JsonObject().put("name", "raced").put("type", "token").put("header", "X-Key")
        .put("value", "raced-key-" + round)).statusCode()).isIn(200, 201);
      result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/integrations/racing").send());
      io.vertx.core.Future<HttpResponse<Buffer>> delete = gw.http.delete(gw.gateway.port(), "127.0.0.1",
        "/api/credentials/raced").send();
      io.vertx.core.Future<HttpResponse<Buffer>> put = gw.declare(new JsonObject().put("name", "racing")
        .put("method", "GET").put("url", auth.url("/apikey")).put("credential", "raced"));
      int deleted = result(delete).statusCode();
      int declared = result(put).statusCode();
      assertThat(deleted == 204 && declared < 300).as("round %d: DELETE %d and PUT %d both taken", round, deleted,
        declared).isFalse();
      assertThat(deleted == 204 ? declared : deleted).as("round %d: the one after refused", round)
        .isEqualTo(deleted == 204 ? 400 : 409);
    }
    result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/integrations/racing").send());
  }

  @Test
  void shouldAnswer504WhenTheTokenFetchOutlivesTheDeadlineAndShareTheFetchThatGoesOn() {
    putCredential(oauth("slowOAuth", auth.url("/oauth/token"), "{$env.CLIENT_SECRET}"));
    declare("hastyApi", auth.url("/bearer"), "slowOAuth", 500);
    declare("patientApi", auth.url("/bearer"), "slowOAuth", 8_000);
    auth.tokenDelayMs = 2_000;
    JsonObject hasty = run("d1", "hastyApi");
    assertThat(status(hasty)).isEqualTo("504");
    assertThat(hasty.getString("reason")).contains("deadline of 500 ms").contains("slowOAuth");
    JsonObject patient = run("d2", "patientApi");
    assertThat(status(patient)).isEqualTo("200");
    assertThat(auth.tokenFetches.get()).as("the fetch the first call gave up on served the second").isEqualTo(1);
    assertThat(auth.apiCalls.get()).as("nothing was sent for the call whose deadline passed").isEqualTo(1);
  }

  @Test
  void shouldAnswerAPassThroughCall504WhenTheTokenFetchOutlivesItsDeadline() {
    putCredential(oauth("slowProxyOAuth", auth.url("/oauth/token"), "{$env.CLIENT_SECRET}"));
    declare("hastyProxy", auth.url("/"), "slowProxyOAuth", 500);
    auth.tokenDelayMs = 2_000;
    HttpResponse<Buffer> r = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/hastyProxy/bearer")
      .putHeader("X-Botgate-Session", "pd1").send());
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(504);
    assertThat(r.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("deadline of 500 ms");
    assertThat(result(gw.session("pd1")).getJsonObject("lastResult").getString("statusCode")).isEqualTo("504");
    assertThat(auth.apiCalls.get()).as("nothing was sent for the call whose deadline passed").isZero();
  }

  @Test
  void shouldCutATokenAnswerPastItsBoundInsteadOfReadingItWhole(Vertx vertx) {
    // 64 MiB is enough to tell: an endless answer, read whole before its size was checked, filled the heap
    long answerBytes = 64L << 20;
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    // what the endpoint had written when its connection was closed, or when it ended its answer
    CompletableFuture<Long> writtenWhenClosed = new CompletableFuture<>();
    HttpServer endless = result(vertx.createHttpServer().requestHandler(req -> {
      var response = req.response().setChunked(true).putHeader("Content-Type", "application/json");
      long[] written = {0};
      response.closeHandler(v -> writtenWhenClosed.complete(written[0]));
      Runnable[] more = new Runnable[1];
      more[0] = () -> {
        while (!response.writeQueueFull() && written[0] < answerBytes && !response.closed()) {
          response.write(chunk);
          written[0] += chunk.length();
        }
        if (written[0] >= answerBytes) {
          response.end();
          writtenWhenClosed.complete(written[0]); // read to its end
        } else {
          response.drainHandler(v -> more[0].run());
        }
      };
      more[0].run();
    }).listen(0, "127.0.0.1"));
    try {
      putCredential(oauth("endlessOAuth", "http://127.0.0.1:" + endless.actualPort() + "/oauth/token",
        "{$env.CLIENT_SECRET}"));
      declare("endlessApi", auth.url("/bearer"), "endlessOAuth", 15_000);
      JsonObject refused = run("e1", "endlessApi");
      assertThat(status(refused)).isEqualTo("460");
      assertThat(refused.getString("reason")).contains("endlessOAuth")
        .contains("more than " + OAuth2Credential.MAX_TOKEN_ANSWER_BYTES + " bytes");
      assertThat(writtenWhenClosed.join()).as("the transfer was cut")
        .isLessThan(answerBytes);
    } finally {
      endless.close();
    }
  }

  @Test
  void shouldGiveUpOnATokenEndpointThatDripsItsAnswerPastTheTokenDeadline(Vertx vertx) {
    // a byte every second keeps an idle timeout from ever firing: the fetch, shared by every call, went on for as long
    HttpServer dripping = result(vertx.createHttpServer().requestHandler(req -> {
      var response = req.response().setChunked(true).putHeader("Content-Type", "application/json");
      response.write("{");
      long timer = vertx.setPeriodic(1_000, t -> response.write(" "));
      response.closeHandler(v -> vertx.cancelTimer(timer));
    }).listen(0, "127.0.0.1"));
    try {
      putCredential(oauth("dripOAuth", "http://127.0.0.1:" + dripping.actualPort() + "/oauth/token",
        "{$env.CLIENT_SECRET}"));
      declare("dripApi", auth.url("/bearer"), "dripOAuth", OAuth2Credential.TOKEN_TIMEOUT_MS + 20_000);
      JsonObject refused = run("dr1", "dripApi");
      assertThat(status(refused)).isEqualTo("460");
      assertThat(refused.getString("reason")).contains("dripOAuth")
        .contains("no answer within " + OAuth2Credential.TOKEN_TIMEOUT_MS + " ms");
    } finally {
      dripping.close();
    }
  }

  @Test
  void shouldNotQuoteATokenUrlQuerySecretWhenTheTokenEndpointTimesOut() {
    putCredential(oauth("queryOAuth", auth.url("/oauth/token?s=1&client_secret=QuerySecret888"),
      "{$env.CLIENT_SECRET}"));
    declare("queryApi", auth.url("/bearer"), "queryOAuth", 15_000);
    auth.tokenDelayMs = OAuth2Credential.TOKEN_TIMEOUT_MS + 2_000;
    JsonObject timedOut = run("q1", "queryApi");
    assertThat(status(timedOut)).isEqualTo("460");
    assertThat(timedOut.getString("reason")).contains("queryOAuth").contains("could not be reached")
      .doesNotContain("QuerySecret888");
    assertThat(String.join("\n", logLines)).doesNotContain("QuerySecret888");
    assertThat(get("/api/sessions/q1/events?after=0&limit=1000").bodyAsString()).doesNotContain("QuerySecret888");
  }

  @Test
  void shouldShowEchoedCredentialAndEnvValuesMaskedInSessionReadsScriptAnswersAndEventsWhileScriptsReadThem() {
    putCredential(new JsonObject().put("name", "echoTok").put("type", "token").put("header", "X-Api-Key")
      .put("value", "CredTokValue4242"));
    HttpResponse<Buffer> put = result(gw.declare(new JsonObject().put("name", "usetk").put("method", "GET")
      .put("url", "stub:/echo").put("credential", "echoTok").put("retries", 0)
      .put("headers", new JsonObject().put("X-Trace", "{$env.PARTNER_KEY}"))));
    assertThat(put.statusCode()).as(put.bodyAsString()).isIn(200, 201);
    assertThat(status(run("tk1", "usetk"))).isEqualTo("200");
    JsonObject echoed = gw.upstream.received.get(gw.upstream.received.size() - 1).headers();
    assertThat(echoed.getString("x-api-key")).isEqualTo("CredTokValue4242");
    assertThat(echoed.getString("x-trace")).isEqualTo(PARTNER_KEY);

    String session = get("/api/sessions/tk1").bodyAsString();
    String code = "var d = botContext.getBotVariable('api_usetk').jsonData; botContext.sendMessage(d);"
      + " botContext.setBotVariable('sawBoth', String(d.indexOf('CredTokValue4242') >= 0 && d.indexOf('"
      + PARTNER_KEY + "') >= 0));";
    HttpResponse<Buffer> script = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/tk1/scripts")
      .sendJsonObject(new JsonObject().put("code", code)));
    assertThat(script.statusCode()).as(script.bodyAsString()).isEqualTo(200);
    JsonObject answer = script.bodyAsJsonObject();
    assertThat(answer.getJsonObject("variableChanges").getString("sawBoth")).as("the bot's code reads what the "
      + "upstream sent").isEqualTo("true");
    String messages = answer.getJsonArray("messages").encode();
    String events = get("/api/sessions/tk1/events?after=0&limit=1000").bodyAsString();
    assertThat(messages).contains("****");
    assertThat(events).contains("\"message\"");
    for (String shown : List.of(session, messages, answer.encode(), events)) {
      assertThat(shown).doesNotContain("CredTokValue4242").doesNotContain(PARTNER_KEY);
    }
  }

  @Test
  void shouldMaskEchoedUrlUserInfoAsABasicCredentialsInSessionReadsAndEventsOfExecutionsAndPassThroughCalls() {
    String basic = java.util.Base64.getEncoder().encodeToString("urlUser77:UrlPassw0rd9+x".getBytes(StandardCharsets.UTF_8));
    String url = gw.upstream.url("/echo").replace("http://", "http://urlUser77:UrlPassw0rd9%2Bx@");
    HttpResponse<Buffer> put = result(gw.declare(new JsonObject().put("name", "withUserInfo").put("method", "GET")
      .put("url", url).put("retries", 0).put("capture", true)));
    assertThat(put.statusCode()).as(put.bodyAsString()).isIn(200, 201);
    assertThat(status(run("ui1", "withUserInfo"))).isEqualTo("200");
    assertThat(gw.upstream.received.get(gw.upstream.received.size() - 1).headers().getString("authorization"))
      .isEqualTo("Basic " + basic);
    HttpResponse<Buffer> passed = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/proxy/withUserInfo")
      .putHeader("X-Botgate-Session", "ui2").send());
    assertThat(passed.statusCode()).isEqualTo(200);
    assertThat(passed.bodyAsString()).as("the caller gets the upstream's answer as it is").contains(basic);

    for (String session : List.of("ui1", "ui2")) {
      String read = get("/api/sessions/" + session).bodyAsString();
      String events = get("/api/sessions/" + session + "/events?after=0&limit=1000").bodyAsString();
      assertThat(read).as(session).contains("api_withUserInfo");
      for (String shown : List.of(read, events)) {
        assertThat(shown).as(session).doesNotContain(basic).doesNotContain("UrlPassw0rd9");
      }
    }
  }

  /**
   * A script cannot read an env value a credential takes a secret from (it could split it across messages past any
   * scrubbing): null, with a warning naming the credential; other env values it reads as before.
   */
  @Test
  void shouldWithholdFromScriptsTheEnvValuesCredentialsTakeTheirSecretsFrom() {
    String code = "botContext.sendMessage(String(botContext.getEnvVariable('BASIC_PW')));"
      + " var k = botContext.getEnvVariable('PARTNER_KEY'); botContext.sendMessage(k === null ? 'none' : k.split('').join(' '));"
      + " botContext.sendMessage(botContext.getEnvVariable('REGION'));";
    HttpResponse<Buffer> script = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/envs/scripts")
      .sendJsonObject(new JsonObject().put("code", code)));

    assertThat(script.statusCode()).as(script.bodyAsString()).isEqualTo(200);
    JsonObject answer = script.bodyAsJsonObject();
    assertThat(answer.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")))
      .as("a value read is shown masked, as any env value a script reads").containsExactly("null", "none", "****");
    assertThat(answer.getJsonArray("events").encode())
      .contains("getEnvVariable('BASIC_PW') is null: a secret of credential '") // partnerBasic's, or another's
      .contains("getEnvVariable('PARTNER_KEY') is null: a secret of credential 'partnerKey' comes from it");
  }

  /** A credential's value stays masked in what echoed it however many other values were learnt since it was sent. */
  @Test
  void shouldKeepAnEchoedCredentialValueMaskedAfterThousandsOfOtherSecrets() {
    putCredential(new JsonObject().put("name", "quietTok").put("type", "token").put("header", "X-Api-Key")
      .put("value", "QuietCredValue8080"));
    result(gw.declare(new JsonObject().put("name", "quietUse").put("method", "GET").put("url", "stub:/echo")
      .put("credential", "quietTok").put("retries", 0)));
    assertThat(status(run("quiet1", "quietUse"))).isEqualTo("200");
    for (int i = 0; i < 4_200; i++) { // more than the 4,096 others kept, as URL user info from variables would be
      gw.gateway.stream().secrets().remember(List.of("other-user-info-" + i));
    }
    String read = get("/api/sessions/quiet1").bodyAsString();
    assertThat(read).contains("api_quietUse").doesNotContain("QuietCredValue8080");
  }

  /**
   * A key written out in a definition under a secret-looking header or query name is masked where it is sent and,
   * when the upstream echoes it, wherever the echo is shown; a short value under such a name is left alone.
   */
  @Test
  void shouldMaskAnEchoedValueOfASecretNamedHeaderOrQueryParameterWrittenInTheDefinition() {
    HttpResponse<Buffer> put = result(gw.declare(new JsonObject().put("name", "literalKeys").put("method", "GET")
      .put("url", "stub:/echo?api_key=QueryLit%2B2718&page=2")
      .put("query", new JsonObject().put("access_token", "DeclaredQry-3141").put("pin", "1234"))
      .put("headers", new JsonObject().put("Authorization", "Bearer HdrLit-1618"))
      .put("customDataFields", new JsonObject().put("auth", "{$.api_literalKeys.headers.authorization}")
        .put("uri", "{$.api_literalKeys.uri}"))
      .put("retries", 0).put("capture", true)));
    assertThat(put.statusCode()).as(put.bodyAsString()).isIn(200, 201);

    JsonObject answer = run("lit1", "literalKeys");

    assertThat(status(answer)).isEqualTo("200");
    assertThat(gw.upstream.received.get(gw.upstream.received.size() - 1).uri()).contains("QueryLit%2B2718")
      .contains("DeclaredQry-3141");
    String read = get("/api/sessions/lit1").bodyAsString();
    String events = get("/api/sessions/lit1/events?after=0&limit=1000").bodyAsString();
    assertThat(answer.getJsonObject("variables").getString("literalKeys.uri")).as("short values stay").contains("pin=1234")
      .contains("page=2");
    for (String shown : List.of(answer.encode(), read, events)) {
      assertThat(shown).contains("literalKeys.auth").doesNotContain("HdrLit-1618").doesNotContain("QueryLit")
        .doesNotContain("DeclaredQry-3141");
    }

    // a value filled from the conversation under such a name is the bot's own data: not learnt, not masked elsewhere
    result(gw.declare(new JsonObject().put("name", "sessionKeyed").put("method", "GET").put("url", "stub:/echo")
      .put("headers", new JsonObject().put("X-Session-Key", "{$conversationId}")).put("retries", 0)));
    JsonObject keyed = run("conversation-visible-77", "sessionKeyed");
    assertThat(status(keyed)).isEqualTo("200");
    assertThat(get("/api/sessions/conversation-visible-77").bodyAsString()).contains("\"conversation-visible-77\"");
  }

  @Test
  void shouldMaskAnEchoedSecretThatAnotherIntegrationSendsOnInItsRequestEvents() {
    putCredential(new JsonObject().put("name", "relayTok").put("type", "token").put("header", "X-Api-Key")
      .put("value", "RelayTokValue5151"));
    result(gw.declare(new JsonObject().put("name", "relayA").put("method", "GET").put("url", "stub:/echo")
      .put("credential", "relayTok").put("retries", 0)));
    result(gw.declare(new JsonObject().put("name", "relayB").put("method", "GET")
      .put("url", "stub:/echo/b?seen={$botContext.seen}").put("retries", 0)));
    assertThat(status(run("relay", "relayA"))).isEqualTo("200");

    HttpResponse<Buffer> b = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/relay/integrations/relayB")
      .sendJsonObject(new JsonObject().put("variables", new JsonObject().put("seen", "RelayTokValue5151"))));

    assertThat(b.bodyAsJsonObject().getJsonObject("result").getString("statusCode")).isEqualTo("200");
    assertThat(gw.upstream.received.get(gw.upstream.received.size() - 1).uri()).contains("RelayTokValue5151");
    assertThat(b.bodyAsString()).as("the answer and its events").doesNotContain("RelayTokValue5151");
    assertThat(get("/api/sessions/relay/events?after=0&limit=1000").bodyAsString()).contains("relayB")
      .doesNotContain("RelayTokValue5151");
  }

  @Test
  void shouldShowNoCredentialSecretAnywhere() {
    List<String> shown = new ArrayList<>();
    putCredential(new JsonObject().put("name", "echoKey").put("type", "token").put("header", "X-Plain-Header")
      .put("value", "plainHeaderSecret7319"));
    for (String credential : List.of("partnerBasic", "partnerKey", "partnerOAuth", "echoKey")) {
      JsonObject definition = new JsonObject().put("name", "echo_" + credential).put("method", "GET")
        .put("url", "stub:/echo").put("credential", credential)
        .put("customDataFields", new JsonObject().put("path", "{$.api_echo_" + credential + ".path}"));
      HttpResponse<Buffer> put = result(gw.declare(definition));
      assertThat(put.statusCode()).isIn(200, 201);
      shown.add(put.bodyAsString());
      JsonObject answer = run("leak_" + credential, "echo_" + credential);
      assertThat(status(answer)).isEqualTo("200");
      shown.add(answer.encode());
      shown.add(get("/api/sessions/leak_" + credential + "/events?after=0&limit=1000").bodyAsString());
    }
    JsonObject echoed = gw.upstream.received.get(gw.upstream.received.size() - 1).headers();
    assertThat(echoed.getString("x-plain-header")).isEqualTo("plainHeaderSecret7319");
    declare("sessionApi", auth.url("/bearer"), "partnerOAuth");
    run("leak_session", "sessionApi");
    auth.tokenStatus = 500;
    putCredential(oauth("partnerOAuth", auth.url("/oauth/token"), "{$env.CLIENT_SECRET}"));
    shown.add(run("leak_session", "sessionApi").encode());
    shown.add(get("/api/sessions/leak_session").bodyAsString());
    shown.add(get("/api/credentials").bodyAsString());
    shown.add(get("/api/credentials/partnerOAuth").bodyAsString());
    shown.add(get("/api/integrations").bodyAsString());
    shown.addAll(logLines);
    assertThat(get("/api/credentials").bodyAsJsonArray().stream().map(c -> ((JsonObject) c).fieldNames()))
      .allMatch(names -> names.equals(java.util.Set.of("name", "type")));

    String everything = String.join("\n", shown);
    assertThat(everything).contains("echo_partnerKey").contains("****");
    String basic = Base64.getEncoder().encodeToString(("bob:" + BASIC_PW).getBytes(StandardCharsets.UTF_8));
    for (String secret : List.of(BASIC_PW, basic, PARTNER_KEY, AuthUpstream.CLIENT_SECRET, "plainHeaderSecret7319",
      "-a91f")) {
      assertThat(everything).as("shown texts must not hold " + secret).doesNotContain(secret);
    }
  }
}
