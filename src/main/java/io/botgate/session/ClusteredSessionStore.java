package io.botgate.session;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.projection.Projection;
import io.botgate.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;

import java.io.Serial;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Sessions in the cluster's map {@value #MAP} (Hazelcast, with backups on other nodes, idle ones expired by
 * the map), so any node serves any session and a dead node loses none. A turn runs one at a time per
 * session across the cluster: on this node behind the session's earlier turns ({@link Turns}), then under
 * the session's cluster-wide lock (Vert.x's clustered lock, freed by Hazelcast if its holder dies); it
 * reads the session, runs, writes it back whole and only then lets the next turn in. So two nodes changing
 * one session at once lose nothing, and the session's event numbering continues from node to node.
 */
public final class ClusteredSessionStore implements SessionStore {

  /** The map holding every session, by id: {@link Session#toState()}. */
  public static final String MAP = "botgate.sessions";
  private static final String LOCK_PREFIX = "botgate.session.";
  /** How long a turn waits for another node's turn of the same session before giving up. */
  static final long LOCK_WAIT_MILLIS = 120_000;

  private final Vertx vertx;
  private final IMap<String, byte[]> map;
  private final SessionOptions options;
  private final HeldTotal total;
  private final EventNumbering numbering;
  private final LongSupplier clock;
  private final Turns turns;
  private final AtomicInteger counted = new AtomicInteger();
  private final LongAdder refused = new LongAdder();
  private final long countTimer;

  public ClusteredSessionStore(Vertx vertx, HazelcastInstance hazelcast, SessionOptions options, long totalBytes,
                               EventNumbering numbering, LongSupplier clock) {
    this.vertx = vertx;
    this.map = hazelcast.getMap(MAP);
    this.options = options;
    this.total = new HeldTotal(totalBytes);
    this.numbering = numbering;
    this.clock = clock;
    this.turns = new Turns(options.maxWaiting());
    // Counting a distributed map asks every partition: once a second, not per new session.
    this.countTimer = vertx.setPeriodic(0, 1000, id -> vertx.executeBlocking(map::size, false)
      .onSuccess(counted::set));
  }

  @Override
  public SessionOptions options() {
    return options;
  }

  @Override
  public <T> Future<T> turn(String id, Function<Session, Future<T>> work) {
    return turns.next(id, () -> locked(id, () -> load(id).compose(session -> {
      numbering.continueFrom(id, session.lastSeq());
      Future<T> done;
      try {
        done = work.apply(session);
      } catch (RuntimeException e) {
        done = Future.failedFuture(e);
      }
      return done.transform(outcome -> {
        session.lastSeq(numbering.lastSeq(id));
        return save(session).transform(saved -> {
          session.discard();
          if (saved.failed()) {
            return Future.failedFuture(new GatewayError(503, "session_not_saved", "the cluster did not keep "
              + "session '" + id + "': " + saved.cause().getMessage()));
          }
          return outcome.succeeded() ? Future.succeededFuture(outcome.result()) : Future.failedFuture(outcome.cause());
        });
      });
    })));
  }

  /** Runs {@code body} holding the session's cluster-wide lock. */
  private <T> Future<T> locked(String id, Supplier<Future<T>> body) {
    return vertx.sharedData().getLockWithTimeout(LOCK_PREFIX + id, LOCK_WAIT_MILLIS)
      .recover(e -> Future.failedFuture(new GatewayError(503, "session_busy", "session '" + id + "' stayed busy "
        + "on another node for " + LOCK_WAIT_MILLIS / 1000 + " s: " + e.getMessage())))
      .compose(lock -> {
        Future<T> result;
        try {
          result = body.get();
        } catch (RuntimeException e) {
          result = Future.failedFuture(e);
        }
        return result.andThen(ignored -> lock.release());
      });
  }

  /**
   * Reads the session and marks it as in a turn, in one operation on the node holding it. A mark already
   * there means the last turn never saved: its node died after numbering events that consoles may have
   * seen, so this turn numbers on well past them ({@link #AFTER_LOST_TURN}) rather than reusing their seqs.
   */
  private Future<Session> load(String id) {
    long now = clock.getAsLong();
    return from(map.submitToKey(id, new BeginTurn())).compose(state -> {
      if (state == null) {
        if (counted.get() >= options.maxSessions()) {
          refused.increment();
          return Future.failedFuture(new GatewayError(503, "sessions_full", "the cluster already holds "
            + options.maxSessions() + " live sessions (session.max); a new session can start when idle ones "
            + "expire or are deleted"));
        }
        counted.incrementAndGet();
        return from(map.setAsync(id, Session.firstTurnState(now))).map(v -> new Session(id, options, total, now));
      }
      Session session = Session.fromState(id, options, total, state);
      if (Session.turnOpen(state)) {
        session.lastSeq(session.lastSeq() + AFTER_LOST_TURN);
      }
      session.touch(now);
      return Future.succeededFuture(session);
    });
  }

  /** How far the numbering jumps after a turn lost with its node: more events than any turn emits. */
  static final long AFTER_LOST_TURN = 1_000_000;

  /** Returns a session's state as it is and leaves it marked as in a turn; null, changing nothing, when none. */
  static final class BeginTurn implements EntryProcessor<String, byte[], byte[]> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] process(Map.Entry<String, byte[]> entry) {
      byte[] state = entry.getValue();
      if (state != null && !Session.turnOpen(state)) {
        entry.setValue(Session.withTurnOpen(state));
      }
      return state;
    }
  }

  private Future<Void> save(Session session) {
    return from(map.setAsync(session.id(), session.toState()));
  }

  private <T> Future<T> from(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
  }

  /** In a cluster a pass-through's URL placeholders see an empty session (documented): reading it would block. */
  @Override
  public Session peek(String id) {
    return new Session(id, options, new HeldTotal(Long.MAX_VALUE), clock.getAsLong());
  }

  @Override
  public Future<JsonObject> describe(String id) {
    return from(map.getAsync(id)).map(state -> state == null ? null
      : Session.fromState(id, options, new HeldTotal(Long.MAX_VALUE), state).toJson());
  }

  @Override
  public Future<Boolean> reset(String id) {
    return turns.next(id, () -> locked(id, () -> from(map.removeAsync(id)).map(gone -> {
      if (gone != null) {
        counted.decrementAndGet();
      }
      return gone != null;
    })));
  }

  @Override
  public Future<Page> page(SessionCursor after, int limit) {
    return vertx.executeBlocking(() -> {
      Collection<Object[]> all = map.project(new Activity());
      List<Object[]> rows = new ArrayList<>();
      for (Object[] row : all) {
        if (after == null || after.isBefore((Long) row[1], (String) row[0])) {
          rows.add(row);
        }
      }
      rows.sort(Comparator.<Object[]>comparingLong(r -> (Long) r[1]).reversed().thenComparing(r -> (String) r[0]));
      List<Object[]> shown = rows.subList(0, Math.min(limit, rows.size()));
      Map<String, byte[]> states = map.getAll(new java.util.LinkedHashSet<>(shown.stream().map(r -> (String) r[0]).toList()));
      List<Listed> listed = new ArrayList<>();
      for (Object[] row : shown) {
        byte[] state = states.get((String) row[0]);
        if (state != null) {
          listed.add(new Listed(Session.fromState((String) row[0], options, new HeldTotal(Long.MAX_VALUE), state),
            (Long) row[1]));
        }
      }
      SessionCursor next = rows.size() > limit && !listed.isEmpty() ? listed.get(listed.size() - 1).cursor() : null;
      return new Page(listed, next, all.size());
    }, false);
  }

  /** Each session's id and last activity, read on the node holding it from the first 8 bytes of its state. */
  static final class Activity implements Projection<Map.Entry<String, byte[]>, Object[]> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Object[] transform(Map.Entry<String, byte[]> entry) {
      return new Object[] {entry.getKey(), Session.activityOf(entry.getValue())};
    }
  }

  @Override
  public int size() {
    return counted.get();
  }

  @Override
  public long refused() {
    return refused.sum();
  }

  @Override
  public long heldBytes() {
    return total.held();
  }

  @Override
  public long maxTotalBytes() {
    return total.max();
  }

  /** The map expires idle sessions itself ({@code max-idle-seconds}, set from {@code session.idle.minutes}). */
  @Override
  public int expireIdle() {
    return 0;
  }

  public void close() {
    vertx.cancelTimer(countTimer);
  }
}
