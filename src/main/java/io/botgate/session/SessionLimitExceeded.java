package io.botgate.session;

/**
 * A write refused because the session would hold more than {@code session.maxBytes}; the session keeps
 * the state it had before the write. The message names the limit.
 */
public final class SessionLimitExceeded extends RuntimeException {

  public SessionLimitExceeded(String message) {
    super(message, null, false, false);
  }

  /** "session.maxBytes (1048576 bytes) exceeded: ..." */
  public static SessionLimitExceeded of(long maxBytes, String what) {
    return new SessionLimitExceeded("session.maxBytes (" + maxBytes + " bytes) exceeded: " + what);
  }
}
