package io.botgate.console;

import io.botgate.events.ClusterEvents;
import io.botgate.events.DebugEvent;
import io.botgate.events.EventPage;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * In a cluster, puts one connection's events back in seq order per session. A session's turns run on any
 * node, and each node's events travel on their own connection, so the first events of B's turn may
 * arrive before the last of A's. An event past the next expected one waits, and the missing ones are asked
 * of every member's history (a node keeps an event before publishing it, so a live member has them);
 * those no member holds any more are skipped with a {@code gap} frame saying so, rather than silently.
 * Used on the connection's context only, except {@link #lostOnTheWay}.
 */
final class InOrder {

  /** Events asked of the members at a time. */
  static final int FETCH_LIMIT = 1000;
  /** How long to wait before asking again when a member did not answer, and how many times. */
  static final long RETRY_MILLIS = 1000;
  static final int MAX_RETRIES = 30;

  /** The cluster as this class sees it: {@link ClusterEvents}. */
  interface Members {
    /** Every member's kept events of the session after {@code after}, merged by seq. */
    Future<EventPage> history(String session, long after, int limit);

    /** The members that left at or after {@code since}. */
    List<String> leftSince(long since);

    static Members of(ClusterEvents cluster) {
      return new Members() {
        @Override
        public Future<EventPage> history(String session, long after, int limit) {
          return cluster.liveHistory(session, after, limit);
        }

        @Override
        public List<String> leftSince(long since) {
          return cluster.leftSince(since);
        }
      };
    }
  }

  /** Where ordered events and notices go: the connection. */
  interface Out {
    /** Writes the event, or drops and counts it when the client cannot take it. */
    void send(DebugEvent event);

    /** Tells the client that events {@code from}-{@code to} of a session are skipped. */
    void gap(String session, long from, long to, List<String> left, List<String> unanswered);

    /** Counts events that did not fit while waiting for missing ones. */
    void dropped(long count);

    /** The seq the client's subscription starts after, for a session first seen. */
    long afterOf(String session);

    /** When the subscription covering the session began (this node's clock). */
    long subscribedAt(String session);
  }

  /** One session: what was sent, what waits for missing events, and whether they are being asked for. */
  private static final class Order {
    long delivered;
    /** Whether the client has a place in this session (it resumed after a seq, or got events of it). */
    boolean known;
    final TreeMap<Long, DebugEvent> waiting = new TreeMap<>();
    boolean fetching;
    int retries;
    /** When the last event was sent (this node's clock). */
    long lastSent = System.currentTimeMillis();

    Order(long delivered, boolean known) {
      this.delivered = delivered;
      this.known = known;
    }
  }

  private final Context context;
  private final Members cluster;
  private final Out out;
  private final int maxWaiting;
  private final Map<String, Order> orders = new HashMap<>();
  /** Per session, the highest seq dropped before it reached this class (already counted as dropped). */
  private final ConcurrentHashMap<String, Long> lost = new ConcurrentHashMap<>();
  private int waiting;

  InOrder(Context context, Members cluster, Out out, int maxWaiting) {
    this.context = context;
    this.cluster = cluster;
    this.out = out;
    this.maxWaiting = maxWaiting;
  }

  /** An event of a session the connection wants, from any node, in any order. */
  void offer(DebugEvent event) {
    String session = event.session();
    Order order = orders.get(session);
    if (order == null) {
      long after = out.afterOf(session);
      order = new Order(after, after > 0);
      orders.put(session, order);
    }
    long seq = event.seq();
    if (seq <= order.delivered) {
      return; // already sent: replayed, fetched, or both live and fetched
    }
    if (seq == order.delivered + 1 && order.waiting.isEmpty()) {
      send(order, event);
      return;
    }
    if (waiting >= maxWaiting) {
      out.dropped(1);
      lostOnTheWay(session, seq);
    } else if (order.waiting.putIfAbsent(seq, event) == null) {
      waiting++;
    }
    resolve(session, order);
  }

  /** A replay sent the session's events up to {@code seq} (or the client resumes after it): go on from there. */
  void replayed(String session, long seq, boolean known) {
    forget(session);
    orders.put(session, new Order(seq, known));
  }

  /** Forgets a session's place, for instance before it is replayed again. */
  void forget(String session) {
    Order order = orders.remove(session);
    if (order != null) {
      waiting -= order.waiting.size();
    }
  }

  /** Forgets the sessions the connection no longer wants. */
  void forgetUnless(Predicate<String> wanted) {
    orders.entrySet().removeIf(e -> {
      boolean gone = !wanted.test(e.getKey());
      if (gone) {
        waiting -= e.getValue().waiting.size();
      }
      return gone;
    });
  }

  void forgetAll() {
    orders.clear();
    waiting = 0;
  }

  /** Called on any thread: an event dropped before it got here; its absence is no gap. */
  void lostOnTheWay(String session, long seq) {
    lost.merge(session, seq, Math::max);
  }

  /** A member left: what waited on it is settled now. */
  void memberLeft() {
    orders.forEach((session, order) -> {
      if (!order.waiting.isEmpty() && !order.fetching) {
        order.retries = 0;
        resolve(session, order);
      }
    });
  }

  /**
   * Forgets the sessions that sent nothing since {@code before}, so that following "*" for days holds no
   * entry per session ever seen. Pass a time after which every node has let go of such a session's history
   * too: its next event then finds no older one to fetch, and the client gets nothing twice.
   */
  void prune(long before) {
    orders.entrySet().removeIf(e -> {
      Order order = e.getValue();
      boolean idle = order.waiting.isEmpty() && !order.fetching && order.lastSent < before;
      if (idle) {
        lost.remove(e.getKey());
      }
      return idle;
    });
  }

  int waiting() {
    return waiting;
  }

  private void send(Order order, DebugEvent event) {
    order.delivered = event.seq();
    order.known = true;
    order.lastSent = System.currentTimeMillis();
    out.send(event);
  }

  /** Sends what is in order; asks the members for what is missing before the next waiting event. */
  private void resolve(String session, Order order) {
    drain(order);
    if (order.waiting.isEmpty() || order.fetching) {
      return;
    }
    long first = order.waiting.firstKey();
    Long dropped = lost.get(session);
    if (dropped != null && dropped > order.delivered) {
      order.delivered = Math.min(dropped, first - 1); // counted as dropped already
      if (dropped < first) {
        lost.remove(session, dropped);
      }
      drain(order);
      if (order.waiting.isEmpty()) {
        return;
      }
      first = order.waiting.firstKey();
    }
    order.fetching = true;
    long from = order.delivered;
    int limit = (int) Math.min(first - 1 - from, FETCH_LIMIT);
    // always a turn of the loop later: an answer complete at once must not recurse into the next question
    cluster.history(session, from, limit).onComplete(done -> context.runOnContext(v -> fetched(session, order, from, limit, done)));
  }

  private void fetched(String session, Order order, long from, int limit, AsyncResult<EventPage> done) {
    order.fetching = false;
    if (orders.get(session) != order) {
      return; // forgotten meanwhile
    }
    EventPage page = done.succeeded() ? done.result() : new EventPage(List.of(), 0, List.of("?"));
    long top = from;
    for (DebugEvent event : page.events()) {
      top = Math.max(top, event.seq());
      if (event.seq() > order.delivered && order.waiting.putIfAbsent(event.seq(), event) == null) {
        waiting++;
      }
    }
    boolean givingUp = !page.complete() && order.retries >= MAX_RETRIES;
    // Below the newest event returned nothing more exists on the members that answered; if fewer came than
    // asked for, nothing more exists before the waiting events at all.
    long settled = !page.complete() && !givingUp ? from : page.events().size() >= limit ? top : Long.MAX_VALUE;
    while (!order.waiting.isEmpty()) {
      drain(order);
      if (order.waiting.isEmpty() || order.waiting.firstKey() - 1 > settled) {
        break;
      }
      long to = order.waiting.firstKey() - 1;
      List<String> left = cluster.leftSince(out.subscribedAt(session));
      if (order.known || !left.isEmpty()) {
        out.gap(session, order.delivered + 1, to, left, givingUp ? page.unanswered() : List.of());
      }
      order.delivered = to;
    }
    if (order.waiting.isEmpty()) {
      order.retries = 0;
    } else if (!page.complete()) {
      order.retries++;
      context.owner().setTimer(RETRY_MILLIS, id -> {
        if (orders.get(session) == order && !order.fetching) {
          resolve(session, order);
        }
      });
    } else {
      resolve(session, order);
    }
  }

  private void drain(Order order) {
    while (!order.waiting.isEmpty() && order.waiting.firstKey() <= order.delivered + 1) {
      DebugEvent event = order.waiting.pollFirstEntry().getValue();
      waiting--;
      if (event.seq() > order.delivered) {
        send(order, event);
      }
    }
  }
}
