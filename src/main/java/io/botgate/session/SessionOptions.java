package io.botgate.session;

/**
 * The bounds of the session store: how many sessions live at once, how many bytes each may hold, how
 * many results each keeps and how long an idle one lives. One instance is shared by every session.
 *
 * @param maxSessions live sessions at most ({@code session.max}); a new one past it is refused
 * @param maxBytes    bytes a session may hold ({@code session.maxBytes}), as {@link HeldBytes} counts them
 * @param historySize results kept per session ({@code session.results})
 * @param idleMillis  idle time after which a session is forgotten ({@code session.idle.minutes})
 * @param maxWaiting  requests that may wait for their turn in one session ({@code session.queue})
 */
public record SessionOptions(int maxSessions, long maxBytes, int historySize, long idleMillis, int maxWaiting) {

  public static final int DEFAULT_MAX_SESSIONS = 100_000;
  public static final long DEFAULT_MAX_BYTES = 1L << 20;
  public static final int DEFAULT_HISTORY = 20;
  /** {@code session.idle.minutes}: CB's session length. */
  public static final int DEFAULT_IDLE_MINUTES = 60;
  public static final long DEFAULT_IDLE_MILLIS = DEFAULT_IDLE_MINUTES * 60_000L;
  /** {@code session.total.mb}: 0 means a quarter of the heap ({@link SessionStore#defaultTotalBytes()}). */
  public static final int DEFAULT_TOTAL_MB = 0;
  public static final int DEFAULT_MAX_WAITING = 1000;

  public static final SessionOptions DEFAULTS = new SessionOptions(DEFAULT_MAX_SESSIONS, DEFAULT_MAX_BYTES,
    DEFAULT_HISTORY, DEFAULT_IDLE_MILLIS, DEFAULT_MAX_WAITING);

  public SessionOptions(int maxSessions, long maxBytes, int historySize, long idleMillis) {
    this(maxSessions, maxBytes, historySize, idleMillis, DEFAULT_MAX_WAITING);
  }

  public SessionOptions {
    if (maxSessions < 1 || maxBytes < 1 || historySize < 1 || idleMillis < 1 || maxWaiting < 1) {
      throw new IllegalArgumentException("session.max, session.maxBytes, session.results, session.idle.minutes "
        + "and session.queue must be positive");
    }
    if (maxBytes > Integer.MAX_VALUE) { // a session keeps each variable's charge in an int
      throw new IllegalArgumentException("session.maxBytes must be at most " + Integer.MAX_VALUE + ", not " + maxBytes);
    }
  }
}
