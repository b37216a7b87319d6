package io.botgate.integration;

import io.botgate.TestGateway;
import io.botgate.events.SecretMask;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** Names in egress.allow are compared as names: a listed name reaches the private address it resolves to. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class EgressNamesTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject()
      .put("egress.allow", new JsonArray().add("internal.test:18299").add("localhost"))));
  }

  private static JsonObject run(String name, String url) {
    return result(gw.declareAndExecute("egress", new JsonObject().put("name", name).put("method", "GET")
      .put("retries", 0).put("url", url), null));
  }

  @Test
  void shouldReachAListedNameThatResolvesToLoopback() {
    int before = gw.upstream.received.size();
    JsonObject answer = run("byName", "http://localhost:" + gw.upstream.port() + "/record/by-name");
    assertThat(answer.getJsonObject("result").getString("statusCode")).isEqualTo("200");
    assertThat(gw.upstream.received.get(before).uri()).isEqualTo("/record/by-name");
    assertThat(gw.upstream.received.get(before).headers().getString("host")).isEqualTo("localhost:" + gw.upstream.port());
  }

  @Test
  void shouldBlockTheSameAddressUnderAnUnlistedNameWith440() {
    int before = gw.upstream.received.size();
    JsonObject answer = run("byAddress", "http://127.0.0.1:" + gw.upstream.port() + "/record/by-address");
    assertThat(answer.getJsonObject("result").getString("statusCode")).isEqualTo("440");
    assertThat(answer.getString("reason")).contains("127.0.0.1").contains("loopback").contains("egress.allow")
      .doesNotContain("Connection was closed");
    assertThat(gw.upstream.received.size()).isEqualTo(before);
  }

  @Test
  void shouldReachAnAllowedIpv6LiteralWithItsHostHeader(Vertx vertx) {
    HttpServer server = result(vertx.createHttpServer()
      .requestHandler(req -> req.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("host", req.getHeader("Host")).encode()))
      .listen(0, "::1"));
    UpstreamCaller caller = new UpstreamCaller(vertx, new EgressGuard(List.of("::1")), new SecretMask(List.of()), 10_000);
    try {
      IntegrationDefinition definition = IntegrationDefinition.fromJson(new JsonObject().put("name", "v6")
        .put("method", "GET").put("url", "http://[::1]:" + server.actualPort() + "/x"), null);
      UpstreamResponse response = result(caller.call(definition,
        definition.request().render(p -> null, "http://127.0.0.1:1", new SecretMask(List.of()))));
      assertThat(response.httpStatus()).isEqualTo(200);
      assertThat(new JsonObject(response.body()).getString("host")).isEqualTo("[::1]:" + server.actualPort());
    } finally {
      caller.close();
      server.close();
    }
  }

  @Test
  void shouldCompareANameWithItsPort(Vertx vertx) throws UnknownHostException {
    EgressGuard guard = new EgressGuard(List.of("localhost:8080", "internal.test:18299"));
    InetAddress address = result(guard.resolve(vertx, "localhost", 8080));
    assertThat(address.isLoopbackAddress()).isTrue();
    assertThat(guard.allows("localhost", address, 8080)).isTrue();
    assertThat(guard.allows("localhost", address, 8081)).isFalse();
    Throwable blocked = failure(guard.resolve(vertx, "localhost", 8081));
    assertThat(blocked).isInstanceOf(EgressGuard.Blocked.class).hasMessageContaining("localhost:8081")
      .hasMessageContaining("egress.allow");
    assertThat(failure(new EgressGuard(List.of()).resolve(vertx, "localhost", 80)))
      .isInstanceOf(EgressGuard.Blocked.class);
    assertThat(guard.allows("internal.test", InetAddress.getByName("10.0.0.7"), 18299)).isTrue();
    assertThat(guard.allows("internal.test", InetAddress.getByName("10.0.0.7"), 80)).isFalse();
  }
}
