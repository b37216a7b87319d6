package io.botgate.console;

import io.botgate.Timestamps;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One browser (or other client) on {@code /console}. It subscribes to sessions, gets their kept history
 * after a sequence number, then their live events, with no gap and no duplicate: a session's events are
 * delivered in seq order on this connection's event loop, and anything at or below what was already sent
 * is skipped. When the socket's write queue is full, events are dropped and counted, never queued without
 * bound, and a {@code dropped} event tells the client how many once the queue drains.
 */
final class ConsoleConnection implements Consumer<DebugEvent> {

  static final String ALL = "*";
  static final int DRAIN_BATCH = 512;

  private final ServerWebSocket ws;
  private final Context context;
  private final DebugStream stream;
  private final ConsoleOptions options;
  private final ConsoleStats stats;
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
  /** Per session, the highest seq sent; touched only on this connection's context. */
  private final Map<String, Long> lastSent = new HashMap<>();
  /** Events on their way from emitting threads to this connection's context, bounded. */
  private final ConcurrentLinkedQueue<DebugEvent> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inboxSize = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicLong droppedOnTheWay = new AtomicLong();
  private long dropped;
  private boolean waitingForDrain;
  private long heartbeat;

  ConsoleConnection(ServerWebSocket ws, Context context, DebugStream stream, ConsoleOptions options,
                    ConsoleStats stats) {
    this.ws = ws;
    this.context = context;
    this.stream = stream;
    this.options = options;
    this.stats = stats;
  }

  void start() {
    ws.setWriteQueueMaxSize(options.queueBytes());
    ws.textMessageHandler(this::onFrame);
    ws.binaryMessageHandler(b -> error("binary frames are not understood; send JSON text frames"));
    ws.closeHandler(v -> stop());
    ws.exceptionHandler(e -> ws.close());
    heartbeat = context.owner().setPeriodic(options.heartbeatMillis(), id -> {
      if (!ws.isClosed() && !ws.writeQueueFull()) {
        send(new JsonObject().put("op", "heartbeat").put("ts", Timestamps.iso(System.currentTimeMillis())));
      }
    });
    stream.addListener(this);
    stats.connections.incrementAndGet();
    send(new JsonObject().put("op", "hello").put("protocol", 1).put("stream", stream.id())
      .put("maxSubscriptions", options.maxSubscriptions()));
  }

  private void stop() {
    stream.removeListener(this);
    stats.connections.decrementAndGet();
    context.owner().cancelTimer(heartbeat);
    subscribed.clear();
  }

  /**
   * Called on the emitting thread: queue for this connection's context, keeping the order. The queue is
   * bounded too, so a connection whose event loop falls behind drops and counts rather than piling up.
   */
  @Override
  public void accept(DebugEvent event) {
    if (!wants(event.session())) {
      return;
    }
    if (inboxSize.incrementAndGet() > options.maxInbox()) {
      inboxSize.decrementAndGet();
      droppedOnTheWay.incrementAndGet();
    } else {
      inbox.add(event);
    }
    if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drainInbox());
    }
  }

  /** Delivers a bounded batch per turn of the event loop, so a busy producer cannot starve it. */
  private void drainInbox() {
    drainScheduled.set(false);
    DebugEvent event;
    for (int i = 0; i < DRAIN_BATCH && (event = inbox.poll()) != null; i++) {
      inboxSize.decrementAndGet();
      deliver(event);
    }
    if (!inbox.isEmpty() && drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drainInbox());
    }
    long lost = droppedOnTheWay.getAndSet(0);
    if (lost > 0) {
      drop(lost);
    }
  }

  private boolean wants(String session) {
    return subscribed.contains(session) || subscribed.contains(ALL);
  }

  private void drop(long count) {
    dropped += count;
    stats.dropped.add(count);
    awaitDrain();
  }

  private void deliver(DebugEvent event) {
    if (ws.isClosed() || !wants(event.session())) {
      return;
    }
    Long sent = lastSent.get(event.session());
    if (sent != null && event.seq() <= sent) {
      return;
    }
    if (ws.writeQueueFull()) {
      drop(1);
      return;
    }
    lastSent.put(event.session(), event.seq());
    stats.delivered.increment();
    ws.writeTextMessage(event.json());
  }

  /** Tells the client how many events it missed as soon as its write queue has room again. */
  private void awaitDrain() {
    if (waitingForDrain || ws.isClosed()) {
      return;
    }
    if (!ws.writeQueueFull()) {
      reportDropped();
      return;
    }
    waitingForDrain = true;
    ws.drainHandler(v -> {
      waitingForDrain = false;
      ws.drainHandler(null);
      reportDropped();
    });
  }

  private void reportDropped() {
    long count = dropped;
    dropped = 0;
    send(new JsonObject().put("kind", DebugEvent.DROPPED).put("level", "warn")
      .put("ts", Timestamps.iso(System.currentTimeMillis()))
      .put("text", count + " events dropped: this console could not keep up; reload history to see them")
      .put("data", new JsonObject().put("count", count)));
  }

  private void onFrame(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException e) {
      error("the frame is not a JSON object: " + e.getMessage());
      return;
    }
    String op = frame.getValue("op") instanceof String s ? s : null;
    if (op == null) {
      error("a frame needs \"op\": subscribe, unsubscribe or ping");
      return;
    }
    switch (op) {
      case "subscribe" -> subscribe(frame);
      case "unsubscribe" -> unsubscribe(frame);
      case "ping" -> send(new JsonObject().put("op", "pong").put("ts", Timestamps.iso(System.currentTimeMillis())));
      default -> error("unknown op '" + op + "': use subscribe, unsubscribe or ping");
    }
  }

  private void subscribe(JsonObject frame) {
    String session = sessionOf(frame);
    if (session == null) {
      return;
    }
    Object after = frame.getValue("after", 0);
    if (!(after instanceof Number || after instanceof JsonObject)) {
      error("\"after\" must be a sequence number, or for \"*\" an object of session to sequence number");
      return;
    }
    if (!subscribed.contains(session) && subscribed.size() >= options.maxSubscriptions()) {
      error("at most " + options.maxSubscriptions() + " subscriptions per connection; unsubscribe first");
      return;
    }
    subscribed.add(session);
    int replayed = 0;
    List<String> sessions = ALL.equals(session) ? List.copyOf(stream.sessions()) : List.of(session);
    for (String s : sessions) {
      long from = after instanceof JsonObject map ? map.getLong(s, 0L) : ((Number) after).longValue();
      lastSent.put(s, Math.max(from, ALL.equals(session) ? lastSent.getOrDefault(s, 0L) : 0L));
      for (DebugEvent event : stream.history(s, from, options.maxReplay())) {
        deliver(event);
        replayed++;
      }
    }
    send(new JsonObject().put("op", "subscribed").put("session", session).put("replayed", replayed));
  }

  private void unsubscribe(JsonObject frame) {
    String session = sessionOf(frame);
    if (session == null) {
      return;
    }
    subscribed.remove(session);
    if (ALL.equals(session)) {
      lastSent.keySet().removeIf(s -> !subscribed.contains(s));
    } else if (!subscribed.contains(ALL)) {
      lastSent.remove(session);
    }
    send(new JsonObject().put("op", "unsubscribed").put("session", session));
  }

  private String sessionOf(JsonObject frame) {
    if (frame.getValue("session") instanceof String s && !s.isBlank() && s.length() <= 200) {
      return s;
    }
    error("\"session\" is required: a session id, or \"*\" for every session");
    return null;
  }

  private void error(String message) {
    send(new JsonObject().put("op", "error").put("message", message));
  }

  private void send(JsonObject json) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(json.encode());
    }
  }
}
