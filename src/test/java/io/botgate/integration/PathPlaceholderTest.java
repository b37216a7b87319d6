package io.botgate.integration;

import io.botgate.StubUpstream;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** A placeholder in a URL path fills exactly one segment, checked against a stub that records the paths it gets. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class PathPlaceholderTest {

  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
    result(gw.declare(new JsonObject().put("name", "profile").put("method", "GET").put("retries", 0)
      .put("url", "stub:/record/users/{$botContext.id}/profile")));
    result(gw.declare(new JsonObject().put("name", "joined").put("method", "GET").put("retries", 0)
      .put("url", "stub:/record/files/{$botContext.a}{$botContext.b}/x")));
    result(gw.declare(new JsonObject().put("name", "suffixed").put("method", "GET").put("retries", 0)
      .put("url", "stub:/record/items/{$botContext.id}./json")));
  }

  private static JsonObject run(String integration, JsonObject variables) {
    return result(gw.execute("paths", integration, new JsonObject().put("variables", variables)));
  }

  private static List<String> received(int from) {
    List<StubUpstream.Received> all = gw.upstream.received;
    return all.subList(from, all.size()).stream().map(StubUpstream.Received::uri).toList();
  }

  @Test
  void shouldRejectDotSegmentsWithoutSendingAnything() {
    int before = gw.upstream.received.size();
    // also where servers read one inside the segment: after a slash they decode or a backslash, before a ';'
    for (String id : List.of("..", ".", "%2e%2e", "%2E.", ".%2e", "%2e", "../../etc/passwd", "a\\..", "..;x",
      "a/%2e%2e/b")) {
      JsonObject answer = run("profile", new JsonObject().put("id", id));
      assertThat(answer.getJsonObject("result").getString("statusCode")).as(id).isEqualTo("440");
      assertThat(answer.getString("reason")).as(id).contains("{$botContext.id}").contains("'.' or '..'");
    }
    JsonObject joined = run("joined", new JsonObject().put("a", ".").put("b", "."));
    assertThat(joined.getJsonObject("result").getString("statusCode")).isEqualTo("440");
    assertThat(received(before)).isEmpty();
  }

  @Test
  void shouldKeepEveryOtherValueInsideItsOneSegment() {
    int before = gw.upstream.received.size();
    for (String id : List.of("a/b", "..a", "x?y#z", "...", "a\\b..", "a;..")) {
      assertThat(run("profile", new JsonObject().put("id", id)).getJsonObject("result").getString("statusCode"))
        .as(id).isEqualTo("200");
    }
    assertThat(run("joined", new JsonObject().put("a", ".").put("b", "x")).getJsonObject("result")
      .getString("statusCode")).isEqualTo("200");
    assertThat(received(before)).containsExactly("/record/users/a%2Fb/profile", "/record/users/..a/profile",
      "/record/users/x%3Fy%23z/profile", "/record/users/.../profile", "/record/users/a%5Cb../profile",
      "/record/users/a%3B../profile", "/record/files/.x/x");
  }

  @Test
  void shouldCheckASegmentThatGoesOnAfterItsPlaceholder() {
    int before = gw.upstream.received.size();
    for (String id : List.of(".", "%2e")) { // '..' with the literal dot after it (%2e as sent twice decoded)
      JsonObject dots = run("suffixed", new JsonObject().put("id", id));
      assertThat(dots.getJsonObject("result").getString("statusCode")).as(id).isEqualTo("440");
      assertThat(dots.getString("reason")).as(id).contains("{$botContext.id}").contains("'.' or '..'");
    }
    for (String id : List.of("a", "a.b")) {
      assertThat(run("suffixed", new JsonObject().put("id", id)).getJsonObject("result").getString("statusCode"))
        .as(id).isEqualTo("200");
    }
    assertThat(received(before)).containsExactly("/record/items/a./json", "/record/items/a.b./json");
  }
}
