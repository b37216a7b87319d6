package io.botgate;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared start-up of integration tests: a stub upstream and a real gateway on port 0, the
 * gateway allowed to reach loopback, plus a Web Client that talks to the gateway.
 */
public final class TestGateway {

  public final Vertx vertx;
  public final StubUpstream upstream = new StubUpstream();
  public final WebClient http;
  public BotgateVerticle gateway;
  private final JsonObject config;
  private String deployment;

  private TestGateway(Vertx vertx, JsonObject config) {
    this.vertx = vertx;
    this.config = config;
    this.gateway = new BotgateVerticle(GatewayConfig.of(config));
    this.http = WebClient.create(vertx);
  }

  /** The configuration the gateway runs with (before {@code http.port} is fixed by a restart). */
  public JsonObject config() {
    return config;
  }

  /** Stops the gateway, and starts a new one on the same port when {@code stopped} completes. */
  public Future<Void> restart(Future<?> whenToStartAgain) {
    int port = gateway.port();
    return vertx.undeploy(deployment).compose(v -> whenToStartAgain).compose(v -> {
      gateway = new BotgateVerticle(GatewayConfig.of(config.copy().put("http.port", port)));
      return vertx.deployVerticle(gateway);
    }).map(id -> {
      deployment = id;
      return null;
    });
  }

  /**
   * Starts both with the base test configuration overlaid with {@code extra}. The integrations are a fresh
   * copy of the test file each time, since a PUT writes them back.
   */
  public static Future<TestGateway> start(Vertx vertx, JsonObject extra) {
    JsonObject config = new JsonObject()
      .put("http.port", 0)
      .put("egress.allow", new io.vertx.core.json.JsonArray().add("127.0.0.1"))
      .put("integrations.file", copyOf(Path.of("src/test/resources/test-integrations.json")).toString())
      .put("credentials.file", emptyFile("credentials.json").toString())
      .put("imports.file", emptyFile("imports.json").toString())
      .mergeIn(extra);
    TestGateway t = new TestGateway(vertx, config);
    return vertx.deployVerticle(t.upstream).compose(id -> vertx.deployVerticle(t.gateway)).map(id -> {
      t.deployment = id;
      return t;
    });
  }

  /** A copy of {@code file} in a new temporary directory, deleted when the JVM exits. */
  public static Path copyOf(Path file) {
    try {
      Path dir = Files.createTempDirectory("botgate-conf");
      Path copy = Files.copy(file, dir.resolve(file.getFileName()));
      dir.toFile().deleteOnExit();
      copy.toFile().deleteOnExit();
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A file holding an empty JSON array in a new temporary directory, deleted when the JVM exits: for the
   * files a PUT or an import writes, which must never be the checkout's conf/.
   */
  public static Path emptyFile(String name) {
    try {
      Path dir = Files.createTempDirectory("botgate-conf");
      Path file = Files.writeString(dir.resolve(name), "[]\n");
      dir.toFile().deleteOnExit();
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Future<TestGateway> start(Vertx vertx) {
    return start(vertx, new JsonObject());
  }

  /**
   * A Vert.x on the native transport, as the gateway runs on Linux x86-64 (the pom ships its library for that
   * platform only; elsewhere, NIO): some faults show there every time and on NIO only now and then.
   */
  public static Vertx nativeVertx() {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    if ("Linux".equals(System.getProperty("os.name")) && "amd64".equals(System.getProperty("os.arch"))
      && !vertx.isNativeTransportEnabled()) {
      vertx.close();
      throw new IllegalStateException("no native transport on Linux x86-64", vertx.unavailableNativeTransportCause());
    }
    return vertx;
  }

  /** Declares (PUT) an integration; the stub's URL is filled in for a path starting with "stub:". */
  public Future<HttpResponse<Buffer>> declare(JsonObject definition) {
    String url = definition.getString("url");
    if (url != null && url.startsWith("stub:")) {
      definition = definition.copy().put("url", upstream.url(url.substring(5)));
    }
    return http.put(gateway.port(), "127.0.0.1", "/api/integrations/" + definition.getString("name"))
      .sendJsonObject(definition);
  }

  public Future<JsonObject> execute(String session, String integration, JsonObject body) {
    return http.post(gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/integrations/" + integration)
      .sendJsonObject(body == null ? new JsonObject() : body)
      .map(r -> {
        if (r.statusCode() != 200) {
          throw new IllegalStateException("execute answered " + r.statusCode() + ": " + r.bodyAsString());
        }
        return r.bodyAsJsonObject();
      });
  }

  public Future<JsonObject> declareAndExecute(String session, JsonObject definition, JsonObject body) {
    return declare(definition).compose(r -> {
      if (r.statusCode() >= 300) {
        return Future.failedFuture("declare answered " + r.statusCode() + ": " + r.bodyAsString());
      }
      return execute(session, definition.getString("name"), body);
    });
  }

  /**
   * Reads /health and checks that it reports every check UP from the real state (event loops answering, the
   * script pool taking scripts, the session store answering, not draining): the proof that the gateway serves.
   */
  public JsonObject assertHealthy() {
    HttpResponse<Buffer> r = Await.result(http.get(gateway.port(), "127.0.0.1", "/health").send());
    JsonObject health = r.bodyAsJsonObject();
    org.assertj.core.api.Assertions.assertThat(r.statusCode()).as("/health: %s", health).isEqualTo(200);
    org.assertj.core.api.Assertions.assertThat(health.getString("status")).isEqualTo("UP");
    java.util.Map<String, String> checks = new java.util.TreeMap<>();
    health.getJsonArray("checks").forEach(c -> checks.put(((JsonObject) c).getString("id"), ((JsonObject) c).getString("status")));
    org.assertj.core.api.Assertions.assertThat(checks).as("/health checks: %s", health).containsExactlyEntriesOf(new java.util.TreeMap<>(
      java.util.Map.of("accepting", "UP", "event-loops", "UP", "integrations", "UP", "scripts", "UP", "sessions", "UP")));
    return health;
  }

  public Future<JsonObject> session(String id) {
    return http.get(gateway.port(), "127.0.0.1", "/api/sessions/" + id).send().map(HttpResponse::bodyAsJsonObject);
  }
}
