package io.botgate.console;

import io.botgate.events.ClusterEvents;
import io.botgate.events.DebugStream;
import io.botgate.events.DebugEvent;
import io.botgate.events.EventPage;
import io.botgate.events.Gap;
import io.botgate.Timestamps;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser (or other client) on {@code /console}. It subscribes to sessions, gets their kept history
 * after a sequence number, then their live events, with no gap and no duplicate: a session's events are
 * delivered in seq order on this connection's event loop. A replay covers the events emitted before the
 * connection took the session's events live, and the inbox every later one; what a replay finds gone from
 * the history by the time it gets there is announced as dropped, with its seqs.
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
 * Dropping costs next to nothing: while the connection is congested (and not replaying), an event for it
 * is counted on the emitting thread and goes no further (no queue, no hop to this connection's event loop,
 * no encoding), so many clients slower than the event rate do not slow the executions down. An event that
 * is delivered is written as the UTF-8 text it was encoded to once, shared by every connection.
 * <p>
 * A subscription's replay writes history as fast as the client takes it: it stops where the queue is full
 * and goes on when it drains, while live events wait in the (bounded) inbox and the client's next frames
 * wait unread, so a client that reads gets all of it (but for events that left the history before it got
 * there, announced as dropped) and one that does not makes the gateway hold no more.
 * <p>
 * In a cluster the connection also follows the events emitted on the other nodes, replays the history of
 * every member merged by seq, and puts each session's events back in order ({@link InOrder}); events no
 * member holds any more are announced by a {@code gap} frame instead of being skipped silently.
 */
final class ConsoleConnection implements ClusterEvents.Watcher {

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleConnection.class);
  static final String ALL = io.botgate.session.SessionId.ALL;
  static final int DRAIN_BATCH = 512;
  /**
   * Events up to this size are written as one frame of their shared UTF-8 text: Vert.x's default frame
   * limit, which a client of its own may keep. Larger ones go as messages split into frames.
   */
  static final int SHARED_FRAME_MAX = 64 << 10;
  /** Replies held while congested; reading pauses at once, so more than a few means a bug, not a client. */
  static final int MAX_HELD_REPLIES = 64;
  /**
   * WebSocket pings a client may send while the connection waits for it (throttled or not reading) before it is
   * dropped. Pausing holds back data frames but not pings: Vert.x reads and answers each one itself, so a client
   * that went on sending them would have pongs queued for it without end.
   */
  static final int MAX_PINGS_WHILE_PAUSED = 64;
  private static final String ERROR = "error";
  private static final String PONG = "pong";
  /** Events read from a history at a time during a replay. */
  static final int REPLAY_PAGE = 64;
  /** Sessions a replay of "*" looks at per turn of the event loop, so that it never holds the loop long. */
  static final int SESSIONS_PER_TURN = 1_000;
  /** A session's place is forgotten this long after every node let go of its history (swept each minute). */
  static final long PRUNE_SLACK_MILLIS = 120_000;

  private final ServerWebSocket ws;
  private final Context context;
  private final DebugStream stream;
  private final ConsoleOptions options;
  private final ConsoleStats stats;
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
  /** Whether {@link #subscribed} holds "*"; read on the emitting threads first, before the set. */
  private volatile boolean all;
  /**
   * Congested outside a replay: the emitting threads count an event for this connection as dropped and
   * do nothing else with it, until the socket has drained. Written on this connection's context only.
   */
  private volatile boolean shedding;
  /** The events (and {@link Lost} marks) one drain takes from the inbox; used on this connection's context only. */
  private final Object[] batch = new Object[DRAIN_BATCH];
  /**
   * Per session, the last seq its replay covers (see {@link #replayUntil}): the inbox holds every event after
   * it, and may hold some before it, which the replay sent or announced; these marks skip them. Touched only
   * on this connection's context, and cleared whenever the inbox has been emptied, since every such event
   * was in the inbox before its session's replay began.
   */
  private final Map<String, Long> replayed = new HashMap<>();
  /**
   * While a replay is under way (alone, not in a cluster), per session the first seq this connection took
   * live since the replay began: that event and every later one come through the inbox (or are counted as
   * dropped on the way), so the replay stops before it. A map per replay, so a late note of an earlier one's
   * lands in its own; null when no replay is under way. Written on the emitting threads.
   */
  private volatile Map<String, Long> firstLive;
  /**
   * Events on their way from emitting threads to this connection's context, bounded in count and bytes, and
   * between them {@link Lost} marks where events were dropped on the way, so that the client is told in place.
   */
  private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
  /** The last mark in the inbox while no event has followed it: the next dropped event counts there. */
  private final AtomicReference<Lost> openLost = new AtomicReference<>();
  private final AtomicInteger inboxSize = new AtomicInteger();
  private final AtomicLong inboxBytes = new AtomicLong();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  /** Replies not written while congested, by what they answer, in order. */
  private final Map<String, String> held = new LinkedHashMap<>();
  private int errorsMerged;
  private long dropped;
  /** Bytes written to the socket and not yet taken by it. */
  private long queued;
  private boolean congested;
  private boolean throttled;
  private boolean readingPaused;
  /** WebSocket pings read while reading is paused; see {@link #MAX_PINGS_WHILE_PAUSED}. */
  private int pingsWhilePaused;
  private io.netty.channel.Channel channel;
  private long windowStart = System.nanoTime();
  private int framesInWindow;
  private long heartbeat;
  private long throttleTimer = -1;
  private Replay replay;
  private final ArrayDeque<String> deferred = new ArrayDeque<>();
  /** The other nodes' events when the gateway is in a cluster, else null; so is {@link #inOrder}. */
  private final ClusterEvents cluster;
  private final InOrder inOrder;
  /** Each subscription's command and when it was made, by session ("*" for all); on this context only. */
  private final Map<String, Subscription> subscriptions = new HashMap<>();

  private record Subscription(ConsoleCommand command, long at) {
  }

  ConsoleConnection(ServerWebSocket ws, Context context, DebugStream stream, ConsoleOptions options,
                    ConsoleStats stats) {
    this.ws = ws;
    this.context = context;
    this.stream = stream;
    this.options = options;
    this.stats = stats;
    this.cluster = stream.cluster();
    this.inOrder = cluster == null ? null : new InOrder(context, InOrder.Members.of(cluster), new Ordered(),
      options.maxInbox());
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
      if (inOrder != null) {
        inOrder.prune(System.currentTimeMillis() - stream.keepMillis() - PRUNE_SLACK_MILLIS);
      }
      if (!congested) {
        write(new JsonObject().put("op", "heartbeat").put("ts", Timestamps.iso(System.currentTimeMillis())).encode());
      }
    });
    stream.addListener(this);
    if (cluster != null) {
      cluster.watch(this);
    }
    stats.connections.incrementAndGet();
    reply("hello", new JsonObject().put("op", "hello").put("protocol", 1)
      .put("stream", cluster != null ? cluster.streamId() : stream.id())
      .put("maxSubscriptions", options.maxSubscriptions()));
  }

  private void stop() {
    stream.removeListener(this);
    if (cluster != null) {
      cluster.unwatch(this);
      inOrder.forgetAll();
    }
    subscriptions.clear();
    stats.connections.decrementAndGet();
    context.owner().cancelTimer(heartbeat);
    context.owner().cancelTimer(throttleTimer);
    subscribed.clear();
    all = false;
    held.clear();
    deferred.clear();
    replay = null;
    firstLive = null;
    Object queued;
    while ((queued = inbox.poll()) != null) {
      if (queued instanceof DebugEvent event) {
        inboxSize.decrementAndGet();
        inboxBytes.addAndGet(-event.utf8().length);
      }
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
    Map<String, Long> noting = firstLive;
    if (noting != null && !noting.containsKey(event.session())) {
      noting.putIfAbsent(event.session(), event.seq());
    }
    if (shedding) {
      lose(event); // and nothing else: the client is told where the drain meets its mark, once relieved
      if (!shedding) {
        scheduleDrain(); // relieved meanwhile, perhaps after counting: the drain tells the client
      }
      return;
    }
    int size = event.utf8().length;
    long bytes = inboxBytes.addAndGet(size);
    int count = inboxSize.incrementAndGet();
    if (count > 1 && (count > options.maxInbox() || bytes > options.maxInboxBytes())) {
      inboxSize.decrementAndGet();
      inboxBytes.addAndGet(-size);
      lose(event);
    } else {
      inbox.add(event);
      if (openLost.get() != null) {
        openLost.set(null); // a drop after this event is told after it
      }
    }
    scheduleDrain();
  }

  /**
   * Counts an event dropped before it reached this context, in the inbox's {@link Lost} mark at this point of
   * its order (a new one unless no event followed the last); called on the emitting thread.
   */
  private void lose(DebugEvent event) {
    stats.dropped.increment();
    if (inOrder != null) {
      inOrder.lostOnTheWay(event.session(), event.seq());
    }
    while (true) {
      Lost mark = openLost.get();
      if (mark == null) {
        Lost fresh = new Lost();
        if (!openLost.compareAndSet(null, fresh)) {
          continue;
        }
        inbox.add(fresh);
        mark = fresh;
      }
      if (mark.add()) {
        return;
      }
      openLost.compareAndSet(mark, null); // told already: the next drop starts a mark after it
    }
  }

  /**
   * Where events were dropped on their way to the inbox, and how many; once the drain reaches it, it is
   * {@link #take taken} and counts no more.
   */
  private static final class Lost {
    private final AtomicLong count = new AtomicLong();

    /** Counts one more here; false once taken (from Long.MIN_VALUE up, the count stays negative). */
    boolean add() {
      return count.getAndIncrement() >= 0;
    }

    /** The count, closed to further drops. */
    long take() {
      return count.getAndSet(Long.MIN_VALUE);
    }
  }

  /** A mark taken out of the inbox: its count, and the next drop starts a mark of its own. */
  private long taken(Lost mark) {
    openLost.compareAndSet(mark, null);
    return mark.take();
  }

  /** Sheds events on the emitting threads while congested, except during a replay, whose inbox holds them. */
  private void updateShedding() {
    shedding = congested && replay == null;
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
    // The batch leaves the inbox's counts before it is delivered, so emitters do not drop for events gone
    Object queued;
    int count = 0;
    int events = 0;
    long bytes = 0;
    for (; count < DRAIN_BATCH && (queued = inbox.poll()) != null; count++) {
      if (queued instanceof DebugEvent event) {
        bytes += event.utf8().length;
        events++;
      }
      batch[count] = queued;
    }
    inboxSize.addAndGet(-events);
    inboxBytes.addAndGet(-bytes);
    for (int i = 0; i < count; i++) {
      if (batch[i] instanceof DebugEvent event) {
        deliver(event);
      } else {
        dropped += taken((Lost) batch[i]); // counted in the stats as they were dropped; told here unless congested
        if (!congested) {
          reportDropped();
        }
      }
      batch[i] = null;
    }
    if (inbox.isEmpty()) {
      replayed.clear();
    } else {
      scheduleDrain();
    }
  }

  private boolean wants(String session) {
    return all || subscribed.contains(session);
  }

  /** A member left the cluster: events that waited on it are settled. */
  @Override
  public void memberLeft(String node) {
    context.runOnContext(v -> {
      if (!ws.isClosed()) {
        inOrder.memberLeft();
      }
    });
  }

  private void deliver(DebugEvent event) {
    if (ws.isClosed() || !wants(event.session())) {
      return;
    }
    if (inOrder != null) {
      inOrder.offer(event);
      return;
    }
    Long sent = replayed.get(event.session());
    if (sent != null && event.seq() <= sent) {
      return;
    }
    send(event);
  }

  private void send(DebugEvent event) {
    if (!write(event.utf8())) {
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
    String notice = droppedNotice(null, dropped + " events dropped: this console could not keep up; reload history "
      + "to see them", new JsonObject().put("count", dropped));
    if (write(notice)) {
      LOG.atWarn().addKeyValue("client", client()).addKeyValue("dropped", dropped)
        .log("console client could not keep up: {} events dropped", dropped);
      dropped = 0;
    }
  }

  /** A {@code dropped} notice as the client reads it: of one session, or (null) of whatever it missed. */
  private static String droppedNotice(String session, String text, JsonObject data) {
    JsonObject notice = new JsonObject().put("kind", DebugEvent.DROPPED).put("level", "warn");
    if (session != null) {
      notice.put("session", session);
    }
    return notice.put("ts", Timestamps.iso(System.currentTimeMillis())).put("text", text).put("data", data).encode();
  }

  private boolean write(String text) {
    return write(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes one text frame of this UTF-8 text (not copied: an event's is shared by every connection) if it
   * fits the budget: nothing else is queued, or it stays within it. A frame that does not fit congests the
   * connection.
   */
  private boolean write(byte[] utf8) {
    if (ws.isClosed()) {
      return true; // nothing will be sent any more; nothing to hold
    }
    int bytes = utf8.length;
    if (congested || ws.writeQueueFull() || queued > 0 && queued + bytes > options.queueBytes()) {
      congest();
      return false;
    }
    queued += bytes;
    stats.queued(bytes, queued);
    // A large event (an integration's fields may reach a session's 1 MiB) goes as a message, which Vert.x
    // splits into frames of the server's console.frame.bytes, as before; the rest as one shared frame.
    (bytes <= SHARED_FRAME_MAX ? ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true))
      : ws.writeTextMessage(new String(utf8, StandardCharsets.UTF_8))).onComplete(done -> taken(bytes));
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
    updateShedding();
    stats.congestions.increment();
    ws.drainHandler(v -> relieve());
    updateReading();
  }

  /**
   * Once half the budget has drained: the count of what was dropped in place, the held replies, the replay, then
   * reading again. What was dropped on the way is told where the drain reaches its mark in the inbox.
   */
  private void relieve() {
    if (!congested || ws.isClosed() || queued > options.queueBytes() / 2 || ws.writeQueueFull()) {
      return;
    }
    congested = false;
    updateShedding();
    ws.drainHandler(null);
    if (replay == null && inbox.peek() instanceof Lost mark) { // nothing before it: told now, with the rest
      inbox.poll();
      dropped += taken(mark);
    }
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
    if (!frame.isPing()) {
      return;
    }
    if (readingPaused && ++pingsWhilePaused == MAX_PINGS_WHILE_PAUSED + 1) { // once: frames read meanwhile land here
      LOG.atWarn().addKeyValue("client", client()).addKeyValue("closeStatus", 1008)
        .log("console client dropped: WebSocket pings sent while it was asked to wait");
      hangUp();
      return;
    }
    // the server answers a WebSocket ping itself, outside this class's writes: its pongs show as a full queue
    if (ws.writeQueueFull()) {
      congest();
    }
  }

  private void updateReading() {
    boolean pause = (congested || throttled || replay != null) && !ws.isClosed();
    if (pause != readingPaused) {
      readingPaused = pause;
      pingsWhilePaused = 0;
      if (pause) {
        ws.pause();
      } else {
        ws.resume();
      }
    }
  }

  private void onFailure(Throwable failure) {
    if (failure instanceof CorruptedWebSocketFrameException corrupted) {
      refuse(corrupted);
    } else if (failure instanceof IllegalStateException && String.valueOf(failure.getMessage()).contains("max message size")) {
      closeDropping((short) 1009, reason(failure.getMessage())); // fragments adding up past console.frame.bytes
    } else {
      ws.close();
    }
  }

  /** A frame over {@code console.frame.bytes}, or one that breaks the protocol: closes with the status it calls for. */
  void refuse(CorruptedWebSocketFrameException refused) {
    closeDropping((short) refused.closeStatus().code(), reason(refused.getMessage()));
  }

  /** Drops the client for breaking a limit, with a log line saying which. */
  private void closeDropping(short status, String reason) {
    LOG.atWarn().addKeyValue("client", client()).addKeyValue("closeStatus", status)
      .log("console client dropped: {}", reason);
    ws.close(status, reason);
  }

  /**
   * Closes the connection at once, not with a closing handshake: a close frame would wait behind the pongs the
   * client does not read, and Vert.x answers every ping it sends meanwhile. Closed from the pipeline's first
   * handler toward the socket: Vert.x's own handler further in turns a close into that handshake.
   */
  private void hangUp() {
    if (channel != null) {
      channel.pipeline().firstContext().close();
    } else {
      ws.close((short) 1008, "pings sent while asked to wait");
    }
  }

  /** The socket's channel, for {@link #hangUp} (the WebSocket as the router hands it over does not show it). */
  ConsoleConnection over(io.netty.channel.Channel socket) {
    this.channel = socket;
    return this;
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
      LOG.warn("console frame failed: {}", command.op(), e);
      error("the gateway could not carry out \"" + command.op() + "\": " + e);
    }
  }

  private void subscribe(ConsoleCommand command) {
    String session = command.session();
    if (!subscribed.contains(session) && subscribed.size() >= options.maxSubscriptions()) {
      error("at most " + options.maxSubscriptions() + " subscriptions per connection; unsubscribe first");
      return;
    }
    if (cluster == null) {
      firstLive = new ConcurrentHashMap<>(); // before the session is wanted: its first live event is noted
    }
    subscribed.add(session);
    if (ALL.equals(session)) {
      all = true;
    }
    subscriptions.put(session, new Subscription(command, System.currentTimeMillis()));
    Replay r = new Replay(command, null);
    r.sessions = !ALL.equals(session) ? List.of(session).iterator() : cluster == null ? r.thenNamed(stream.sessions())
      : null;
    replay = r;
    updateShedding();
    if (cluster != null) {
      if (ALL.equals(session)) {
        inOrder.forgetAll();
        r.reading = true; // the members list the sessions they keep events of
        cluster.sessions().onComplete(done -> context.runOnContext(v -> {
          r.reading = false;
          r.sessions = (done.succeeded() ? done.result() : List.<String>of()).iterator();
          continueReplay();
        }));
      } else {
        inOrder.forget(session);
      }
    }
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
    while (r != null && r == replay && !congested && !ws.isClosed() && !r.reading) {
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
        if (cluster == null) {
          r.until = replayUntil(r.session);
          replayed.merge(r.session, r.until, Math::max);
        }
      }
      int wanted = Math.min(REPLAY_PAGE, options.maxReplay() - r.sentOfSession);
      if (wanted <= 0) {
        endOfSession(r);
      } else if (cluster == null) {
        if (!replayKept(r, stream.history(r.session, r.after, wanted), wanted)) {
          return; // congested: relieve() goes on from here
        }
      } else {
        r.reading = true; // every member's history, merged
        stream.page(r.session, r.after, wanted).onComplete(done -> context.runOnContext(v -> {
          r.reading = false;
          EventPage page = done.succeeded() ? done.result() : new EventPage(List.of(), 0, List.of());
          if (r == replay && !ws.isClosed() && replayPage(r, page.events(), wanted, page.unanswered())) {
            continueReplay();
          }
        }));
        return;
      }
    }
  }

  /**
   * The last seq of a session its replay covers: the last one emitted before this connection took the
   * session's events live. Read after the session's last seq, so that an event not noted in
   * {@link #firstLive} by then was emitted after it.
   */
  private long replayUntil(String session) {
    long last = stream.lastSeq(session);
    Long first = firstLive == null ? null : firstLive.get(session);
    return first == null ? last : Math.min(last, first - 1);
  }

  /**
   * Writes one page of a session's history on a node alone, up to the seq the replay covers; false when the
   * connection congested. Events older than the oldest kept when the replay began are history no longer
   * kept, as ever; those that left the history while the replay went on (a client that read slowly while
   * the session went on) are announced as dropped where they would have been, never skipped silently.
   */
  private boolean replayKept(Replay r, List<DebugEvent> page, int wanted) {
    if (!r.read) {
      r.read = true;
      long oldest = page.isEmpty() ? r.until + 1 : Math.min(page.get(0).seq(), r.until + 1);
      if (r.after > 0 && oldest - 1 > r.after) { // a client that has a place is told what it will not get
        gap(r.session, r.after + 1, oldest - 1, List.of(), List.of());
      }
      r.after = Math.max(r.after, oldest - 1);
    }
    boolean whole = page.size() < wanted;
    for (DebugEvent event : page) {
      if (event.seq() > r.until) {
        whole = true;
        break;
      }
      if (event.seq() > r.after + 1 && !lost(r, event.seq() - 1)) {
        return false;
      }
      if (!write(event.utf8())) {
        return false;
      }
      stats.delivered.increment();
      r.sent(event.seq());
    }
    if (whole) {
      if (r.after < r.until && !lost(r, r.until)) {
        return false;
      }
      endOfSession(r);
    }
    return true;
  }

  /**
   * Tells the client that the replay's session's events after its place up to {@code to} left the history
   * before the replay reached them, and counts them as dropped; false when the notice did not fit (it is
   * made again, over what is missing then, once the queue drains).
   */
  private boolean lost(Replay r, long to) {
    long from = r.after + 1;
    long count = to - from + 1;
    String range = from == to ? "event " + from : "events " + from + "-" + to;
    String notice = droppedNotice(r.session, range + " of session " + r.session + " dropped: they left the history "
      + "before this console's replay reached them (it read too slowly)",
      new JsonObject().put("count", count).put("from", from).put("to", to));
    if (!write(notice)) {
      return false;
    }
    stats.dropped.add(count);
    LOG.atWarn().addKeyValue("client", client()).addKeyValue("dropped", count)
      .log("console client replayed too slowly: {} of session {} dropped", range, r.session);
    r.after = to;
    return true;
  }

  /**
   * Writes one page of a session's history in a cluster; false when the connection congested. In a cluster a seq
   * missing between the client's place and an event is held by no member (they all sent their first ones):
   * a gap frame says so, unless the client has no place yet (history older than what is kept, as alone).
   */
  private boolean replayPage(Replay r, List<DebugEvent> page, int wanted, List<String> unanswered) {
    for (DebugEvent event : page) {
      if (inOrder != null && r.after > 0 && event.seq() > r.after + 1 && event.seq() - 1 > r.gapTo) {
        r.gapTo = event.seq() - 1; // once, also when the page is read again after a congestion
        gap(r.session, r.after + 1, r.gapTo,
          // a member that left within the history's keep time may have held them
          cluster.leftSince(System.currentTimeMillis() - stream.keepMillis()), unanswered);
      }
      if (!write(event.utf8())) {
        return false;
      }
      stats.delivered.increment();
      r.sent(event.seq());
    }
    if (page.size() < wanted) {
      endOfSession(r);
    }
    return true;
  }

  private void endOfSession(Replay r) {
    if (inOrder != null) {
      inOrder.replayed(r.session, r.after, r.after > 0);
    }
    r.session = null;
  }

  /** Tells the client that a session's events {@code from}-{@code to} are held by no member and skipped. */
  private void gap(String session, long from, long to, List<String> left, List<String> unanswered) {
    String range = from == to ? "event " + from : "events " + from + "-" + to;
    String why = !left.isEmpty() ? "were held by a node that left the cluster (" + String.join(", ", left) + ")"
      : !unanswered.isEmpty() ? "are held by no member that answers (" + String.join(", ", unanswered) + " did not)"
      : cluster != null ? "are no longer kept by any node of the cluster"
      : "are no longer kept (history.size events a session, for history.minutes)";
    JsonObject data = new Gap(from, to, left, unanswered).toJson();
    String frame = new JsonObject().put("kind", DebugEvent.GAP).put("level", "warn").put("session", session)
      .put("ts", Timestamps.iso(System.currentTimeMillis()))
      .put("text", range + " of session " + session + " " + why + ": they are skipped").put("data", data).encode();
    if (write(frame)) {
      stats.gaps.increment();
    } else {
      drop(1);
    }
  }

  private void finishReplay(Replay r) {
    replay = null;
    firstLive = null;
    updateShedding();
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
    if (ALL.equals(session)) {
      all = false;
    }
    subscriptions.remove(session);
    if (inOrder != null) {
      inOrder.forgetUnless(this::wants);
    }
    reply("unsubscribed " + session, new JsonObject().put("op", "unsubscribed").put("session", session));
  }

  /** A subscription's replay under way: the sessions still to go and where the current one stands. */
  private static final class Replay {
    final ConsoleCommand command;
    Iterator<String> sessions;
    String session;
    /** Waiting for the members' answer (a page, or the list of sessions). */
    boolean reading;
    long after;
    /** The end of the last gap reported in this session's replay. */
    long gapTo;
    /** Alone: the last seq this session's replay covers; newer events come through the inbox. */
    long until;
    /** Alone: whether this session's history has been read (its oldest kept event then is where it starts). */
    boolean read;
    int sentOfSession;
    int count;

    /** Sessions the command's per-session {@code after} names that this replay has visited. */
    private final Set<String> visitedNamed = new HashSet<>();

    Replay(ConsoleCommand command, Iterator<String> sessions) {
      this.command = command;
      this.sessions = sessions;
    }

    /**
     * The sessions whose events are held, then those the command's per-session {@code after} names that were not
     * among them: a session whose every kept event left the history still has a place the client resumes from,
     * and its replay then tells it, with a gap frame, what it will not get (else the next live event skipped
     * them without a word).
     */
    Iterator<String> thenNamed(Iterator<String> held) {
      Map<String, Long> named = command.afterBySession();
      if (named == null || named.isEmpty()) {
        return held;
      }
      Iterator<String> rest = named.keySet().stream().filter(s -> !visitedNamed.contains(s)).iterator();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return held.hasNext() || rest.hasNext(); // the filter runs once the held ones are all visited
        }

        @Override
        public String next() {
          return held.hasNext() ? held.next() : rest.next();
        }
      };
    }

    void next(String s) {
      if (command.afterBySession() != null && command.afterBySession().containsKey(s)) {
        visitedNamed.add(s);
      }
      session = s;
      after = command.after(s);
      gapTo = 0;
      until = 0;
      read = false;
      sentOfSession = 0;
    }

    void sent(long seq) {
      after = seq;
      sentOfSession++;
      count++;
    }
  }

  /** Where {@link InOrder} sends: this connection, with its budget and counts. */
  private final class Ordered implements InOrder.Out {
    @Override
    public void send(DebugEvent event) {
      ConsoleConnection.this.send(event);
    }

    @Override
    public void gap(String session, long from, long to, List<String> left, List<String> unanswered) {
      ConsoleConnection.this.gap(session, from, to, left, unanswered);
    }

    @Override
    public void dropped(long count) {
      drop(count);
    }

    @Override
    public long afterOf(String session) {
      Subscription own = subscriptions.get(session);
      Subscription all = subscriptions.get(ALL);
      return own != null ? own.command().after(session) : all != null ? all.command().after(session) : 0;
    }

    @Override
    public long subscribedAt(String session) {
      Subscription own = subscriptions.get(session);
      Subscription all = subscriptions.get(ALL);
      return own != null ? own.at() : all != null ? all.at() : System.currentTimeMillis();
    }
  }
}
