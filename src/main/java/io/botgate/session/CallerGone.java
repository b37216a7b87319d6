package io.botgate.session;

import io.botgate.GatewayError;
import io.botgate.events.DebugStream;
import io.botgate.events.Transcript;

/**
 * A request whose caller closed its connection while it waited for its session's turn is not run when the turn
 * comes, as nginx sends nothing upstream for a client gone: run anyway, a bot runtime's timed-out call ran beside
 * the retry it sent next, its side effects twice. The session's console says it was dropped.
 */
public final class CallerGone {

  /** nginx's "client closed request": what the access log and the meters show, since no one reads the answer. */
  public static final int STATUS = 499;

  private CallerGone() {
  }

  /** The refusal of {@code what} (an integration, a script), said in the session's console too. */
  public static GatewayError refusal(DebugStream stream, String sessionId, String what) {
    String text = what + " not run: its caller closed the connection while it waited for the session's turn";
    if (stream != null) {
      new Transcript(stream, sessionId).warning(text, null);
    }
    return new GatewayError(STATUS, "caller_gone", text);
  }
}
