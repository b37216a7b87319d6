package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests on the bus go into their session's line in the order they came, also when one is counted toward
 * {@code body.held.bytes} on a worker (past {@code OnLoop.MAX_BYTES}): a conversation's messages sent back to back by a
 * bridge client run as sent, as CB runs them, not the small one first because the large one before it took a hop.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class BusRequestOrderTest {

  @Test
  void shouldRunASessionsBusRequestsInTheOrderTheyCameWhenALargeOneIsCountedOnAWorker(Vertx vertx) throws Exception {
    TestGateway gw = result(TestGateway.start(vertx, new JsonObject()));
    CountDownLatch counting = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch secondTaken = new CountDownLatch(1);
    EventBusApi.whileCounting = thread -> {
      counting.countDown();
      try {
        release.await(30, TimeUnit.SECONDS); // the count of the first takes until the second has come
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    // told once the gateway's consumer has handled the second request as it came (the handler runs within next())
    gw.vertx.eventBus().addInboundInterceptor(delivery -> {
      delivery.next();
      if (delivery.message().body() instanceof JsonObject body && "second".equals(body.getString("userMessage"))) {
        secondTaken.countDown();
      }
    });
    try {
      JsonObject variables = new JsonObject();
      for (int i = 0; i < 2_000; i++) {
        variables.put("v" + i, new JsonObject().put("title", "t".repeat(40)));
      }
      Future<Message<Object>> first = gw.vertx.eventBus().request(EventBusApi.SCRIPT_RUN, new JsonObject()
        .put("session", "bus-order").put("variables", variables)
        .put("code", "botContext.setBotVariable('last', 'first', true, false)"));
      assertThat(counting.await(30, TimeUnit.SECONDS)).as("the first request counted on a worker").isTrue();
      Future<Message<Object>> second = gw.vertx.eventBus().request(EventBusApi.SCRIPT_RUN, new JsonObject()
        .put("session", "bus-order").put("userMessage", "second")
        .put("code", "botContext.setBotVariable('last', 'second', true, false)"));
      assertThat(secondTaken.await(30, TimeUnit.SECONDS)).as("the second request taken by the gateway").isTrue();
      release.countDown();

      result(first);
      result(second);
      JsonObject state = (JsonObject) result(gw.vertx.eventBus().request(EventBusApi.SESSION_GET,
        new JsonObject().put("session", "bus-order"))).body();
      assertThat(state.getJsonObject("variables").getString("last")).as("the request sent last ran last")
        .isEqualTo("second");
    } finally {
      release.countDown();
      EventBusApi.whileCounting = thread -> { };
    }
  }
}
