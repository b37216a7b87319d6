package io.botgate.integration;

import io.botgate.GatewayConfig;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * IPv6 addresses in egress.allow as a user writes them ({@code ::1}, {@code [::1]}, {@code [::1]:8080}), matched
 * against the upstream URL's host ({@code http://[::1]:8080/}, in brackets), by address rather than by text.
 * Upstreams on this machine's IPv6 loopback.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class EgressIpv6Test {

  static HttpServer listed;
  static HttpServer other;

  @BeforeAll
  static void upstreams(Vertx vertx) {
    listed = result(vertx.createHttpServer().requestHandler(req -> req.response()
      .putHeader("Content-Type", "application/json").end("{\"upstream\": \"listed\"}")).listen(0, "::1"));
    other = result(vertx.createHttpServer().requestHandler(req -> req.response()
      .putHeader("Content-Type", "application/json").end("{\"upstream\": \"other\"}")).listen(0, "::1"));
  }

  @AfterAll
  static void stop() {
    result(listed.close());
    result(other.close());
  }

  private static JsonObject run(TestGateway gw, String url) {
    return result(gw.declareAndExecute("v6", new JsonObject().put("name", "v6").put("method", "GET")
      .put("retries", 0).put("url", url), null));
  }

  private static String status(JsonObject answer) {
    return answer.getJsonObject("result").getString("statusCode");
  }

  @Test
  void shouldReachAnIpv6UpstreamListedInBracketsWithItsPortAndNoOtherPort(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject()
      .put("egress.allow", new JsonArray().add("[::1]:" + listed.actualPort()))));
    assertThat(status(run(gw, "http://[::1]:" + listed.actualPort() + "/a"))).isEqualTo("200");
    // the same address written at length in the URL is the same host
    assertThat(status(run(gw, "http://[0:0:0:0:0:0:0:1]:" + listed.actualPort() + "/b"))).isEqualTo("200");
    JsonObject refused = run(gw, "http://[::1]:" + other.actualPort() + "/c");
    assertThat(status(refused)).isEqualTo("440");
    // the hint is an entry the gateway takes
    assertThat(refused.getString("reason")).contains("loopback")
      .contains("[::1]:" + other.actualPort() + ") in egress.allow");
  }

  @Test
  void shouldReachEveryPortOfAnIpv6AddressListedInBracketsWithoutAPort(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("egress.allow", new JsonArray().add("[::1]"))));
    assertThat(status(run(gw, "http://[::1]:" + listed.actualPort() + "/a"))).isEqualTo("200");
    assertThat(status(run(gw, "http://[::1]:" + other.actualPort() + "/a"))).isEqualTo("200");
  }

  @Test
  void shouldTakeBracketedEntriesFromAPropertyOrVariableAsTheFileDoes() {
    GatewayConfig config = GatewayConfig.from(new JsonObject(),
      Map.of("BOTGATE_EGRESS_ALLOW", "[::1]:8080, [fd00::7], ::2"), null);
    assertThat(config.list("egress.allow")).containsExactly("[::1]:8080", "[fd00::7]", "::2");
    java.util.Properties sys = new java.util.Properties();
    sys.setProperty("egress.allow", "[::1]");
    assertThat(GatewayConfig.from(new JsonObject(), Map.of(), sys).list("egress.allow")).containsExactly("[::1]");
  }

  @Test
  void shouldCompareIpv6AddressesAsAddressesWhicheverWayTheyAreWritten() throws UnknownHostException {
    InetAddress loopback = InetAddress.getByName("::1");
    EgressGuard guard = new EgressGuard(List.of("[0:0:0:0:0:0:0:1]:8080", "FD00::7"));
    assertThat(guard.listed("[::1]", 8080)).isTrue();
    assertThat(guard.listed("::1", 8080)).isTrue();
    assertThat(guard.listed("[::1]", 8081)).isFalse();
    // the address connected to, as Java writes it (0:0:0:0:0:0:0:1), is the listed one
    assertThat(guard.allows(loopback, 8080)).isTrue();
    assertThat(guard.allows(loopback, 8081)).isFalse();
    assertThat(guard.allows(InetAddress.getByName("fd00:0:0:0:0:0:0:7"), 443)).isTrue();
    // an IPv4 address carried in an IPv6 one (IPv4-compatible) is another address: listing 127.0.0.1 allows not it
    assertThat(new EgressGuard(List.of("127.0.0.1")).listed("[::127.0.0.1]", 80)).isFalse();
    // without brackets an IPv6 address is the whole entry: ::1:8080 is the address 0::1:8080, not ::1 on port 8080
    EgressGuard unbracketed = new EgressGuard(List.of("::1:8080"));
    assertThat(unbracketed.listed("[::1]", 8080)).isFalse();
    assertThat(unbracketed.listed("[::1:8080]", 443)).isTrue();
  }
}
