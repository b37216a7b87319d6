package io.botgate.session;

import io.botgate.events.DebugStream;
import io.botgate.events.Transcript;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Shows a refused request (a misspelt integration, a body that is not JSON, a field no request has...) as an
 * {@code error} event in the console of its session, when that session has events already: the developer watches
 * it, and the refusal would otherwise reach the bot's HTTP answer only. Not for an id with none: calls under ever
 * new ids would each keep a history for {@code history.minutes}, outside {@code session.max} (200,000 of them held
 * 200 MB). In a cluster the event takes a turn of the session, if it exists, after the answer: only the turn knows
 * the events other nodes numbered, which this node may have none of, or fewer (its event would then be missing, or
 * repeat a number another node gave). That turn counts toward {@code session.queue}: past it, the event is not shown.
 */
public final class RefusalEvents {

  private final SessionStore sessions;
  private final DebugStream stream;

  /** @param stream null: nothing is shown */
  public RefusalEvents(SessionStore sessions, DebugStream stream) {
    this.sessions = sessions;
    this.stream = stream;
  }

  /** Shows {@code text} (scrubbed of known secrets, as every event) in the session's console if it has events. */
  public void show(String sessionId, String text, JsonObject data) {
    if (stream == null || sessionId == null) {
      return;
    }
    if (stream.cluster() == null) {
      showIfEvents(sessionId, text, data);
      return;
    }
    sessions.turnIfPresent(sessionId, session -> {
      showIfEvents(sessionId, text, data);
      return Future.succeededFuture();
    });
  }

  private void showIfEvents(String sessionId, String text, JsonObject data) {
    if (stream.lastSeq(sessionId) > 0) {
      new Transcript(stream, sessionId).error(text, data);
    }
  }
}
