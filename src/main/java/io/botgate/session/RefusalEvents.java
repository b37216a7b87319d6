package io.botgate.session;

import io.botgate.GatewayError;
import io.botgate.JsonText;
import io.botgate.ShownText;
import io.botgate.events.DebugStream;
import io.botgate.events.Transcript;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shows a refused request (a misspelt integration, a body that is not JSON, a field no request has...) as an
 * {@code error} event in the console of its session, when that session has events already: the developer watches
 * it, and the refusal would otherwise reach the bot's answer only. Not for an id with none: calls under ever
 * new ids would each keep a history for {@code history.minutes}, outside {@code session.max} (200,000 of them held
 * 200 MB). In a cluster the event takes a turn of the session, if it has events, after the answer: only the turn
 * knows the events other nodes numbered, which this node may have none of, or fewer (its event would then be missing,
 * or repeat a number another node gave). Refusals must not starve the session's requests, whoever sends them: that
 * turn is taken aside ({@link SessionStore#turnIfEvents}: none for a session without events, never counted toward
 * {@code session.queue}), and a node keeps one at a time per session. The refusals that come while one waits for its
 * turn are counted into its event ({@code data.notShown}) rather than shown one by one; past {@link #MAX_WAITING}
 * sessions with one waiting, a refusal is not shown. A node alone has no turn to wait for, so a flood of refusals
 * would fill the session's history with them and push the conversation's own events out: there a session's
 * refusals show at once up to {@link #SHOWN_AT_ONCE}, then one every {@link #SHOWN_EVERY_MS}, the one waiting for
 * its moment counting those refused meanwhile, as in a cluster ({@link Pace}).
 * <p>
 * Which refusals, whichever way the request came in (the HTTP API, the event bus and its TCP bridge, the
 * pass-through): those of the request itself, 4xx. Not a request refused for its token, origin or host (401, 403),
 * which may not write into any console, though a 403 of what the request is rather than who sent it
 * ({@link #SHOWN_FORBIDDEN}) shows, and so does a request not run because its caller went away while it waited for
 * its turn (499 {@code caller_gone}: the developer sees it was dropped); not the refusal that shows itself
 * ({@code unknown_integration}); not the gateway's own failures (5xx), which are logged. The event's text is the answer's
 * message, as every event's scrubbed of known secrets, without a token Jackson quotes from the body (a secret cut
 * at a '.' or '-' escapes the scrubbing), and cut at {@link #SHOWN_CHARS}: a message may quote a field name the
 * request made up, of any length.
 */
public final class RefusalEvents {

  /** The longest text of a refusal's event: a few lines of the console. */
  public static final int SHOWN_CHARS = 1_000;
  /** The longest name (an integration, a bot) a refusal's data quotes. */
  public static final int QUOTED_CHARS = 200;
  /** The 403 of what a request is, not of who sent it: a request published on the bridge rather than sent. */
  private static final Set<String> SHOWN_FORBIDDEN = Set.of("publish_refused");
  private static final Set<String> SHOWN_ALREADY = Set.of("unknown_integration");

  /** Sessions of which a node holds a refusal waiting for its turn at most: a bound on what a flood of them holds. */
  public static final int MAX_WAITING = 1_024;
  /** On a node alone, the refusals of a session shown at once: a developer's own mistakes, one after another. */
  public static final int SHOWN_AT_ONCE = 10;
  /**
   * On a node alone, how often a session's refusals show past those: a flood of them then costs its history of 1,000
   * events at most ten a minute, and the conversation's own events outlive it.
   */
  public static final long SHOWN_EVERY_MS = 6_000;

  private final SessionStore sessions;
  private final DebugStream stream;
  /** In a cluster, the refusal of each session waiting for its turn; changed only inside the map's compute. */
  private final ConcurrentHashMap<String, Waiting> waiting = new ConcurrentHashMap<>();

  /** A refusal waiting for its session's turn, and how many more came meanwhile. */
  private static final class Waiting {
    final String text;
    final JsonObject data;
    int more;

    Waiting(String text, JsonObject data) {
      this.text = text;
      this.data = data;
    }
  }

  /** On a node alone, the refusals each session may still show at once; changed only inside the map's compute. */
  private final ConcurrentHashMap<String, Pace> paced = new ConcurrentHashMap<>();

  /**
   * A session's allowance of refusals shown at once ({@link #SHOWN_AT_ONCE}, one more each {@link #SHOWN_EVERY_MS}),
   * and the refusal waiting for the next one when it is spent. Forgotten once full again with nothing waiting.
   */
  private static final class Pace {
    int left = SHOWN_AT_ONCE;
    Waiting waiting;
  }

  /** @param stream null: nothing is shown */
  public RefusalEvents(SessionStore sessions, DebugStream stream) {
    this.sessions = sessions;
    this.stream = stream;
  }

  /**
   * Shows {@code refusal} of a request made for {@code sessionId}, if it is one to show (see above) and the id a
   * valid one: the answer's message as text, its code and status as data, then {@code about} (what the request
   * named: its integration, its bot and interaction; strings cut at {@link #QUOTED_CHARS}).
   */
  public void show(String sessionId, GatewayError refusal, JsonObject about) {
    if (!shown(refusal) || sessionId == null || SessionId.problem(sessionId) != null) {
      return;
    }
    JsonObject data = new JsonObject().put("code", refusal.code()).put("status", refusal.httpStatus());
    about.forEach(named -> {
      if (named.getValue() instanceof String name) {
        data.put(named.getKey(), ShownText.bounded(name, QUOTED_CHARS));
      }
    });
    show(sessionId, ShownText.bounded(JsonText.withoutQuotedText(refusal.getMessage()), SHOWN_CHARS), data);
  }

  /** Whether a request refused so is shown in its session's console. */
  public static boolean shown(GatewayError refusal) {
    int status = refusal.httpStatus();
    return status >= 400 && status < 500 && status != 401 && (status != 403 || SHOWN_FORBIDDEN.contains(refusal.code()))
      && !SHOWN_ALREADY.contains(refusal.code());
  }

  /** Shows {@code text} (scrubbed of known secrets, as every event) in the session's console if it has events. */
  public void show(String sessionId, String text, JsonObject data) {
    if (stream == null || sessionId == null) {
      return;
    }
    if (stream.cluster() == null) {
      if (stream.vertx() == null) {
        showIfEvents(sessionId, text, data);
      } else if (stream.lastSeq(sessionId) > 0) { // a session without events keeps no pace either
        paced(sessionId, text, data);
      }
      return;
    }
    Waiting refusal = new Waiting(text, data);
    boolean first = waiting.compute(sessionId, (id, earlier) -> {
      if (earlier != null) {
        earlier.more++;
        return earlier;
      }
      return waiting.size() < MAX_WAITING ? refusal : null;
    }) == refusal;
    if (!first) {
      return;
    }
    sessions.turnIfEvents(sessionId, session -> {
      int[] more = {0};
      waiting.computeIfPresent(sessionId, (id, now) -> { // from here on, a refusal waits for a turn of its own
        more[0] = now.more;
        return null;
      });
      showCounting(sessionId, new Waiting(text, data), more[0]);
      return Future.succeededFuture();
    }).onComplete(shown -> waiting.remove(sessionId, refusal)); // not shown (no events, no session): none waits
  }

  /** On a node alone: shows the refusal at once while the session's allowance lasts, else counts it into the waiting one. */
  private void paced(String sessionId, String text, JsonObject data) {
    boolean[] now = {false};
    boolean[] first = {false};
    paced.compute(sessionId, (id, pace) -> {
      if (pace == null) {
        if (paced.size() >= MAX_WAITING) {
          return null; // not shown, as a cluster's refusal past as many sessions waiting
        }
        pace = new Pace();
        first[0] = true;
      }
      if (pace.left > 0) {
        pace.left--;
        now[0] = true;
      } else if (pace.waiting == null) {
        pace.waiting = new Waiting(text, data);
      } else {
        pace.waiting.more++;
      }
      return pace;
    });
    if (first[0]) {
      stream.vertx().setTimer(SHOWN_EVERY_MS, t -> refill(sessionId));
    }
    if (now[0]) {
      showIfEvents(sessionId, text, data);
    }
  }

  /** One more refusal the session may show: the one waiting, if any; the pace forgotten once full and idle. */
  private void refill(String sessionId) {
    Waiting[] due = {null};
    Pace still = paced.computeIfPresent(sessionId, (id, pace) -> {
      if (pace.waiting != null) {
        due[0] = pace.waiting;
        pace.waiting = null;
      } else {
        pace.left++;
      }
      return pace.left >= SHOWN_AT_ONCE ? null : pace;
    });
    if (still != null) {
      stream.vertx().setTimer(SHOWN_EVERY_MS, t -> refill(sessionId));
    }
    if (due[0] != null) {
      showCounting(sessionId, due[0], due[0].more);
    }
  }

  /** Shows a refusal that waited, counting the {@code more} refused meanwhile into its text and data. */
  private void showCounting(String sessionId, Waiting refusal, int more) {
    showIfEvents(sessionId, more == 0 ? refusal.text : refusal.text + " (and " + more + " more refused requests of this "
      + "session while this one waited to be shown)", more == 0 ? refusal.data : refusal.data.copy().put("notShown", more));
  }

  private void showIfEvents(String sessionId, String text, JsonObject data) {
    if (stream.lastSeq(sessionId) > 0) {
      new Transcript(stream, sessionId).error(text, data);
    }
  }
}
