package io.botgate.session;

import io.botgate.JsonText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * One conversation: its session-scope bot variables, its most recent integration result and a short
 * history of results, holding at most {@code session.maxBytes} as {@link HeldBytes} counts them. Methods
 * are synchronized because event loops and script workers share a session.
 *
 * <p>A node keeps up to a million of these, so the state is a few small arrays rather than maps and
 * deques: variables as name/value pairs in one array (a map only past {@link #SMALL} of them), the
 * result history allocated on the first result and grown up to its size. Stored values are JSON values
 * that nobody changes after storing them, so the charge counted when one is stored still holds when it is
 * replaced: the pairs keep it beside them, and replacing a value does not read the old one again (an
 * execution replaces its answer and its fields each time, and walking them was a cache miss per object).
 */
public final class Session {

  /** Variables kept in the pair array; past this, a map keeps lookups constant-time. */
  static final int SMALL = 32;
  private static final int NAMES_KEPT = 10_000;
  /** Longer names are not kept in {@link #NAMES}: kept for good, 10,000 long names would pin much memory. */
  private static final int NAME_KEPT_CHARS = 64;
  private static final ConcurrentHashMap<String, String> NAMES = new ConcurrentHashMap<>();

  private final String id;
  private final SessionOptions options;
  private final HeldTotal total;
  /** null, an array name, value, name, value... (pairs used: {@link #pairs}), or a map past SMALL names. */
  private Object variables;
  private int pairs;
  /**
   * The charge of each pair ({@link HeldBytes#variable}) while the variables are pairs; null for a map. An int:
   * a value is stored only when the session then holds at most {@code session.maxBytes}, itself an int.
   */
  private int[] charges;
  private long variableBytes;
  /** Newest first. */
  private RecentResults recent;
  /** The latest result of each integration the session ran, a place per integration in the order first run. */
  private RecentResults latest = new RecentResults(Integer.MAX_VALUE);
  /** The place in {@link #latest} of the most recent result, or -1 when there is none (or it was cleared). */
  private int lastSlot = -1;
  private volatile long lastActivity;
  private static final AtomicLongFieldUpdater<Session> LAST_ACTIVITY =
    AtomicLongFieldUpdater.newUpdater(Session.class, "lastActivity");
  /** The seq of the session's newest debug event, kept with the session in a cluster. */
  private long lastSeq;
  /** The request's {@code context} object (CB's account, user, channel...), kept for later requests; or null. */
  private JsonObject context;
  /**
   * What {@link #context} holds, as {@link HeldBytes} counts it, counted once when it is set: every variable set
   * asks for the session's bytes, and walked the whole context for them (a megabyte's in milliseconds).
   */
  private long contextBytes;
  /**
   * Which life of the session id this is, in a cluster: a random number given when it is made, kept in its state
   * ({@link #incarnationOf}), so that a turn or a call that began in it never writes into one made after it was
   * deleted or expired. 0 when unknown (a state of an earlier build, a session on one node).
   */
  private long incarnation;

  Session(String id, SessionOptions options, HeldTotal total, long now) {
    this.id = id;
    this.options = options;
    this.total = total;
    this.lastActivity = now;
    this.recent = new RecentResults(options.historySize());
  }

  public String id() {
    return id;
  }

  /** When the session was last used, in epoch milliseconds. */
  public long lastActivity() {
    return lastActivity;
  }

  /**
   * Marks activity at {@code now}; never moves it back. Two threads may touch a session at once (a turn's end, a
   * pass-through call beginning), and the wall clock may be stepped back: a session moved behind a cursor was listed
   * a second time in a walk of {@code GET /api/sessions}.
   */
  void touch(long now) {
    LAST_ACTIVITY.accumulateAndGet(this, now, Math::max);
  }

  /** The most bytes this session may hold ({@code session.maxBytes}). */
  public long maxBytes() {
    return options.maxBytes();
  }

  /** The bytes the session holds now: its variables and its results, as {@link HeldBytes} counts them. */
  public synchronized long heldBytes() {
    return variableBytes + resultBytes() + contextBytes;
  }

  /** The context kept for this session (read only: replace it with {@link #context(JsonObject)}), or null. */
  public synchronized JsonObject context() {
    return context;
  }

  /**
   * Replaces the kept context; null removes it. Counted in the session's bytes.
   *
   * @throws SessionLimitExceeded when the session would hold more than {@code session.maxBytes}; it keeps
   *                              its previous context then
   */
  public synchronized void context(JsonObject value) {
    long bytes = value == null ? 0 : HeldBytes.of(value);
    long delta = bytes - contextBytes;
    refuseIfTooLarge(delta, () -> "keeping the request's context");
    context = value;
    contextBytes = bytes;
    if (delta < 0) {
      total.release(-delta);
    }
  }

  /** What the kept context holds, as {@link HeldBytes} counts it; 0 without one. */
  public synchronized long contextBytes() {
    return contextBytes;
  }

  public synchronized Object variable(String name) {
    return get(name);
  }

  /**
   * Sets a session-scope variable; a null value removes it.
   *
   * @throws SessionLimitExceeded when the session would hold more than {@code session.maxBytes}; nothing
   *                              changes then. A write that does not grow the session is never refused.
   */
  public synchronized void setVariable(String name, Object value) {
    long charge = charge(name, value);
    long delta = charge - chargeOf(name);
    refuseIfTooLarge(delta, () -> "setting '" + name + "'");
    if (value == null) {
      remove(name);
    } else {
      put(name, value, charge);
    }
    variableBytes += delta;
    if (delta < 0) {
      total.release(-delta);
    }
  }

  /**
   * Replaces every variable whose name starts with the prefix (a previous run's mapped fields) by the
   * given ones, all or nothing.
   *
   * @throws SessionLimitExceeded when the new ones would not fit; the old ones are kept then
   */
  public synchronized void replaceVariablesStartingWith(String prefix, Map<String, Object> values) {
    long removed = chargesStartingWith(prefix);
    // Counted no further than what could still be taken (past it the fields are refused, however far past).
    long room = options.maxBytes() + removed;
    long added = 0;
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (added > room) {
        break;
      }
      added += e.getValue() == null ? 0 : HeldBytes.variable(e.getKey(), e.getValue(), room - added);
    }
    long delta = added - removed;
    refuseIfTooLarge(delta, () -> "storing the fields " + values.keySet());
    if (!replaceInPlace(prefix, values)) {
      removeStartingWith(prefix);
      values.forEach((name, value) -> {
        if (value != null) {
          put(name, value, charge(name, value));
        }
      });
    }
    variableBytes += delta;
    if (delta < 0) {
      total.release(-delta);
    }
  }

  /**
   * Gives the variables starting with the prefix their new values where they are, when the new ones have exactly
   * their names (an execution mapping the same fields as the time before); false, changing nothing, otherwise.
   * Removing them and adding them again wrote each name back into the array: under G1 a write of a reference into
   * an old array marks its card, and the next young collection scanned the card.
   */
  private boolean replaceInPlace(String prefix, Map<String, Object> values) {
    if (!(variables instanceof Object[] array)) {
      return false;
    }
    int named = 0;
    for (int i = 0; i < pairs; i++) {
      if (((String) array[i * 2]).startsWith(prefix)) {
        named++;
      }
    }
    int given = 0;
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (e.getValue() != null) {
        given++;
        if (!e.getKey().startsWith(prefix) || indexOf(array, e.getKey()) < 0) {
          return false;
        }
      }
    }
    if (given != named) {
      return false;
    }
    values.forEach((name, value) -> {
      if (value != null) {
        put(name, value, charge(name, value));
      }
    });
    return true;
  }

  /** The session is gone from the store: its variables no longer count toward {@code session.totalBytes}. */
  synchronized void discard() {
    total.release(variableBytes + contextBytes);
    context = null;
    contextBytes = 0;
    variableBytes = 0;
    variables = null;
    charges = null;
    pairs = 0;
  }

  /** Removes every variable whose name starts with the prefix (a previous run's mapped fields). */
  public synchronized void removeVariablesStartingWith(String prefix) {
    replaceVariablesStartingWith(prefix, Map.of());
  }

  /** Forgets the most recent result: during a transform script it must read as unsuccessful (CB). */
  public synchronized void clearLastResult() {
    lastSlot = -1;
  }

  /** Records a result. Never refused: their number is bounded by session.results and the integrations. */
  public synchronized void record(IntegrationResult result) {
    recordLatest(result);
    recent.addNewest(result);
  }

  /** Makes this the latest result of its integration and the session's last one. */
  private void recordLatest(IntegrationResult result) {
    int slot = latest.indexOfIntegration(result.integration());
    if (slot >= 0) {
      latest.set(slot, result);
    } else {
      latest.addOldest(result);
      slot = latest.size() - 1;
    }
    lastSlot = slot;
  }

  /** The most recent result (a new object, equal to the one recorded), or null. */
  public synchronized IntegrationResult lastResult() {
    return lastSlot < 0 ? null : latest.get(lastSlot);
  }

  public synchronized IntegrationResult lastResultOf(String integration) {
    int slot = latest.indexOfIntegration(integration);
    return slot < 0 ? null : latest.get(slot);
  }

  /**
   * The session as {@code GET /api/sessions/{id}} shows it: variables, last result, recent results, bytes held. Only
   * what must be consistent is taken under the lock: each variable's value as of now (a reference: a stored value is
   * never changed), the results and the bytes. The variables' values are the stored ones, not copies: read the JSON,
   * never change it (the event bus copies what it delivers in this JVM). A deep copy of a 5 MB answer's 170,000
   * mapped titles held the lock, and the event loop of every read, 4 to 12 ms.
   */
  public JsonObject toJson() {
    Map<String, Object> vars = new LinkedHashMap<>();
    IntegrationResult[] results;
    IntegrationResult last;
    long held;
    synchronized (this) {
      forEachVariable(vars::put);
      results = new IntegrationResult[recent.size()];
      for (int i = 0; i < results.length; i++) {
        results[i] = recent.get(i);
      }
      last = lastSlot < 0 ? null : latest.get(lastSlot);
      held = heldBytes();
    }
    JsonArray shown = new JsonArray(new ArrayList<>(results.length));
    for (IntegrationResult result : results) {
      shown.add(result.toJson());
    }
    return new JsonObject()
      .put("session", id)
      .put("variables", new JsonObject(vars))
      .put("lastResult", last == null ? null : last.toJson())
      .put("recentResults", shown)
      .put("heldBytes", held);
  }

  /** The seq of the session's newest debug event, as the last turn left it (a cluster numbers on from it). */
  public synchronized long lastSeq() {
    return lastSeq;
  }

  long incarnation() {
    return incarnation;
  }

  void incarnation(long incarnation) {
    this.incarnation = incarnation;
  }

  public synchronized void lastSeq(long seq) {
    lastSeq = seq;
  }

  /**
   * Bytes before the body of a kept state: when the session was last active (8), whether a turn holds it (1),
   * which cluster member's turn (16, its uuid), and which save wrote it: the member (16) and its count (8).
   */
  static final int STATE_HEADER = Long.BYTES + 1 + 2 * Long.BYTES + 3 * Long.BYTES;
  private static final int SAVED_AT = Long.BYTES + 1 + 2 * Long.BYTES;

  /** {@link #toState(UUID, long)} by no member: a state no node has cached. */
  public byte[] toState() {
    return toState(null, 0, BINARY);
  }

  /** {@link #toState(UUID, long, byte)} in this build's format, {@link #BINARY}. */
  public byte[] toState(UUID savedBy, long save) {
    return toState(savedBy, save, BINARY);
  }

  /**
   * The session as a clustered map keeps it: when it was last active (8 bytes, so a listing reads only
   * those), whether a turn holds it and whose (17 bytes, none here: a turn that saves it has ended), which
   * member's save this is ({@code savedBy}'s {@code save}-th, 24 bytes: a node that cached what it saved
   * knows from them whether the map still holds exactly that); then, in binary ({@link #BINARY}), its event
   * numbering and its results, each distinct result once (the last one and the latest of each integration
   * are usually among the recent ones) and the lists as indexes into them; last its variables and context
   * as JSON. In {@code format} {@link #BINARY}, or {@link #BINARY_MILLIS} (no incarnation) for a cluster where a
   * node of the build before still reads the state.
   */
  public synchronized byte[] toState(UUID savedBy, long save, byte format) {
    IntegrationResult[] distinct = new IntegrationResult[recent.size() + latest.size() + 1];
    int count = 0;
    StateBytes.Writer out = new StateBytes.Writer(STATE_HEADER + 256 + 96 * recent.size());
    out.putLong(lastActivity).put((byte) 0).putLong(0).putLong(0);
    out.putLong(savedBy == null ? 0 : savedBy.getMostSignificantBits())
      .putLong(savedBy == null ? 0 : savedBy.getLeastSignificantBits()).putLong(save);
    out.put(format);
    if (format == BINARY) {
      out.putLong(incarnation);
    }
    out.putLong(lastSeq);
    int countAt = out.size();
    out.putInt(0);
    int[] recentAt = new int[recent.size()];
    for (int i = 0; i < recentAt.length; i++) {
      IntegrationResult result = recent.get(i);
      recentAt[i] = indexOf(distinct, count, result);
      if (recentAt[i] == count) {
        distinct[count++] = result;
        out.putResult(result);
      }
    }
    int[] latestAt = new int[latest.size()];
    for (int i = 0; i < latestAt.length; i++) {
      IntegrationResult result = latest.get(i);
      latestAt[i] = indexOf(distinct, count, result);
      if (latestAt[i] == count) {
        distinct[count++] = result;
        out.putResult(result);
      }
    }
    int lastAt = lastSlot < 0 ? -1 : latestAt[lastSlot]; // the last result is its integration's latest
    out.setInt(countAt, count);
    out.putInt(recentAt.length);
    for (int i : recentAt) {
      out.putInt(i);
    }
    out.putInt(latestAt.length);
    for (int i : latestAt) {
      out.putInt(i);
    }
    out.putInt(lastAt);
    Map<String, Object> vars = new LinkedHashMap<>();
    forEachVariable(vars::put);
    JsonObject json = new JsonObject().put("variables", new JsonObject(vars));
    if (context != null) {
      json.put("context", context);
    }
    // a lone surrogate kept as is, as a node alone keeps it: as UTF-8 it would come back '?', another value or name
    return out.putBytes(JsonText.utf8Exact(json)).toArray();
  }

  /**
   * The first byte of a state's body written by {@link #toState(UUID, long)}; a JSON body starts with '{'. 4 since
   * the session's {@link #incarnation} follows it: a node of an earlier build fails to decode such a state instead
   * of misreading it.
   */
  static final byte BINARY = 4;
  /** The binary format of the build before, still read: no incarnation, a result's time one long of epoch ms. */
  static final byte BINARY_MILLIS = 3;
  /** The binary format of the build before, still read: a result's time was seconds (8 bytes) and nanoseconds (4). */
  static final byte BINARY_SECONDS_NANOS = 2;

  /**
   * Where {@code result} is among the first {@code count}, or count: an equal result (the recent ones are read back
   * as new objects, equal to those recorded; two equal results are written once, which changes nothing).
   */
  private static int indexOf(IntegrationResult[] results, int count, IntegrationResult result) {
    for (int i = 0; i < count; i++) {
      if (results[i].equals(result)) {
        return i;
      }
    }
    return count;
  }

  /** Whether the state is {@code savedBy}'s {@code save}-th save (see {@link #toState(UUID, long)}). */
  static boolean savedBy(byte[] state, UUID savedBy, long save) {
    ByteBuffer in = ByteBuffer.wrap(state, SAVED_AT, 3 * Long.BYTES);
    return in.getLong() == savedBy.getMostSignificantBits() && in.getLong() == savedBy.getLeastSignificantBits()
      && in.getLong() == save;
  }

  /** Whether no save wrote the state: it is as {@link #newState} made it (see {@link #toState(UUID, long)}). */
  static boolean neverSaved(byte[] state) {
    ByteBuffer in = ByteBuffer.wrap(state, SAVED_AT, 3 * Long.BYTES);
    return in.getLong() == 0 && in.getLong() == 0 && in.getLong() == 0;
  }

  /**
   * A copy that shares no array with this session (the values in them are never changed once stored), not
   * charged to the total: a node's snapshot of what it saved, and the working copy of a turn started from it.
   */
  synchronized Session copy() {
    Session copy = new Session(id, options, total, lastActivity);
    if (variables instanceof Object[] array) {
      copy.variables = array.clone();
      copy.charges = charges.clone();
    } else if (variables != null) {
      copy.variables = new LinkedHashMap<>(map());
    }
    copy.pairs = pairs;
    copy.variableBytes = variableBytes;
    copy.recent = recent.copy();
    copy.latest = latest.copy();
    copy.lastSlot = lastSlot;
    copy.lastSeq = lastSeq;
    copy.context = context;
    copy.contextBytes = contextBytes;
    copy.incarnation = incarnation;
    return copy;
  }

  /** Charges a copy's variables and context to the total, as a session read from its state is. */
  synchronized void charge() {
    total.add(variableBytes + contextBytes);
  }

  /**
   * The state of a session made in its {@code incarnation}: no data yet, held by {@code owner}'s turn (its first
   * turn has begun), or by none when null (a pass-through call begins in it, outside its turns).
   */
  static byte[] newState(long now, UUID owner, long incarnation) {
    return newState(now, owner, incarnation, BINARY);
  }

  /** {@link #newState(long, UUID, long)} in {@code format}: {@link #BINARY_MILLIS} gives no incarnation. */
  static byte[] newState(long now, UUID owner, long incarnation, byte format) {
    return newState(now, owner, incarnation, format, 0);
  }

  /**
   * {@link #newState(long, UUID, long, byte)} whose events are numbered on past {@code lastSeq}: a session made again
   * where one was lost with its partition.
   */
  static byte[] newState(long now, UUID owner, long incarnation, byte format, long lastSeq) {
    ByteBuffer state = ByteBuffer.allocate(STATE_HEADER + 1 + (format == BINARY ? 2 : 1) * Long.BYTES
        + 4 * Integer.BYTES + 2).putLong(now)
      .put((byte) (owner == null ? 0 : 1)).putLong(owner == null ? 0 : owner.getMostSignificantBits())
      .putLong(owner == null ? 0 : owner.getLeastSignificantBits()).putLong(0).putLong(0).putLong(0).put(format);
    if (format == BINARY) {
      state.putLong(incarnation);
    }
    return state.putLong(lastSeq).putInt(0).putInt(0).putInt(0).putInt(-1).put((byte) '{').put((byte) '}').array();
  }

  /** Which life of its session id a state is ({@link #incarnation}), read from its body; 0 when it does not say. */
  static long incarnationOf(byte[] state) {
    return state.length >= STATE_HEADER + 1 + Long.BYTES && state[STATE_HEADER] == BINARY
      ? ByteBuffer.wrap(state, STATE_HEADER + 1, Long.BYTES).getLong() : 0;
  }

  /**
   * The numbering of the session's events a state holds ({@link #lastSeq()}: 0 when it has had none), read from its
   * body without decoding the rest; -1 when its format does not say where (JSON, from a build before the binary one).
   */
  static long lastSeqOf(byte[] state) {
    if (state.length <= STATE_HEADER) {
      return -1;
    }
    byte format = state[STATE_HEADER];
    int at = STATE_HEADER + 1 + (format == BINARY ? Long.BYTES : 0);
    return (format == BINARY || format == BINARY_MILLIS || format == BINARY_SECONDS_NANOS)
      && state.length >= at + Long.BYTES ? ByteBuffer.wrap(state, at, Long.BYTES).getLong() : -1;
  }

  /**
   * Whether a turn holds the session: one running, or one that never saved it (its node died); or a member's
   * lease ({@link #leased}).
   */
  static boolean turnOpen(byte[] state) {
    return state[Long.BYTES] != 0;
  }

  /**
   * Whether a member holds the session between its turns: it saved it last and may begin its next turn
   * without asking the cluster, so another member must ask it to give the lease up first.
   */
  static boolean leased(byte[] state) {
    return state[Long.BYTES] == LEASE;
  }

  /** Marks a state, in place, as leased by {@code owner}. */
  static void markLeased(byte[] state, UUID owner) {
    ByteBuffer.wrap(state, Long.BYTES, 1 + 2 * Long.BYTES).put(LEASE).putLong(owner.getMostSignificantBits())
      .putLong(owner.getLeastSignificantBits());
  }

  private static final byte LEASE = 2;

  /** The member whose turn or lease holds the session (meaningful when {@link #turnOpen}). */
  static UUID turnOwner(byte[] state) {
    ByteBuffer in = ByteBuffer.wrap(state, Long.BYTES + 1, 2 * Long.BYTES);
    return new UUID(in.getLong(), in.getLong());
  }

  /** The same state held by {@code owner}'s turn, or by none when null. */
  static byte[] withTurn(byte[] state, UUID owner) {
    byte[] marked = state.clone();
    ByteBuffer out = ByteBuffer.wrap(marked, Long.BYTES, 1 + 2 * Long.BYTES);
    out.put((byte) (owner == null ? 0 : 1)).putLong(owner == null ? 0 : owner.getMostSignificantBits())
      .putLong(owner == null ? 0 : owner.getLeastSignificantBits());
    return marked;
  }

  /** When a session kept by {@link #toState()} was last active, read from its first 8 bytes. */
  public static long activityOf(byte[] state) {
    return ByteBuffer.wrap(state).getLong();
  }

  /** A session as {@link #toState()} kept it, charged to {@code total}. */
  static Session fromState(String id, SessionOptions options, HeldTotal total, byte[] state) {
    Session session = new Session(id, options, total, activityOf(state));
    JsonObject json;
    byte format = state.length > STATE_HEADER ? state[STATE_HEADER] : (byte) '{';
    if (format == BINARY || format == BINARY_MILLIS || format == BINARY_SECONDS_NANOS) {
      StateBytes.Reader in = new StateBytes.Reader(state, STATE_HEADER + 1);
      if (format == BINARY) {
        session.incarnation = in.getLong();
      }
      session.lastSeq = in.getLong();
      IntegrationResult[] distinct = new IntegrationResult[in.getCount()];
      for (int i = 0; i < distinct.length; i++) {
        distinct[i] = in.getResult(format == BINARY_SECONDS_NANOS);
      }
      int recentCount = in.getCount();
      for (int i = 0; i < recentCount; i++) {
        session.recent.addOldest(distinct[in.getInt()]); // past session.results: left out
      }
      int latestCount = in.getCount();
      for (int i = 0; i < latestCount; i++) {
        session.latest.addOldest(distinct[in.getInt()]);
      }
      int last = in.getInt();
      if (last >= 0) {
        session.recordLatest(distinct[last]);
      }
      json = (JsonObject) JsonText.decode(Buffer.buffer(state).slice(in.position(), state.length));
    } else if (format != '{') {
      throw new IllegalStateException("session " + id + " was kept in state format " + format + " by another build;"
        + " this build reads formats " + BINARY_SECONDS_NANOS + ", " + BINARY_MILLIS + " and " + BINARY + " and JSON");
    } else { // the JSON of a session's first turn ("{}"), or of a node of an earlier version
      json = (JsonObject) JsonText.decode(Buffer.buffer(state).slice(STATE_HEADER, state.length));
      JsonArray latest = json.getJsonArray("latest", new JsonArray());
      for (int i = 0; i < latest.size(); i++) {
        session.latest.addOldest(IntegrationResult.fromJson(latest.getJsonObject(i)));
      }
      JsonArray recent = json.getJsonArray("recent", new JsonArray());
      for (int i = 0; i < recent.size(); i++) {
        if (!session.recent.addOldest(IntegrationResult.fromJson(recent.getJsonObject(i)))) {
          break; // past session.results
        }
      }
      JsonObject last = json.getJsonObject("last");
      if (last != null) {
        session.recordLatest(IntegrationResult.fromJson(last));
      }
      session.lastSeq = json.getLong("seq", 0L);
    }
    json.getJsonObject("variables", new JsonObject()).forEach(e -> {
      long charge = charge(e.getKey(), e.getValue());
      session.put(e.getKey(), e.getValue(), charge);
      session.variableBytes += charge;
    });
    total.add(session.variableBytes);
    JsonObject context = json.getJsonObject("context");
    if (context != null) {
      session.context = context;
      session.contextBytes = HeldBytes.of(context);
      total.add(session.contextBytes);
    }
    return session;
  }

  /**
   * Refuses a growth past {@code session.maxBytes} or {@code session.totalBytes}; else reserves it in the total.
   * {@code what} says what was refused; built only when something is (it ran on every variable set).
   */
  private void refuseIfTooLarge(long delta, Supplier<String> what) {
    long after = variableBytes + resultBytes() + contextBytes + delta;
    if (delta > 0 && after > options.maxBytes()) {
      throw SessionLimitExceeded.of(options.maxBytes(), what.get() + " would make session '" + id + "' hold about "
        + after + " bytes; it keeps its previous state");
    }
    if (delta > 0 && !total.reserve(delta)) {
      throw new SessionLimitExceeded("session.total.mb (" + total.max() + " bytes for all sessions together) "
        + "exceeded: " + what.get() + " in session '" + id + "' would not fit; it keeps its previous state");
    }
  }

  private static long charge(String name, Object value) {
    return value == null ? 0 : HeldBytes.variable(name, value);
  }

  private long resultBytes() {
    return (long) HeldBytes.RESULT * (recent.size() + latest.size());
  }

  private Object get(String name) {
    if (variables instanceof Object[] array) {
      int i = indexOf(array, name);
      return i < 0 ? null : array[i + 1];
    }
    return variables == null ? null : map().get(name);
  }

  /** The charge of the variable stored under this name, as counted when it was stored; 0 when there is none. */
  private long chargeOf(String name) {
    if (variables instanceof Object[] array) {
      int i = indexOf(array, name);
      return i < 0 ? 0 : charges[i / 2];
    }
    return variables == null ? 0 : charge(name, map().get(name));
  }

  /** The charges of the variables whose names start with the prefix, together. */
  private long chargesStartingWith(String prefix) {
    long sum = 0;
    if (variables instanceof Object[] array) {
      for (int i = 0; i < pairs; i++) {
        if (((String) array[i * 2]).startsWith(prefix)) {
          sum += charges[i];
        }
      }
    } else if (variables != null) {
      for (Map.Entry<String, Object> e : map().entrySet()) {
        if (e.getKey().startsWith(prefix)) {
          sum += charge(e.getKey(), e.getValue());
        }
      }
    }
    return sum;
  }

  /** Stores a value whose charge ({@link #charge}) the caller counted. */
  private void put(String name, Object value, long charge) {
    if (variables == null) {
      variables = new Object[8];
      charges = new int[4];
    }
    if (!(variables instanceof Object[] array)) {
      map().put(shared(name), value);
      return;
    }
    int i = indexOf(array, name);
    if (i >= 0) {
      if (array[i + 1] != value) { // an unchanged value is not written again (see replaceInPlace)
        array[i + 1] = value;
      }
      charges[i / 2] = (int) charge;
      return;
    }
    if (pairs == SMALL) {
      Map<String, Object> map = new LinkedHashMap<>();
      forEachVariable(map::put);
      map.put(shared(name), value);
      variables = map;
      charges = null;
      pairs = 0;
      return;
    }
    if (pairs * 2 == array.length) {
      int size = Math.min(SMALL, pairs + (pairs >> 1) + 1);
      array = Arrays.copyOf(array, size * 2);
      variables = array;
      charges = Arrays.copyOf(charges, size);
    }
    // Sessions repeat the same few names: one shared copy, not one per session.
    array[pairs * 2] = shared(name);
    array[pairs * 2 + 1] = value;
    charges[pairs] = (int) charge;
    pairs++;
  }

  /**
   * The one copy of a variable name all sessions share ({@link String#intern}), found in a map of the names
   * seen first: an execution stores its mapped fields anew each time, and interning each of them was a share
   * of its CPU. Names past {@link #NAMES_KEPT}, or longer than {@link #NAME_KEPT_CHARS}, are interned every
   * time (the JVM's string table lets go of them once no session holds them).
   */
  private static String shared(String name) {
    String known = NAMES.get(name);
    if (known != null) {
      return known;
    }
    String interned = name.intern();
    if (name.length() <= NAME_KEPT_CHARS && NAMES.size() < NAMES_KEPT) {
      NAMES.putIfAbsent(interned, interned);
    }
    return interned;
  }

  private void remove(String name) {
    if (variables instanceof Object[] array) {
      int i = indexOf(array, name);
      if (i >= 0) {
        System.arraycopy(array, i + 2, array, i, pairs * 2 - i - 2);
        System.arraycopy(charges, i / 2 + 1, charges, i / 2, pairs - i / 2 - 1);
        pairs--;
        array[pairs * 2] = null;
        array[pairs * 2 + 1] = null;
      }
    } else if (variables != null) {
      map().remove(name);
    }
  }

  private void removeStartingWith(String prefix) {
    if (variables instanceof Object[] array) {
      int kept = 0;
      for (int i = 0; i < pairs; i++) {
        if (!((String) array[i * 2]).startsWith(prefix)) {
          array[kept * 2] = array[i * 2];
          array[kept * 2 + 1] = array[i * 2 + 1];
          charges[kept] = charges[i];
          kept++;
        }
      }
      Arrays.fill(array, kept * 2, pairs * 2, null);
      pairs = kept;
    } else if (variables != null) {
      map().keySet().removeIf(name -> name.startsWith(prefix));
    }
  }

  private void forEachVariable(BiConsumer<String, Object> action) {
    if (variables instanceof Object[] array) {
      for (int i = 0; i < pairs; i++) {
        action.accept((String) array[i * 2], array[i * 2 + 1]);
      }
    } else if (variables != null) {
      map().forEach(action);
    }
  }

  private int indexOf(Object[] array, String name) {
    for (int i = 0; i < pairs * 2; i += 2) {
      if (name.equals(array[i])) {
        return i;
      }
    }
    return -1;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> map() {
    return (Map<String, Object>) variables;
  }
}
