package io.botgate.session;

/**
 * The per-session numbering of debug events ({@code seq}). In a cluster a session's turns run on any node,
 * so the numbering travels with the session: a turn continues from the seq the previous turn left, and
 * leaves its own for the next.
 */
public interface EventNumbering {

  /** The seq of the session's newest event on this node, 0 when none. */
  long lastSeq(String session);

  /** Numbers the session's next event on this node after {@code seq}, unless it is already past it. */
  void continueFrom(String session, long seq);
}
