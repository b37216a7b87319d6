package io.botgate.session;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.Function;

/**
 * Where sessions live: in this JVM ({@link LocalSessionStore}, the default) or in the cluster's maps
 * ({@link ClusteredSessionStore}). Everything that changes a session runs in a {@link #turn}: one at a time
 * per session, on one node or many, as Conversation Builder handles a conversation's messages one after
 * another, while turns of different sessions run side by side.
 */
public interface SessionStore {

  SessionOptions options();

  /**
   * Runs {@code work} on the session (created when it does not exist yet) once every earlier turn of that
   * session has finished, on this node or any other; what the work changed is kept when its future
   * completes, whichever way. Counts as activity.
   *
   * @return the work's outcome; failed with a {@code GatewayError} 503 {@code sessions_full} past
   * {@code session.max}, or 429 {@code session_busy} past {@code session.queue} turns waiting
   */
  default <T> Future<T> turn(String id, Function<Session, Future<T>> work) {
    return turn(id, true, work);
  }

  /**
   * As {@link #turn}, for work that records what has already happened: a pass-through call whose answer the
   * caller has or is getting, in the session the call began in ({@link #beginCall}). It waits even when
   * {@code session.queue} turns already wait, since a refusal would lose the call from the session's results and
   * console; such turns are few, one per pass-through call in flight (bounded by {@code http.connections}).
   *
   * <p>The work runs only on that session: when it was deleted or expired since the call began, the work is not
   * run and the answer fails with {@link SessionGone}. A {@code DELETE} is a clean start, so a call begun before
   * it never writes into a session of that id made after it; and the turn never creates a session, so it is
   * never refused for {@code session.max} once the call was let in.
   */
  <T> Future<T> recordingTurn(Session began, Function<Session, Future<T>> work);

  /** {@link #turn} when {@code bounded}, refused past {@code session.queue}; else waiting past it too. */
  default <T> Future<T> turn(String id, boolean bounded, Function<Session, Future<T>> work) {
    return turn(id, bounded, null, work);
  }

  /**
   * As {@link #turn}, for a request whose caller may go away while it waits: when {@code callerGone} is one of
   * {@link CallerGone#watch}, the request leaves the session's line as its caller closes the connection (answered 499
   * {@code caller_gone}, no longer counted toward {@code session.queue}, its work never run); any other check is
   * only what the work itself may ask when its turn comes.
   */
  default <T> Future<T> turn(String id, BooleanSupplier callerGone, Function<Session, Future<T>> work) {
    return turn(id, true, CallerGone.leaving(callerGone), work);
  }

  /**
   * As {@link #turn(String, boolean, Function)}, leaving the line when {@code leave} fails while it still waits
   * (answered with that failure, no longer counted toward {@code session.queue}, its work never run); null: never.
   */
  <T> Future<T> turn(String id, boolean bounded, Supplier<? extends Future<?>> leave, Function<Session, Future<T>> work);

  /**
   * As {@link #turn}, on a session that exists: when there is none, none is created, the work is not run and the
   * answer is null. For what only a session already there should show (an unknown integration's event).
   */
  <T> Future<T> turnIfPresent(String id, Function<Session, Future<T>> work);

  /**
   * As {@link #turnIfPresent}, for what only a session with events shows (a refused request): when the store can tell
   * the session has none, or there is none, the work is not run, no turn taken, and the answer is null (in a cluster
   * this costs one read, none when this node holds the session's lease). The turn taken is never refused for
   * {@code session.queue} nor counted toward it: its caller keeps at most one waiting per session, so that it can never
   * take a request's place.
   */
  <T> Future<T> turnIfEvents(String id, Function<Session, Future<T>> work);

  /**
   * The session a call that runs outside the session's turns (a pass-through call) begins in, created when there is
   * none: refused (503 {@code sessions_full}) past {@code session.max} before the call is made, never after. Read
   * only (the call's URL placeholders): on one node the live session, in a cluster an empty one (reading it would
   * cost the call a turn). The call's outcome goes into it by {@link #recordingTurn}.
   *
   * <p>Waits at most {@code waitMillis} (the call's deadline) for the cluster to answer: past it, 503
   * {@code session_store_timeout}, nothing sent. A session the cluster makes after that answer is taken away again
   * unless a request has used it meanwhile; nothing else of the call happens.
   */
  Future<Session> beginCall(String id, long waitMillis);

  /**
   * The session's state as {@code GET /api/sessions/{id}} answers it, or null when there is no such session; in a
   * cluster failed with 503 {@code session_store_timeout} when it does not answer within {@code cluster.turnWaitSeconds}.
   */
  Future<JsonObject> describe(String id);

  /**
   * Forgets the session, after its turns in progress; true when there was one. Never refused for {@code session.queue}:
   * it is how an operator ends a session flooded with requests (one such turn per DELETE in flight).
   */
  Future<Boolean> reset(String id);

  /**
   * Up to {@code limit} sessions after the cursor (from the start when null), newest activity first; in a cluster
   * failed with 503 {@code session_store_timeout} when it does not answer within {@code cluster.turnWaitSeconds}.
   */
  Future<Page> page(SessionCursor after, int limit);

  /** Live sessions now (in a cluster: all nodes together, as last counted). */
  int size();

  /** New sessions refused because {@code session.max} were live. */
  long refused();

  /** Bytes the sessions this node holds in memory take together, and the most they may. */
  long heldBytes();

  long maxTotalBytes();

  /** Drops sessions idle for longer than the idle time; returns how many went (a cluster expires them itself). */
  int expireIdle();

  /** A session as listed, with the activity time its place in the list was decided by. */
  record Listed(Session session, long lastActivity) {

    public SessionCursor cursor() {
      return new SessionCursor(lastActivity, session.id());
    }
  }

  /** One page of the session list, and the cursor of the next one (null on the last page). */
  record Page(List<Listed> rows, SessionCursor next, int total) {
  }
}
