package io.botgate.session;

/**
 * The session a pass-through call began in was deleted or expired before the call's outcome could be recorded:
 * the outcome goes into no other session of that id ({@link SessionStore#recordingTurn}).
 */
public final class SessionGone extends RuntimeException {

  public SessionGone(String id) {
    super("session '" + id + "' was deleted or expired after the call began", null, false, false);
  }
}
