package io.botgate.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operations in the cluster that take, write back or end a session's turn, sent by this node one at a time per
 * session: the next only once the last has answered, however long after its request stopped waiting for it. So an
 * operation answered late (a stalled partition) can never land after, and undo, one this node sent later: a late
 * "end turn" cannot end a later turn of this node, nor a late save end it. Hazelcast runs an operation again on a new
 * primary only before it answers, so once answered it is done for good. Sessions with nothing in flight hold nothing.
 */
final class TurnOperations {

  /** Sent when the operation it waited for answered after its request had stopped waiting: it is not sent at all. */
  static final class NotSent extends RuntimeException {
    NotSent() {
      super("not sent: its request stopped waiting first", null, false, false);
    }
  }

  private final ConcurrentHashMap<String, Future<?>> last = new ConcurrentHashMap<>();

  /**
   * Sends {@code operation} once the session's last operation has answered, if {@code wanted} still says so then
   * (else fails with {@link NotSent}).
   */
  <T> Future<T> send(String session, Supplier<Future<T>> operation, BooleanSupplier wanted) {
    Promise<Void> answered = Promise.promise();
    Future<?> before = last.put(session, answered.future());
    Future<T> sent = before == null ? send(operation, wanted) : before.transform(ignored -> send(operation, wanted));
    sent.onComplete(ignored -> {
      last.remove(session, answered.future());
      answered.complete();
    });
    return sent;
  }

  private static <T> Future<T> send(Supplier<Future<T>> operation, BooleanSupplier wanted) {
    if (!wanted.getAsBoolean()) {
      return Future.failedFuture(new NotSent());
    }
    try {
      return operation.get();
    } catch (RuntimeException e) { // e.g. Hazelcast shutting down
      return Future.failedFuture(e);
    }
  }

  /** Sessions with an operation in flight or waiting (for tests). */
  int inFlight() {
    return last.size();
  }
}
