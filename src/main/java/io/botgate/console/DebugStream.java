package io.botgate.console;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Numbers every debug event per session, keeps the last N of each session for a while after the
 * session's last activity (CB keeps bot logs 30 minutes), and publishes each on
 * {@code botgate.events.<session>}.
 */
public final class DebugStream {

  public static final String ADDRESS_PREFIX = "botgate.events.";
  public static final int DEFAULT_HISTORY = 1000;
  public static final int DEFAULT_HISTORY_MINUTES = 30;

  private final String id = java.util.UUID.randomUUID().toString();
  private final Vertx vertx;
  private final int historySize;
  private final long keepMillis;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, History> histories = new ConcurrentHashMap<>();
  private final List<Consumer<DebugEvent>> listeners = new CopyOnWriteArrayList<>();

  public DebugStream(Vertx vertx, int historySize, long keepMillis, LongSupplier clock) {
    this.vertx = vertx;
    this.historySize = historySize;
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

  /** Records and publishes one event; returns it with its sequence number. */
  public DebugEvent emit(String session, String kind, String level, String text, JsonObject data) {
    History history = histories.computeIfAbsent(session, s -> new History());
    DebugEvent event;
    synchronized (history) {
      event = new DebugEvent(++history.lastSeq, session, Instant.ofEpochMilli(clock.getAsLong()), kind, level,
        text, data);
      history.events.addLast(event);
      if (history.events.size() > historySize) {
        history.events.removeFirst();
      }
      history.lastActivity = clock.getAsLong();
      // Delivered under the lock so that every listener sees a session's events in seq order.
      if (vertx != null) {
        vertx.eventBus().publish(ADDRESS_PREFIX + session, event.toJson());
      }
      for (Consumer<DebugEvent> listener : listeners) {
        listener.accept(event);
      }
    }
    return event;
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

  public Collection<String> sessions() {
    return histories.keySet();
  }

  /** Forgets histories idle past the keep time; returns how many went. */
  public int expire() {
    long cutoff = clock.getAsLong() - keepMillis;
    int before = histories.size();
    histories.values().removeIf(h -> {
      synchronized (h) {
        return h.lastActivity < cutoff;
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
