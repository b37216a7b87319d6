package io.botgate.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalSessionStoreTest {

  @Test
  void shouldExpireOnlySessionsIdlePastTheIdleTime() {
    AtomicLong now = new AtomicLong(0);
    LocalSessionStore store = new LocalSessionStore(60_000, 20, now::get);
    store.open("old");
    now.set(30_000);
    store.open("young");
    now.set(61_000);
    assertThat(store.expireIdle()).isEqualTo(1);
    assertThat(store.find("old")).isEmpty();
    assertThat(store.find("young")).isPresent();
  }

  @Test
  void shouldKeepASessionWhoseTurnRunsPastTheIdleTimeAndCountItsEndAsActivity() {
    AtomicLong now = new AtomicLong(0);
    LocalSessionStore store = new LocalSessionStore(60_000, 20, now::get);
    Promise<Void> call = Promise.promise(); // a call under a deadline longer than the idle time
    store.turn("long", session -> {
      session.setVariable("a", "set before the call");
      return call.future().andThen(done -> session.setVariable("b", "set when it answered"));
    });
    now.set(150_000);
    assertThat(store.expireIdle()).as("its turn still runs").isZero();
    call.complete();
    assertThat(store.find("long")).hasValueSatisfying(session -> {
      assertThat(session.variable("a")).isEqualTo("set before the call");
      assertThat(session.variable("b")).isEqualTo("set when it answered");
      assertThat(session.lastActivity()).as("the turn's end").isEqualTo(150_000);
    });
    now.set(200_000);
    assertThat(store.expireIdle()).as("idle 50 s since its turn ended").isZero();
    now.set(210_001);
    assertThat(store.expireIdle()).isEqualTo(1);
  }

  @Test
  void shouldKeepASessionWhoseWholeTurnRanBetweenTheSweepsLookAndItsRemoval() throws Exception {
    AtomicLong now = new AtomicLong(0);
    LocalSessionStore store = new LocalSessionStore(60_000, 20, now::get);
    store.turn("s", session -> {
      session.setVariable("a", "set long ago");
      return Future.succeededFuture();
    });
    now.set(61_000);
    // The sweep has seen the session idle; a request's whole turn runs before the sweep takes the step that removes it.
    beforeTheNextStepOfTurns(store, () -> store.turn("s", session -> {
      session.setVariable("b", "set by the turn that ran meanwhile");
      return Future.succeededFuture();
    }));
    assertThat(store.expireIdle()).as("active just now").isZero();
    assertThat(store.find("s")).hasValueSatisfying(session -> {
      assertThat(session.variable("a")).isEqualTo("set long ago");
      assertThat(session.variable("b")).isEqualTo("set by the turn that ran meanwhile");
    });
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void shouldBeginAPassThroughCallInALiveSessionWhenTheSweepLooksAtItThatVeryMoment() throws Exception {
    // A pass-through call begins outside the session's turns: the sweep, which waits for turns only, could remove
    // the idle session between the call's look-up and its touch, and the call then streamed in a session already
    // gone, its outcome not recorded ("deleted or expired after the call began") though it began after the expiry.
    AtomicLong now = new AtomicLong(0);
    LocalSessionStore store = new LocalSessionStore(60_000, 20, now::get);
    store.turn("s", session -> Future.succeededFuture());
    now.set(61_000);
    AtomicBoolean swept = new AtomicBoolean();
    sweepingRightAfterTheNextLookUp(store, () -> swept.set(true));

    Session began = store.beginCall("s", 20_000).result();

    assertThat(swept).as("the sweep ran in between").isTrue();
    assertThat(store.find("s")).as("the call's session is the live one").containsSame(began);
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.<String>recordingTurn(began, session -> Future.succeededFuture("recorded")).result())
      .isEqualTo("recorded");
  }

  /**
   * Runs the store's sweep once, right after its map next answers a look-up of a session (a get, or a compute): what
   * would otherwise need the sweep's thread and a call's to meet at exactly that point.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void sweepingRightAfterTheNextLookUp(LocalSessionStore store, Runnable swept) throws Exception {
    Field sessionsField = LocalSessionStore.class.getDeclaredField("sessions");
    sessionsField.setAccessible(true);
    ConcurrentHashMap sessions = (ConcurrentHashMap) sessionsField.get(store);
    AtomicBoolean armed = new AtomicBoolean(true);
    ConcurrentHashMap hooked = new ConcurrentHashMap(sessions) {
      @Override
      public Object get(Object key) {
        return sweepAfter(super.get(key));
      }

      @Override
      public Object compute(Object key, BiFunction remapping) {
        return sweepAfter(super.compute(key, remapping));
      }

      private Object sweepAfter(Object answered) {
        if (armed.compareAndSet(true, false)) {
          store.expireIdle();
          swept.run();
        }
        return answered;
      }
    };
    sessionsField.set(store, hooked);
  }

  /**
   * Runs {@code meanwhile} once, at the next step of the store's turns (the step the sweep removes a session in):
   * what would otherwise need two threads to meet at exactly that point.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void beforeTheNextStepOfTurns(LocalSessionStore store, Runnable meanwhile) throws Exception {
    Field turnsField = LocalSessionStore.class.getDeclaredField("turns");
    turnsField.setAccessible(true);
    Turns turns = (Turns) turnsField.get(store);
    Field linesField = Turns.class.getDeclaredField("lines");
    linesField.setAccessible(true);
    ConcurrentHashMap lines = (ConcurrentHashMap) linesField.get(turns);
    AtomicBoolean armed = new AtomicBoolean(true);
    ConcurrentHashMap hooked = new ConcurrentHashMap(lines) {
      @Override
      public Object compute(Object key, BiFunction remapping) {
        if (armed.compareAndSet(true, false)) {
          meanwhile.run();
        }
        return super.compute(key, remapping);
      }
    };
    linesField.set(turns, hooked);
  }

  @Test
  void shouldReadRequestScopeBeforeSessionScope() {
    LocalSessionStore store = new LocalSessionStore(60_000, 20, System::currentTimeMillis);
    Session session = store.open("s");
    session.setVariable("x", "session");
    RequestScope request = new RequestScope(session, new io.vertx.core.json.JsonObject().put("x", "request"), null, null);
    assertThat(request.variable("x")).isEqualTo("request");
    request.setVariable("y", "kept", true);
    assertThat(new RequestScope(session, null, null, null).variable("y")).isEqualTo("kept");
    assertThat(new RequestScope(session, null, null, null).variable("x")).isEqualTo("session");
    assertThat(request.variable("unset")).isNull();
  }

  @Test
  void shouldKeepVariablesInOrderPastTheSmallArray() {
    Session session = new LocalSessionStore(60_000, 20, System::currentTimeMillis).open("many");
    for (int i = 0; i < 50; i++) {
      session.setVariable("v" + i, i);
    }
    session.setVariable("v3", null);
    session.setVariable("v10", "ten");
    assertThat(session.variable("v10")).isEqualTo("ten");
    assertThat(session.variable("v3")).isNull();
    assertThat(session.toJson().getJsonObject("variables").fieldNames()).hasSize(49).startsWith("v0", "v1", "v2", "v4");
    session.replaceVariablesStartingWith("v4", java.util.Map.of("v4.x", "y"));
    assertThat(session.toJson().getJsonObject("variables").fieldNames()).contains("v4.x").doesNotContain("v4", "v40", "v49");
  }

  @Test
  void shouldKeepTheNewestResultsUpToTheHistorySizeAndTheLatestOfEachIntegration() {
    Session session = new LocalSessionStore(60_000, 3, System::currentTimeMillis).open("results");
    session.record(result("old", "200"));
    for (int i = 0; i < 5; i++) {
      session.record(result("busy", String.valueOf(200 + i)));
    }
    io.vertx.core.json.JsonArray recent = session.toJson().getJsonArray("recentResults");
    assertThat(recent.stream().map(r -> ((io.vertx.core.json.JsonObject) r).getString("statusCode")))
      .containsExactly("204", "203", "202");
    assertThat(session.lastResultOf("old").statusCode()).isEqualTo("200");
    assertThat(session.lastResult().statusCode()).isEqualTo("204");
    assertThat(session.heldBytes()).isEqualTo(HeldBytes.RESULT * (3 + 2));
  }

  @Test
  void shouldCountHeldBytesAsDocumentedAndRefuseAWritePastTheBound() {
    LocalSessionStore store = new LocalSessionStore(new SessionOptions(10, 300, 20, 60_000), System::currentTimeMillis);
    Session session = store.open("bytes");
    session.setVariable("ab", "xyz"); // 48 + 2 + (40 + 3)
    assertThat(session.heldBytes()).isEqualTo(93);
    session.setVariable("list", new io.vertx.core.json.JsonArray().add(1).add("a")); // 48 + 4 + 40 + (20+6) + (41+6)
    assertThat(session.heldBytes()).isEqualTo(93 + 165);
    assertThat(HeldBytes.of(new io.vertx.core.json.JsonObject().put("k", true))).isEqualTo(88 + 48 + 1 + 5);
    assertThatThrownBy(() -> session.setVariable("ab", "x".repeat(60)))
      .isInstanceOf(SessionLimitExceeded.class).hasMessageContaining("session.maxBytes (300 bytes)");
    assertThat(session.variable("ab")).isEqualTo("xyz");
    assertThat(session.heldBytes()).isEqualTo(258);
    session.setVariable("list", null);
    assertThat(session.heldBytes()).isEqualTo(93);
  }

  @Test
  void shouldRefuseANewSessionAtTheCapButKeepOpeningLiveOnes() {
    LocalSessionStore store = new LocalSessionStore(new SessionOptions(2, 1000, 20, 60_000), System::currentTimeMillis);
    store.open("a");
    store.open("b");
    assertThatThrownBy(() -> store.open("c")).isInstanceOf(io.botgate.GatewayError.class)
      .hasMessageContaining("session.max");
    assertThat(store.open("a").id()).isEqualTo("a");
    assertThat(store.refused()).isEqualTo(1);
    store.forget("a");
    assertThat(store.open("c").id()).isEqualTo("c");
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void shouldPageNewestFirstThenByIdAndEndWithANullCursor() {
    AtomicLong now = new AtomicLong(1_000);
    LocalSessionStore store = new LocalSessionStore(60_000, 20, now::get);
    java.util.List<String> expected = new java.util.ArrayList<>();
    for (int t = 9; t >= 0; t--) {
      for (String suffix : new String[] {"a", "b", "c"}) {
        expected.add(t + suffix);
      }
    }
    for (int t = 0; t < 10; t++) {
      now.set(1_000 + t);
      for (String suffix : new String[] {"c", "a", "b"}) {
        store.open(t + suffix);
      }
    }
    java.util.List<String> walked = new java.util.ArrayList<>();
    SessionCursor cursor = null;
    do {
      SessionStore.Page page = store.list(cursor == null ? null : SessionCursor.parse(cursor.encode()), 4);
      page.rows().forEach(r -> walked.add(r.session().id()));
      assertThat(page.total()).isEqualTo(30);
      cursor = page.next();
    } while (cursor != null);
    assertThat(walked).isEqualTo(expected);
  }

  private static IntegrationResult result(String integration, String status) {
    return new IntegrationResult("s", integration, true, status, System.currentTimeMillis(), 1, 1, "n");
  }

  @Test
  void shouldBoundTheBytesOfAllSessionsTogetherAndGiveThemBackWhenASessionGoes() {
    LocalSessionStore store = new LocalSessionStore(SessionOptions.DEFAULTS, 1_000, System::currentTimeMillis);
    store.open("a").setVariable("v", "x".repeat(600));
    assertThatThrownBy(() -> store.open("b").setVariable("v", "y".repeat(600)))
      .isInstanceOf(SessionLimitExceeded.class).hasMessageContaining("session.total.mb (1000 bytes");
    assertThat(store.open("b").variable("v")).isNull();
    store.open("a").setVariable("v", "x".repeat(300)); // shrinking gives bytes back
    store.open("b").setVariable("v", "y".repeat(300));
    store.forget("a");
    store.open("c").setVariable("v", "z".repeat(500));
    assertThat(store.heldBytes()).isLessThanOrEqualTo(1_000).isGreaterThan(900);
  }

  @Test
  void shouldKeepASessionIdleExactlyTheIdleTimeAndGiveBackTheBytesOfOneThatGoes() {
    AtomicLong now = new AtomicLong(1_000);
    LocalSessionStore store = new LocalSessionStore(60_000, 20, now::get);
    store.open("edge");
    store.open("gone").setVariable("name", "Ada");
    now.set(30_000);
    assertThat(store.open("edge").lastActivity()).as("opening counts as activity").isEqualTo(30_000);
    assertThat(store.heldBytes()).isPositive();
    now.set(90_000);
    assertThat(store.expireIdle()).isEqualTo(1);
    assertThat(store.find("edge")).as("idle exactly session.idle, not past it").isPresent();
    assertThat(store.heldBytes()).isZero();
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void shouldForgetAndResetOnlyWhatExistsAndGiveBackItsBytes() {
    LocalSessionStore store = new LocalSessionStore(new SessionOptions(10, 10_000, 20, 60_000), 5_000,
      System::currentTimeMillis);
    assertThat(store.maxTotalBytes()).isEqualTo(5_000);
    assertThat(store.options().maxSessions()).isEqualTo(10);
    store.beginCall("a", 20_000).result().setVariable("name", "Ada");
    assertThat(store.heldBytes()).isPositive();
    assertThat(store.forget("a")).isTrue();
    assertThat(store.forget("a")).isFalse();
    assertThat(store.heldBytes()).isZero();
    store.open("b");
    assertThat(store.reset("b").result()).isTrue();
    assertThat(store.reset("b").result()).isFalse();
    assertThat(store.size()).isZero();
    assertThat(LocalSessionStore.defaultTotalBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
  }

  @Test
  void shouldListASessionOnceInAWalkEvenWhenTheClockStepsBack() {
    // activity is wall-clock time, and two touches of one session may come from two threads: a touch that read the
    // clock earlier (or after it was stepped back) moved the session behind a page that had shown it already
    AtomicLong now = new AtomicLong(2_000);
    LocalSessionStore store = new LocalSessionStore(60_000, 20, now::get);
    store.open("shown");
    now.set(1_500);
    store.open("older");
    SessionStore.Page first = store.list(null, 1);
    assertThat(first.rows()).extracting(row -> row.session().id()).containsExactly("shown");

    now.set(1_000);
    store.turn("shown", true, session -> io.vertx.core.Future.succeededFuture()).result();
    SessionStore.Page second = store.list(first.next(), 10);

    assertThat(second.rows()).extracting(row -> row.session().id()).containsExactly("older");
    assertThat(store.find("shown").orElseThrow().lastActivity()).isEqualTo(2_000);
  }

  @Test
  void shouldPageExactlyTheLimitAmongEqualActivitiesByIdAndSayWhenNothingIsLeft() {
    LocalSessionStore store = new LocalSessionStore(60_000, 20, () -> 5);
    for (int i = 19; i >= 0; i--) {
      store.open(String.format("s%02d", i));
    }
    SessionStore.Page first = store.page(null, 3).result();
    assertThat(first.rows()).extracting(row -> row.session().id()).containsExactly("s00", "s01", "s02");
    assertThat(first.next()).isNotNull();
    assertThat(store.list(null, 20).rows()).hasSize(20);
    assertThat(store.list(null, 20).next()).as("20 sessions fit a page of 20").isNull();
    assertThat(store.list(null, 19).next()).isNotNull();
  }
}
