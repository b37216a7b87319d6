package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** http.allowedHosts and http.allowedOrigins: what they take, and a clear refusal at start for what they do not. */
@ExtendWith(VertxExtension.class)
class GuardSettingsTest {

  @Test
  void shouldAllowLoopbackNamesTheBindAddressAndListedNames() {
    assertThat(new HostAllowList(List.of("Gateway.Internal", "::2"), "::1").hosts())
      .containsExactlyInAnyOrder("localhost", "127.0.0.1", "[::1]", "gateway.internal", "[::2]");
    assertThat(new HostAllowList(List.of(), "0.0.0.0").hosts()).containsExactlyInAnyOrder("localhost", "127.0.0.1", "[::1]");
    assertThat(new HostAllowList(List.of("*"), "127.0.0.1").hosts()).containsExactly("*");
  }

  @Test
  void shouldRefuseAHostWithAPortOrAnOriginThatIsNotOne() {
    assertThatThrownBy(() -> new HostAllowList(List.of("gateway.internal:8080"), "127.0.0.1"))
      .hasMessageContaining("http.allowedHosts").hasMessageContaining("without a port");
    for (String origin : List.of("localhost:3000", "http://localhost:3000/console", "ftp://x", "null", "http://u@h")) {
      assertThatThrownBy(() -> new OriginCheck(List.of(origin))).as(origin)
        .hasMessageContaining("http.allowedOrigins").hasMessageContaining("scheme://host[:port]");
    }
  }

  @Test
  void shouldRefuseToStartWithAMisspelledOrigin(Vertx vertx) {
    assertThatThrownBy(() -> TestGateway.start(vertx, new JsonObject()
      .put("http.allowedOrigins", new JsonArray().add("localhost:3000"))))
      .hasMessageContaining("'localhost:3000' is not an origin");
  }
}
