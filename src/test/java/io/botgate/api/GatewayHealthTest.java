package io.botgate.api;

import io.botgate.integration.IntegrationRegistry;
import io.botgate.script.PoolState;
import io.botgate.session.LocalSessionStore;
import io.botgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** Each /health check reports KO for the state it watches, not OK whatever happens. */
@Timeout(30)
class GatewayHealthTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setBlockedThreadCheckInterval(60_000));
  }

  @AfterAll
  static void stop() {
    result(vertx.close());
  }

  private static Status eventLoops() {
    Promise<Status> outcome = Promise.promise();
    GatewayHealth.eventLoops(vertx, outcome);
    return result(outcome.future());
  }

  @Test
  void shouldReportABlockedEventLoopWithinTheLoopTimeout() throws Exception {
    Status ok = eventLoops();
    assertThat(ok.isOk()).isTrue();
    assertThat(ok.getData().getInteger("loops")).isEqualTo(2);

    CountDownLatch blocking = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    vertx.getOrCreateContext().runOnContext(v -> {
      blocking.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(blocking.await(10, TimeUnit.SECONDS)).isTrue();
    try {
      long began = System.nanoTime();
      Status blocked = eventLoops();
      long tookMs = (System.nanoTime() - began) / 1_000_000;
      assertThat(blocked.isOk()).isFalse();
      assertThat(blocked.getData().getLong("blocked")).isEqualTo(1);
      assertThat(tookMs).isBetween(GatewayHealth.LOOP_TIMEOUT_MS, 2 * GatewayHealth.LOOP_TIMEOUT_MS + 1000);
    } finally {
      release.countDown();
    }
    org.awaitility.Awaitility.await().until(() -> eventLoops().isOk());
  }

  @Test
  void shouldReportAFullQueueAStaleWatchdogDeadThreadsAndAClosedPool() {
    assertThat(GatewayHealth.scripts(new PoolState(3, 4, 2, 2, 2, 25, false)).isOk()).isTrue();
    Status full = GatewayHealth.scripts(new PoolState(4, 4, 2, 2, 2, 25, false));
    assertThat(full.isOk()).isFalse();
    assertThat(full.getData().getString("reason")).isEqualTo("the script queue is full (4 waiting, 2 running)");
    assertThat(GatewayHealth.scripts(new PoolState(0, 4, 0, 2, 2, PoolState.WATCHDOG_STALE_MILLIS, false)).isOk()).isTrue();
    assertThat(GatewayHealth.scripts(new PoolState(0, 4, 0, 2, 2, PoolState.WATCHDOG_STALE_MILLIS + 1, false))
      .getData().getString("reason")).isEqualTo("the script watchdog has not run for 1001 ms");
    assertThat(GatewayHealth.scripts(new PoolState(0, 4, 0, 1, 2, 25, false)).getData().getString("reason"))
      .isEqualTo("only 1 of 2 script threads are alive");
    assertThat(GatewayHealth.scripts(new PoolState(0, 4, 0, 2, 2, 25, true)).getData().getString("reason"))
      .isEqualTo("the script pool is shut down");
  }

  @Test
  void shouldReportASessionStoreThatDoesNotAnswerARead() {
    Promise<Status> fine = Promise.promise();
    LocalSessionStore local = new LocalSessionStore(60_000, 20, System::currentTimeMillis);
    local.open("someone");
    GatewayHealth.sessions(local, fine);
    assertThat(result(fine.future()).isOk()).isTrue();
    assertThat(result(fine.future()).getData().getInteger("count")).isEqualTo(1);
    assertThat(local.find(GatewayHealth.PROBE_SESSION)).as("the probe creates no session").isEmpty();

    SessionStore silent = (SessionStore) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {SessionStore.class}, (proxy, method, args) -> switch (method.getName()) {
        case "describe" -> Promise.promise().future(); // never answers, like a cluster map that hangs
        case "size" -> 0;
        default -> throw new UnsupportedOperationException(method.getName());
      });
    Promise<Status> stuck = Promise.promise();
    long began = System.nanoTime();
    GatewayHealth.sessions(silent, stuck);
    Status status = result(stuck.future());
    long tookMs = (System.nanoTime() - began) / 1_000_000;
    assertThat(status.isOk()).isFalse();
    assertThat(status.getData().getString("reason")).startsWith("the session store did not answer a read");
    assertThat(tookMs).isBetween(GatewayHealth.STORE_TIMEOUT_MS, 2 * GatewayHealth.STORE_TIMEOUT_MS + 1000);

    SessionStore failing = (SessionStore) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {SessionStore.class}, (proxy, method, args) -> switch (method.getName()) {
        case "describe" -> Future.failedFuture("member gone");
        case "size" -> 0;
        default -> throw new UnsupportedOperationException(method.getName());
      });
    Promise<Status> failed = Promise.promise();
    GatewayHealth.sessions(failing, failed);
    assertThat(result(failed.future()).getData().getString("reason")).contains("member gone");
  }

  @Test
  void shouldAnswer503WhileDraining() {
    var checks = GatewayHealth.create(vertx, new IntegrationRegistry(),
      new LocalSessionStore(60_000, 20, System::currentTimeMillis), () -> null, () -> true);
    JsonObject accepting = result(checks.invoke("accepting"));
    assertThat(accepting.getString("status")).isEqualTo("DOWN");
    assertThat(accepting.getJsonObject("data").getString("reason")).startsWith("draining");
  }
}
