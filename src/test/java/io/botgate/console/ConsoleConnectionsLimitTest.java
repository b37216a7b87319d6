package io.botgate.console;

import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code console.connections} bounds the console connections open at once, each holding a queue and an inbox. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsoleConnectionsLimitTest {

  @Test
  void shouldRefuseAConsoleConnectionPastTheBoundBeforeTheUpgradeAndTakeOneOnceAPlaceIsFree(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("console.connections", 2)));
    ConsoleClient first = connect(gw);
    ConsoleClient second = connect(gw);

    Future<ConsoleClient> third = ConsoleClient.connect(gw.vertx, gw.gateway.port());
    Throwable refused = await().until(() -> third.isComplete() ? third : null, f -> f != null).cause();
    assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(503);
    assertThat(((UpgradeRejectedException) refused).getBody().toString()).contains("too_many_consoles")
      .contains("console.connections");

    first.close();
    await().untilAsserted(() -> assertThat(ConsoleClient.connect(gw.vertx, gw.gateway.port())
      .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isNotNull());
    second.close();
  }

  @Test
  void shouldHoldTheBoundWhenManyHandshakesArriveAtOnce(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("console.connections", 3)));
    List<Future<ConsoleClient>> tries = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      tries.add(ConsoleClient.connect(gw.vertx, gw.gateway.port()));
    }
    await().until(() -> tries.stream().allMatch(Future::isComplete));
    List<ConsoleClient> open = tries.stream().filter(Future::succeeded).map(Future::result).toList();
    assertThat(open).as("places taken before the handshakes end").hasSize(3);
    open.forEach(ConsoleClient::close);
    await().untilAsserted(() -> assertThat(ConsoleClient.connect(gw.vertx, gw.gateway.port())
      .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isNotNull());
  }

  private static ConsoleClient connect(TestGateway gw) {
    ConsoleClient client = result(ConsoleClient.connect(gw.vertx, gw.gateway.port()));
    client.awaitFrame(f -> "hello".equals(f.getString("op")));
    return client;
  }
}
