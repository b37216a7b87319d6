package io.botgate.console;

import io.botgate.TestGateway;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** A console connected while the gateway shuts down: it has nothing in flight, so it must not hold the drain. */
@ExtendWith(VertxExtension.class)
class ConsoleShutdownTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void shouldCloseTheConsoleAsGoingAwayAtOnceWhenTheGatewayDrains(Vertx vertx) {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject().put("shutdown.graceSeconds", 30)));
    ConsoleClient client = result(ConsoleClient.connect(vertx, gw.gateway.port()));
    client.awaitFrame(f -> "hello".equals(f.getString("op")));
    Promise<Short> closed = Promise.promise();
    client.socket.closeHandler(v -> closed.tryComplete(client.socket.closeStatusCode()));

    long started = System.nanoTime();
    result(gw.gateway.drain());
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(result(closed.future())).isEqualTo((short) 1001);
    // the grace time (30 s here) is for requests in flight, not for open consoles
    assertThat(tookMillis).isLessThan(10_000);
  }
}
