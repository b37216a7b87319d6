package io.botgate.session;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.projection.Projection;
import io.botgate.Deadline;
import io.botgate.GatewayError;
import io.botgate.OnLoop;
import io.botgate.session.TurnProcessors.BeginTurn;
import io.botgate.session.TurnProcessors.Discard;
import io.botgate.session.TurnProcessors.EndTurn;
import io.botgate.session.TurnProcessors.EventsOf;
import io.botgate.session.TurnProcessors.OpenSession;
import io.botgate.session.TurnProcessors.Save;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serial;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Sessions in the cluster's map {@value #MAP} (Hazelcast, with backups on other nodes, idle ones expired by
 * the map), so any node serves any session and a dead node loses none. A turn runs one at a time per
 * session across the cluster: on this node behind the session's earlier turns ({@link Turns}), then by
 * taking the session's turn in the cluster ({@link BeginTurn}: the state records which member's turn holds
 * it, and a member that left loses it); it reads the session in that same operation, runs, writes it back
 * whole, which ends the turn. So two nodes changing one session at once lose nothing, and the session's
 * event numbering continues from node to node.
 *
 * <p>A node remembers what it saved last of each session ({@link Saved}, within half of
 * {@code session.total.mb}): each save is marked with this member and a count, and when the map still holds
 * exactly that save, {@link BeginTurn} answers "unchanged" instead of the state, which the node then neither
 * receives nor decodes (the usual case: a load balancer keeps a conversation on one node). A session changed
 * by any other node, deleted or created again carries another mark, so a stale copy is never used.
 *
 * <p>A node that has had {@link #LEASE_AFTER} turns of a session in a row keeps its lease when it saves
 * it: the state records that this member may begin its next turn without asking the cluster, so a turn
 * there costs one operation in the cluster (the save) instead of two. Another node wanting the session
 * first asks the holder to give the lease up ({@code botgate.internal.sessions.release.<member uuid>}); the
 * holder does once its turns of the session queued so far have ended, and keeps no lease of it for a
 * while. A lease of a member that left counts as a turn lost with its node.
 */
public final class ClusteredSessionStore implements SessionStore {

  private static final Logger LOG = LoggerFactory.getLogger(ClusteredSessionStore.class);

  /** The map holding every session, by id: {@link Session#toState()}. */
  public static final String MAP = "botgate.sessions";
  /** The member attribute every build of botgate gives its node: its {@code node.id}. */
  public static final String NODE_ATTRIBUTE = "botgate.node";
  /**
   * The member attribute naming the session state format a node writes ({@link Session#BINARY}). A botgate node
   * without it is of a build before this one, which reads {@link Session#BINARY_MILLIS} but not {@link Session#BINARY}.
   */
  public static final String FORMAT_ATTRIBUTE = "botgate.stateFormat";
  /** This build's value of {@link #FORMAT_ATTRIBUTE}. */
  public static final String FORMAT = String.valueOf(Session.BINARY);
  /** Where a member is asked to give up a session's lease: this, then the member's uuid; internal. */
  static final String RELEASE_PREFIX = "botgate.internal.sessions.release.";
  private static final DeliveryOptions RECALL = new DeliveryOptions().setSendTimeout(5_000);
  /** Turns in a row of one session on this node after which it keeps the session's lease between turns. */
  static final int LEASE_AFTER = 2;
  /** How long a node keeps no lease of a session another node asked it to give up. */
  static final long RECALLED_MILLIS = 60_000;
  private static final int RECALLED_KEPT = 10_000;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, byte[]> map;
  private final SessionOptions options;
  private final HeldTotal total;
  private final EventNumbering numbering;
  private final LongSupplier clock;
  private final Turns turns;
  /** The operations taking, writing back or ending a turn, sent one at a time per session (see there). */
  private final TurnOperations sent = new TurnOperations();
  /** A count of the map's sessions is under way: the next waits for it rather than hold one more worker. */
  private final AtomicBoolean counting = new AtomicBoolean();
  /** Listings still waiting for the cluster after their request was answered: while any does, none more starts. */
  private final AtomicInteger stalledListings = new AtomicInteger();
  private final AtomicInteger counted = new AtomicInteger();
  private final LongAdder refused = new LongAdder();
  /** This member's saves so far: the count marking the next one. */
  private final AtomicLong saves = new AtomicLong();
  /** What this node saved last of each session, least recently used first; guarded by itself. */
  private final LinkedHashMap<String, Saved> saved = new LinkedHashMap<>(16, 0.75f, true);
  private long savedBytes;
  private final long maxSavedBytes;
  private final long countTimer;
  /** Sessions whose lease another node asked for lately, and when; guarded by {@link #saved}. */
  private final LinkedHashMap<String, Long> recalled = new LinkedHashMap<>();
  /** Where other nodes ask this one to give up a lease: {@link #RELEASE_PREFIX} and this member's uuid. */
  private final MemberAddress<String> releases;
  private final long turnWaitMillis;
  /**
   * The partitions of the sessions' map that lost every copy (more members died at once than {@code cluster.backups}),
   * and when this node heard so: a session made there afterwards may be one that was lost.
   */
  private final Map<Integer, Long> lostPartitions = new java.util.concurrent.ConcurrentHashMap<>();
  private final UUID lostListener;
  /** The longest pause between two tries for a turn another member holds. */
  private final long retryCapMillis;

  /**
   * @param turnWaitMillis how long a turn waits for another node's turn of the same session before it answers 503
   *                       {@code session_busy} ({@code cluster.turnWaitSeconds}), and for the cluster to answer an
   *                       operation on a session (taking its turn, writing it back, deleting, reading or listing it)
   *                       before it answers 503 {@code session_store_timeout}
   */
  public ClusteredSessionStore(Vertx vertx, HazelcastInstance hazelcast, SessionOptions options, long totalBytes,
                               EventNumbering numbering, LongSupplier clock, long turnWaitMillis) {
    this(vertx, hazelcast, options, totalBytes, numbering, clock, turnWaitMillis, 50);
  }

  /** @param retryCapMillis the longest pause between two tries for a turn another member holds (tests: many tries) */
  ClusteredSessionStore(Vertx vertx, HazelcastInstance hazelcast, SessionOptions options, long totalBytes,
                        EventNumbering numbering, LongSupplier clock, long turnWaitMillis, long retryCapMillis) {
    this.vertx = vertx;
    this.turnWaitMillis = turnWaitMillis;
    this.retryCapMillis = retryCapMillis;
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMap(MAP);
    this.options = options;
    this.total = new HeldTotal(totalBytes);
    this.numbering = numbering;
    this.clock = clock;
    this.turns = new Turns(options.maxWaiting());
    this.maxSavedBytes = totalBytes / 2;
    // Counting a distributed map asks every partition: once a second, not per new session.
    this.countTimer = vertx.setPeriodic(0, 1000, id -> {
      if (counting.compareAndSet(false, true)) { // a stalled partition holds each count: one worker, not one a second
        vertx.executeBlocking(map::size, false).onSuccess(counted::set).onComplete(done -> counting.set(false));
      }
    });
    this.releases = MemberAddress.consume(vertx, hazelcast, RELEASE_PREFIX, this::recall);
    this.lostListener = map.addPartitionLostListener(lost -> {
      lostPartitions.put(lost.getPartitionId(), clock.getAsLong());
      LOG.warn("partition {} of the sessions' map lost every copy: more members left at once than cluster.backups, "
        + "and the sessions it held are gone (but those whose lease this node holds, written back now, and those whose "
        + "turn it runs, written back at their save); a request of another starts it empty, its events numbered on "
        + "past {}",
        lost.getPartitionId(), AFTER_LOST_TURN);
      vertx.runOnContext(v -> writeBackLeases(lost.getPartitionId()));
    });
  }

  /**
   * This member as the owner of the turns it takes. Not a constant: a member split from the cluster comes back
   * under a new uuid ({@link MemberAddress}), and the cluster then counts the turns and leases of the old one as
   * those of a member that left: whoever asks takes them, and a turn of this node still saving under the old
   * one is told its session was taken (503, as ever). A turn keeps the uuid it began with to its save or end.
   */
  private UUID self() {
    return MemberAddress.self(hazelcast);
  }

  @Override
  public SessionOptions options() {
    return options;
  }

  @Override
  public <T> Future<T> turnIfPresent(String id, Function<Session, Future<T>> work) {
    return inLine(id, null, (leave, begin) -> turns.next(id, true, leave, begin), giveUpAt -> start(id, false, giveUpAt,
      null)
      .compose(begun -> begun == null ? Future.succeededFuture() : run(id, begun, work)));
  }

  /**
   * A turn taken in this node's line of the session ({@code line}, given what makes it leave the line and the turn's
   * start), waited for {@code cluster.turnWaitSeconds} from now, the request's arrival: the wait behind the session's
   * earlier requests on this node and the operation taking the turn in the cluster together ({@code begin}, given when
   * that wait ends, in {@link System#nanoTime()}). Past it while still in line the request is answered 503
   * {@code session_store_timeout} at once and leaves the line, as it does when {@code leave} fails first (its caller
   * went away): it no longer counts toward {@code session.queue}, and nothing of it runs. So requests queued behind
   * one the cluster does not answer each wait the turn wait once, not their place in line times it.
   */
  private <T> Future<T> inLine(String id, Supplier<? extends Future<?>> leave,
                               BiFunction<Supplier<Future<Void>>, Supplier<Future<T>>, Future<T>> line,
                               Function<Long, Future<T>> begin) {
    long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(turnWaitMillis);
    AtomicBoolean started = new AtomicBoolean();
    Promise<Void> left = Promise.promise();
    Future<T> done = line.apply(left::future, () -> {
      started.set(true);
      return begin.apply(giveUpAt);
    });
    if (started.get()) { // begun at once, no earlier request in line (the usual case): nothing more to watch
      return done;
    }
    if (leave != null) {
      leave.get().onFailure(left::tryFail);
    }
    Deadline deadline = Deadline.start(vertx, Math.max(1, TimeUnit.NANOSECONDS.toMillis(giveUpAt - System.nanoTime())),
      () -> left.tryFail(new GatewayError(503, "session_store_timeout", "a request of session '" + id + "' waited "
        + turnWaitMillis / 1000 + " s (cluster.turnWaitSeconds) behind the session's earlier requests on this "
        + "node (the cluster not answering them, or their work still running), and its work was not run; try again")));
    return done.andThen(outcome -> deadline.cancel());
  }

  /**
   * Without a turn when the session has no events: told by what this node numbered or saved of it, or by its lease
   * (what this node saved is then what the map holds), else by one read on the member holding it ({@link EventsOf}),
   * which neither takes the turn nor waits for it. A member of a build without that read cannot tell: the turn is
   * taken, as that build did.
   */
  @Override
  public <T> Future<T> turnIfEvents(String id, Function<Session, Future<T>> work) {
    Saved known = known(id);
    if (numbering.lastSeq(id) > 0 || known != null && known.session.lastSeq() > 0) {
      return asideTurn(id, work);
    }
    if (leasedHere(known, clock.getAsLong())) {
      return Future.succeededFuture();
    }
    Future<Long> seq = within(null, () -> map.submitToKey(id, new EventsOf()), turnWaitMillis, () -> unanswered(id),
      ClusteredSessionStore::nothing);
    return seq.transform(read -> {
      if (read.succeeded() && (read.result() == null || read.result() == 0)) {
        return Future.succeededFuture();
      }
      if (read.failed() && read.cause() instanceof GatewayError timedOut) {
        return Future.failedFuture(timedOut);
      }
      return asideTurn(id, work);
    });
  }

  private <T> Future<T> asideTurn(String id, Function<Session, Future<T>> work) {
    return inLine(id, null, (leave, begin) -> turns.aside(id, leave, begin), giveUpAt -> start(id, false, giveUpAt,
      null)
      .compose(begun -> begun == null ? Future.succeededFuture() : run(id, begun, work)));
  }

  /**
   * Whether this node holds the session's lease, its copy being what the map holds. Well before the map forgets the
   * idle session: a lease never outlives what it stands for.
   */
  private boolean leasedHere(Saved known, long now) {
    return known != null && known.leased && known.owner.equals(self())
      && now - known.session.lastActivity() < options.idleMillis() / 2;
  }

  @Override
  public <T> Future<T> turn(String id, boolean bounded, Supplier<? extends Future<?>> leave, Function<Session, Future<T>> work) {
    Leaving leaving = leave == null ? null : new Leaving(leave, Vertx.currentContext());
    return inLine(id, leave, (left, begin) -> turns.next(id, bounded, left, begin), giveUpAt -> start(id, true, giveUpAt,
      leaving).compose(begun -> run(id, begun, work)));
  }

  /** The work of a turn begun, then the session saved, which ends the turn. */
  private <T> Future<T> run(String id, Begun begun, Function<Session, Future<T>> work) {
    Session session = begun.session();
    numbering.continueFrom(id, session.lastSeq());
    Future<T> done;
    try {
      done = work.apply(session);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    return done.transform(outcome -> {
      session.lastSeq(numbering.lastSeq(id));
      return save(session, begun).transform(saved -> {
        session.discard();
        if (saved.failed() && saved.cause() instanceof GatewayError timedOut) { // its late answer ends what it must
          return Future.failedFuture(timedOut);
        }
        if (saved.failed()) { // not saved: let the next turn in (this node's next operation waits for the end)
          return end(id, begun.owner()).transform(ended -> Future.failedFuture(new GatewayError(503, "session_not_saved",
            "the cluster did not keep session '" + id + "' as node '" + nodeName() + "' wrote it back: "
              + saved.cause().getMessage())));
        }
        return outcome.succeeded() ? Future.succeededFuture(outcome.result()) : Future.failedFuture(outcome.cause());
      });
    });
  }

  /**
   * A turn begun: the session, how many turns of it in a row this node had just before (0 when another node
   * wrote it last, or it is new), and the member uuid it was taken under.
   */
  private record Begun(Session session, int streak, UUID owner) {
  }

  /**
   * Begins a turn: without asking the cluster when this node holds the session's lease (no other node can
   * have written it since: it would have asked for the lease first, {@link #recall}), else by
   * {@link #begin}.
   *
   * @param create   whether a session that does not exist is created (else the answer is null)
   * @param giveUpAt when the request stops waiting for the turn ({@link System#nanoTime()})
   * @param leaving  what makes the request leave while another node holds the session (its caller gone), or null
   */
  private Future<Begun> start(String id, boolean create, long giveUpAt, Leaving leaving) {
    Saved known = known(id);
    long now = clock.getAsLong();
    if (leasedHere(known, now)) {
      Session session = known.session.copy();
      session.charge();
      session.touch(now);
      return Future.succeededFuture(new Begun(session, known.streak + 1, known.owner));
    }
    return begin(id, true, create, giveUpAt, leaving);
  }

  /**
   * Takes the session's turn in the cluster and reads it, in one operation on the node holding it
   * ({@link BeginTurn}); while another member's turn holds it, tries again a little later, and while another
   * member holds its lease, asks that member to give it up first. A turn held by a member that has left
   * never ended: its node died after numbering events that consoles may have seen, so this turn numbers on
   * well past them ({@link #AFTER_LOST_TURN}) rather than reusing their seqs.
   */
  /**
   * @param decode false when the turn's work does not need the session's contents (a reset): it is not read
   * @param create whether a session that does not exist is created (never for a reset); else the answer is null
   */
  private Future<Begun> begin(String id, boolean decode, boolean create, long giveUpAt, Leaving leaving) {
    Promise<Begun> begun = Promise.promise();
    attempt(id, decode, create, giveUpAt, 1, false, new Taking(begun, leaving));
    return begun.future();
  }

  /**
   * What makes a request leave while it waits for a turn another node holds ({@code leave}: its caller closed the
   * connection), watched from the request's own context ({@code context}, where such a watch is made).
   */
  private record Leaving(Supplier<? extends Future<?>> leave, Context context) {
  }

  /**
   * The tries for one turn: the answer, and what makes its request leave meanwhile, watched only once another node is
   * found holding the session (a turn taken at once, the usual case, watches nothing).
   */
  private static final class Taking {
    final Promise<Begun> begun;
    private final Leaving leaving;
    private boolean watched;

    Taking(Promise<Begun> begun, Leaving leaving) {
      this.begun = begun;
      this.leaving = leaving;
    }

    /** Whether the request has its answer already (its caller left): no more tries. */
    boolean over() {
      return begun.future().isComplete();
    }

    /** From now on, the request leaves as its caller goes: answered with that refusal, no more tries made. */
    void watch() {
      if (leaving == null || watched) {
        return;
      }
      watched = true;
      Runnable watch = () -> leaving.leave().get().onFailure(begun::tryFail);
      if (leaving.context() == null) {
        watch.run();
      } else {
        leaving.context().runOnContext(v -> watch.run());
      }
    }
  }

  /**
   * One try for the turn. While another member holds the session, the next try is scheduled on its own rather
   * than composed onto this one: a wait of minutes makes thousands of tries, and futures nested that deep
   * overflowed the stack when the last one failed, taking the event loop with it.
   */
  private void attempt(String id, boolean decode, boolean create, long giveUpAt, long backoffMillis, boolean held,
                       Taking taking) {
    Promise<Begun> begun = taking.begun;
    if (taking.over()) { // its caller left while it waited
      return;
    }
    if (System.nanoTime() - giveUpAt > 0) { // a try after a pause that outlasted the wait: it would have no time left
      begun.tryFail(held ? busy(id) : notAnswered(id));
      return;
    }
    long now = clock.getAsLong();
    UUID owner = self();
    // A new session is created by the same operation, unless session.max are live or it is to be reset.
    byte[] created = create && counted.get() < options.maxSessions()
      ? Session.newState(now, owner, newIncarnation(), stateFormat()) : null;
    Saved known = known(id);
    // waited for as long as the turn may still wait for another node's; past it, on a try after the session was
    // found held, it is what the turn waited for
    Future<byte[]> took = within(id, () -> map.submitToKey(id, new BeginTurn(owner, created, known == null ? 0 : known.save)),
      TimeUnit.NANOSECONDS.toMillis(giveUpAt - System.nanoTime()), () -> held ? busy(id) : notAnswered(id), answered -> {
        takenForNoOne(id, owner, created, answered);
        return Future.succeededFuture();
      });
    took.onComplete(taken -> {
      if (taking.over()) { // its caller left while the try was under way
        takenForNoOne(id, owner, created, taken);
        return;
      }
      if (taken.failed()) {
        begun.tryFail(taken.cause());
        return;
      }
      byte[] state = taken.result();
      UUID holder = BeginTurn.leaseHolder(state);
      if (!BeginTurn.is(state, BeginTurn.HELD) && holder == null) {
        Begun turn;
        try {
          turn = read(id, state, known, now, decode, create, owner, created);
        } catch (UnreadableState e) { // the turn goes back before the answer: this node's next turn may take it
          end(id, owner).onComplete(ended -> begun.tryFail(e.getCause()));
          return;
        } catch (Throwable e) { // whatever a state could make the decoder throw, the request gets its answer
          begun.tryFail(e);
          return;
        }
        if (!begun.tryComplete(turn)) { // its caller left just now, on another thread
          turn.session().discard();
          takenForNoOne(id, owner, created, taken);
        }
      } else if (System.nanoTime() - giveUpAt > 0) {
        begun.tryFail(busy(id));
      } else if (holder != null) { // asked to give the lease up, the holder answers once it has: try again at once
        taking.watch();
        vertx.eventBus().request(RELEASE_PREFIX + holder, id, RECALL).onComplete(released -> {
          if (released.succeeded()) {
            attempt(id, decode, create, giveUpAt, 1, true, taking);
          } else {
            retry(id, decode, create, giveUpAt, backoffMillis, taking);
          }
        });
      } else {
        taking.watch();
        retry(id, decode, create, giveUpAt, backoffMillis, taking);
      }
    });
  }

  /**
   * A try's answer that came when no request waited for it any more (too late, or its caller gone): a turn it took is
   * let go for the other nodes' turns, and a session it made for no one taken back.
   */
  private void takenForNoOne(String id, UUID owner, byte[] created, AsyncResult<byte[]> answered) {
    byte[] late = answered.succeeded() ? answered.result() : null;
    if (late != null && !BeginTurn.is(late, BeginTurn.HELD) && BeginTurn.leaseHolder(late) == null) {
      long made = BeginTurn.is(late, BeginTurn.CREATED) ? Session.incarnationOf(created) : 0;
      if (BeginTurn.is(late, BeginTurn.CREATED) && made == 0) { // a format without lives: it stays, as a session
        counted.incrementAndGet();
      }
      release(id, owner, made);
    }
  }

  /** This node's {@code node.id}, as the other members know it. */
  private String nodeName() {
    try {
      String name = hazelcast.getCluster().getLocalMember().getAttribute(NODE_ATTRIBUTE);
      return name == null ? String.valueOf(self()) : name;
    } catch (RuntimeException e) { // e.g. Hazelcast shutting down
      return String.valueOf(self());
    }
  }

  private GatewayError notAnswered(String id) {
    return new GatewayError(503, "session_store_timeout", "the cluster did not answer for session '" + id + "' within "
      + turnWaitMillis / 1000 + " s (cluster.turnWaitSeconds), and the request's work was not run; try again");
  }

  private GatewayError busy(String id) {
    return new GatewayError(503, "session_busy", "session '" + id + "' stayed busy on another node for "
      + turnWaitMillis / 1000 + " s (cluster.turnWaitSeconds)");
  }

  /**
   * The next try after {@code backoffMillis}, doubling up to {@link #retryCapMillis}. On a timer that is not the
   * calling verticle's (as {@code setTimer} would make it): when the HTTP verticles are undeployed at shutdown,
   * a waiting turn still gets its answer instead of its timer being cancelled under it.
   */
  private void retry(String id, boolean decode, boolean create, long giveUpAt, long backoffMillis,
                     Taking taking) {
    vertx.timer(backoffMillis).onComplete(fired -> {
      if (fired.failed()) {
        taking.begun.tryFail(fired.cause());
      } else {
        attempt(id, decode, create, giveUpAt, Math.min(retryCapMillis, backoffMillis * 2), true, taking);
      }
    });
  }

  /**
   * An operation in the cluster waited for {@code waitMillis} at most: a partition moving after a node died, or a
   * member that does not answer, must not hold a request without bound. Past it, the answer is {@code timedOut}'s
   * error (503 {@code session_store_timeout}); the operation's outcome that comes after that goes to {@code late}, to
   * count or undo what it did for a request that is no longer waiting (the operation that does so is sent there and
   * then, and answers the future {@code late} returns).
   *
   * <p>One that takes, writes back or ends the turn of session {@code inOrder} is sent after this node's last such
   * operation of it has answered, and its {@code late} one with it ({@link TurnOperations}); the wait for them is
   * counted in {@code waitMillis}, and it is not sent at all when the request stopped waiting first.
   */
  private <T> Future<T> within(String inOrder, Supplier<CompletionStage<T>> operation, long waitMillis,
                               Supplier<GatewayError> timedOut, Function<AsyncResult<T>, Future<?>> late) {
    Promise<T> answer = Promise.promise();
    Deadline deadline = Deadline.start(vertx, Math.max(1, waitMillis), () -> answer.tryFail(timedOut.get()));
    Supplier<Future<Void>> send = () -> {
      Future<T> done;
      try {
        done = from(operation.get());
      } catch (RuntimeException e) { // e.g. Hazelcast shutting down
        done = Future.failedFuture(e);
      }
      return done.transform(outcome -> {
        deadline.cancel();
        boolean inTime = outcome.succeeded() ? answer.tryComplete(outcome.result()) : answer.tryFail(outcome.cause());
        return inTime ? Future.<Void>succeededFuture() : late.apply(outcome).<Void>transform(v -> Future.succeededFuture());
      });
    };
    if (inOrder != null) {
      sent.send(inOrder, send, () -> !answer.future().isComplete());
    } else {
      send.get();
    }
    return answer.future();
  }

  /** For {@link #within}: nothing to count or undo. */
  private static <T> Future<?> nothing(AsyncResult<T> late) {
    return Future.succeededFuture();
  }

  private GatewayError unanswered(String id) {
    return new GatewayError(503, "session_store_timeout", "the cluster did not answer for session '" + id
      + "' within " + turnWaitMillis / 1000 + " s (cluster.turnWaitSeconds); try again");
  }

  /**
   * Ends a turn of this member that no request runs (its operation answered too late), once this node's turns of the
   * session queued so far have ended, as {@link #recall} gives up a lease: one of them that saved with the lease
   * since has it ended too, so it is this node's no more. When that operation made the session (its life
   * {@code made}, else 0), the session goes too if no one has used it since ({@link Discard}): the request was told
   * the cluster did not answer, and a session it left behind would count toward {@code session.max} until idle.
   */
  private void release(String id, UUID owner, long made) {
    turns.next(id, false, () -> {
      unlease(id);
      if (made == 0) {
        return end(id, owner);
      }
      return within(id, () -> map.submitToKey(id, new Discard(owner, made)), turnWaitMillis, () -> unanswered(id),
        late -> {
          discarded(id, late);
          return Future.succeededFuture();
        }).transform(done -> {
          discarded(id, done);
          return Future.succeededFuture();
        });
    });
  }

  /** A session made late is counted unless {@link Discard} took it away again (an answer timed out counts it). */
  private void discarded(String id, AsyncResult<Boolean> discard) {
    if (discard.failed() && discard.cause() instanceof GatewayError) {
      return; // counted by its late answer
    }
    if (discard.failed() || !Boolean.TRUE.equals(discard.result())) {
      if (discard.failed()) { // e.g. a member of the build before holds the entry, which knows no such operation
        LOG.debug("session {} made for a request that was not waiting stays: {}", id, discard.cause().getMessage());
      }
      counted.incrementAndGet();
    }
  }

  /** A state this build could not decode, its turn still held: {@link #attempt} ends it, then fails with the cause. */
  private static final class UnreadableState extends RuntimeException {
    UnreadableState(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * The session whose turn {@link BeginTurn} took, from what this node saved or from {@code state}; without
   * {@code decode}, an empty session in its place (a state this build cannot read can still be deleted), or
   * null when there is none (a reset, or a turn not to {@code create} one).
   */
  private Begun read(String id, byte[] state, Saved known, long now, boolean decode, boolean create, UUID owner,
                     byte[] created) {
    if (!decode) { // a reset: none created, and what this node saved of it is stale either way
      forget(id);
      return state == null ? null : new Begun(new Session(id, options, total, now), 0, owner);
    }
    if (state == null && !create) {
      return null;
    }
    if (state == null) {
      refused.increment();
      throw new GatewayError(503, "sessions_full", "the cluster already holds " + options.maxSessions()
        + " live sessions (session.max); a new session can start when idle ones expire or are deleted");
    }
    Session session;
    boolean lostTurn;
    int streak = 0;
    if (known != null && (BeginTurn.is(state, BeginTurn.UNCHANGED) || BeginTurn.is(state, BeginTurn.UNCHANGED_LOST))) {
      session = known.session.copy();
      session.charge();
      lostTurn = BeginTurn.is(state, BeginTurn.UNCHANGED_LOST);
      streak = known.streak + 1;
    } else {
      forget(id); // changed elsewhere, deleted or new: what this node saved is stale
      if (BeginTurn.is(state, BeginTurn.CREATED)) {
        counted.incrementAndGet();
        Session fresh = new Session(id, options, total, now);
        fresh.incarnation(Session.incarnationOf(created));
        if (lostWithItsPartition(id, now)) { // its seqs consoles saw went with it: never given again
          fresh.lastSeq(numbering.lastSeq(id) + AFTER_LOST_TURN);
        }
        return new Begun(fresh, 0, owner);
      }
      try {
        session = Session.fromState(id, options, total, state);
      } catch (RuntimeException | Error unreadable) { // e.g. a newer build's: let the turn go to a node that reads it
        throw new UnreadableState(unreadable);
      }
      lostTurn = Session.turnOpen(state);
    }
    if (lostTurn) {
      session.lastSeq(session.lastSeq() + AFTER_LOST_TURN);
    }
    session.touch(now);
    return new Begun(session, streak, owner);
  }

  /**
   * Another node wants a turn of a session whose lease this node holds: once this node's turns of it
   * queued so far have ended, the lease is given up ({@link EndTurn}) and the asker told. This node then
   * keeps no lease of that session for {@link #RECALLED_MILLIS}: its requests are spread over the nodes.
   */
  private void recall(Message<String> request) {
    String id = request.body();
    synchronized (saved) {
      recalled.put(id, clock.getAsLong());
      Iterator<Long> oldest = recalled.values().iterator();
      while (recalled.size() > RECALLED_KEPT && oldest.hasNext()) {
        oldest.next();
        oldest.remove();
      }
    }
    // Unleased here whether or not the end is known to have taken: one that took but answered a failure (a
    // timeout) lets the other node in, and a turn begun here from the lease would then save over its turn.
    Saved known = known(id); // the lease is the uuid's it was saved under
    UUID owner = known != null ? known.owner() : self();
    turns.next(id, () -> {
      unlease(id);
      return end(id, owner).map(v -> true);
    }).onComplete(released -> {
      if (released.succeeded()) {
        request.reply(true);
      } else {
        request.fail(503, released.cause().getMessage());
      }
    });
  }

  private boolean recalledLately(String id) {
    synchronized (saved) {
      Long at = recalled.get(id);
      return at != null && clock.getAsLong() - at < RECALLED_MILLIS;
    }
  }

  /**
   * The longest a node leaving waits for the cluster to take back its leases: half of the 10 s the process gives its
   * stop beyond {@code shutdown.graceSeconds} (the other half is Hazelcast's, handing the node's partitions over).
   */
  static final long CLOSE_WAIT_MILLIS = 5_000;

  /**
   * Gives up every lease this node holds, as it leaves the cluster: answered once the cluster has taken them back, or
   * after {@code cluster.turnWaitSeconds} (at most {@link #CLOSE_WAIT_MILLIS}) when it has not, so that a stalled
   * cluster never keeps the node from leaving. A lease not given back by then is given back when the cluster answers
   * while this member is still in it, else it goes as a dead member's do, once the member has left.
   */
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    long waitMillis = Math.max(1, Math.min(turnWaitMillis, CLOSE_WAIT_MILLIS));
    Deadline deadline = Deadline.start(vertx, waitMillis, () -> {
      if (closed.tryComplete()) {
        LOG.warn("leaving with session leases the cluster has not taken back within {} ms: they end once it does, or "
          + "once this member has left", waitMillis);
      }
    });
    released().onComplete(done -> {
      deadline.cancel();
      if (done.failed()) {
        LOG.warn("session leases not given back: {}", done.cause().getMessage());
      }
      closed.tryComplete();
    });
    return closed.future();
  }

  /**
   * Whether a session made now may be one that was lost: its partition lost every copy within the idle time (a session
   * lost before that would have expired by now). Then the seqs of its earlier life, which consoles may have seen from
   * the nodes that died, are unknown here; numbering on well past them, as after a turn lost with its node, shows
   * consoles a gap naming the nodes that left rather than events of the new life under seqs already seen.
   */
  private boolean lostWithItsPartition(String id, long now) {
    if (lostPartitions.isEmpty()) {
      return false;
    }
    Long at = lostPartitions.get(hazelcast.getPartitionService().getPartition(id).getPartitionId());
    return at != null && now - at < options.idleMillis();
  }

  private Future<Void> released() {
    try {
      map.removePartitionLostListener(lostListener);
    } catch (RuntimeException e) { // e.g. Hazelcast shut down already
      LOG.debug("partition-lost listener not removed: {}", e.getMessage());
    }
    vertx.cancelTimer(countTimer);
    Map<UUID, Set<String>> leased = new HashMap<>(); // by the uuid each lease was saved under
    synchronized (saved) {
      saved.forEach((id, copy) -> {
        if (copy.leased) {
          leased.computeIfAbsent(copy.owner(), owner -> new HashSet<>()).add(id);
        }
      });
      saved.clear();
      savedBytes = 0;
    }
    Future<Void> unregistered = releases.close();
    return leased.isEmpty() ? unregistered : unregistered.eventually(() -> Future.all(leased.entrySet().stream()
      .map(lease -> from(map.submitToKeys(lease.getValue(), new EndTurn(lease.getKey())))).toList()).mapEmpty());
  }

  /**
   * Lets the next turn in without saving (this member's turn only), waited for {@code cluster.turnWaitSeconds} at
   * most. This node's next operation of the session is sent only once it has answered ({@link TurnOperations}): a
   * turn of this node's own mark would not hold it off ({@link BeginTurn}), and this end would then end that turn.
   */
  private Future<Void> end(String id, UUID owner) {
    return within(id, () -> map.submitToKey(id, new EndTurn(owner)), turnWaitMillis, () -> unanswered(id),
      ClusteredSessionStore::nothing).mapEmpty();
  }

  /**
   * {@link #end} sent at once, not waited for: for what an operation of the session answered late must undo, sent
   * before this node's next operation of the session ({@link #within}).
   */
  private Future<?> endNow(String id, UUID owner) {
    try {
      return from(map.submitToKey(id, new EndTurn(owner)));
    } catch (RuntimeException e) { // e.g. Hazelcast shutting down
      return Future.failedFuture(e);
    }
  }

  /** How far the numbering jumps after a turn lost with its node: more events than any turn emits. */
  static final long AFTER_LOST_TURN = 1_000_000;

  /**
   * Writes the session back, marked as this member's next save, and remembers it as saved ({@link Save}:
   * only while this member's turn or lease holds it). After {@link #LEASE_AFTER} turns in a row on this
   * node (a load balancer keeps the conversation here), the save keeps the session's lease, so that the
   * next turn needs no operation in the cluster to begin; otherwise it ends the turn.
   */
  private Future<Void> save(Session session, Begun turn) {
    long save = saves.incrementAndGet();
    boolean lease = turn.streak() >= LEASE_AFTER && !recalledLately(session.id());
    byte[] state;
    Saved copy;
    synchronized (session) { // the copy is exactly what was written
      byte format = stateFormat();
      if (format != Session.BINARY) { // a format without one: what this node remains of the session says none either
        session.incarnation(0);
      } else if (session.incarnation() == 0) { // kept by a build that gave none: from now on it has one
        session.incarnation(newIncarnation());
      }
      state = session.toState(turn.owner(), save, format);
      copy = new Saved(save, session.copy(), session.heldBytes() + Saved.OVERHEAD, lease, turn.streak(), turn.owner());
    }
    if (lease) {
      Session.markLeased(state, turn.owner());
    }
    String id = session.id();
    return within(id, () -> map.submitToKey(id, new Save(turn.owner(), state)), turnWaitMillis, () -> new GatewayError(503,
        "session_store_timeout", "the cluster did not answer within " + turnWaitMillis / 1000 + " s "
        + "(cluster.turnWaitSeconds) when session '" + id + "' was written back: the request's work ran (an execution's "
        + "upstream was called), and the session keeps all of its changes if the cluster takes the write late, before "
        + "the session's next request runs, or none of them"), late -> {
        // not kept: the turn must not hold it
        return late.succeeded() && Boolean.TRUE.equals(late.result()) ? Future.succeededFuture() : endNow(id, turn.owner());
      })
      .compose(kept -> Boolean.TRUE.equals(kept) ? Future.succeededFuture(true) : restored(id, state, turn.owner()))
      .<Void>compose(kept -> Boolean.TRUE.equals(kept)
        ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException(turn.owner().equals(self())
          ? "while the turn ran, the session was lost (its part of the cluster's map lost every copy, or it expired: "
            + "longer than session.idle.minutes) and another request made a new session of that id, which is kept as "
            + "it is; this request's work ran (an execution's upstream was called) but its changes are not in it"
          : "this node was cut off from the cluster while the turn ran, and another node took the session meanwhile; "
            + "this request's work ran (an execution's upstream was called) but its changes are not kept")))
      .andThen(written -> {
        if (written.succeeded()) {
          remember(id, copy);
        } else { // a write answered late is not remembered either: the next turn reads what the cluster kept
          forget(id);
        }
      });
  }

  /**
   * Whether {@code state}, a save the map did not keep, was written back because there is no session of that id any
   * more. The turn held the session (or this node its lease), and this member has stayed in the cluster since it
   * began under {@code owner}, so no other node has had the session meanwhile: it went with its partition (more
   * members died at once than {@code cluster.backups}; whether or not this node has heard so yet), or it expired while
   * the turn ran. This node's copy is then the latest there was, and putting it back loses nothing, where the caller
   * would otherwise be told 503 {@code session_not_saved} for work that ran. The same for a member that was cut off
   * meanwhile when the partition is known lost. Only where there is no session of that id: one another node made
   * there since stays, and the caller is told so. A plain put-if-absent, which every member runs, whatever its build.
   */
  private Future<Boolean> restored(String id, byte[] state, UUID owner) {
    if (!owner.equals(self()) && !lostWithItsPartition(id, clock.getAsLong())) {
      return Future.succeededFuture(false);
    }
    return within(id, () -> vertx.executeBlocking(() -> map.putIfAbsent(id, state) == null, false).toCompletionStage(),
      turnWaitMillis, () -> new GatewayError(503, "session_store_timeout", "the cluster did not answer within "
      + turnWaitMillis / 1000 + " s (cluster.turnWaitSeconds) when session '" + id + "', lost from the cluster's map "
      + "while its turn ran, was written back: the request's work ran (an execution's upstream was called), and the "
      + "session has its changes if the cluster takes the write late"), late -> {
        if (late.succeeded() && Boolean.TRUE.equals(late.result())) {
          counted.incrementAndGet();
        }
        return Future.succeededFuture();
      })
      .andThen(written -> {
        if (written.succeeded() && Boolean.TRUE.equals(written.result())) {
          counted.incrementAndGet();
          LOG.info("session {}, gone from the cluster's map while this node held its turn or lease, written back from "
            + "this node's copy", id);
        }
      });
  }

  /**
   * Writes back, where there is no session of their id, the sessions of {@code partition} (which lost every copy) whose
   * lease this node holds: its copy is the latest there was (no other node may take such a session without asking it
   * first), so the session is read on every node at once, as before, rather than unknown there (404) until its next
   * turn here. A session whose turn this node runs is written back by that turn's save.
   */
  private void writeBackLeases(int partition) {
    long now = clock.getAsLong();
    UUID owner = self();
    Map<String, Saved> leased = new LinkedHashMap<>();
    synchronized (saved) {
      saved.forEach((id, copy) -> {
        if (copy.leased && copy.owner.equals(owner) && now - copy.session.lastActivity() < options.idleMillis()) {
          leased.put(id, copy);
        }
      });
    }
    byte format = stateFormat();
    leased.forEach((id, copy) -> {
      if (hazelcast.getPartitionService().getPartition(id).getPartitionId() != partition) {
        return;
      }
      if (turns.turnsOf(id) > 0) { // a turn running or waiting here writes back its own, newer copy at its save
        return;
      }
      byte[] state = copy.session.toState(copy.owner, copy.save, format);
      Session.markLeased(state, copy.owner);
      restored(id, state, copy.owner).onComplete(written -> {
        if (written.failed()) {
          LOG.warn("session {}, lost with partition {}, not written back from this node's lease (its next turn here "
            + "writes it back): {}", id, partition, written.cause().getMessage());
        } else if (!written.result()) { // a request made a new session of that id first: the next turn here reads it
          forget(id);
        }
      });
    });
  }

  /** Whether the session's partition lost every copy within the idle time, as this node heard (for tests). */
  boolean lostHere(String id) {
    return lostWithItsPartition(id, clock.getAsLong());
  }

  /**
   * A session as this node saved it: the mark of that save, the session then, about what it holds, whether
   * the save kept the session's lease, how many turns in a row this node had had of it before, and the member
   * uuid it saved under (a lease is this node's only while that is still its uuid).
   */
  private record Saved(long save, Session session, long bytes, boolean leased, int streak, UUID owner) {
    /** Bytes of the copy beyond what its session holds: objects, arrays, the map's entry. */
    static final long OVERHEAD = 400;
  }

  /** The lease given up: the copy stays (it is still what the map holds) but the next turn asks the cluster. */
  private void unlease(String id) {
    synchronized (saved) {
      Saved copy = saved.get(id);
      if (copy != null && copy.leased) {
        saved.put(id, new Saved(copy.save, copy.session, copy.bytes, false, 0, copy.owner));
      }
    }
  }

  private Saved known(String id) {
    synchronized (saved) {
      return saved.get(id);
    }
  }

  private void remember(String id, Saved copy) {
    synchronized (saved) {
      Saved old = saved.put(id, copy);
      savedBytes += copy.bytes() - (old == null ? 0 : old.bytes());
      Iterator<Saved> oldest = saved.values().iterator();
      while (savedBytes > maxSavedBytes && oldest.hasNext()) {
        savedBytes -= oldest.next().bytes();
        oldest.remove();
      }
    }
  }

  private void forget(String id) {
    synchronized (saved) {
      Saved old = saved.remove(id);
      if (old != null) {
        savedBytes -= old.bytes();
      }
    }
  }

  /**
   * A Hazelcast operation's outcome on the caller's Vert.x context. The callback is taken on the thread that
   * completes the operation ({@code whenCompleteAsync} with a direct executor), then handed to the context:
   * Hazelcast's default for callbacks is the JVM's common pool, which on a machine of fewer than three
   * cores starts a new thread for every task (two threads a turn, measured).
   */
  private <T> Future<T> from(CompletionStage<T> stage) {
    Context context = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    stage.whenCompleteAsync((value, failure) -> context.runOnContext(v -> {
      if (failure != null) {
        promise.fail(failure);
      } else {
        promise.complete(value);
      }
    }), Runnable::run);
    return promise.future();
  }

  /**
   * An empty session marked with the life of the session the call begins in, made when there is none
   * ({@link OpenSession}): in a cluster a pass-through's URL placeholders see an empty session (documented), since
   * reading it would cost the call a turn. Without an operation in the cluster when this node holds the session's
   * lease: no other node can have deleted or made it again without asking for the lease first.
   *
   * <p>The operation is waited for {@code waitMillis} at most: a partition migrating after a node died, or a member
   * that does not answer, must not hold the call past its deadline. Its late answer still counts a session it made
   * (the session is live), but no refusal: the caller was told something else.
   */
  @Override
  public Future<Session> beginCall(String id, long waitMillis) {
    long now = clock.getAsLong();
    Saved known = known(id);
    if (leasedHere(known, now)) {
      return Future.succeededFuture(called(id, known.session.incarnation(), now));
    }
    if (stateFormat() != Session.BINARY) { // a node of the build before knows no OpenSession: recorded as it does
      return Future.succeededFuture(called(id, 0, now));
    }
    long incarnation = newIncarnation();
    // made where one was lost with its partition: its events numbered on past that life's, as a turn's would be
    long lastSeq = lostWithItsPartition(id, now) ? numbering.lastSeq(id) + AFTER_LOST_TURN : 0;
    byte[] created = counted.get() < options.maxSessions()
      ? Session.newState(now, null, incarnation, Session.BINARY, lastSeq) : null;
    Future<Long> opened = within(null, () -> map.submitToKey(id, new OpenSession(created)), waitMillis,
      () -> new GatewayError(503, "session_store_timeout", "the cluster did not open session '" + id + "' within the "
        + "call's deadline of " + waitMillis + " ms (the integration's timeoutMs); nothing was sent, try again"), late -> {
        if (created != null && late.succeeded() && late.result() != null && late.result() == incarnation) {
          discardOpened(id, incarnation); // made for a call that was told otherwise: taken away unless used since
        }
        return Future.succeededFuture();
      });
    return opened.transform(outcome -> {
      if (outcome.failed() && outcome.cause() instanceof GatewayError timedOut) {
        return Future.failedFuture(timedOut);
      }
      Long life = outcome.result();
      if (outcome.failed()) {
        // e.g. a member of the build before holds the entry, which knows no such operation: recorded as that build did
        LOG.debug("session {} opened for a call without its life: {}", id, outcome.cause().getMessage());
        life = 0L;
      }
      if (life == null) {
        refused.increment();
        return Future.failedFuture(new GatewayError(503, "sessions_full", "the cluster already holds "
          + options.maxSessions() + " live sessions (session.max); a new session can start when idle ones expire or "
          + "are deleted"));
      }
      if (created != null && life == incarnation) {
        counted.incrementAndGet();
      }
      return Future.succeededFuture(called(id, life, now));
    });
  }

  /**
   * Takes away a session an {@link OpenSession} answered too late made, unless a turn or a save has used it since (a
   * call of another node may have begun in it meanwhile: its outcome then goes into no session, as after a
   * {@code DELETE}). Not in this node's turns: the session holds no turn, and a turn of it would have saved it.
   */
  private void discardOpened(String id, long incarnation) {
    within(null, () -> map.submitToKey(id, new Discard(null, incarnation)), turnWaitMillis, () -> unanswered(id),
      late -> {
        discarded(id, late);
        return Future.succeededFuture();
      }).onComplete(done -> discarded(id, done));
  }

  private Session called(String id, long incarnation, long now) {
    Session session = new Session(id, options, new HeldTotal(Long.MAX_VALUE), now);
    session.incarnation(incarnation);
    return session;
  }

  /**
   * A turn of the session the call began in, if it is still that life of its id: none is made, and when it was
   * deleted or expired since (perhaps made again), the work is not run. A call that could not learn the life it
   * began in (a node of the build before holds the entry) is recorded as that build does: made if need be.
   */
  @Override
  public <T> Future<T> recordingTurn(Session began, Function<Session, Future<T>> work) {
    String id = began.id();
    // No request waits for it (the call was answered): it waits in line as long as it must, then the turn wait
    return turns.next(id, false, () -> start(id, began.incarnation() == 0, System.nanoTime()
      + TimeUnit.MILLISECONDS.toNanos(turnWaitMillis), null).compose(begun -> begun == null
      ? Future.failedFuture(new SessionGone(id))
      : run(id, begun, session -> TurnProcessors.sameLife(began.incarnation(), session.incarnation())
        ? work.apply(session) : Future.failedFuture(new SessionGone(id)))));
  }

  /**
   * The session state format this node writes: {@link Session#BINARY}, or while a botgate node of the build before
   * is a member (no {@link #FORMAT_ATTRIBUTE}), the one that node reads, {@link Session#BINARY_MILLIS}. Otherwise a
   * rolling upgrade left every session an upgraded node saved unreadable on the nodes not yet upgraded (500 there)
   * until the last of them left. Members that are not botgate nodes (a plain Vert.x service) do not count.
   */
  private byte stateFormat() {
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (member.getAttribute(NODE_ATTRIBUTE) != null && member.getAttribute(FORMAT_ATTRIBUTE) == null) {
        return Session.BINARY_MILLIS;
      }
    }
    return Session.BINARY;
  }

  /** A random number for a new life of a session id ({@link Session#incarnation}); never 0, which means unknown. */
  private static long newIncarnation() {
    long incarnation;
    do {
      incarnation = java.util.concurrent.ThreadLocalRandom.current().nextLong();
    } while (incarnation == 0);
    return incarnation;
  }

  /**
   * The session's state as read from the cluster's map: one of more than {@link OnLoop#MAX_BYTES} is decoded on a
   * worker (its variables are JSON text: a 5 MB answer and its mapped fields held the event loop 24 to 220 ms).
   */
  @Override
  public Future<JsonObject> describe(String id) {
    return within(null, () -> map.getAsync(id), turnWaitMillis, () -> unanswered(id), ClusteredSessionStore::nothing)
      .compose(state -> state == null || state.length <= OnLoop.MAX_BYTES ? Future.succeededFuture(described(id, state))
        : vertx.executeBlocking(() -> {
          whileDescribing.accept(Thread.currentThread());
          return described(id, state);
        }, false));
  }

  /** Called with the thread that decodes a large session's state for {@link #describe}, as it begins (for tests). */
  static volatile Consumer<Thread> whileDescribing = thread -> { };

  private JsonObject described(String id, byte[] state) {
    return state == null ? null : Session.fromState(id, options, new HeldTotal(Long.MAX_VALUE), state).toJson();
  }

  @Override
  public Future<Boolean> reset(String id) {
    // Taking the turn first: a turn running elsewhere would otherwise write the session back after it. Past
    // session.queue too: the way out.
    return inLine(id, null, (leave, begin) -> turns.next(id, false, leave, begin), giveUpAt -> begin(id, false, false, giveUpAt, null).compose(begun -> {
      if (begun == null) {
        return Future.succeededFuture(false);
      }
      return within(id, () -> map.removeAsync(id), turnWaitMillis, () -> new GatewayError(503,
        "session_store_timeout", "the cluster did not answer within " + turnWaitMillis / 1000 + " s "
        + "(cluster.turnWaitSeconds) when session '" + id + "' was deleted: it is deleted if the cluster takes the "
        + "delete late, before the session's next request runs; send the DELETE again to be sure"), late -> {
        if (late.succeeded()) {
          counted.decrementAndGet();
          return Future.succeededFuture();
        }
        return endNow(id, begun.owner());
      }).transform(removed -> {
        forget(id);
        begun.session().discard();
        if (removed.failed() && removed.cause() instanceof GatewayError timedOut) {
          return Future.failedFuture(timedOut);
        }
        if (removed.failed()) { // the turn this reset took must not outlive it
          return end(id, begun.owner()).transform(ended -> Future.failedFuture(removed.cause()));
        }
        counted.decrementAndGet();
        return Future.succeededFuture(true);
      });
    }));
  }

  /**
   * Read on a worker (Hazelcast's listing and bulk read block), answered within {@code cluster.turnWaitSeconds}: past
   * it, 503 {@code session_store_timeout} while the read goes on until the cluster answers it. While such a read still
   * waits, another listing is refused at once rather than hold one more worker on a cluster that does not answer.
   */
  @Override
  public Future<Page> page(SessionCursor after, int limit) {
    if (stalledListings.get() > 0) {
      return Future.failedFuture(new GatewayError(503, "session_store_timeout", "the cluster has not answered a listing "
        + "of the sessions for " + turnWaitMillis / 1000 + " s (cluster.turnWaitSeconds) and is still being waited for; "
        + "try again"));
    }
    Promise<Page> answer = Promise.promise();
    AtomicBoolean stalled = new AtomicBoolean();
    Deadline deadline = Deadline.start(vertx, Math.max(1, turnWaitMillis), () -> {
      if (answer.tryFail(new GatewayError(503, "session_store_timeout", "the cluster did not list the sessions within "
        + turnWaitMillis / 1000 + " s (cluster.turnWaitSeconds); try again"))) {
        stalled.set(true);
        stalledListings.incrementAndGet();
      }
    });
    read(after, limit).onComplete(read -> {
      deadline.cancel();
      if (!(read.succeeded() ? answer.tryComplete(read.result()) : answer.tryFail(read.cause())) && stalled.get()) {
        stalledListings.decrementAndGet();
      }
    });
    return answer.future();
  }

  private Future<Page> read(SessionCursor after, int limit) {
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
          try {
            listed.add(new Listed(Session.fromState((String) row[0], options, new HeldTotal(Long.MAX_VALUE), state),
              (Long) row[1]));
          } catch (RuntimeException unreadable) { // one session a newer build kept must not hide all the others
            LOG.warn("session {} left out of the list: {}", row[0], unreadable.getMessage());
          }
        }
      }
      // from the page's last row, read or left out: a page whose sessions were all left out does not end the list
      Object[] lastShown = shown.isEmpty() ? null : shown.get(shown.size() - 1);
      SessionCursor next = rows.size() > limit && lastShown != null
        ? new SessionCursor((Long) lastShown[1], (String) lastShown[0]) : null;
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

  /** The session's turns running or waiting on this node (for tests). */
  int turnsOf(String id) {
    return turns.turnsOf(id);
  }

  /** The session's requests running or waiting on this node, without the refusals shown aside (for tests). */
  int requestsOf(String id) {
    return turns.requestsOf(id);
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

}
