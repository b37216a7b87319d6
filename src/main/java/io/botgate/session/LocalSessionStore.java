package io.botgate.session;

import io.botgate.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * All sessions in this JVM (one node, the default), created on first use and forgotten after an idle
 * time (CB's session length, one hour, by default). At most {@code session.max} live at once: a new session past the cap
 * is refused (503 {@code sessions_full}) rather than evicting another, because evicting would let one
 * caller wipe the state of conversations it does not own; idle sessions expire and free their places.
 */
public final class LocalSessionStore implements SessionStore {

  /** Newest activity first, then by id: the order of the session list. */
  private static final Comparator<Listed> NEWEST_FIRST = Comparator.comparingLong(Listed::lastActivity).reversed()
    .thenComparing(l -> l.session().id());

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicInteger live = new AtomicInteger();
  private final LongAdder refused = new LongAdder();
  private final SessionOptions options;
  private final HeldTotal total;
  private final LongSupplier clock;
  private final Turns turns;

  /** A store whose sessions together may hold a quarter of the heap (the default {@code session.total.mb}). */
  public LocalSessionStore(SessionOptions options, LongSupplier clock) {
    this(options, defaultTotalBytes(), clock);
  }

  /** @param totalBytes bytes the variables of all sessions may hold together ({@code session.total.mb}) */
  public LocalSessionStore(SessionOptions options, long totalBytes, LongSupplier clock) {
    this.options = options;
    this.total = new HeldTotal(totalBytes);
    this.clock = clock;
    this.turns = new Turns(options.maxWaiting());
  }

  /** A quarter of the heap: what {@code session.total.mb} 0 (the default) stands for. */
  public static long defaultTotalBytes() {
    return Runtime.getRuntime().maxMemory() / 4;
  }

  @Override
  public <T> Future<T> turnIfPresent(String id, Function<Session, Future<T>> work) {
    return turns.next(id, () -> {
      Session session = sessions.get(id);
      return session == null ? Future.succeededFuture()
        : work.apply(session).andThen(done -> session.touch(clock.getAsLong()));
    });
  }

  /** Events are this node's own here: the work sees them ({@code DebugStream#lastSeq}); a session is all it needs. */
  @Override
  public <T> Future<T> turnIfEvents(String id, Function<Session, Future<T>> work) {
    if (!sessions.containsKey(id)) {
      return Future.succeededFuture();
    }
    return turns.aside(id, () -> {
      Session session = sessions.get(id);
      return session == null ? Future.succeededFuture()
        : work.apply(session).andThen(done -> session.touch(clock.getAsLong()));
    });
  }

  /** The session's turns running or waiting (for tests). */
  int turnsOf(String id) {
    return turns.turnsOf(id);
  }

  @Override
  public <T> Future<T> turn(String id, boolean bounded, Supplier<? extends Future<?>> leave, Function<Session, Future<T>> work) {
    return turns.next(id, bounded, leave, () -> {
      Session session = open(id);
      // The end of a turn is activity too: idle time counts from when the conversation last had an answer.
      return work.apply(session).andThen(done -> session.touch(clock.getAsLong()));
    });
  }

  @Override
  public <T> Future<T> recordingTurn(Session began, Function<Session, Future<T>> work) {
    String id = began.id();
    return turns.next(id, false, () -> {
      if (sessions.get(id) != began) { // deleted or expired since the call began; perhaps made again since
        return Future.failedFuture(new SessionGone(id));
      }
      began.touch(clock.getAsLong());
      return work.apply(began).andThen(done -> began.touch(clock.getAsLong()));
    });
  }

  /**
   * As {@link #open}, in one step of the map with the sweep's removal of an idle session ({@link #expireIdle}): the
   * call runs outside the session's turns, which are all the sweep waits for, so between a look-up and a touch it
   * could remove the session the call then began in.
   */
  @Override
  public Future<Session> beginCall(String id, long waitMillis) { // answered at once: nothing to wait for
    long now = clock.getAsLong();
    try {
      return Future.succeededFuture(sessions.compute(id, (key, live) -> {
        Session began = live != null ? live : counted(id, now);
        began.touch(now);
        return began;
      }));
    } catch (GatewayError full) {
      return Future.failedFuture(full);
    }
  }

  @Override
  public Future<JsonObject> describe(String id) {
    return Future.succeededFuture(find(id).map(Session::toJson).orElse(null));
  }

  @Override
  public Future<Boolean> reset(String id) {
    return turns.next(id, false, () -> Future.succeededFuture(forget(id))); // past session.queue too: the way out
  }

  @Override
  public Future<Page> page(SessionCursor after, int limit) {
    return Future.succeededFuture(list(after, limit));
  }

  /** Bytes the variables of all sessions hold together, and the most they may. */
  @Override
  public long heldBytes() {
    return total.held();
  }

  @Override
  public long maxTotalBytes() {
    return total.max();
  }

  /** A store with the default bounds but this idle time and history size. */
  public LocalSessionStore(long idleMillis, int historySize, LongSupplier clock) {
    this(new SessionOptions(SessionOptions.DEFAULT_MAX_SESSIONS, SessionOptions.DEFAULT_MAX_BYTES, historySize,
      idleMillis), clock);
  }

  @Override
  public SessionOptions options() {
    return options;
  }

  /**
   * The session with this id, created when it does not exist yet; either way it counts as activity.
   *
   * @throws GatewayError 503 {@code sessions_full} when it would be one more than {@code session.max}
   */
  public Session open(String id) {
    long now = clock.getAsLong();
    Session session = sessions.get(id);
    if (session == null) {
      session = create(id, now);
    }
    session.touch(now);
    return session;
  }

  private Session create(String id, long now) {
    Session fresh = counted(id, now);
    Session existing = sessions.putIfAbsent(id, fresh);
    if (existing != null) {
      live.decrementAndGet();
      return existing;
    }
    return fresh;
  }

  /** A new session, counted among the live ones; refused past {@code session.max}. */
  private Session counted(String id, long now) {
    if (live.incrementAndGet() > options.maxSessions()) {
      live.decrementAndGet();
      refused.increment();
      throw new GatewayError(503, "sessions_full", "this gateway already holds " + options.maxSessions()
        + " live sessions (session.max); a new session can start when idle ones expire or are deleted");
    }
    return new Session(id, options, total, now);
  }

  public Optional<Session> find(String id) {
    return Optional.ofNullable(sessions.get(id));
  }

  /** Forgets the session at once, whatever turn it is in; true when there was one. */
  public boolean forget(String id) {
    Session gone = sessions.remove(id);
    if (gone != null) {
      live.decrementAndGet();
      gone.discard();
      return true;
    }
    return false;
  }

  /**
   * Drops sessions idle for longer than the idle time, but none with a turn running or waiting (a call under a
   * long deadline: what it writes at its end would go to a session no one can read); returns how many went.
   * Whether it is idle is decided again in the step that removes it: a whole turn may have run between the first
   * look and that step, and its writes would go with the session.
   */
  @Override
  public int expireIdle() {
    long cutoff = clock.getAsLong() - options.idleMillis();
    int gone = 0;
    for (Session s : sessions.values()) {
      if (s.lastActivity() < cutoff && turns.ifIdle(s.id(), () -> removeIfIdle(s, cutoff))) {
        live.decrementAndGet();
        s.discard();
        gone++;
      }
    }
    return gone;
  }

  /** Removes {@code s} if it is still idle since before {@code cutoff}, in one step with a call beginning in it. */
  private boolean removeIfIdle(Session s, long cutoff) {
    boolean[] removed = {false};
    sessions.computeIfPresent(s.id(), (id, live) -> {
      removed[0] = live == s && s.lastActivity() < cutoff;
      return removed[0] ? null : live;
    });
    return removed[0];
  }

  /** Live sessions now. */
  @Override
  public int size() {
    return live.get();
  }

  /** New sessions refused because {@code session.max} were live. */
  @Override
  public long refused() {
    return refused.sum();
  }

  /**
   * Up to {@code limit} sessions after the cursor (from the start when null), newest activity first.
   * One pass over the sessions keeping the best {@code limit} in a heap: O(n log limit) time and
   * O(limit) memory, whatever the number of sessions.
   */
  public Page list(SessionCursor after, int limit) {
    PriorityQueue<Listed> best = new PriorityQueue<>(limit + 1, NEWEST_FIRST.reversed());
    int candidates = 0;
    for (Session s : sessions.values()) {
      long activity = s.lastActivity();
      if (after != null && !after.isBefore(activity, s.id())) {
        continue;
      }
      candidates++;
      if (best.size() < limit) {
        best.add(new Listed(s, activity));
      } else if (isNewer(activity, s.id(), best.peek())) {
        best.poll();
        best.add(new Listed(s, activity));
      }
    }
    List<Listed> rows = new ArrayList<>(best);
    rows.sort(NEWEST_FIRST);
    SessionCursor next = candidates > limit ? rows.get(rows.size() - 1).cursor() : null;
    return new Page(rows, next, size());
  }

  private static boolean isNewer(long activity, String id, Listed than) {
    return activity > than.lastActivity() || (activity == than.lastActivity() && id.compareTo(than.session().id()) < 0);
  }
}
