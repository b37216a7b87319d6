package io.botgate;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

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
  void shouldRefuseToBindANonLoopbackAddressWithoutAToken(Vertx vertx) {
    Throwable failure = Await.failure(vertx.deployVerticle(new BotgateVerticle(GatewayConfig.of(
      new JsonObject().put("http.host", "0.0.0.0").put("http.port", 0)))));
    assertThat(failure).hasMessageContaining("refusing to bind http.host=0.0.0.0 without auth.token");
  }

  @Test
  void shouldStopStartUpWithEveryProblemOfABadIntegrationsFile(Vertx vertx) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("integrations", ".json");
    java.nio.file.Files.writeString(file, "[{\"name\": \"x\", \"method\": \"GET\"}, {\"name\": \"y\", \"url\": \"/a\"}]");
    Throwable failure = Await.failure(vertx.deployVerticle(new BotgateVerticle(GatewayConfig.of(
      new JsonObject().put("http.port", 0).put("integrations.file", file.toString())))));
    assertThat(failure).hasMessageContaining(file.toString()).hasMessageContaining("x.url")
      .hasMessageContaining("y.method");
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
}
