package io.botgate.console;

import io.botgate.JsonText;
import io.botgate.Timestamps;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Numbers every debug event per session, keeps the last N of each session for a while after the
 * session's last activity (CB keeps bot logs 30 minutes), and publishes each on
 * {@code botgate.events.<session>}. A total bound keeps many sessions from filling the heap: past it, the
 * oldest events of all sessions go first, so memory stays bounded however many sessions there are.
 */
public final class DebugStream {

  public static final String ADDRESS_PREFIX = "botgate.events.";
  public static final int DEFAULT_HISTORY = 1000;
  public static final int DEFAULT_HISTORY_MINUTES = 30;
  public static final int DEFAULT_TOTAL = 200_000;

  private final String id = java.util.UUID.randomUUID().toString();
  private final Vertx vertx;
  private final int historySize;
  private final long maxTotal;
  private final long keepMillis;
  /** Every event held, oldest first, across sessions: what the total bound evicts from. */
  private final ArrayDeque<DebugEvent> held = new ArrayDeque<>();
  private final LongAdder emitted = new LongAdder();
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, History> histories = new ConcurrentHashMap<>();
  private final List<Consumer<DebugEvent>> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param historySize events kept per session
   * @param maxTotal    events kept in all sessions together; past it, the oldest go first
   * @param keepMillis  how long a session's events are kept after its last event
   */
  public DebugStream(Vertx vertx, int historySize, long maxTotal, long keepMillis, LongSupplier clock) {
    this.vertx = vertx;
    this.historySize = historySize;
    this.maxTotal = maxTotal;
    this.keepMillis = keepMillis;
    this.clock = clock;
  }

  /**
   * Names this stream's numbering: sequence numbers restart when the gateway does, so a client that sees
   * another id forgets the numbers it remembered.
   */
  public String id() {
    return id;
  }

  /** Records and publishes one event; returns it, numbered and encoded. */
  public DebugEvent emit(String session, String kind, String level, String text, JsonObject data) {
    History known = histories.get(session); // most events are for a session already known: no lock taken
    History history = known != null ? known : histories.computeIfAbsent(session, s -> new History());
    DebugEvent event;
    synchronized (history) {
      long now = clock.getAsLong();
      JsonObject json = new JsonObject()
        .put("seq", ++history.lastSeq)
        .put("session", session)
        .put("ts", Timestamps.iso(now))
        .put("kind", kind)
        .put("level", level)
        .put("text", text);
      if (data != null) {
        json.put("data", data);
      }
      event = new DebugEvent(history.lastSeq, session, JsonText.encode(json));
      history.events.addLast(event);
      emitted.increment();
      while (history.events.size() > historySize) {
        history.events.removeFirst().forgotten = true;
      }
      history.lastActivity = now;
      // Delivered under the lock so that every listener sees a session's events in seq order.
      if (vertx != null) {
        vertx.eventBus().publish(ADDRESS_PREFIX + session, json);
      }
      for (Consumer<DebugEvent> listener : listeners) {
        listener.accept(event);
      }
    }
    // Outside the session's lock: evicting takes other sessions' locks, never two at once.
    for (DebugEvent oldest = holdAndEvict(event); oldest != null; oldest = holdAndEvict(null)) {
      forget(oldest);
    }
    return event;
  }

  /** Holds the event (when not null); returns the oldest event held past the total, or null. */
  private DebugEvent holdAndEvict(DebugEvent event) {
    synchronized (held) {
      if (event != null) {
        held.addLast(event);
      }
      return held.size() > maxTotal ? held.pollFirst() : null;
    }
  }

  private void forget(DebugEvent event) {
    History history = histories.get(event.session());
    if (history == null) {
      return;
    }
    synchronized (history) {
      if (!event.forgotten) {
        // At or next to the head: emitters of one session may hand their events to held in either order.
        history.events.removeFirstOccurrence(event);
        event.forgotten = true;
      }
    }
  }

  /** Calls the listener with every event from now on, on the emitting thread, in seq order per session. */
  public void addListener(Consumer<DebugEvent> listener) {
    listeners.add(listener);
  }

  public void removeListener(Consumer<DebugEvent> listener) {
    listeners.remove(listener);
  }

  /** Up to {@code limit} kept events with {@code seq > after}, oldest first. */
  public List<DebugEvent> history(String session, long after, int limit) {
    History history = histories.get(session);
    List<DebugEvent> out = new ArrayList<>();
    if (history == null) {
      return out;
    }
    synchronized (history) {
      for (DebugEvent e : history.events) {
        if (e.seq() > after) {
          out.add(e);
          if (out.size() >= limit) {
            break;
          }
        }
      }
    }
    return out;
  }

  /** The sequence number of the newest event of a session, 0 when it has none. */
  public long lastSeq(String session) {
    History history = histories.get(session);
    if (history == null) {
      return 0;
    }
    synchronized (history) {
      return history.lastSeq;
    }
  }

  /** Events emitted since start. */
  public long emitted() {
    return emitted.sum();
  }

  /** Events held in memory now, at most the total bound. */
  public long kept() {
    synchronized (held) {
      return held.size();
    }
  }

  public Collection<String> sessions() {
    return histories.keySet();
  }

  /** Forgets histories idle past the keep time; returns how many went. */
  public int expire() {
    long cutoff = clock.getAsLong() - keepMillis;
    int before = histories.size();
    histories.values().removeIf(h -> {
      synchronized (h) {
        if (h.lastActivity >= cutoff) {
          return false;
        }
        h.events.forEach(e -> e.forgotten = true); // held until evicted, within the total bound
        h.events.clear();
        return true;
      }
    });
    return before - histories.size();
  }

  private static final class History {
    final ArrayDeque<DebugEvent> events = new ArrayDeque<>();
    long lastSeq;
    long lastActivity;
  }
}
