package io.botgate.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * Changes that check one kind of definition against another, made one at a time on this node: a PUT of an
 * integration checks that the credential it names is declared, a DELETE of a credential that no integration
 * names it. Made side by side, each read the other's state from before and both were taken, leaving an
 * integration that names a deleted credential (29 times in 30 tries). Across the nodes of a cluster the same
 * race stays possible, as the README says.
 */
public final class DefinitionChanges {

  private Future<?> last = Future.succeededFuture();

  /**
   * Runs {@code change} once every change begun before it has ended: on the caller's context, and on a worker when
   * the caller was on one. A PUT's blocking handler compiles the definition's transform script in its change (a
   * 250 KB script took a second); the change before it ends on the event loop, where running it would block the loop.
   */
  <T> Future<T> next(Supplier<Future<T>> change) {
    Promise<T> done = Promise.promise();
    Future<?> before;
    // Only the line is kept under the lock: a change that runs at once ran under it too, and every other PUT's worker
    // then waited for its check, until the whole worker pool did, and with it every request that needs a worker.
    synchronized (this) {
      before = last;
      last = done.future();
    }
    Context context = Vertx.currentContext();
    boolean onWorker = Context.isOnWorkerThread();
    before.onComplete(ignored -> {
      boolean here = context == Vertx.currentContext() && onWorker == Context.isOnWorkerThread();
      if (context == null || here) {
        run(change, done);
      } else if (onWorker) {
        context.executeBlocking(() -> {
          run(change, done);
          return null;
        }, false);
      } else {
        context.runOnContext(v -> run(change, done));
      }
    });
    return done.future();
  }

  private static <T> void run(Supplier<Future<T>> change, Promise<T> done) {
    Future<T> made;
    try {
      made = change.get();
    } catch (RuntimeException e) { // a refusal thrown while checking: the change's answer, and the next may go
      made = Future.failedFuture(e);
    }
    made.onComplete(done);
  }
}
