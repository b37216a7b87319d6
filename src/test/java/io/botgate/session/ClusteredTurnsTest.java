package io.botgate.session;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.botgate.GatewayError;
import io.botgate.cluster.ClusterNode;
import io.botgate.cluster.ClusterNodes;
import io.botgate.cluster.ClusterOptions;
import io.botgate.cluster.StalledPartition;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Turns of sessions in a cluster, against the store on a real Hazelcast member, with another member beside it. */
@Timeout(120)
class ClusteredTurnsTest {

  private static final EventNumbering NONE = new EventNumbering() {
    @Override
    public long lastSeq(String session) {
      return 0;
    }

    @Override
    public void continueFrom(String session, long seq) {
    }
  };

  static Vertx vertx;
  static HazelcastInstance hazelcast;
  /** Another member of the cluster, whose turns the store's member waits for. */
  static Vertx other;

  @BeforeAll
  static void join() {
    String name = "turns-" + UUID.randomUUID();
    List<Integer> ports = List.of(ClusterNodes.freePort(), ClusterNodes.freePort());
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    vertx = result(ClusterNode.start(new VertxOptions(), new ClusterOptions(true, name, "127.0.0.1", ports.get(0),
      members, 1, ClusterOptions.DEFAULT_TURN_WAIT_SECONDS), 3_600_000L, "turns"));
    other = result(ClusterNode.start(new VertxOptions(), new ClusterOptions(true, name, "127.0.0.1", ports.get(1),
      members, 1, ClusterOptions.DEFAULT_TURN_WAIT_SECONDS), 3_600_000L, "other"));
    hazelcast = ClusterNode.hazelcast(vertx);
  }

  /** A store on the node of {@code on} (this test's Vert.x or the other's) whose turns wait at most {@code turnWaitMs}. */
  private static ClusteredSessionStore store(Vertx on, SessionOptions options, long turnWaitMs) {
    return new ClusteredSessionStore(on, ClusterNode.hazelcast(on), options, 1 << 20, NONE, System::currentTimeMillis,
      turnWaitMs);
  }

  @AfterAll
  static void leave() {
    result(Future.all(vertx.close(), other.close()));
  }

  /**
   * A turn waiting for one another member holds tries again and again: thousands of tries must end in one answer.
   * Futures composed onto each other, one a try, overflowed the stack when the last one failed.
   */
  @Test
  void shouldAnswerSessionBusyAfterThousandsOfTriesAndServeTheTurnOnceTheOtherEnds() {
    // a pause of at most 1 ms between tries: over 5 s, thousands of them (the default, 50 ms, makes 100)
    ClusteredSessionStore store = new ClusteredSessionStore(vertx, hazelcast, new SessionOptions(100, 10_000, 2, 60_000),
      1 << 20, NONE, System::currentTimeMillis, 5_000, 1);
    try {
      result(store.turn("held", session -> Future.succeededFuture()));
      IMap<String, byte[]> map = hazelcast.getMap(ClusteredSessionStore.MAP);
      UUID holder = ClusterNode.hazelcast(other).getCluster().getLocalMember().getUuid();
      map.set("held", Session.withTurn(map.get("held"), holder));

      Throwable busy = failure(store.turn("held", session -> Future.succeededFuture()));
      assertThat(busy).isInstanceOf(GatewayError.class).hasMessageContaining("stayed busy");
      assertThat(((GatewayError) busy).httpStatus()).isEqualTo(503);

      map.set("held", Session.withTurn(map.get("held"), null));
      String served = result(store.<String>turn("held", session -> Future.succeededFuture(session.id())));
      assertThat(served).isEqualTo("held");
    } finally {
      result(store.close());
    }
  }

  @Test
  void shouldResetASessionThatDoesNotExistWithoutCreatingItEvenWhenTheClusterIsFull() {
    // From an empty map: the store counts it when it starts (and each second), and a session another test of
    // this class left there would fill the cluster of one before "only" is made (whether it does is a race).
    hazelcast.getMap(ClusteredSessionStore.MAP).clear();
    ClusteredSessionStore store = store(vertx, new SessionOptions(1, 10_000, 2, 60_000), 5_000);
    try {
      result(store.turn("only", session -> Future.succeededFuture()));
      assertThat(result(store.reset("never-seen"))).as("there was none").isFalse();
      assertThat(store.refused()).as("nothing was refused").isZero();
      assertThat(hazelcast.getMap(ClusteredSessionStore.MAP).containsKey("never-seen")).isFalse();
      assertThat(result(store.reset("only"))).isTrue();
      assertThat(hazelcast.getMap(ClusteredSessionStore.MAP).containsKey("only")).isFalse();
    } finally {
      result(store.close());
    }
  }
  /**
   * A turn longer than the idle time: the map forgets the session while the turn runs (done here as the map's
   * expiry does it, by removing the entry), and another node makes a new one of that id. The turn's work went into
   * the life that is gone: it is answered not saved, and the new session keeps only what its own turns wrote.
   */
  @Test
  void shouldNotSaveATurnIntoTheSessionMadeAfterItsOwnExpiredWhileItRan() {
    SessionOptions options = new SessionOptions(100, 10_000, 2, 60_000);
    ClusteredSessionStore here = store(vertx, options, 5_000);
    ClusteredSessionStore there = store(other, options, 5_000);
    IMap<String, byte[]> map = hazelcast.getMap(ClusteredSessionStore.MAP);
    String id = "expired-" + UUID.randomUUID();
    try {
      Promise<Void> call = Promise.promise();
      Future<Void> longTurn = here.turn(id, session -> {
        session.setVariable("a", "written into the life that expired");
        return call.future();
      });
      await().atMost(60, TimeUnit.SECONDS).until(() -> map.get(id) != null && Session.turnOpen(map.get(id)));
      map.delete(id);
      result(there.turn(id, session -> {
        session.setVariable("b", "the new life");
        return Future.succeededFuture();
      }));
      call.complete();

      Throwable notSaved = failure(longTurn);
      assertThat(notSaved).isInstanceOf(GatewayError.class).hasMessageContaining("or it expired")
        .hasMessageContaining("another request made a new session of that id");
      assertThat(((GatewayError) notSaved).code()).isEqualTo("session_not_saved");
      Session kept = Session.fromState(id, options, new HeldTotal(Long.MAX_VALUE), map.get(id));
      assertThat(kept.variable("b")).isEqualTo("the new life");
      assertThat(kept.variable("a")).isNull();
      assertThat(Session.turnOpen(map.get(id))).as("no turn left holding it").isFalse();
    } finally {
      result(Future.all(here.close(), there.close()));
    }
  }

  /**
   * A pass-through call begins in a session, which is deleted while the call runs and made again by another node:
   * the call's outcome does not go into the new one, and no session is made for it when none is there.
   */
  @Test
  void shouldRecordACallOnlyInTheLifeOfTheSessionItBeganIn() {
    SessionOptions options = new SessionOptions(100, 10_000, 2, 60_000);
    ClusteredSessionStore here = store(vertx, options, 5_000);
    ClusteredSessionStore there = store(other, options, 5_000);
    IMap<String, byte[]> map = hazelcast.getMap(ClusteredSessionStore.MAP);
    String id = "called-" + UUID.randomUUID();
    try {
      Session began = result(here.beginCall(id, 60_000));
      assertThat(map.containsKey(id)).as("made for the call").isTrue();
      assertThat(result(here.<String>recordingTurn(began, session -> {
        session.setVariable("first", "recorded");
        return Future.succeededFuture("recorded");
      }))).isEqualTo("recorded");

      Session second = result(here.beginCall(id, 60_000));
      assertThat(result(there.reset(id))).isTrue();
      result(there.turn(id, session -> {
        session.setVariable("b", "made after the delete");
        return Future.succeededFuture();
      }));
      assertThat(failure(here.<Void>recordingTurn(second, session -> {
        session.setVariable("late", "from before the delete");
        return Future.succeededFuture();
      }))).isInstanceOf(SessionGone.class);
      Session kept = Session.fromState(id, options, new HeldTotal(Long.MAX_VALUE), map.get(id));
      assertThat(kept.variable("b")).isEqualTo("made after the delete");
      assertThat(kept.variable("late")).isNull();
      assertThat(kept.variable("first")).isNull();

      Session third = result(here.beginCall(id, 60_000));
      assertThat(result(there.reset(id))).isTrue();
      assertThat(failure(here.<Void>recordingTurn(third, session -> Future.succeededFuture()))).isInstanceOf(SessionGone.class);
      assertThat(map.containsKey(id)).as("none made to record it in").isFalse();
    } finally {
      result(Future.all(here.close(), there.close()));
    }
  }

  /**
   * The operation opening a pass-through call's session does not answer (its key locked by another member: the
   * operation waits, as one on a partition no member serves would): the call is told so at its deadline rather than
   * left waiting. Answered late, the operation has made the session, which is taken away again: the call was told
   * nothing was done, and an empty session would count toward session.max until idle.
   */
  @Test
  void shouldAnswerSessionStoreTimeoutWhenTheClusterDoesNotOpenACallsSessionWithinItsDeadlineAndLeaveNoSession() {
    ClusteredSessionStore here = store(vertx, new SessionOptions(100, 10_000, 2, 60_000), 5_000);
    IMap<String, byte[]> elsewhere = ClusterNode.hazelcast(other).getMap(ClusteredSessionStore.MAP);
    String id = "stalled-" + UUID.randomUUID();
    Changes changes = Changes.of(hazelcast.getMap(ClusteredSessionStore.MAP), id);
    try {
      elsewhere.lock(id);
      Throwable stalled;
      try {
        stalled = failure(here.beginCall(id, 200));
      } finally {
        elsewhere.unlock(id);
      }
      assertThat(stalled).isInstanceOf(GatewayError.class).hasMessageContaining("within the call's deadline of 200 ms");
      assertThat(((GatewayError) stalled).httpStatus()).isEqualTo(503);
      assertThat(((GatewayError) stalled).code()).isEqualTo("session_store_timeout");

      await().atMost(60, TimeUnit.SECONDS).until(() -> changes.seen().contains("removed"));
      assertThat(changes.seen()).as("made by the late answer, then taken away").containsExactly("added", "removed");
      Session retried = result(here.beginCall(id, 60_000));
      assertThat(retried.incarnation()).as("the call tried again makes its own").isNotZero();
      assertThat(here.refused()).as("nothing refused for session.max").isZero();
    } finally {
      changes.close();
      result(here.close());
    }
  }

  /** What happens to one session's entry, as the map's listeners are told. */
  private record Changes(IMap<String, byte[]> map, UUID listener, List<String> seen) implements AutoCloseable {
    static Changes of(IMap<String, byte[]> map, String id) {
      List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      UUID listener = map.addEntryListener((com.hazelcast.map.listener.EntryAddedListener<String, byte[]>) e ->
        seen.add("added"), id, false);
      map.addEntryListener((com.hazelcast.map.listener.EntryRemovedListener<String, byte[]>) e -> seen.add("removed"),
        id, false);
      return new Changes(map, listener, seen);
    }

    @Override
    public void close() {
      map.removeEntryListener(listener);
    }
  }

  /**
   * A turn of a session that does not exist yet whose first operation answers only after the turn wait: the request is
   * told so, its work not run, and the session that operation made late for no one is taken away again.
   */
  @Test
  void shouldTakeAwayTheSessionATurnsLateOperationMadeForNoOne() {
    ClusteredSessionStore here = store(vertx, new SessionOptions(100, 10_000, 2, 60_000), 1_000);
    IMap<String, byte[]> elsewhere = ClusterNode.hazelcast(other).getMap(ClusteredSessionStore.MAP);
    String id = "made-late-" + UUID.randomUUID();
    Changes changes = Changes.of(hazelcast.getMap(ClusteredSessionStore.MAP), id);
    try {
      AtomicBoolean ran = new AtomicBoolean();
      elsewhere.lock(id);
      Throwable stalled;
      try {
        stalled = failure(here.turn(id, session -> {
          ran.set(true);
          return Future.succeededFuture();
        }));
      } finally {
        elsewhere.unlock(id);
      }
      assertThat(((GatewayError) stalled).code()).isEqualTo("session_store_timeout");
      assertThat(ran).isFalse();
      await().atMost(60, TimeUnit.SECONDS).until(() -> changes.seen().contains("removed"));
      assertThat(changes.seen()).containsExactly("added", "removed");
    } finally {
      changes.close();
      result(here.close());
    }
  }

  /**
   * The session's partition stalls while a turn's work runs, so the turn's write-back is not answered in time: the
   * request is told so, and the node's next turn of the session, sent while the write is still unanswered, is not
   * taken at all (its work not run) rather than overtake it. Once the partition serves, the late write lands whole and
   * ends the turn: the other node's turns go on from it, and this node's read it.
   */
  @Test
  void shouldAnswerATurnWhoseWriteBackStallsAndSendNothingOfTheSessionBeforeTheWriteHasAnswered() {
    SessionOptions options = new SessionOptions(100, 10_000, 2, 60_000);
    ClusteredSessionStore here = store(vertx, options, 2_000);
    ClusteredSessionStore there = store(other, options, 30_000);
    IMap<String, byte[]> map = hazelcast.getMap(ClusteredSessionStore.MAP);
    IMap<String, byte[]> elsewhere = ClusterNode.hazelcast(other).getMap(ClusteredSessionStore.MAP);
    String id = "stalled-save-" + UUID.randomUUID();
    try {
      result(here.turn(id, session -> Future.succeededFuture()));
      Throwable stalled;
      AtomicBoolean ranNext = new AtomicBoolean();
      Throwable next;
      try {
        stalled = failure(here.turn(id, session -> {
          session.setVariable("written", "late");
          elsewhere.lock(id); // from here on the session's operations wait, the write-back first
          return Future.succeededFuture();
        }));
        next = failure(here.turn(id, session -> {
          ranNext.set(true);
          return Future.succeededFuture();
        }));
      } finally {
        elsewhere.forceUnlock(id); // taken on the event loop's thread, which owns it
      }
      assertThat(((GatewayError) stalled).code()).isEqualTo("session_store_timeout");
      assertThat(stalled).hasMessageContaining("written back");
      assertThat(((GatewayError) next).code()).isEqualTo("session_store_timeout");
      assertThat(ranNext).as("no turn taken while the write-back was unanswered").isFalse();

      assertThat(result(there.<Object>turn(id, session -> Future.succeededFuture(session.variable("written")))))
        .as("the late write, whole").isEqualTo("late");
      assertThat(result(here.<Object>turn(id, session -> Future.succeededFuture(session.variable("written")))))
        .isEqualTo("late");
      assertThat(Session.turnOpen(map.get(id))).as("no turn left holding it").isFalse();
    } finally {
      result(Future.all(here.close(), there.close()));
    }
  }

  /**
   * A turn's first operation does not answer (the session's key locked by another member, as above): the request is
   * told so once the turn has waited cluster.turnWaitSeconds, its work not run. The turn the operation then takes,
   * late, for no one is let go, so the session's turns on another node go on, and nothing of it is lost.
   */
  @Test
  void shouldAnswerSessionStoreTimeoutWhenATurnsOperationOutlastsTheTurnWaitAndLetTheTurnTakenLateGo() {
    SessionOptions options = new SessionOptions(100, 10_000, 2, 60_000);
    // 3 s: the stalled turn waits it whole, and the ordinary turns of this store have it to spare on a loaded machine
    ClusteredSessionStore here = store(vertx, options, 3_000);
    ClusteredSessionStore there = store(other, options, 10_000);
    IMap<String, byte[]> map = hazelcast.getMap(ClusteredSessionStore.MAP);
    IMap<String, byte[]> elsewhere = ClusterNode.hazelcast(other).getMap(ClusteredSessionStore.MAP);
    String id = "stalled-turn-" + UUID.randomUUID();
    try {
      result(here.turn(id, session -> {
        session.setVariable("here", "before");
        return Future.succeededFuture();
      }));
      AtomicBoolean ran = new AtomicBoolean();
      elsewhere.lock(id);
      Throwable stalled;
      try {
        stalled = failure(here.turn(id, session -> {
          ran.set(true);
          return Future.succeededFuture();
        }));
      } finally {
        elsewhere.unlock(id); // the operation waiting runs now, before any sent after this
      }
      assertThat(stalled).isInstanceOf(GatewayError.class).hasMessageContaining("cluster.turnWaitSeconds");
      assertThat(((GatewayError) stalled).httpStatus()).isEqualTo(503);
      assertThat(((GatewayError) stalled).code()).isEqualTo("session_store_timeout");
      assertThat(ran).as("the work of a turn not had").isFalse();

      result(there.turn(id, session -> {
        session.setVariable("there", "after");
        return Future.succeededFuture();
      }));
      Session kept = Session.fromState(id, options, new HeldTotal(Long.MAX_VALUE), map.get(id));
      assertThat(kept.variable("here")).isEqualTo("before");
      assertThat(kept.variable("there")).isEqualTo("after");
      assertThat(result(here.<Object>turn(id, session -> Future.succeededFuture(session.variable("there")))))
        .isEqualTo("after");
    } finally {
      result(Future.all(here.close(), there.close()));
    }
  }

  /**
   * The session's partition stalls (the member serving it hangs) while several requests of it queue on this node:
   * each is answered 503 session_store_timeout once cluster.turnWaitSeconds has passed since it arrived, its work not
   * run, rather than after its place in line times the wait. The last in line is answered before a read of the
   * session sent only once the first had its answer (which waits the turn wait on its own): queued, it waited about
   * one turn wait, not five.
   */
  @Test
  void shouldAnswerEveryRequestQueuedBehindAStalledOneWithinTheTurnWaitFromItsArrival() {
    SessionOptions options = new SessionOptions(100, 10_000, 2, 60_000, 10);
    ClusteredSessionStore here = store(vertx, options, 2_000);
    String id = "queued-" + UUID.randomUUID();
    try {
      result(here.turn(id, session -> Future.succeededFuture()));
      AtomicInteger ran = new AtomicInteger();
      List<Future<Void>> queued = new java.util.ArrayList<>();
      Future<JsonObject> read;
      try (StalledPartition stall = StalledPartition.of(other, id)) {
        for (int i = 0; i < 5; i++) {
          queued.add(here.turn(id, session -> {
            ran.incrementAndGet();
            return Future.succeededFuture();
          }));
        }
        Throwable first = failure(queued.get(0));
        read = here.describe(id);
        assertThat(((GatewayError) failure(read)).code()).isEqualTo("session_store_timeout");
        assertThat(queued.get(queued.size() - 1).isComplete())
          .as("the last in line answered within the turn wait from its arrival, before the later read").isTrue();
        assertThat(((GatewayError) first).code()).isEqualTo("session_store_timeout");
        for (Future<Void> request : queued) {
          Throwable timedOut = failure(request);
          assertThat(((GatewayError) timedOut).code()).as(timedOut.getMessage()).isEqualTo("session_store_timeout");
          assertThat(timedOut).hasMessageContaining("cluster.turnWaitSeconds");
        }
      }
      assertThat(ran).as("no queued request's work ran").hasValue(0);
      assertThat(result(here.<String>turn(id, session -> Future.succeededFuture(session.id())))).isEqualTo(id);
    } finally {
      result(here.close());
    }
  }

  /**
   * A node leaving gives up the leases it holds; when the partition of a leased session stalls, its close still ends
   * (it does not keep the process from exiting), and the lease it could not give up in time ends once the partition
   * serves again: another node then takes the session's turn with nothing of it lost.
   */
  @Test
  void shouldCloseWhileTheClusterDoesNotAnswerTheEndOfALeaseAndLetOtherNodesTakeTheSessionAfterwards() {
    SessionOptions options = new SessionOptions(100, 10_000, 2, 60_000);
    ClusteredSessionStore here = store(vertx, options, 2_000);
    ClusteredSessionStore there = store(other, options, 30_000);
    IMap<String, byte[]> map = hazelcast.getMap(ClusteredSessionStore.MAP);
    String id = "leased-" + UUID.randomUUID();
    try {
      for (int i = 0; i <= ClusteredSessionStore.LEASE_AFTER; i++) { // enough turns in a row to keep the lease
        int n = i;
        result(here.turn(id, session -> {
          session.setVariable("n", n);
          return Future.succeededFuture();
        }));
      }
      assertThat(Session.leased(map.get(id))).as("leased by this node").isTrue();
      try (StalledPartition stall = StalledPartition.of(other, id)) {
        result(here.close());
      }
      assertThat(result(there.<Object>turn(id, session -> Future.succeededFuture(session.variable("n")))))
        .isEqualTo(ClusteredSessionStore.LEASE_AFTER);
    } finally {
      result(Future.all(here.close(), there.close()));
    }
  }

  /**
   * What only a session with events shows (a refused request) takes no turn of a session without: one read on the
   * member holding it, the state left as it was (a turn would have saved it again), the work not run; nor of a session
   * that does not exist. One with events, numbered on another node, has its turn.
   */
  @Test
  void shouldTakeNoTurnOfASessionWithoutEventsForWhatOnlyOneWithEventsShows() {
    SessionOptions options = new SessionOptions(100, 10_000, 2, 60_000);
    ClusteredSessionStore here = store(vertx, options, 5_000);
    String quiet = "quiet-" + UUID.randomUUID();
    String talking = "talking-" + UUID.randomUUID();
    EventNumbering numbered = new EventNumbering() { // the events another node numbered in its turn
      @Override
      public long lastSeq(String session) {
        return session.equals(talking) ? 5 : 0;
      }

      @Override
      public void continueFrom(String session, long seq) {
      }
    };
    ClusteredSessionStore there = new ClusteredSessionStore(other, ClusterNode.hazelcast(other), options, 1 << 20,
      numbered, System::currentTimeMillis, 5_000);
    IMap<String, byte[]> map = hazelcast.getMap(ClusteredSessionStore.MAP);
    try {
      result(there.turn(quiet, session -> Future.succeededFuture()));
      result(there.turn(talking, session -> Future.succeededFuture()));
      byte[] before = map.get(quiet);
      AtomicBoolean ran = new AtomicBoolean();

      assertThat(result(here.<String>turnIfEvents(quiet, session -> {
        ran.set(true);
        return Future.succeededFuture("shown");
      }))).isNull();
      String absent = "absent-" + UUID.randomUUID();
      assertThat(result(here.<String>turnIfEvents(absent, session -> {
        ran.set(true);
        return Future.succeededFuture("shown");
      }))).isNull();
      assertThat(ran).as("no work without events").isFalse();
      assertThat(map.get(quiet)).as("no turn taken: the state as it was").isEqualTo(before);
      assertThat(map.containsKey(absent)).isFalse();

      assertThat(result(here.<String>turnIfEvents(talking, session -> Future.succeededFuture("shown"))))
        .isEqualTo("shown");
    } finally {
      result(Future.all(here.close(), there.close()));
    }
  }
}
