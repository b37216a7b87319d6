package io.botgate.session;

import io.botgate.Await;
import io.botgate.TestGateway;
import io.botgate.events.DebugEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** The requests of one session run one at a time (its turns); those of different sessions do not wait. */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class SessionTurnsTest {

  static final String INCREMENT = "botContext.setBotVariable('n', (botContext.getBotVariable('n')||0)+1, true, false)";
  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
  }

  private static Future<HttpResponse<Buffer>> script(String session, String code) {
    return script(gw, session, code);
  }

  private static Future<HttpResponse<Buffer>> script(TestGateway on, String session, String code) {
    return on.http.post(on.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", code));
  }

  /** Runs {@code total} calls, {@code parallel} at a time, and waits for all of them. */
  private static void concurrently(int parallel, int total, Supplier<Future<?>> call) {
    AtomicInteger started = new AtomicInteger();
    List<Future<?>> lanes = new ArrayList<>();
    for (int i = 0; i < parallel; i++) {
      Promise<Void> lane = Promise.promise();
      next(started, total, call, lane);
      lanes.add(lane.future());
    }
    result(Future.all(lanes));
  }

  private static void next(AtomicInteger started, int total, Supplier<Future<?>> call, Promise<Void> lane) {
    if (started.incrementAndGet() > total) {
      lane.complete();
      return;
    }
    call.get().onSuccess(v -> next(started, total, call, lane)).onFailure(lane::fail);
  }

  @Test
  void shouldLoseNoIncrementWhenSixteenCallersExecuteAndScriptInOneSession() {
    AtomicInteger which = new AtomicInteger();
    concurrently(16, 400, () -> which.incrementAndGet() % 2 == 0
      ? gw.execute("counted", "faqIntegration", new JsonObject().put("postProcess", INCREMENT))
      : script("counted", INCREMENT).map(r -> {
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getString("outcome")).isEqualTo("ok");
        return r;
      }));

    assertThat(result(gw.session("counted")).getJsonObject("variables").getInteger("n")).isEqualTo(400);
  }

  @Test
  void shouldRunTheTurnsOfOneKeyInArrivalOrderAndOtherKeysAtOnce() {
    Turns turns = new Turns(10);
    List<String> ran = new CopyOnWriteArrayList<>();
    Promise<String> first = Promise.promise();
    Future<String> one = turns.next("a", () -> {
      ran.add("a1");
      return first.future();
    });
    Future<String> two = turns.next("a", () -> {
      ran.add("a2");
      return Future.succeededFuture("a2");
    });
    Future<String> other = turns.next("b", () -> {
      ran.add("b1");
      return Future.succeededFuture("b1");
    });

    assertThat(other.succeeded()).isTrue();
    assertThat(two.isComplete()).isFalse();
    assertThat(ran).containsExactly("a1", "b1");
    first.complete("a1");
    assertThat(result(one)).isEqualTo("a1");
    assertThat(result(two)).isEqualTo("a2");
    assertThat(ran).containsExactly("a1", "b1", "a2");
    assertThat(turns.busyKeys()).isZero();
  }

  /**
   * The busy turn is held where it prints (its worker blocks in a listener of the stream) until the other
   * session has been answered: however slow the machine, it cannot end first, and a gateway that made the
   * other session wait behind it would never answer that one (the test fails instead of racing a clock).
   */
  @Test
  void shouldNotMakeOtherSessionsWaitForABusyOne() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Consumer<DebugEvent> hold = event -> {
      if ("busy".equals(event.session()) && event.json().contains("holding the turn")) {
        holding.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    gw.gateway.stream().addListener(hold);
    try {
      List<String> finished = new CopyOnWriteArrayList<>();
      Future<HttpResponse<Buffer>> busy = script("busy", "botContext.printDebugMessage('holding the turn');")
        .onSuccess(r -> finished.add("busy"));
      assertThat(holding.await(60, TimeUnit.SECONDS)).as("the busy turn runs").isTrue();
      // Queue a second turn behind the busy one, then ask another session.
      Future<HttpResponse<Buffer>> queued = script("busy", "botContext.setBotVariable('x', 1, true, false)")
        .onSuccess(r -> finished.add("queued"));
      assertThat(result(script("idle", "botContext.setBotVariable('x', 1, true, false)")).statusCode()).isEqualTo(200);
      finished.add("idle");
      release.countDown();

      result(Future.all(busy, queued));
      assertThat(finished).containsExactly("idle", "busy", "queued");
      assertThat(result(gw.session("busy")).getJsonObject("variables").getInteger("x")).isEqualTo(1);
    } finally {
      release.countDown();
      gw.gateway.stream().removeListener(hold);
    }
  }

  /** A caller that gave up while its request waited for the session's turn: the request is not run for no one. */
  @Test
  void shouldNotRunARequestWhoseCallerLeftWhileItWaitedForItsTurn(Vertx vertx) throws Exception {
    assertThat(result(gw.declare(new JsonObject().put("name", "slowTurn").put("method", "GET")
      .put("url", "stub:/slow/1500").put("retries", 0))).statusCode()).isIn(200, 201);
    LocalSessionStore sessions = (LocalSessionStore) gw.gateway.sessions();
    int calls = gw.upstream.received.size();
    Future<JsonObject> running = gw.execute("left", "slowTurn", new JsonObject());
    org.awaitility.Awaitility.await().until(() -> gw.upstream.received.size() == calls + 1); // its call under way

    List<NetSocket> callers = new ArrayList<>();
    for (String[] request : new String[][] {{"scripts", new JsonObject().put("code", INCREMENT).encode()},
      {"integrations/slowTurn", "{}"}}) {
      NetSocket caller = result(vertx.createNetClient().connect(gw.gateway.port(), "127.0.0.1"));
      caller.write("POST /api/sessions/left/" + request[0] + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + request[1].length() + "\r\n\r\n" + request[1]);
      callers.add(caller);
      int waiting = callers.size();
      org.awaitility.Awaitility.await().until(() -> sessions.turnsOf("left") == 1 + waiting); // behind the slow one
    }
    callers.forEach(caller -> result(caller.close()));

    assertThat(result(running).getString("outcome")).isEqualTo("success");
    org.awaitility.Awaitility.await().until(() -> sessions.turnsOf("left") == 0);
    assertThat(gw.gateway.stream().history("left", 0, 100)).extracting(DebugEvent::json)
      .anyMatch(json -> json.contains("script not run: its caller closed the connection while it waited for the session's turn"))
      .anyMatch(json -> json.contains("integration slowTurn not run: its caller closed the connection"));
    assertThat(gw.upstream.received.size()).as("the slow call only").isEqualTo(calls + 1);
    assertThat(result(gw.session("left")).getJsonObject("variables").containsKey("n")).as("not run").isFalse();
    // a caller that stays is served as before
    assertThat(result(script("left", INCREMENT)).bodyAsJsonObject().getString("outcome")).isEqualTo("ok");
  }

  @Test
  void shouldRefuseATurnPastTheQueueBound() {
    // A gateway of its own, in a Vert.x of its own.
    Vertx own = Vertx.vertx();
    try {
      TestGateway small = result(TestGateway.start(own, new JsonObject().put("session.queue", 1)));
      assertThat(result(small.declare(new JsonObject().put("name", "hang").put("method", "GET")
        .put("url", "stub:/hang").put("timeoutMs", 60_000).put("retries", 0))).statusCode()).isEqualTo(201);
      // A turn that lasts until the test ends: an execution waiting on an upstream that never answers.
      small.http.post(small.gateway.port(), "127.0.0.1", "/api/sessions/q/integrations/hang").sendJsonObject(new JsonObject());
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .until(() -> small.gateway.stream().lastSeq("q") > 0);

      Promise<HttpResponse<Buffer>> first = Promise.promise();
      for (int i = 0; i < 2; i++) {
        small.http.post(small.gateway.port(), "127.0.0.1", "/api/sessions/q/scripts")
          .sendJsonObject(new JsonObject().put("code", "1")).onSuccess(first::tryComplete);
      }
      // One waits behind the running turn (session.queue 1); the other is refused at once.
      HttpResponse<Buffer> refused = result(first.future());
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("session_busy");
      assertThat(refused.bodyAsJsonObject().getJsonObject("error").getString("message")).contains("session.queue");
    } finally {
      result(own.close());
    }
  }

  /**
   * A pass-through call's answer goes to its caller whatever the session's queue: its outcome must then become the
   * session's last result all the same. Recording it took an ordinary turn, refused past session.queue, so the
   * call vanished from the session's results and console while its caller had its answer.
   */
  @Test
  void shouldRecordAPassThroughCallEvenWhenTheSessionsQueueIsFull() {
    Vertx own = Vertx.vertx();
    try {
      TestGateway small = result(TestGateway.start(own, new JsonObject().put("session.queue", 1)));
      assertThat(result(small.declare(new JsonObject().put("name", "held").put("method", "GET")
        .put("url", "stub:/held").put("timeoutMs", 60_000).put("retries", 0))).statusCode()).isEqualTo(201);
      assertThat(result(small.declare(new JsonObject().put("name", "passing").put("method", "GET")
        .put("url", "stub:"))).statusCode()).isEqualTo(201);
      // A turn that lasts until the test releases its upstream's answer.
      Future<JsonObject> running = small.execute("q", "held", null);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> small.upstream.held() == 1);
      Promise<HttpResponse<Buffer>> firstAnswer = Promise.promise();
      List<Future<HttpResponse<Buffer>>> queued = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        queued.add(script(small, "q", "1").onSuccess(firstAnswer::tryComplete));
      }
      assertThat(result(firstAnswer.future()).statusCode()).as("the queue is full").isEqualTo(429);

      Future<HttpResponse<Buffer>> passed = small.http.get(small.gateway.port(), "127.0.0.1", "/proxy/passing/status/200")
        .putHeader("X-Botgate-Session", "q").send();
      LocalSessionStore store = (LocalSessionStore) small.gateway.sessions();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .alias("the running turn, the script waiting and the call's record").until(() -> store.turnsOf("q") == 3);
      small.upstream.releaseHeld();

      assertThat(result(passed).statusCode()).isEqualTo(200);
      result(running);
      result(Future.join(new ArrayList<Future<?>>(queued)));
      JsonObject last = result(small.session("q")).getJsonObject("lastResult");
      assertThat(last).as("the call is the session's last result").isNotNull();
      assertThat(last.getString("integration")).isEqualTo("passing");
      assertThat(last.getString("statusCode")).isEqualTo("200");
    } finally {
      result(own.close());
    }
  }

  /** DELETE is the way out of a session flooded with requests: it waits its turn even when the queue is full. */
  @Test
  void shouldResetASessionWhoseQueueIsFull() {
    Vertx own = Vertx.vertx();
    try {
      TestGateway small = result(TestGateway.start(own, new JsonObject().put("session.queue", 1)));
      assertThat(result(small.declare(new JsonObject().put("name", "held").put("method", "GET")
        .put("url", "stub:/held").put("timeoutMs", 60_000).put("retries", 0))).statusCode()).isEqualTo(201);
      Future<JsonObject> running = small.execute("flooded", "held", null);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> small.upstream.held() == 1);
      Future<HttpResponse<Buffer>> waiting = script(small, "flooded", INCREMENT);
      LocalSessionStore store = (LocalSessionStore) small.gateway.sessions();
      org.awaitility.Awaitility.await().until(() -> store.turnsOf("flooded") == 2);
      assertThat(result(script(small, "flooded", "1")).statusCode()).as("the queue is full").isEqualTo(429);

      Future<HttpResponse<Buffer>> reset = small.http.delete(small.gateway.port(), "127.0.0.1", "/api/sessions/flooded")
        .send();
      org.awaitility.Awaitility.await().until(() -> store.turnsOf("flooded") == 3); // waiting, not refused
      small.upstream.releaseHeld();

      result(running);
      assertThat(result(waiting).statusCode()).isEqualTo(200);
      assertThat(result(reset).statusCode()).isEqualTo(204);
      assertThat(result(small.http.get(small.gateway.port(), "127.0.0.1", "/api/sessions/flooded").send())
        .statusCode()).isEqualTo(404);
    } finally {
      result(own.close());
    }
  }

  /** What expiry does to an idle session is done in the step that registers turns: never beside a turn begun. */
  @Test
  void shouldActOnAnIdleKeyOnlyWhenNoTurnRunsOrWaits() {
    Turns turns = new Turns(10);
    Promise<String> held = Promise.promise();
    Future<String> running = turns.next("k", held::future);
    Future<String> waiting = turns.next("k", () -> Future.succeededFuture("after"));
    AtomicInteger acted = new AtomicInteger();

    assertThat(turns.ifIdle("k", () -> acted.incrementAndGet() > 0)).isFalse();
    assertThat(turns.ifIdle("other", () -> acted.incrementAndGet() > 0)).isTrue();
    assertThat(acted).hasValue(1);

    held.complete("done");
    assertThat(result(running)).isEqualTo("done");
    assertThat(result(waiting)).isEqualTo("after");
    assertThat(turns.ifIdle("k", () -> acted.incrementAndGet() > 0)).isTrue();
    assertThat(turns.busyKeys()).as("acting registers no turn").isZero();
  }

  @Test
  void shouldStartTheNextTurnWhenOneFails() {
    Turns turns = new Turns(10);
    Future<Object> failing = turns.next("k", () -> Future.failedFuture("boom"));
    Future<String> thrown = turns.next("k", () -> {
      throw new IllegalStateException("thrown");
    });
    Future<String> after = turns.next("k", () -> Future.succeededFuture("ran"));

    assertThat(failure(failing)).hasMessage("boom");
    assertThat(failure(thrown)).hasMessage("thrown");
    assertThat(result(after)).isEqualTo("ran");
    assertThat(turns.busyKeys()).isZero();
  }

  @Test
  void shouldKeepTheLineWhileATurnThatWaitedRunsSoALaterOneWaitsForIt() {
    Turns turns = new Turns(10);
    Promise<String> a = Promise.promise();
    Promise<String> b = Promise.promise();
    Future<String> first = turns.next("k", a::future);
    Future<String> second = turns.next("k", b::future);
    assertThat(turns.busyKeys()).isEqualTo(1);
    a.complete("a");
    assertThat(result(first)).isEqualTo("a");
    boolean[] started = new boolean[1];
    Future<String> third = turns.next("k", () -> {
      started[0] = true;
      return Future.succeededFuture("c");
    });
    assertThat(started[0]).as("the third turn waits for the second, still running").isFalse();
    assertThat(turns.busyKeys()).isEqualTo(1);
    b.complete("b");
    assertThat(result(second)).isEqualTo("b");
    assertThat(result(third)).isEqualTo("c");
    assertThat(turns.busyKeys()).isZero();
  }

  @Test
  void shouldLetExactlyMaxWaitingTurnsWaitBehindTheRunningOneAndRefuseTheNext() {
    Turns turns = new Turns(2);
    Promise<String> running = Promise.promise();
    Future<String> first = turns.next("k", running::future);
    Future<String> second = turns.next("k", () -> Future.succeededFuture("2"));
    Future<String> third = turns.next("k", () -> Future.succeededFuture("3"));
    Future<String> fourth = turns.next("k", () -> Future.succeededFuture("4"));

    assertThat(failure(fourth)).isInstanceOf(io.botgate.GatewayError.class)
      .hasMessageContaining("already has 2 requests waiting");
    assertThat(((io.botgate.GatewayError) fourth.cause()).httpStatus()).isEqualTo(429);
    assertThat(failure(turns.next("k", () -> Future.succeededFuture("5"))))
      .as("a refusal keeps the line: the next one is refused too, not started").hasMessageContaining("already has 2");
    assertThat(second.isComplete()).isFalse();
    running.complete("1");
    assertThat(result(first)).isEqualTo("1");
    assertThat(result(second)).isEqualTo("2");
    assertThat(result(third)).isEqualTo("3");
    assertThat(turns.busyKeys()).isZero();
    // the line is free again: a turn is taken at once
    assertThat(result(turns.next("k", () -> Future.succeededFuture("again")))).isEqualTo("again");
    assertThat(turns.busyKeys()).isZero();
  }

  @Test
  void shouldRefuseAWorkThatReturnsNoFutureAndGoOn() {
    Turns turns = new Turns(10);
    Future<String> none = turns.next("k", () -> null);
    assertThat(failure(none)).isInstanceOf(IllegalStateException.class).hasMessage("a turn returned no future");
    assertThat(result(turns.next("k", () -> Future.succeededFuture("next")))).isEqualTo("next");
  }
}
