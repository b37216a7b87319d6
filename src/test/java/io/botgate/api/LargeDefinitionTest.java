package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A PUT of a definition of a megabyte is checked, saved and answered without holding the event loop, and a GET shows
 * it so too: the definition masked, as JSON text, was made on the loop, up to 150 ms. What they answer stays as it was.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class LargeDefinitionTest {

  static TestGateway gw;
  static final List<Boolean> shownOnLoop = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
    ApiRoutes.whileShowing = thread -> shownOnLoop.add(Context.isOnEventLoopThread());
  }

  @AfterEach
  void clear() {
    shownOnLoop.clear();
  }

  /** A definition of about a megabyte: a JSON body of 10,000 templates, one of them a secret. */
  private static JsonObject large(String name) {
    JsonObject body = new JsonObject().put("password", "hunter2");
    for (int i = 0; i < 10_000; i++) {
      body.put("f" + i, "v".repeat(90) + i);
    }
    return new JsonObject().put("name", name).put("method", "POST").put("url", "stub:/echo").put("body", body);
  }

  @Test
  void shouldAnswerALargePutAndItsGetsOffTheEventLoop() {
    JsonObject definition = large("largeOne");
    assertThat(definition.encode().length()).isGreaterThan(1_000_000);

    HttpResponse<Buffer> created = result(gw.declare(definition));
    HttpResponse<Buffer> replaced = result(gw.declare(definition));
    HttpResponse<Buffer> shown = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/integrations/largeOne").send());

    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    assertThat(replaced.statusCode()).as(replaced.bodyAsString()).isEqualTo(200);
    assertThat(shown.statusCode()).isEqualTo(200);
    assertThat(created.bodyAsJsonObject()).isEqualTo(shown.bodyAsJsonObject()).isEqualTo(replaced.bodyAsJsonObject());
    assertThat(shown.bodyAsJsonObject().getJsonObject("body").getString("password")).isEqualTo("****");
    HttpResponse<Buffer> listed = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/integrations").send());
    assertThat(listed.bodyAsJsonArray().stream().map(JsonObject.class::cast)
      .filter(d -> d.getString("name").equals("largeOne"))).containsExactly(shown.bodyAsJsonObject());
    assertThat(shownOnLoop).as("where each answer was made").doesNotContain(true).hasSizeGreaterThan(3);
  }

  @Test
  void shouldAnswerLargePutsMadeTogetherOffTheEventLoopOneAfterAnother() {
    // the second waits for the first, which ends on the event loop: its change is then taken to a worker
    List<Future<HttpResponse<Buffer>>> puts = List.of(gw.declare(large("together1")), gw.declare(large("together2")),
      gw.declare(large("together1")));
    result(Future.all(puts));

    assertThat(puts.stream().map(p -> p.result().statusCode()).toList()).containsExactlyInAnyOrder(201, 201, 200);
    assertThat(shownOnLoop).as("where each answer was made").containsExactly(false, false, false);
  }
}
