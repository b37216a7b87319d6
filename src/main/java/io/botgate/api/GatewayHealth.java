package io.botgate.api;

import io.botgate.integration.IntegrationRegistry;
import io.botgate.script.PoolState;
import io.botgate.script.ScriptEngine;
import io.botgate.session.SessionStore;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What {@code /health} checks, each from the real state: every event loop answers a task within
 * {@link #LOOP_TIMEOUT_MS}, the script pool can take a script (queue not full, watchdog ticking, its threads
 * alive), the session store answers a read (in a cluster a read of the shared map), and the gateway is not
 * draining. Any check KO makes {@code /health} answer 503.
 */
public final class GatewayHealth {

  /** How long an event loop may take to run a task before it counts as blocked. */
  static final long LOOP_TIMEOUT_MS = 1_000;
  /** How long the session store may take to answer a read. */
  static final long STORE_TIMEOUT_MS = 2_000;
  /** The id read from the store: no session has it, so the read finds nothing and changes nothing. */
  static final String PROBE_SESSION = "botgate-health-probe";

  private GatewayHealth() {
  }

  public static HealthChecks create(Vertx vertx, IntegrationRegistry registry, SessionStore sessions,
                                    Supplier<ScriptEngine> engine, BooleanSupplier draining) {
    HealthChecks checks = HealthChecks.create(vertx);
    checks.register("integrations", p -> p.complete(Status.OK(new JsonObject().put("count", registry.all().size()))));
    checks.register("event-loops", STORE_TIMEOUT_MS + LOOP_TIMEOUT_MS, p -> eventLoops(vertx, p));
    checks.register("scripts", p -> p.complete(scripts(engine.get().poolState())));
    checks.register("sessions", STORE_TIMEOUT_MS + LOOP_TIMEOUT_MS, p -> sessions(sessions, p));
    checks.register("accepting", p -> p.complete(draining.getAsBoolean()
      ? Status.KO(new JsonObject().put("reason", "draining: the gateway is shutting down")) : Status.OK()));
    return checks;
  }

  /**
   * Runs a task on every event loop and waits for them off the loops (a JDK timer, not a Vert.x one, which
   * would need a loop itself); KO names how many did not answer in time.
   */
  static void eventLoops(Vertx vertx, Promise<Status> outcome) {
    List<CompletableFuture<Void>> answers = new ArrayList<>();
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      CompletableFuture<Void> answered = new CompletableFuture<>();
      loop.execute(() -> answered.complete(null));
      answers.add(answered);
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
      .orTimeout(LOOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .whenComplete((done, failure) -> {
        long late = answers.stream().filter(a -> !a.isDone()).count();
        JsonObject data = new JsonObject().put("loops", answers.size());
        outcome.tryComplete(late == 0 ? Status.OK(data) : Status.KO(data.put("blocked", late)
          .put("reason", late + " event loop(s) did not run a task within " + LOOP_TIMEOUT_MS + " ms")));
      });
  }

  static Status scripts(PoolState pool) {
    JsonObject data = new JsonObject().put("queued", pool.queued()).put("queueCapacity", pool.queueCapacity())
      .put("running", pool.running()).put("threads", pool.threadsAlive())
      .put("watchdogAgoMs", pool.watchdogAgoMillis());
    String problem = pool.problem();
    return problem == null ? Status.OK(data) : Status.KO(data.put("reason", problem));
  }

  static void sessions(SessionStore sessions, Promise<Status> outcome) {
    long began = System.nanoTime();
    CompletableFuture<Object> read = new CompletableFuture<>();
    sessions.describe(PROBE_SESSION).onComplete(done -> {
      if (done.succeeded()) {
        read.complete(null);
      } else {
        read.completeExceptionally(done.cause());
      }
    });
    read.orTimeout(STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS).whenComplete((v, failure) -> {
      JsonObject data = new JsonObject().put("count", sessions.size());
      outcome.tryComplete(failure == null
        ? Status.OK(data.put("readMs", (System.nanoTime() - began) / 1_000_000))
        : Status.KO(data.put("reason", "the session store did not answer a read: " + failure)));
    });
  }
}
