package io.botgate.console;

import io.botgate.JsonText;
import io.botgate.Timestamps;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
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
  /** Room for the text of the events kept, per event of the total bound. */
  static final long BYTES_PER_EVENT = 1024;

  private final String id = java.util.UUID.randomUUID().toString();
  private final Vertx vertx;
  private final int historySize;
  private final long maxTotal;
  private final long keepMillis;
  /** The kept events' text; its lock also guards {@link #held}. */
  private final EventRing ring;
  /** Every event kept, oldest first, across sessions: what the bounds evict from. */
  private final ArrayDeque<Kept> held = new ArrayDeque<>();
  private final LongAdder emitted = new LongAdder();
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, History> histories = new ConcurrentHashMap<>();
  private final List<Consumer<DebugEvent>> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param historySize events kept per session
   * @param maxTotal    events kept in all sessions together; past it, or past {@link #BYTES_PER_EVENT} bytes
   *                    an event (at most a quarter of the heap), the oldest go first
   * @param keepMillis  how long a session's events are kept after its last event
   */
  public DebugStream(Vertx vertx, int historySize, long maxTotal, long keepMillis, LongSupplier clock) {
    this.vertx = vertx;
    this.historySize = historySize;
    this.maxTotal = maxTotal;
    this.ring = new EventRing(Math.min(maxTotal * BYTES_PER_EVENT, Runtime.getRuntime().maxMemory() / 4));
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
    List<Kept> evicted;
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
      emitted.increment();
      evicted = keep(event, history);
      history.lastActivity = now;
      // Delivered under the lock so that every listener sees a session's events in seq order.
      if (vertx != null) {
        vertx.eventBus().publish(ADDRESS_PREFIX + session, json);
      }
      for (Consumer<DebugEvent> listener : listeners) {
        listener.accept(event);
      }
    }
    // Outside the session's lock: forgetting takes other sessions' locks, never two at once.
    evicted.forEach(this::forget);
    return event;
  }

  /**
   * Writes the event's text to the ring and keeps it in its session's history (whose lock the caller
   * holds); returns the events pushed out of the bounds, for the caller to forget.
   */
  private List<Kept> keep(DebugEvent event, History history) {
    byte[] bytes = event.json().getBytes(StandardCharsets.UTF_8);
    List<Kept> evicted = List.of();
    Kept kept;
    synchronized (ring) {
      long position = ring.append(bytes);
      if (position < 0) {
        return evicted; // larger than the ring can hold: streamed live, never kept
      }
      kept = new Kept(event.seq(), event.session(), position, bytes.length);
      held.addLast(kept);
      while (!held.isEmpty() && (held.size() > maxTotal || !ring.holds(held.peekFirst().position))) {
        if (evicted.isEmpty()) {
          evicted = new ArrayList<>();
        }
        evicted.add(held.pollFirst());
      }
    }
    history.events.addLast(kept);
    while (history.events.size() > historySize) {
      history.events.removeFirst().forgotten = true;
    }
    return evicted;
  }

  private void forget(Kept kept) {
    History history = histories.get(kept.session);
    if (history == null) {
      return;
    }
    synchronized (history) {
      if (!kept.forgotten) {
        history.events.removeFirstOccurrence(kept); // the head, unless the session's own bound took it
        kept.forgotten = true;
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
      for (Kept kept : history.events) {
        if (kept.seq > after) {
          synchronized (ring) {
            if (ring.holds(kept.position)) { // false only for an event being evicted right now
              out.add(new DebugEvent(kept.seq, session, ring.read(kept.position, kept.length)));
            }
          }
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
    synchronized (ring) {
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
        h.events.forEach(k -> k.forgotten = true); // held until evicted, within the bounds
        h.events.clear();
        return true;
      }
    });
    return before - histories.size();
  }

  /** Where a kept event's text is in the ring. */
  private static final class Kept {
    final long seq;
    final String session;
    final long position;
    final int length;
    /** Set, under its session's lock, once the event left its session's history. */
    boolean forgotten;

    Kept(long seq, String session, long position, int length) {
      this.seq = seq;
      this.session = session;
      this.position = position;
      this.length = length;
    }
  }

  private static final class History {
    final ArrayDeque<Kept> events = new ArrayDeque<>();
    long lastSeq;
    long lastActivity;
  }
}
