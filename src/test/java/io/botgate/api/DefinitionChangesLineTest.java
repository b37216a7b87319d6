package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Integration PUTs wait in line for each other's checks ({@link DefinitionChanges}) without holding a worker each: more
 * PUTs at once than the worker pool has threads (20) left every request that needs a worker waiting behind one
 * PUT's check, a GET of the definitions among them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class DefinitionChangesLineTest {

  static TestGateway gw;
  /** PUTs on connections of their own, as many callers at once; the GET on another client. */
  static WebClient putting;
  static WebClient getting;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
    putting = WebClient.create(vertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(64));
    getting = WebClient.create(vertx);
  }

  private static Future<HttpResponse<Buffer>> put(String name) {
    return putting.put(gw.gateway.port(), "127.0.0.1", "/api/integrations/" + name)
      .sendJsonObject(new JsonObject().put("method", "GET").put("url", "http://127.0.0.1:9/x"));
  }

  @AfterAll
  static void stop() {
    ApiRoutes.whileShowing = thread -> { };
  }

  @Test
  void shouldAnswerAGetWhileMorePutsThanWorkersWaitForOnesCheck() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger held = new AtomicInteger();
    ApiRoutes.whileShowing = thread -> { // the first PUT's check, on its worker, until the GET below is answered
      if (!Context.isOnEventLoopThread() && held.getAndIncrement() == 0) {
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    List<Future<HttpResponse<Buffer>>> puts = new ArrayList<>();
    try {
      puts.add(put("line0"));
      await().atMost(Duration.ofSeconds(30)).until(() -> held.get() == 1);
      for (int i = 1; i < 30; i++) {
        puts.add(put("line" + i));
      }
      await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(30)).until(() -> true); // let them arrive

      HttpResponse<Buffer> listed = result(getting.get(gw.gateway.port(), "127.0.0.1", "/api/integrations").send());

      assertThat(listed.statusCode()).isEqualTo(200);
      assertThat(puts.get(0).isComplete()).as("the first PUT's check is still held").isFalse();
    } finally {
      release.countDown();
    }
    for (Future<HttpResponse<Buffer>> put : puts) {
      assertThat(result(put).statusCode()).isEqualTo(201);
    }
  }
}
