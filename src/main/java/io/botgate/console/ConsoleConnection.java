package io.botgate.console;

import io.botgate.events.DebugStream;
import io.botgate.events.DebugEvent;
import io.botgate.Timestamps;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser (or other client) on {@code /console}. It subscribes to sessions, gets their kept history
 * after a sequence number, then their live events, with no gap and no duplicate: a session's events are
 * delivered in seq order on this connection's event loop, and anything already replayed is skipped.
 * <p>
 * What a client can make the gateway hold is bounded. Every frame the server writes (events, replays,
 * replies, heartbeats, notices) counts against {@code console.queue.bytes} until the socket has taken it.
 * When the next frame does not fit the connection is congested: events are dropped and counted, replies
 * are held back and merged (at most one {@code pong}, the first {@code error} with a count of the others,
 * the latest reply per session), heartbeats are skipped, and the connection stops reading the client's
 * frames, so a client that sends without reading fills its own buffers, not the gateway's. Once half the
 * budget has drained, the held replies and a {@code dropped} notice go out and reading resumes. Reading
 * also pauses for the rest of the second after {@code console.frames.perSecond} frames.
 * <p>
 * A subscription's replay writes history as fast as the client takes it: it stops where the queue is full
 * and goes on when it drains, while live events wait in the (bounded) inbox and the client's next frames
 * wait unread, so a client that reads gets all of it and one that does not makes the gateway hold no more.
 */
final class ConsoleConnection implements Consumer<DebugEvent> {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleConnection.class);
  static final String ALL = "*";
  static final int DRAIN_BATCH = 512;
  /** Replies held while congested; reading pauses at once, so more than a few means a bug, not a client. */
  static final int MAX_HELD_REPLIES = 64;
  private static final String ERROR = "error";
  private static final String PONG = "pong";
  /** Events read from a history at a time during a replay. */
  static final int REPLAY_PAGE = 64;
  /** Sessions a replay of "*" looks at per turn of the event loop, so that it never holds the loop long. */
  static final int SESSIONS_PER_TURN = 1_000;

  private final ServerWebSocket ws;
  private final Context context;
  private final DebugStream stream;
  private final ConsoleOptions options;
  private final ConsoleStats stats;
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
  /**
   * Per session, the highest seq a replay sent. Events emitted while a replay read the history are both
   * in it and in the inbox; these marks skip them. Touched only on this connection's context, and cleared
   * whenever the inbox has been emptied, since every such event was in the inbox when the replay ended.
   */
  private final Map<String, Long> replayed = new HashMap<>();
  /** Events on their way from emitting threads to this connection's context, bounded in count and bytes. */
  private final ConcurrentLinkedQueue<DebugEvent> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inboxSize = new AtomicInteger();
  private final AtomicLong inboxBytes = new AtomicLong();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicLong droppedOnTheWay = new AtomicLong();
  /** Replies not written while congested, by what they answer, in order. */
  private final Map<String, String> held = new LinkedHashMap<>();
  private int errorsMerged;
  private long dropped;
  /** Bytes written to the socket and not yet taken by it. */
  private long queued;
  private boolean congested;
  private boolean throttled;
  private boolean readingPaused;
  private long windowStart = System.nanoTime();
  private int framesInWindow;
  private long heartbeat;
  private long throttleTimer = -1;
  private Replay replay;
  private final ArrayDeque<String> deferred = new ArrayDeque<>();

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
    ws.frameHandler(this::onAnyFrame);
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> error("binary frames are not understood; send JSON text frames"));
    ws.closeHandler(v -> stop());
    // A console stays open for as long as the page does: on shutdown it has nothing in flight to finish, so
    // it goes at once (1001) and the page reconnects, rather than holding the drain for shutdown.graceSeconds.
    ws.shutdownHandler(v -> ws.close((short) 1001, "the gateway is shutting down"));
    ws.exceptionHandler(this::onFailure);
    heartbeat = context.owner().setPeriodic(options.heartbeatMillis(), id -> {
      if (!congested) {
        write(new JsonObject().put("op", "heartbeat").put("ts", Timestamps.iso(System.currentTimeMillis())).encode());
      }
    });
    stream.addListener(this);
    stats.connections.incrementAndGet();
    reply("hello", new JsonObject().put("op", "hello").put("protocol", 1).put("stream", stream.id())
      .put("maxSubscriptions", options.maxSubscriptions()));
  }

  private void stop() {
    stream.removeListener(this);
    stats.connections.decrementAndGet();
    context.owner().cancelTimer(heartbeat);
    context.owner().cancelTimer(throttleTimer);
    subscribed.clear();
    held.clear();
    deferred.clear();
    replay = null;
    DebugEvent event;
    while ((event = inbox.poll()) != null) {
      inboxSize.decrementAndGet();
      inboxBytes.addAndGet(-event.utf8().length);
    }
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
    int size = event.utf8().length;
    long bytes = inboxBytes.addAndGet(size);
    int count = inboxSize.incrementAndGet();
    if (count > 1 && (count > options.maxInbox() || bytes > options.maxInboxBytes())) {
      inboxSize.decrementAndGet();
      inboxBytes.addAndGet(-size);
      droppedOnTheWay.incrementAndGet();
    } else {
      inbox.add(event);
    }
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drainInbox());
    }
  }

  /** Delivers a bounded batch per turn of the event loop, so a busy producer cannot starve it. */
  private void drainInbox() {
    drainScheduled.set(false);
    if (replay != null) {
      return; // live events wait for the replay; finishReplay() drains them
    }
    DebugEvent event;
    for (int i = 0; i < DRAIN_BATCH && (event = inbox.poll()) != null; i++) {
      inboxSize.decrementAndGet();
      inboxBytes.addAndGet(-event.utf8().length);
      deliver(event);
    }
    if (inbox.isEmpty()) {
      replayed.clear();
    } else {
      scheduleDrain();
    }
    long lost = droppedOnTheWay.getAndSet(0);
    if (lost > 0) {
      drop(lost);
    }
  }

  private boolean wants(String session) {
    return subscribed.contains(session) || subscribed.contains(ALL);
  }

  private void deliver(DebugEvent event) {
    if (ws.isClosed() || !wants(event.session())) {
      return;
    }
    Long sent = replayed.get(event.session());
    if (sent != null && event.seq() <= sent) {
      return;
    }
    if (!write(event.json(), event.utf8().length)) {
      drop(1);
      return;
    }
    stats.delivered.increment();
  }

  private void drop(long count) {
    dropped += count;
    stats.dropped.add(count);
    if (!congested) {
      reportDropped();
    }
  }

  /** Tells the client how many events it missed; when that does not fit either, it is told on relief. */
  private void reportDropped() {
    if (dropped == 0) {
      return;
    }
    String notice = new JsonObject().put("kind", DebugEvent.DROPPED).put("level", "warn")
      .put("ts", Timestamps.iso(System.currentTimeMillis()))
      .put("text", dropped + " events dropped: this console could not keep up; reload history to see them")
      .put("data", new JsonObject().put("count", dropped)).encode();
    if (write(notice)) {
      LOG.atWarn().addKeyValue("client", client()).addKeyValue("dropped", dropped)
        .log("console client could not keep up: {} events dropped", dropped);
      dropped = 0;
    }
  }

  private boolean write(String text) {
    return write(text, text.getBytes(StandardCharsets.UTF_8).length);
  }

  /**
   * Writes one frame if it fits the budget: nothing else is queued, or it stays within it. A frame that
   * does not fit congests the connection.
   */
  private boolean write(String text, int bytes) {
    if (ws.isClosed()) {
      return true; // nothing will be sent any more; nothing to hold
    }
    if (congested || ws.writeQueueFull() || queued > 0 && queued + bytes > options.queueBytes()) {
      congest();
      return false;
    }
    queued += bytes;
    stats.queued(bytes, queued);
    ws.writeTextMessage(text).onComplete(done -> taken(bytes));
    return true;
  }

  private void taken(int bytes) {
    queued -= bytes;
    stats.queued(-bytes, queued);
    relieve();
  }

  private void congest() {
    if (congested) {
      return;
    }
    congested = true;
    stats.congestions.increment();
    ws.drainHandler(v -> relieve());
    updateReading();
  }

  /** Once half the budget has drained: the dropped count, the held replies, the replay, then reading again. */
  private void relieve() {
    if (!congested || ws.isClosed() || queued > options.queueBytes() / 2 || ws.writeQueueFull()) {
      return;
    }
    congested = false;
    ws.drainHandler(null);
    reportDropped();
    var replies = held.entrySet().iterator();
    while (!congested && replies.hasNext()) {
      var reply = replies.next();
      boolean error = reply.getKey().equals(ERROR);
      if (write(error && errorsMerged > 0 ? mergedError(reply.getValue()) : reply.getValue())) {
        replies.remove();
        errorsMerged = error ? 0 : errorsMerged;
      }
    }
    continueReplay();
    updateReading();
    if (!congested && !inbox.isEmpty()) {
      scheduleDrain();
    }
  }

  private String mergedError(String first) {
    JsonObject frame = new JsonObject(first);
    return frame.put("message", frame.getString("message") + " (and " + errorsMerged
      + " more refused frames while this connection was not reading)").encode();
  }

  /** A reply to the client: written, or held (merged with one held for the same thing) until relief. */
  private void reply(String about, JsonObject frame) {
    String text = frame.encode();
    if (write(text)) {
      return;
    }
    if (about.equals(ERROR) && held.containsKey(ERROR)) {
      errorsMerged++;
      stats.merged.increment();
      return;
    }
    if (held.remove(about) != null) {
      stats.merged.increment();
    }
    held.put(about, text);
    if (held.size() > MAX_HELD_REPLIES) {
      closeDropping((short) 1008, "too many replies held (" + held.size() + ") for a client that does not read");
    }
  }

  private void error(String message) {
    reply(ERROR, new JsonObject().put("op", ERROR).put("message", message));
  }

  /** Every frame, control frames included: counts it against the rate, and notices pongs piling up. */
  private void onAnyFrame(WebSocketFrame frame) {
    long now = System.nanoTime();
    if (now - windowStart >= TimeUnit.SECONDS.toNanos(1)) {
      windowStart = now;
      framesInWindow = 0;
    }
    if (++framesInWindow >= options.framesPerSecond() && !throttled) {
      throttled = true;
      long wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(windowStart + TimeUnit.SECONDS.toNanos(1) - now));
      throttleTimer = context.owner().setTimer(wait, id -> {
        throttled = false;
        windowStart = System.nanoTime();
        framesInWindow = 0;
        updateReading();
      });
      updateReading();
    }
    // the server answers a WebSocket ping itself, outside this class's writes: its pongs show as a full queue
    if (frame.isPing() && ws.writeQueueFull()) {
      congest();
    }
  }

  private void updateReading() {
    boolean pause = (congested || throttled || replay != null) && !ws.isClosed();
    if (pause != readingPaused) {
      readingPaused = pause;
      if (pause) {
        ws.pause();
      } else {
        ws.resume();
      }
    }
  }

  private void onFailure(Throwable failure) {
    if (failure instanceof CorruptedWebSocketFrameException corrupted) {
      // a frame over console.frame.bytes, or one that breaks the protocol: close with the status it calls for
      closeDropping((short) corrupted.closeStatus().code(), reason(corrupted.getMessage()));
    } else if (failure instanceof IllegalStateException && String.valueOf(failure.getMessage()).contains("max message size")) {
      closeDropping((short) 1009, reason(failure.getMessage())); // fragments adding up past console.frame.bytes
    } else {
      ws.close();
    }
  }

  /** Drops the client for breaking a limit, with a log line saying which. */
  private void closeDropping(short status, String reason) {
    LOG.atWarn().addKeyValue("client", client()).addKeyValue("closeStatus", status)
      .log("console client dropped: {}", reason);
    ws.close(status, reason);
  }

  private String client() {
    return ws.remoteAddress() == null ? null : ws.remoteAddress().toString();
  }

  /** A close reason fits in 123 bytes. */
  private static String reason(String text) {
    String reason = text == null ? "" : text;
    return reason.length() <= 120 ? reason : reason.substring(0, 120);
  }

  private void onText(String text) {
    if (replay != null) {
      // reading pauses during a replay; a frame the socket had already handed over waits for it
      deferred.add(text);
      if (deferred.size() > MAX_HELD_REPLIES) {
        closeDropping((short) 1008, "too many frames sent during a replay");
      }
      return;
    }
    ConsoleCommand command;
    try {
      command = ConsoleCommand.parse(text);
    } catch (ConsoleCommand.Invalid e) {
      error(e.getMessage());
      return;
    }
    try {
      switch (command.op()) {
        case ConsoleCommand.SUBSCRIBE -> subscribe(command);
        case ConsoleCommand.UNSUBSCRIBE -> unsubscribe(command.session());
        default -> reply(PONG, new JsonObject().put("op", PONG).put("ts", Timestamps.iso(System.currentTimeMillis())));
      }
    } catch (RuntimeException e) {
      LOG.warn("console frame failed: " + command.op(), e);
      error("the gateway could not carry out \"" + command.op() + "\": " + e);
    }
  }

  private void subscribe(ConsoleCommand command) {
    String session = command.session();
    if (!subscribed.contains(session) && subscribed.size() >= options.maxSubscriptions()) {
      error("at most " + options.maxSubscriptions() + " subscriptions per connection; unsubscribe first");
      return;
    }
    subscribed.add(session);
    replay = new Replay(command, ALL.equals(session) ? stream.sessions().iterator() : List.of(session).iterator());
    updateReading();
    continueReplay();
  }

  /**
   * Writes kept events until the replay is done, the queue is full (it goes on once the queue drains) or
   * this turn of the event loop has looked at enough sessions (it goes on at the next). Live events wait in
   * the inbox meanwhile, so each session's events still arrive in seq order.
   */
  private void continueReplay() {
    Replay r = replay;
    int visited = 0;
    while (r != null && r == replay && !congested && !ws.isClosed()) {
      if (r.session == null) {
        if (!r.sessions.hasNext()) {
          finishReplay(r);
          return;
        }
        if (++visited > SESSIONS_PER_TURN) {
          context.runOnContext(v -> continueReplay());
          return;
        }
        r.next(r.sessions.next());
      }
      int wanted = Math.min(REPLAY_PAGE, options.maxReplay() - r.sentOfSession);
      List<DebugEvent> page = wanted <= 0 ? List.of() : stream.history(r.session, r.after, wanted);
      for (DebugEvent event : page) {
        if (!write(event.json(), event.utf8().length)) {
          return; // congested: relieve() goes on from here
        }
        stats.delivered.increment();
        replayed.put(r.session, event.seq());
        r.sent(event.seq());
      }
      if (page.size() < wanted || wanted <= 0) {
        r.session = null;
      }
    }
  }

  private void finishReplay(Replay r) {
    replay = null;
    reply("subscribed " + r.command.session(), new JsonObject().put("op", "subscribed")
      .put("session", r.command.session()).put("replayed", r.count));
    updateReading();
    scheduleDrain();
    while (replay == null && !deferred.isEmpty() && !ws.isClosed()) {
      onText(deferred.poll());
    }
  }

  private void unsubscribe(String session) {
    subscribed.remove(session);
    reply("unsubscribed " + session, new JsonObject().put("op", "unsubscribed").put("session", session));
  }

  /** A subscription's replay under way: the sessions still to go and where the current one stands. */
  private static final class Replay {
    final ConsoleCommand command;
    final Iterator<String> sessions;
    String session;
    long after;
    int sentOfSession;
    int count;

    Replay(ConsoleCommand command, Iterator<String> sessions) {
      this.command = command;
      this.sessions = sessions;
    }

    void next(String s) {
      session = s;
      after = command.after(s);
      sentOfSession = 0;
    }

    void sent(long seq) {
      after = seq;
      sentOfSession++;
      count++;
    }
  }
}
