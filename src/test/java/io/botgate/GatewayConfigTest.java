package io.botgate;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
class GatewayConfigTest {

  @Test
  void shouldLayerDefaultsFileEnvironmentAndSystemProperties() {
    Properties sys = new Properties();
    sys.setProperty("http.port", "9191");
    GatewayConfig config = GatewayConfig.from(new JsonObject().put("http.port", 7000).put("demo.enabled", false),
      Map.of("BOTGATE_HTTP_PORT", "9090", "BOTGATE_EGRESS_ALLOW", "10.0.0.0/8, api.internal:8443",
        "BOTGATE_SESSION_IDLE_MINUTES", "5", "BOTGATE_ENV_FAQ_TOKEN", "secret"), sys);
    assertThat(config.integer("http.port")).isEqualTo(9191);
    assertThat(config.bool("demo.enabled")).isFalse();
    assertThat(config.list("egress.allow")).containsExactly("10.0.0.0/8", "api.internal:8443");
    assertThat(config.integer("session.idle.minutes")).isEqualTo(5);
    assertThat(config.string("http.host")).isEqualTo("127.0.0.1");
    assertThat(config.botEnv()).containsEntry("FAQ_TOKEN", "secret");
  }

  @Test
  void shouldRefuseAnOverrideOfAYesNoSettingThatIsNeitherTrueNorFalse() {
    Properties sys = new Properties();
    sys.setProperty("console.deflate", "maybe");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), Map.of(), sys))
      .hasMessageContaining("console.deflate: 'maybe' must be true or false");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_METRICS_VERTX", "1"), null))
      .hasMessageContaining("metrics.vertx: '1' must be true or false");
    sys.setProperty("console.deflate", " TRUE ");
    assertThat(GatewayConfig.from(new JsonObject(), Map.of(), sys).bool("console.deflate")).isTrue();
  }

  @Test
  void shouldRefuseAnOverrideOneTypoFromASettingInsteadOfIgnoringIt() {
    Properties sys = new Properties();
    sys.setProperty("htpp.instances", "2");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), Map.of(), sys))
      .hasMessageContaining("system property 'htpp.instances' is not a setting (did you mean 'http.instances'?)");
    Properties inTheRest = new Properties();
    inTheRest.setProperty("session.maxBtyes", "2");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), Map.of(), inTheRest))
      .hasMessageContaining("system property 'session.maxBtyes' is not a setting (did you mean 'session.maxBytes'?)");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_SESION_RESULTS", "3"), null))
      .hasMessageContaining("environment variable 'BOTGATE_SESION_RESULTS' is not a setting (did you mean "
        + "'BOTGATE_SESSION_RESULTS', for 'session.results'?)");
  }

  @Test
  void shouldLeaveAloneNamesFarFromEverySettingAndTheJvmsOwnProperties() {
    Properties sys = new Properties();
    sys.putAll(System.getProperties()); // this JVM's own: java.*, user.*, surefire's, ...
    for (String jvm : new String[] {"http.proxyHost", "http.proxyPort", "http.nonProxyHosts", "http.agent",
      "http.keepAlive", "http.maxConnections", "http.maxRedirects", "https.proxyHost", "https.proxyPort",
      "https.protocols", "https.cipherSuites", "socksProxyHost", "socksProxyPort", "java.net.preferIPv4Stack",
      "networkaddress.cache.ttl", "jdk.http.auth.tunneling.disabledSchemes", "file.encoding", "botgate.conf",
      "logback.configurationFile", "vertx.cacheDirBase", "io.netty.allocator.type", "hazelcast.logging.type"}) {
      sys.setProperty(jvm, "x");
    }
    GatewayConfig config = GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_TOKEN", "t", "BOTGATE_ENV_REGION",
      "eu", "BOTGATE_ENV_SESION", "x"), sys);
    assertThat(config.botEnv()).containsEntry("REGION", "eu");
  }

  @Test
  void shouldTakeACamelCaseSettingFromTheEnvironmentInEitherSpelling() {
    assertThat(GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_SESSION_MAXBYTES", "3000"), null)
      .integer("session.maxBytes")).isEqualTo(3000);
    assertThat(GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_SESSION_MAX_BYTES", "4000"), null)
      .integer("session.maxBytes")).isEqualTo(4000);
    assertThat(GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_CONSOLE_FRAMES_PER_SECOND", "7"), null)
      .integer("console.frames.perSecond")).isEqualTo(7);
  }

  @Test
  void shouldRefuseToBindANonLoopbackAddressWithoutAToken(Vertx vertx) {
    Throwable failure = Await.failure(vertx.deployVerticle(new BotgateVerticle(GatewayConfig.of(
      new JsonObject().put("http.host", "0.0.0.0").put("http.port", 0)))));
    assertThat(failure).hasMessageContaining("refusing to bind http.host=0.0.0.0 (the configuration) without auth.token");
  }

  @Test
  void shouldNameTheHostSettingThatIsBlankOrCannotBeResolved(Vertx vertx) {
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("http.host", "").put("http.port", 0)))
      .hasMessageContaining("'http.host': '' is blank: give a host name or address, such as 127.0.0.1 (the configuration)")
      .hasMessageNotContaining("allowedHosts");
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("http.port", 0).put("bridge.port", 0)
      .put("bridge.host", " "))).hasMessageContaining("'bridge.host': ' ' is blank");
    GatewayConfig unresolved = GatewayConfig.of(new JsonObject().put("http.host", "no-such-host.invalid")
      .put("auth.token", "t").put("http.port", 0));
    Throwable failure = Await.failure(vertx.deployVerticle(new BotgateVerticle(unresolved)));
    assertThat(Main.startFailure(failure, unresolved))
      .startsWith("http.host: cannot resolve 'no-such-host.invalid' to an address to listen on");
  }

  @Test
  void shouldNameTheDeprecatedConsoleOriginsKeyWhenItsOriginIsMalformed() {
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("http.port", 0)
      .put("console.origins", new io.vertx.core.json.JsonArray().add("localhost:3000"))))
      .hasMessageStartingWith("'console.origins': entry 'localhost:3000' is not an origin");
  }

  @Test
  void shouldRefuseAnyHostWithoutAToken(Vertx vertx) {
    Throwable failure = Await.failure(vertx.deployVerticle(new BotgateVerticle(GatewayConfig.of(
      new JsonObject().put("http.allowedHosts", new io.vertx.core.json.JsonArray().add("*")).put("http.port", 0)))));
    assertThat(failure).hasMessageContaining("refusing http.allowedHosts=* (the configuration) without auth.token");
  }

  @Test
  void shouldRefuseABridgeOnTheHttpPortRatherThanShareIt(Vertx vertx) {
    int port = io.botgate.cluster.ClusterNodes.freePort();
    Throwable failure = Await.failure(vertx.deployVerticle(new BotgateVerticle(GatewayConfig.of(
      new JsonObject().put("http.port", port).put("bridge.port", port)))));
    assertThat(failure).hasMessageContaining("bridge.port (the configuration) and http.port (the configuration) are "
      + "both " + port + " on 127.0.0.1");
  }

  @Test
  void shouldStopStartUpWithEveryProblemOfABadIntegrationsFile(Vertx vertx) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("integrations", ".json");
    file.toFile().deleteOnExit();
    java.nio.file.Files.writeString(file, "[{\"name\": \"x\", \"method\": \"GET\"}, {\"name\": \"y\", \"url\": \"/a\"}]");
    Throwable failure = Await.failure(vertx.deployVerticle(new BotgateVerticle(GatewayConfig.of(
      new JsonObject().put("http.port", 0).put("integrations.file", file.toString())))));
    assertThat(failure).hasMessageContaining(file.toString()).hasMessageContaining("x.url")
      .hasMessageContaining("y.method");
  }

  @Test
  void shouldStopStartUpNamingAKeyGivenTwiceInASavedDefinitionsFile(Vertx vertx) throws Exception {
    // "url" twice: the registry kept the second, a URL the user never saw when reading the top of the entry
    Path integrations = Files.createTempFile("integrations", ".json");
    integrations.toFile().deleteOnExit();
    Files.writeString(integrations, "[{\"name\": \"a\", \"method\": \"GET\", \"url\": \"http://a.example/\"},\n"
      + " {\"name\": \"b\", \"method\": \"GET\", \"url\": \"http://b.example/\",\n"
      + "  \"headers\": {\"X-Key\": \"1\", \"X-Key\": \"2\"}}]");
    Throwable failure = Await.failure(vertx.deployVerticle(new BotgateVerticle(GatewayConfig.of(
      new JsonObject().put("http.port", 0).put("integrations.file", integrations.toString())))));
    assertThat(failure).hasMessage("integrations.file: " + integrations + ": line 3, column 29: key 'X-Key' is given "
      + "twice in one object (at [1].headers) (first at line 3, column 15); JSON keeps only the last silently, so "
      + "remove one");
    Path credentials = Files.createTempFile("credentials", ".json");
    credentials.toFile().deleteOnExit();
    Files.writeString(credentials, "[{\"name\": \"k\", \"type\": \"token\", \"type\": \"basic\"}]");
    assertThat(Await.failure(vertx.deployVerticle(new BotgateVerticle(GatewayConfig.of(
      new JsonObject().put("http.port", 0).put("credentials.file", credentials.toString()))))))
      .hasMessageStartingWith("credentials.file: " + credentials + ": line 1, column 33: key 'type' is given twice");
  }

  @Test
  void shouldNameWhereAnAllowListEntryThatIsRefusedCameFrom() throws Exception {
    // "http.allowedOrigins: 'localhost:3000' is not an origin" left the user to find which of file, variable or
    // property had set it
    Path file = Files.createTempFile("config", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, "{\"http.allowedOrigins\": [\"http://ok.example\", \"localhost:3000\"]}");
    assertThatThrownBy(() -> GatewayConfig.read(file, new Properties()))
      .hasMessage("'http.allowedOrigins': entry 'localhost:3000' is not an origin; write it as scheme://host[:port], "
        + "such as http://localhost:3000 (" + file + ")");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(),
      Map.of("BOTGATE_HTTP_ALLOWEDORIGINS", "http://ok.example, localhost:3000"), null))
      .hasMessageEndingWith("(environment variable BOTGATE_HTTP_ALLOWEDORIGINS)");
    Properties sys = new Properties();
    sys.setProperty("http.allowedHosts", "gateway.internal:8080");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), Map.of(), sys))
      .hasMessage("'http.allowedHosts': entry 'gateway.internal:8080' is not a host name or address; give it without "
        + "a port (every port is allowed) (system property http.allowedHosts)");
  }

  @Test
  void shouldRefuseAnEgressEntryThatWouldNeverMatchNamingItAndItsSource() {
    for (String entry : List.of("http://api.internal", "api.internal:99999", "example.com/8", "10.0.0.0/33",
      "[::1]8080", "[::1]:", "[127.0.0.1]", "api internal")) {
      assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_EGRESS_ALLOW", "10.0.0.0/8," + entry),
        null)).as(entry).hasMessageStartingWith("'egress.allow': entry '" + entry + "' ")
        .hasMessageEndingWith("(environment variable BOTGATE_EGRESS_ALLOW)");
    }
    assertThat(GatewayConfig.of(new JsonObject().put("egress.allow", new io.vertx.core.json.JsonArray(List.of(
      "10.0.0.0/8", "api.internal:8443", "::1", "[::1]", "[::1]:8080", "fd00::/8", "localhost", "127.0.0.1"))))
      .list("egress.allow")).hasSize(8);
  }

  @Test
  void shouldRefuseAHostSettingThatHoldsAPortNamingItsSource() {
    // http.host=localhost:8080 was refused as "refusing to bind ... without auth.token", as if not loopback
    Properties sys = new Properties();
    sys.setProperty("http.host", "localhost:8080");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_CLUSTER_HOST", "10.0.0.5:5701"), sys))
      .hasMessageContaining("'http.host': 'localhost:8080' holds a port: give the host alone (the port is a setting "
        + "of its own) (system property http.host)")
      .hasMessageContaining("'cluster.host': '10.0.0.5:5701' holds a port")
      .hasMessageNotContaining("auth.token");
    assertThat(GatewayConfig.of(new JsonObject().put("http.host", "::1").put("bridge.host", "0.0.0.0"))
      .string("http.host")).isEqualTo("::1");
  }

  @Test
  void shouldRefuseARewriteThatCouldNeverMatchOrLeadsNowhereNamingItsSource() {
    // {"ftp://a": "nope"} started, and a replacement of another type was refused without its source
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(),
      Map.of("BOTGATE_UPSTREAM_REWRITE", "{\"https://prod.example\": \"127.0.0.1:9000\"}"), null))
      .hasMessage("'upstream.rewrite': 'https://prod.example' to '127.0.0.1:9000': '127.0.0.1:9000' is not the start "
        + "of an http:// or https:// URL, such as https://old.example (environment variable BOTGATE_UPSTREAM_REWRITE)");
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("upstream.rewrite", new JsonObject()
      .put("ftp://old", "http://new").put("http://a", 5))))
      .hasMessageContaining("'upstream.rewrite': 'ftp://old' to 'http://new': 'ftp://old' is not the start")
      .hasMessageContaining("'upstream.rewrite': the replacement of 'http://a' must be a string, not 5 (the configuration)");
    assertThat(GatewayConfig.of(new JsonObject().put("upstream.rewrite", new JsonObject()
      .put("HTTPS://old.example/v1", "http://127.0.0.1:9000/v1"))).object("upstream.rewrite").size()).isEqualTo(1);
  }

  @Test
  void shouldRefuseTwoSpellingsOfOneSettingsVariableThatDisagree() {
    // BOTGATE_SESSION_MAXBYTES won and BOTGATE_SESSION_MAX_BYTES was ignored without a word
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(),
      Map.of("BOTGATE_SESSION_MAXBYTES", "100", "BOTGATE_SESSION_MAX_BYTES", "200"), null))
      .hasMessage("environment variables BOTGATE_SESSION_MAXBYTES and BOTGATE_SESSION_MAX_BYTES both set "
        + "'session.maxBytes', to different values ('100' and '200'): keep one");
    assertThat(GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_SESSION_MAXBYTES", "100",
      "BOTGATE_SESSION_MAX_BYTES", "100"), null).integer("session.maxBytes")).isEqualTo(100);
  }

  @Test
  void shouldRefuseABotEnvValueThatIsNoText() {
    // {"A": null} reached {$env.A} as the text "null", an object as its JSON text
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("env", new JsonObject().putNull("A")
      .put("B", new JsonObject().put("x", 1)).put("C", 3).put("D", "d"))))
      .hasMessageContaining("'env': the value of 'A' must be a string (or a number or true or false), not null")
      .hasMessageContaining("'env': the value of 'B' must be a string (or a number or true or false), not a JSON object")
      .hasMessageNotContaining("'C'").hasMessageNotContaining("'D'");
  }

  @Test
  void shouldRefuseANullOrBlankWhereAValueIsNeededRatherThanFailWithoutSayingWhich() throws Exception {
    // {"http.host": null} ended the start with 'Cannot invoke "String.length()" because "ip" is null', and
    // {"imports.cb": [""]} with another NullPointerException
    Path file = Files.createTempFile("config", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, "{\"http.host\": null, \"imports.cb\": [\"\"], \"auth.token\": null, \"mask.headers\": [\" \"]}");
    assertThatThrownBy(() -> GatewayConfig.read(file, new Properties()))
      .hasMessageContaining("'http.host' must be a string, not null (leave the key out for its default, \"127.0.0.1\")")
      .hasMessageContaining("'imports.cb': entry '' is blank (" + file + ")")
      .hasMessageContaining("'mask.headers': entry ' ' is blank")
      .hasMessageNotContaining("auth.token");
  }

  @Test
  void shouldTakeAListOverrideWrittenAsJsonTextAsTheFileWouldRatherThanSplitItsText() {
    // BOTGATE_MASK_HEADERS='["X-Key"]' started masking a header named '["X-Key"]', and so never X-Key
    GatewayConfig config = GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_MASK_HEADERS", " [\"X-Key\", \"X-Other\"] ",
      "BOTGATE_CLUSTER_MEMBERS", "[::1]:5701", "BOTGATE_EGRESS_ALLOW", "10.0.0.0/8, api.internal"), null);
    assertThat(config.list("mask.headers")).containsExactly("X-Key", "X-Other");
    assertThat(config.list("cluster.members")).containsExactly("[::1]:5701"); // brackets that are no JSON: an address
    assertThat(config.list("egress.allow")).containsExactly("10.0.0.0/8", "api.internal");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), Map.of("BOTGATE_MASK_HEADERS", "[\"X-Key\", 5]"), null))
      .hasMessage("mask.headers: '[\"X-Key\", 5]' must be a list of strings (environment variable BOTGATE_MASK_HEADERS)");
  }

  @Test
  void shouldRequireTheTokenWhenOneIsConfigured(Vertx vertx) {
    TestGateway gw = Await.result(TestGateway.start(vertx, new JsonObject().put("auth.token", "s3cret")));
    var denied = Await.result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/integrations").send());
    assertThat(denied.statusCode()).isEqualTo(401);
    var allowed = Await.result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/integrations")
      .bearerTokenAuthentication("s3cret").send());
    assertThat(allowed.statusCode()).isEqualTo(200);
  }

  @Test
  void shouldRefuseUnknownKeysNamingTheClosestKnownOne() {
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("htpp.instances", 2).put("sesion.idle.minutes", 5)
      .put("whatever.this.is", 1)))
      .hasMessageContaining("unknown key 'htpp.instances' (did you mean 'http.instances'?)")
      .hasMessageContaining("unknown key 'sesion.idle.minutes' (did you mean 'session.idle.minutes'?)")
      .hasMessageContaining("unknown key 'whatever.this.is' (the README's Configuration section lists every key)");
  }

  @Test
  void shouldNameEveryValueOfTheWrongTypeWithWhatTheKeyTakes() {
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("http.port", "8080x").put("demo.enabled", "yes")
      .put("egress.allow", 5).put("http.host", 127).put("env", "A=1")))
      .hasMessageContaining("'http.port' must be a whole number, not \"8080x\"")
      .hasMessageContaining("'demo.enabled' must be true or false, not \"yes\"")
      .hasMessageContaining("'egress.allow' must be a list")
      .hasMessageContaining("'http.host' must be a string, not 127")
      .hasMessageContaining("'env' must be an object");
  }

  @Test
  void shouldRefuseAValueOutOfRangeNamingWhereItCameFrom() {
    Properties sys = new Properties();
    sys.setProperty("body.limit.bytes", "-1");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("http.port", 70000).put("script.cpu.ms", 0),
      Map.of("BOTGATE_SESSION_TOTAL_MB", "-5"), sys))
      .hasMessageContaining("'body.limit.bytes' must be at least 1, not -1 (system property body.limit.bytes)")
      .hasMessageContaining("'session.total.mb' must be at least 0, not -5 (environment variable BOTGATE_SESSION_TOTAL_MB)")
      .hasMessageContaining("'http.port' must be from 0 to 65535, not 70000 (the configuration)")
      .hasMessageContaining("'script.cpu.ms' must be at least 1, not 0");
    assertThat(GatewayConfig.of(new JsonObject().put("http.port", 0).put("bridge.port", -1).put("session.total.mb", 0)
      .put("http.idleTimeoutSeconds", 0)).integer("bridge.port")).isEqualTo(-1);
  }

  @Test
  void shouldReportEveryProblemAtOnceRatherThanOneAStart() {
    Properties sys = new Properties();
    sys.setProperty("console.deflate", "maybe");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("demo.enable", false).put("session.max", -1),
      Map.of(), sys))
      .hasMessageContaining("unknown key 'demo.enable' (did you mean 'demo.enabled'?)")
      .hasMessageContaining("'session.max' must be at least 1, not -1 (the configuration)")
      .hasMessageContaining("console.deflate: 'maybe' must be true or false (system property console.deflate)");
  }

  @Test
  void shouldNameAWordSettingsTypoWithItsSourceAmongTheOtherProblems() {
    Properties sys = new Properties();
    sys.setProperty("upstream.mode", "mok");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("log.format", "jsn").put("session.max", -1),
      Map.of("BOTGATE_LOG_LEVEL", "verbose"), sys))
      .hasMessageContaining("'upstream.mode' must be one of live, mock, record, not 'mok' (did you mean 'mock'?) "
        + "(system property upstream.mode)")
      .hasMessageContaining("'log.format' must be one of text, json, not 'jsn' (did you mean 'json'?) (the configuration)")
      .hasMessageContaining("'log.level' must be one of trace, debug, info, warn, error, off, not 'verbose' "
        + "(environment variable BOTGATE_LOG_LEVEL)")
      .hasMessageContaining("'session.max' must be at least 1");
    assertThat(GatewayConfig.from(new JsonObject().put("upstream.mode", "Record").put("log.level", "WARN"), Map.of(),
      new Properties()).string("upstream.mode")).isEqualTo("Record"); // any case, as before
  }

  @Test
  void shouldNameTheRangeOfAWholeNumberTooLargeForTheSettingRatherThanCallItNoNumber() {
    Properties sys = new Properties();
    sys.setProperty("session.max", "99999999999");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("history.total", 99999999999L)
      .put("http.port", new java.math.BigInteger("99999999999999999999")), Map.of("BOTGATE_SESSION_QUEUE", "4294967297"), sys))
      .hasMessageContaining("'session.max' must be at most 2147483647, not 99999999999 (system property session.max)")
      .hasMessageContaining("'session.queue' must be at most 2147483647, not 4294967297 "
        + "(environment variable BOTGATE_SESSION_QUEUE)")
      .hasMessageContaining("'history.total' must be at most 2147483647, not 99999999999 (the configuration)")
      .hasMessageContaining("'http.port' must be from 0 to 65535, not 99999999999999999999 (the configuration)")
      .hasMessageNotContaining("not a whole number")
      .hasMessageNotContaining("must be at least 1, not 99999999999");
  }

  @Test
  void shouldBoundTheScriptPoolSoItsStartCannotExhaustTheMemoryOrThreads() {
    Properties sys = new Properties();
    sys.setProperty("script.queue", "2147483647");
    sys.setProperty("script.threads", "100000");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject(), Map.of(), sys))
      .hasMessageContaining("'script.queue' must be from 0 to 1000000, not 2147483647 (system property script.queue)")
      .hasMessageContaining("'script.threads' must be from 1 to 256, not 100000 (system property script.threads)");
  }

  @Test
  void shouldRefuseAListEntryThatIsNotAStringRatherThanTakeItsTextAsAName() {
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject()
      .put("egress.allow", new io.vertx.core.json.JsonArray().add("api.example.com").addNull())
      .put("mask.headers", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "X-Key")))
      .put("http.allowedHosts", new io.vertx.core.json.JsonArray().add(5))))
      .hasMessageContaining("'egress.allow' must be a list of strings, not [\"api.example.com\",null]")
      .hasMessageContaining("'mask.headers' must be a list of strings, not [{\"name\":\"X-Key\"}]")
      .hasMessageContaining("'http.allowedHosts' must be a list of strings, not [5]");
  }

  @Test
  void shouldRefuseABlankNameWhereNoneWouldServe() {
    Properties sys = new Properties();
    sys.setProperty("node.id", "");
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("cluster.name", " ").put("upstream.mocksDir", ""),
      Map.of("BOTGATE_CLUSTER_HOST", ""), sys))
      .hasMessageContaining("'node.id' must not be blank (system property node.id)")
      .hasMessageContaining("'cluster.name' must not be blank (the configuration)")
      .hasMessageContaining("'cluster.host' must not be blank (environment variable BOTGATE_CLUSTER_HOST)")
      .hasMessageContaining("'upstream.mocksDir' must not be blank (the configuration)");
  }

  @Test
  void shouldBoundEveryWholeNumberSetting() {
    GatewayConfig.DEFAULTS.forEach((key, value) -> {
      if (value instanceof Integer) {
        assertThat(ConfigCheck.RANGES).as("the range of %s", key).containsKey(key);
      }
    });
  }

  @Test
  void shouldGiveTheLineAndColumnOfAMalformedFileWithoutParserInternals() throws Exception {
    Path file = Files.createTempFile("config", ".json");
    file.toFile().deleteOnExit();
    Files.writeString(file, "{\n  \"http.port\": 8080,\n  \"demo.enabled\": tru\n}\n");
    assertThatThrownBy(() -> GatewayConfig.read(file, new Properties()))
      .hasMessageStartingWith(file + ": not valid JSON: line 3, column ")
      .hasMessageContaining("Unrecognized token 'tru'")
      .hasMessageNotContaining("Source").hasMessageNotContaining("REDACTED");
    Files.writeString(file, "{\n  \"http.port\": 8080,\n");
    assertThatThrownBy(() -> GatewayConfig.read(file, new Properties()))
      .hasMessageContaining("line 3, column 1: Unexpected end-of-input").hasMessageNotContaining("Source");
  }

  @Test
  void shouldRefuseAMissingFileThatWasAskedFor() {
    assertThatThrownBy(() -> GatewayConfig.read(Path.of("/nonexistent/botgate.json"), new Properties()))
      .hasMessage("/nonexistent/botgate.json: no such file");
    assertThatThrownBy(() -> GatewayConfig.read(Path.of("src"), new Properties()))
      .hasMessage("src: is a folder, not a file of settings");
  }

  @Test
  void shouldRefuseMoreServerInstancesThanEventLoopsCouldUse() {
    assertThatThrownBy(() -> GatewayConfig.of(new JsonObject().put("http.instances", 100_000)))
      .hasMessageContaining("'http.instances' must be from 1 to 256, not 100000");
  }
}
