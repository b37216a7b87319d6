package io.botgate.events;

import io.botgate.JsonText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What one request produced for one session: every event it emitted (also streamed live) and the
 * messages the bot sent. A request's answer carries both.
 * <p>
 * Bounded, since a script in a loop can emit as fast as it runs and every event is kept, streamed and answered:
 * past {@link #MAX_EVENTS} events or {@link #MAX_BYTES} of their text, one {@code dropped} event says so and the
 * request's further events are dropped (an integration's and a script run's own start and finish events
 * excepted: there are two per call or run). The messages the bot sends have a budget of their own, the same, so
 * debug output can never cost the user the bot's answer.
 */
public final class Transcript {

  /** Events one request may emit, its integrations' own aside: a session's default history. */
  public static final int MAX_EVENTS = 1_000;
  /** Bytes of event text one request may emit: its answer stays a few MB, written in milliseconds. */
  public static final long MAX_BYTES = 4L << 20;

  private final DebugStream stream;
  private final String session;
  private final List<DebugEvent> events = new ArrayList<>();
  private final JsonArray messages = new JsonArray();
  /** Events waiting for {@link #release}, null when events are emitted at once. */
  private List<Runnable> held;
  /** The session's history, found at the first event: the rest need no look-up among all sessions'. */
  private DebugStream.History history;

  /** Whether {@link #events()} gives the events: else they are only streamed and kept in the session's history. */
  private final boolean keepsEvents;
  /** What the scripts print and emit, and apart from it the messages the bot sends (their events with them). */
  private final Budget emitted = new Budget("events");
  private final Budget sent = new Budget("messages");

  public Transcript(DebugStream stream, String session) {
    this(stream, session, true);
  }

  private Transcript(DebugStream stream, String session, boolean keepsEvents) {
    this.stream = stream;
    this.session = session;
    this.keepsEvents = keepsEvents;
  }

  /**
   * A transcript whose events are streamed and kept in the session's history but not gathered for an answer
   * (a pass-through call answers with upstream's body): {@link #events()} is empty, and an event's text needs
   * no array of its own when nobody else reads it.
   */
  public static Transcript streamedOnly(DebugStream stream, String session) {
    return new Transcript(stream, session, false);
  }

  /**
   * Holds this transcript's events until {@link #release}: in a cluster an event is numbered right only inside a
   * turn of its session (the turn brings the numbers other nodes gave), and a pass-through call streams outside
   * its turns; numbered at once, its start event repeated a number another node had given, and was merged away.
   */
  public synchronized Transcript held() {
    held = new ArrayList<>();
    return this;
  }

  /** Emits the events held, in their order, and every later one at once: called inside a turn of the session. */
  public synchronized void release() {
    List<Runnable> waiting = held;
    held = null;
    if (waiting != null) {
      waiting.forEach(Runnable::run);
    }
  }

  public String session() {
    return session;
  }

  /** An event whose text and data may quote what an upstream echoed: shown scrubbed of known secrets. */
  public synchronized void event(String kind, String level, String text, JsonObject data) {
    if (spent(budget(kind))) { // before scrubbing what would be dropped
      return;
    }
    KnownSecrets known = stream.secrets();
    emit(kind, level, known.scrub(text), known.scrub(data));
  }

  /**
   * As {@link #event}, with data written into the event's text as it is encoded (a hot path that need not
   * build an object). It is written under the event's locks: it should only write what was worked out before.
   * Data of either kind that nests past {@link DeepData#LEVELS} has its deeper values shown as a note, so every event
   * reads back (here, to be scrubbed; on the bus, from another node, in answers, pages and the console).
   */
  public synchronized void encodedEvent(String kind, String level, String text, JsonText.Members data) {
    if (stream.secrets().isEmpty()) {
      emit(kind, level, text, data);
      return;
    }
    // Secrets are known: the data is built and scrubbed as any event's, since what this request sent may quote
    // one an upstream echoed into a variable earlier (its own secrets are masked already)
    JsonText.Fields fields = JsonText.detachedFields();
    if (data != null) {
      data.writeTo(fields);
    }
    byte[] written = fields.done();
    // read back within the parser's bound: a value nested nearly as deep as it reads would take the request down
    event(kind, level, text, fields.deepest() > DeepData.LEVELS ? DeepData.pruned(written)
      : new JsonObject(Buffer.buffer(written)));
  }

  private void emit(String kind, String level, String text, Object data) {
    if (held != null) {
      held.add(() -> emit(kind, level, text, data));
      return;
    }
    Budget budget = budget(kind);
    if (spent(budget)) {
      return;
    }
    if (history == null) {
      history = stream.history(session);
    }
    DebugEvent event = stream.emitData(session, history, keepsEvents, kind, level, text, data);
    if (keepsEvents) {
      events.add(event);
    }
    if (budget != null) {
      budget.left--;
      budget.bytes -= event != null ? event.utf8().length : text == null ? 0 : text.length();
    }
  }

  public void debug(String text) {
    event(DebugEvent.DEBUG, "debug", text, null);
  }

  public void warning(String text, JsonObject data) {
    event(DebugEvent.WARNING, "warn", text, data);
  }

  public void error(String text, JsonObject data) {
    event(DebugEvent.ERROR, "error", text, data);
  }

  /**
   * A message the bot sends to the user; {@code message} is {@code {"text": ..., ...}}. The answer and the
   * event show it scrubbed of known secrets (a script may send what an upstream echoed).
   */
  public synchronized void message(JsonObject message) {
    if (spent(sent)) {
      return;
    }
    JsonObject shown = stream.secrets().scrub(message);
    messages.add(shown);
    event(DebugEvent.MESSAGE, "info", shown.getString("text"), shown);
  }

  /** What a request may still emit of one kind, and what it dropped past that. */
  private static final class Budget {
    private final String what;
    private int left = MAX_EVENTS;
    private long bytes = MAX_BYTES;
    private long dropped;

    Budget(String what) {
      this.what = what;
    }
  }

  /** The budget an event counts against; none for an integration's or a script run's own, or a notice. */
  private Budget budget(String kind) {
    return switch (kind) {
      case DebugEvent.INTEGRATION, DebugEvent.SCRIPT, DebugEvent.DROPPED -> null;
      case DebugEvent.MESSAGE -> sent;
      default -> emitted;
    };
  }

  /** Whether the budget is spent: then it counts one more dropped, saying so at the first. */
  private boolean spent(Budget budget) {
    if (budget == null || budget.left > 0 && budget.bytes > 0) {
      return false;
    }
    if (budget.dropped++ == 0) {
      int emitted = MAX_EVENTS - budget.left;
      long bytes = MAX_BYTES - budget.bytes;
      // no count of what it drops, unknown until the request ends: what it emitted before the budget ran out
      emit(DebugEvent.DROPPED, "warn", "this request emitted " + emitted + " " + budget.what + " (" + bytes
        + " bytes): its further " + budget.what + " are dropped (at most " + MAX_EVENTS + " " + budget.what + " or "
        + (MAX_BYTES >> 20) + " MiB a request)",
        new JsonObject().put("budget", budget.what).put("emitted", emitted).put("bytes", bytes));
    }
    return true;
  }

  /** The events so far as a JSON array: their text spliced as encoded, for answers written by {@link JsonText}. */
  public synchronized JsonText.RawArray events() {
    return DebugEvent.array(events);
  }

  /** The events so far as JSON objects, for answers that travel as JSON objects (the event bus). */
  public synchronized JsonArray eventsAsJson() {
    JsonArray out = new JsonArray();
    events.forEach(e -> out.add(e.toJson()));
    return out;
  }

  /** The secret values to scrub from what the request's answer shows. */
  public KnownSecrets secrets() {
    return stream.secrets();
  }

  /** The messages so far; read it once the request is done (it is not copied). */
  public synchronized JsonArray messages() {
    return messages;
  }
}
