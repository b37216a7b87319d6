package io.botgate.events;

import io.botgate.JsonText;
import io.botgate.Timestamps;
import io.botgate.session.EventNumbering;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Numbers every debug event per session, keeps the last N of each session for a while after the
 * session's last activity (CB keeps bot logs 30 minutes), and publishes each on
 * {@code botgate.events.<session>}. A total bound keeps many sessions from filling the heap: past it, the
 * oldest events of all sessions go first, so memory stays bounded however many sessions there are.
 * <p>
 * The text of kept events sits in an {@link EventRing}; a session's history holds, per event, four numbers
 * (seq, the event's rank among all kept events, where its text is, how long it is), never an object. An
 * event is still kept while it is among the newest {@code maxTotal} and the ring has not come round over
 * its text, which is checked where a history is read; handles past that are dropped at the session's next
 * event and by {@link #expire()}, which the gateway runs every minute. No atomic all threads share moves per event
 * (two script threads moving one counter and one ring end ran at 1.25 times one thread): a thread takes
 * ranks in blocks ({@link #rank}) and ring space in chunks (see {@link EventRing}).
 */
public final class DebugStream implements EventNumbering {

  public static final String ADDRESS_PREFIX = "botgate.events.";
  public static final int DEFAULT_HISTORY = 1000;
  public static final int DEFAULT_HISTORY_MINUTES = 30;
  public static final int DEFAULT_TOTAL = 200_000;
  /** Room for the text of the events kept, per event of the total bound. */
  static final long BYTES_PER_EVENT = 1024;

  private static final JsonText.Key SEQ = JsonText.key("seq");
  private static final JsonText.Key SESSION = JsonText.key("session");
  private static final JsonText.Key TS = JsonText.key("ts");
  private static final JsonText.Key KIND = JsonText.key("kind");
  private static final JsonText.Key LEVEL = JsonText.key("level");
  private static final JsonText.Key TEXT = JsonText.key("text");
  private static final JsonText.Key DATA = JsonText.key("data");

  private final String id = java.util.UUID.randomUUID().toString();
  /** The secret values this gateway sent, scrubbed from what it shows. */
  private final KnownSecrets secrets = new KnownSecrets();
  private final Vertx vertx;
  private final int historySize;
  private final long maxTotal;
  private final long keepMillis;
  /** How long a history without events, only its last seq, stays after its last event (see the constructor). */
  private final long numberingMillis;
  /** The kept events' text. */
  private final EventRing ring;
  /** Ranks given out since start (some perhaps not used yet, see {@link #rank}): the next block's first. */
  private final AtomicLong ranked = new AtomicLong();
  /** The most ranks a thread takes at once; 1 (every rank taken alone, an exact order) for small totals. */
  private final int rankBlock;
  /** Each emitting thread's block of ranks (of this stream). */
  private final ThreadLocal<Ranks> ranks = ThreadLocal.withInitial(Ranks::new);
  private final LongAdder emitted = new LongAdder();
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, History> histories = new ConcurrentHashMap<>();
  /**
   * The last seq of sessions whose numbering {@link #expire()} let go of, the most recently forgotten
   * {@link #RETIRED_KEPT}: a session id used again later numbers on after it, so a console still open on it (which
   * skips seqs it has seen) shows the new conversation. About 2.5 MB with ids as long as a UUID, 6 MB with ids of
   * the longest (200 characters). Guarded by itself.
   */
  private final Map<String, Long> retired = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > RETIRED_KEPT;
    }
  };
  static final int RETIRED_KEPT = 16_384;
  /** Replaced, never changed (under {@link #listenersLock}): an event reads it once, for its check and its loop. */
  private volatile Consumer<DebugEvent>[] listeners = newListeners(0);
  private final Object listenersLock = new Object();
  /** Who consumes the sessions' addresses here, when Vert.x's metrics tell; null: unknown, publish every event. */
  private final BusReceivers receivers;
  /** Set in a cluster: events also go to the other nodes' consoles, and histories are read from every node. */
  private volatile ClusterEvents cluster;

  /**
   * @param historySize events kept per session
   * @param maxTotal    events kept in all sessions together; past it, or past {@link #BYTES_PER_EVENT} bytes
   *                    an event (at most a quarter of the heap), the oldest go first (from
   *                    {@link #RANK_BLOCKS_FROM} up, a few fewer may be kept, never more: see {@link #rank})
   * @param keepMillis  how long a session's events are kept after its last event
   */
  public DebugStream(Vertx vertx, int historySize, long maxTotal, long keepMillis, LongSupplier clock) {
    this(vertx, historySize, maxTotal, keepMillis, keepMillis, clock);
  }

  /**
   * @param numberingMillis how long a session's numbering is remembered after its last event, its events gone
   *                        (at least {@code keepMillis}): a session still alive then (the gateway's sessions
   *                        live {@code session.idle.minutes}) numbers its next event after its last, so a
   *                        console that resumes after the last seq it saw never takes a new event for one seen
   */
  public DebugStream(Vertx vertx, int historySize, long maxTotal, long keepMillis, long numberingMillis,
                     LongSupplier clock) {
    this.vertx = vertx;
    this.historySize = historySize;
    this.maxTotal = maxTotal;
    this.ring = new EventRing(Math.min(maxTotal * BYTES_PER_EVENT, Runtime.getRuntime().maxMemory() / 4));
    this.keepMillis = keepMillis;
    this.numberingMillis = Math.max(keepMillis, numberingMillis);
    this.clock = clock;
    this.receivers = vertx == null ? null : BusReceivers.of(vertx);
    this.rankBlock = maxTotal < RANK_BLOCKS_FROM ? 1 : (int) Math.min(RANK_BLOCK, maxTotal / 256);
  }

  /** The most ranks a thread takes at once. */
  static final int RANK_BLOCK = 64;
  /** Totals from which threads take ranks in blocks; below it each rank is taken alone. */
  static final long RANK_BLOCKS_FROM = 16_384;
  /** Ranks given out to others since a thread took its block past which the block is given up. */
  static final long RANK_STALE = 1_024;

  /**
   * Names this stream's numbering: sequence numbers restart when the gateway does, so a client that sees
   * another id forgets the numbers it remembered.
   */
  public String id() {
    return id;
  }

  /** The secret values this gateway has sent: what shows a session's text is scrubbed of them. */
  public KnownSecrets secrets() {
    return secrets;
  }

  /** Records and publishes one event; returns it, numbered and encoded. */
  public DebugEvent emit(String session, String kind, String level, String text, JsonObject data) {
    return emitData(session, null, true, kind, level, text, data);
  }

  /**
   * A session's history, for {@link #emitData} to find without a look-up in the map of all sessions' (with
   * thousands of sessions, a look-up missed the cache a few times: a request's transcript looks it up once
   * for all its events). It may be dropped by {@link #expire()} meanwhile; an event then finds the new one.
   */
  History history(String session) {
    History known = histories.get(session); // most events are for a session already known: no lock taken
    return known != null ? known : histories.computeIfAbsent(session, this::fresh);
  }

  private History fresh(String session) {
    History history = new History();
    synchronized (retired) {
      Long last = retired.remove(session);
      history.lastSeq = last == null ? 0 : last;
    }
    return history;
  }

  /**
   * {@code data}: a JsonObject, {@link JsonText.Members} or null; {@code known}: the session's history
   * when the caller has it (see {@link #history}), else null; {@code returned}: whether the caller reads the
   * event returned (else null may be returned).
   */
  DebugEvent emitData(String session, History known, boolean returned, String kind, String level, String text,
                      Object data) {
    History history = known != null ? known : history(session);
    while (true) {
      synchronized (history) {
        if (!history.dropped) {
          return emitInto(history, session, returned, kind, level, text, data);
        }
      }
      // expire() dropped it after the caller found it: take it out of the map now (expire() takes it out only
      // after deciding, and takes out nothing but it), or this would find it again until then
      histories.remove(session, history);
      history = history(session);
    }
  }

  /** Numbers, keeps and publishes an event in a history whose lock the caller holds. */
  private DebugEvent emitInto(History history, String session, boolean returned, String kind, String level,
                              String text, Object data) {
    long now = clock.getAsLong();
    long seq = ++history.lastSeq;
    // Encoded field by field: the object itself is built only to be published on the bus (see asJson).
    // The session's field and the kind and level are encoded once, not per event.
    JsonText.Fields fields = writeEvent(JsonText.fields(), seq, session, history, now, kind, level, text, data);
    if (fields.deepest() > DeepData.LEVELS + 1) { // its data, inside the event's own object, could not be read back
      fields.doneInto((bytes, length) -> { });
      data = DeepData.shallow(data);
      fields = writeEvent(JsonText.fields(), seq, session, history, now, kind, level, text, data);
    }
    emitted.increment();
    ClusterEvents across = cluster;
    DebugEvent event = null;
    Consumer<DebugEvent>[] listening = listeners; // read once: one added meanwhile must not get a null event
    // Published on the bus here (not where nobody receives it: BusReceivers); the event is kept and on
    // consoles either way. Data written as members is published from the event's text, never written twice.
    boolean toBus = vertx != null && (receivers == null || receivers.has(session));
    if (returned || across != null || listening.length > 0 || toBus && data instanceof JsonText.Members) {
      event = new DebugEvent(seq, session, fields.done());
      keep(seq, event.utf8(), event.utf8().length, history);
    } else {
      // Nobody reads the event itself (a pass-through call's transcript keeps none, no console listens here,
      // no other node): its text goes from the scratch buffer straight into the ring, with no copy of its own.
      fields.doneInto((bytes, length) -> keep(seq, bytes, length, history));
    }
    if (historySize > 0 && (history.size == 0 || history.seq(history.size - 1) != seq)) {
      keepCut(seq, session, history, now, kind, level, text, data);
    }
    history.lastActivity = now;
    // Delivered under the lock so that every listener sees a session's events in seq order.
    if (vertx != null) {
      if (across == null) {
        if (toBus) {
          vertx.eventBus().publish(ADDRESS_PREFIX + session, asJson(event, seq, session, now, kind, level, text, data));
        }
      } else {
        String address = ADDRESS_PREFIX + session;
        DeliveryOptions delivery = across.delivery(address);
        // Consumed on no other node: as without a cluster, published only where someone receives it here.
        if (!ClusterEvents.isLocal(delivery) || toBus) {
          vertx.eventBus().publish(address, asJson(event, seq, session, now, kind, level, text, data), delivery);
        }
        across.publish(event);
      }
    }
    for (Consumer<DebugEvent> listener : listening) {
      listener.accept(event);
    }
    return event;
  }

  /** A kind and level pair with its fields encoded: {@code "kind":"...","level":"..."}. */
  private record KindAndLevel(String kind, String level, byte[] fields) {
  }

  /** The most kind and level pairs whose fields are kept encoded (callers use a handful of constants). */
  static final int KINDS_KEPT = 32;
  /** Replaced, never changed: a pair missing from it (two threads added at once) is added again later. */
  private volatile KindAndLevel[] kindsAndLevels = new KindAndLevel[0];

  private byte[] kindAndLevel(String kind, String level) {
    KindAndLevel[] known = kindsAndLevels;
    for (KindAndLevel pair : known) {
      if (pair.kind.equals(kind) && pair.level.equals(level)) {
        return pair.fields;
      }
    }
    byte[] fields = JsonText.detachedFields().string(KIND, kind).string(LEVEL, level).inner();
    if (known.length < KINDS_KEPT && kind != null && level != null) {
      KindAndLevel[] more = Arrays.copyOf(known, known.length + 1);
      more[known.length] = new KindAndLevel(kind, level, fields);
      kindsAndLevels = more;
    }
    return fields;
  }

  /**
   * The event as the JSON object published on the bus, with the fields of its text, in the same order: built
   * from its parts, or, when its data was written as members, decoded from its text ({@code event}, made then;
   * else it may be null).
   */
  private static JsonObject asJson(DebugEvent event, long seq, String session, long now, String kind, String level,
                                   String text, Object data) {
    if (data instanceof JsonText.Members) {
      return new JsonObject(Buffer.buffer(event.utf8()));
    }
    return new JsonObject()
      .put("seq", seq)
      .put("session", session)
      .put("ts", Timestamps.iso(now))
      .put("kind", kind)
      .put("level", level)
      .put("text", text)
      .put("data", data != null ? data : new JsonObject());
  }

  /**
   * Writes an event's text (the first {@code length} bytes) to the ring and its handle to its session's
   * history, whose lock the caller holds.
   */
  private void keep(long seq, byte[] bytes, int length, History history) {
    long position = ring.append(bytes, length);
    if (position < 0) {
      return; // larger than a segment, or the ring came round first: emitInto keeps it cut (keepCut)
    }
    history.add(seq, rank(), position, length);
    while (history.size > historySize || history.size > 0 && !held(history, 0)) {
      history.removeFirst();
    }
  }

  /** Bytes kept for the marker that says how much of an event was cut. */
  static final int CUT_MARKER_ROOM = 100;

  /**
   * Keeps an event that did not fit a segment of the ring as one that does, so that the history has no hole
   * where it was (a replay would skip its seq without a word): its text cut to what fits, with a marker saying
   * how much went, and its data left out when that alone does not fit. Also a second try for an event whose
   * place the ring came round over before it was written. The caller holds the history's lock.
   */
  private void keepCut(long seq, String session, History history, long now, String kind, String level,
                       String text, Object data) {
    int room = ring.largestEvent();
    String whole = text == null ? "" : text;
    byte[] utf8 = encodeKept(seq, session, history, now, kind, level, text, data);
    if (utf8.length > room) {
      utf8 = cutToFit(seq, session, history, now, kind, level, whole, data, room);
    }
    if (utf8 != null) {
      keep(seq, utf8, utf8.length, history);
    }
  }

  /** The event with its text cut (and its data left out when that alone does not fit) to fit; null if it cannot. */
  private byte[] cutToFit(long seq, String session, History history, long now, String kind, String level,
                          String whole, Object data, int room) {
    Object kept = data;
    int envelope = encodeKept(seq, session, history, now, kind, level, "", data).length;
    if (data != null && envelope + CUT_MARKER_ROOM > room) {
      kept = null;
      envelope = encodeKept(seq, session, history, now, kind, level, "", null).length;
    }
    if (envelope + CUT_MARKER_ROOM > room) {
      return null; // not even its fields fit (a ring of a few KB): no event can stand in for it
    }
    int chars = whole.length();
    byte[] utf8 = encodeKept(seq, session, history, now, kind, level, cut(whole, chars, kept != data), kept);
    while (utf8.length > room) {
      // its text's bytes per character so far tell how many characters fit
      long target = room - envelope - CUT_MARKER_ROOM;
      chars = (int) Math.max(0, Math.min(chars - 1, chars * target / Math.max(1, utf8.length - envelope)));
      chars = chars > 0 && Character.isHighSurrogate(whole.charAt(chars - 1)) ? chars - 1 : chars;
      utf8 = encodeKept(seq, session, history, now, kind, level, cut(whole, chars, kept != data), kept);
    }
    return utf8;
  }

  /** The first {@code chars} characters of the text and, when any went, a marker saying how many. */
  static String cut(String text, int chars, boolean dataCut) {
    int gone = text.length() - chars;
    if (gone == 0 && !dataCut) {
      return text;
    }
    String what = gone == 0 ? "its data"
      : String.format(java.util.Locale.ROOT, "%,d characters", gone) + (dataCut ? " and its data" : "");
    return text.substring(0, chars) + "… (" + what + " cut: too large to keep)";
  }

  /** An event's JSON text as {@link #emitInto} writes it, in an array of its own (not the thread's scratch one). */
  private byte[] encodeKept(long seq, String session, History history, long now, String kind, String level,
                            String text, Object data) {
    return writeEvent(JsonText.detachedFields(), seq, session, history, now, kind, level, text, data).done();
  }

  /** Writes an event's fields into {@code fields}, in the order every event has them. */
  private JsonText.Fields writeEvent(JsonText.Fields fields, long seq, String session, History history, long now,
                                     String kind, String level, String text, Object data) {
    fields.number(SEQ, seq).encoded(history.sessionField(session)).timestamp(TS, now)
      .encoded(kindAndLevel(kind, level)).string(TEXT, text);
    // every event has its data, an empty object when it has none: clients read it without asking first
    return fields.value(DATA, data != null ? data : Map.of());
  }

  /**
   * The rank of an event being kept on this thread. Taking each from the shared counter made two threads
   * fight over its cache line for every event; a thread that keeps events one after another takes them in
   * blocks instead (doubling up to {@link #rankBlock}), with one atomic add per block. A thread that keeps
   * events rarely (others took more than {@link #RANK_STALE} ranks since its block) takes one at a time, and
   * gives up what is left of a block that went stale: an event is never ranked more than that far behind
   * the newest, and the rest of such a block is never used, so fewer than {@code maxTotal} events may be kept
   * (by the rest of a block, fewer than {@link #RANK_BLOCK}, each time a thread fell that far behind in the
   * middle of one: a thread descheduled on a busy machine, or one whose events went quiet), never more.
   */
  private long rank() {
    if (rankBlock == 1) {
      return ranked.getAndIncrement();
    }
    Ranks mine = ranks.get();
    long given = ranked.get();
    if (mine.next < mine.limit && given - mine.start <= RANK_STALE) {
      return mine.next++;
    }
    // a new block: larger while this thread keeps up (its last block was used before it went stale)
    mine.size = mine.next == mine.limit && given - mine.start <= RANK_STALE ? Math.min(rankBlock, mine.size * 2) : 1;
    mine.start = ranked.getAndAdd(mine.size);
    mine.next = mine.start + 1;
    mine.limit = mine.start + mine.size;
    return mine.start;
  }

  /** A thread's block of ranks: {@code [next, limit)} not used yet, of {@code size} from {@code start}. */
  private static final class Ranks {
    long start = Long.MIN_VALUE / 2;
    long next;
    long limit;
    int size = 1;
  }

  /** Whether the i-th event of a history is still kept; the caller holds the history's lock. */
  private boolean held(History history, int i) {
    return history.rank(i) >= ranked.get() - maxTotal && ring.holds(history.position(i));
  }

  /** Calls the listener with every event from now on, on the emitting thread, in seq order per session. */
  public void addListener(Consumer<DebugEvent> listener) {
    synchronized (listenersLock) {
      Consumer<DebugEvent>[] more = Arrays.copyOf(listeners, listeners.length + 1);
      more[listeners.length] = listener;
      listeners = more;
    }
  }

  public void removeListener(Consumer<DebugEvent> listener) {
    synchronized (listenersLock) {
      List<Consumer<DebugEvent>> left = new ArrayList<>(Arrays.asList(listeners));
      if (left.remove(listener)) {
        listeners = left.toArray(newListeners(0));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Consumer<DebugEvent>[] newListeners(int length) {
    return (Consumer<DebugEvent>[]) new Consumer<?>[length];
  }

  /** Up to {@code limit} kept events with {@code seq > after}, oldest first. */
  public List<DebugEvent> history(String session, long after, int limit) {
    return history(session, after, limit, Long.MAX_VALUE);
  }

  /**
   * Up to {@code limit} kept events with {@code seq > after}, oldest first, and no more than {@code maxBytes} of
   * their text (the first one whatever its size), so that a page of large events stays a bounded copy.
   */
  public List<DebugEvent> history(String session, long after, int limit, long maxBytes) {
    History history = histories.get(session);
    List<DebugEvent> out = new ArrayList<>();
    if (history == null) {
      return out;
    }
    synchronized (history) {
      long bytes = 0;
      for (int i = unbroken(history); i < history.size && out.size() < limit; i++) {
        if (history.seq(i) > after) {
          if (!out.isEmpty() && bytes + history.length(i) > maxBytes) {
            break;
          }
          byte[] text = ring.readIfHeld(history.position(i), history.length(i));
          if (text == null) { // the ring came round over it while it was read: only what follows is unbroken
            out.clear();
            bytes = 0;
          } else {
            out.add(new DebugEvent(history.seq(i), session, text));
            bytes += text.length;
          }
        }
      }
    }
    return out;
  }

  /**
   * Where the newest unbroken run of a history's held events starts. A session's events are ranked and
   * placed by the thread that emits them (in blocks and chunks), so an older one can go before a newer one;
   * a replay never skips over such a hole. (Seqs need not follow one another: in a cluster a session's
   * events are spread over the nodes that emitted them.) The caller holds the history's lock.
   */
  private int unbroken(History history) {
    int first = history.size;
    while (first > 0 && held(history, first - 1)) {
      first--;
    }
    return first;
  }

  /**
   * Up to {@code limit} kept events with {@code seq > after}, oldest first, of this node or, in a cluster,
   * of every member merged by seq.
   */
  public Future<EventPage> page(String session, long after, int limit) {
    return page(session, after, limit, Long.MAX_VALUE);
  }

  /**
   * As {@link #page(String, long, int)}, with no more than {@code maxBytes} of event text (the first event whatever
   * its size): the caller reads on after the last seq it got. In a cluster the merged page is cut.
   */
  public Future<EventPage> page(String session, long after, int limit, long maxBytes) {
    ClusterEvents across = cluster;
    if (across != null) {
      return across.history(session, after, limit).map(page -> page.upTo(maxBytes));
    }
    long last = lastSeq(session); // first: see EventPage.gaps
    return Future.succeededFuture(new EventPage(history(session, after, limit, maxBytes), last, List.of()));
  }

  /** The cluster's events when this node is in one, else null. */
  public ClusterEvents cluster() {
    return cluster;
  }

  void acrossNodes(ClusterEvents cluster) {
    this.cluster = cluster;
  }

  @Override
  public void continueFrom(String session, long seq) {
    History history = history(session);
    while (true) {
      synchronized (history) {
        if (!history.dropped) { // else expire() took it out after it was found: as in emitData, look again
          if (history.lastSeq < seq) {
            history.lastSeq = seq;
            history.lastActivity = clock.getAsLong();
          }
          return;
        }
      }
      histories.remove(session, history);
      history = history(session);
    }
  }

  /** The Vert.x the events are published on; null for a stream that publishes none (tests). */
  public Vertx vertx() {
    return vertx;
  }

  /** The sequence number of the newest event of a session, 0 when it has none. */
  @Override
  public long lastSeq(String session) {
    History history = histories.get(session);
    if (history == null) {
      return 0;
    }
    synchronized (history) {
      return history.lastSeq;
    }
  }

  /** How long a session's events are kept after its last event. */
  public long keepMillis() {
    return keepMillis;
  }

  /** Events emitted since start. */
  public long emitted() {
    return emitted.sum();
  }

  /** Events the histories hold now and would replay, at most the total bound. */
  public long kept() {
    return count(true);
  }

  /** Handles in the histories, including those past the bounds not dropped yet (for tests). */
  long handles() {
    return count(false);
  }

  private long count(boolean onlyHeld) {
    long count = 0;
    for (History history : histories.values()) {
      synchronized (history) {
        count += onlyHeld ? history.size - unbroken(history) : history.size;
      }
    }
    return count;
  }

  /**
   * The sessions whose events the histories hold now, read lazily (a replay of "*" takes them a few at a time).
   * Not those whose events all went and whose history stays only for its numbering ({@link #expire()}): a
   * replay of them is empty, and a node keeps them for as long as a session may live idle.
   */
  public Iterator<String> sessions() {
    return histories.entrySet().stream().filter(e -> holdsEvents(e.getValue())).map(Map.Entry::getKey).iterator();
  }

  /**
   * Whether a replay of the history has an event to give: its newest is still held. Handles of events the total
   * bound or the ring let go stay in a history until its next event or the next {@link #expire()}.
   */
  private boolean holdsEvents(History history) {
    synchronized (history) {
      return history.size > 0 && held(history, history.size - 1);
    }
  }

  /**
   * Forgets the events of sessions idle past the keep time (and their numbering too past the numbering time),
   * and drops from the others the handles of events past the bounds; returns how many sessions' events went.
   */
  public int expire() {
    long now = clock.getAsLong();
    long cutoff = now - keepMillis;
    long forget = now - numberingMillis;
    int[] emptied = {0};
    histories.entrySet().removeIf(entry -> {
      History h = entry.getValue();
      synchronized (h) {
        if (h.lastActivity < forget) {
          h.dropped = true; // an emit that found it before it went looks it up again (emitData)
          emptied[0] += h.size > 0 ? 1 : 0;
          retire(entry.getKey(), h.lastSeq);
          return true;
        }
        if (h.lastActivity < cutoff) {
          emptied[0] += h.size > 0 ? 1 : 0;
          h.clear(); // its events go; its last seq stays, so its next event follows it
          return false;
        }
        for (int gone = unbroken(h); gone > 0; gone--) { // what a replay can no longer reach
          h.removeFirst();
        }
        h.compact();
        return false;
      }
    });
    return emptied[0];
  }

  private void retire(String session, long lastSeq) {
    synchronized (retired) {
      retired.put(session, lastSeq);
    }
  }

  /**
   * A session's kept events, oldest first: per event its seq, its rank among all events kept, where its
   * text starts in the ring and its length, as four longs in a circular array that grows and shrinks by
   * halves. Guarded by its own lock.
   */
  static final class History {
    private static final int FIELDS = 4;
    private static final int SMALLEST = 4;
    private static final long[] NONE = new long[0];
    private long[] entries = new long[SMALLEST * FIELDS];
    private int head;
    int size;
    long lastSeq;
    long lastActivity;
    /** Removed from the map by {@link #expire()}: events go to the session's next history instead. */
    boolean dropped;
    /** {@code "session":"..."} encoded, made at the first event. */
    private byte[] sessionField;

    byte[] sessionField(String session) {
      if (sessionField == null) {
        sessionField = JsonText.detachedFields().string(SESSION, session).inner();
      }
      return sessionField;
    }

    void add(long seq, long rank, long position, int length) {
      if (size == capacity()) {
        resize(Math.max(SMALLEST, capacity() * 2));
      }
      int at = index(size) * FIELDS;
      entries[at] = seq;
      entries[at + 1] = rank;
      entries[at + 2] = position;
      entries[at + 3] = length;
      size++;
    }

    void removeFirst() {
      head = index(1);
      size--;
    }

    long seq(int i) {
      return entries[index(i) * FIELDS];
    }

    long rank(int i) {
      return entries[index(i) * FIELDS + 1];
    }

    long position(int i) {
      return entries[index(i) * FIELDS + 2];
    }

    int length(int i) {
      return (int) entries[index(i) * FIELDS + 3];
    }

    /** Lets go of every event and of the room for them; keeps the numbering. */
    void clear() {
      entries = NONE;
      head = 0;
      size = 0;
      sessionField = null;
    }

    /** Gives back the room of a history that shrank, so idle sessions hold little. */
    void compact() {
      if (capacity() > SMALLEST && size <= capacity() / 4) {
        resize(Math.max(SMALLEST, Integer.highestOneBit(Math.max(1, size)) * 2));
      }
    }

    private int capacity() {
      return entries.length / FIELDS;
    }

    private int index(int i) {
      return (head + i) & (capacity() - 1);
    }

    private void resize(int capacity) {
      long[] resized = new long[capacity * FIELDS];
      for (int i = 0; i < size; i++) {
        System.arraycopy(entries, index(i) * FIELDS, resized, i * FIELDS, FIELDS);
      }
      entries = resized;
      head = 0;
    }
  }
}
