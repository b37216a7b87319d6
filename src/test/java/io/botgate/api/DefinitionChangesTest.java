package io.botgate.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Definition changes made one at a time: a change begun on a worker (a PUT's blocking handler, which compiles its
 * transform script) runs on a worker also when it waited for another change that ended on the event loop.
 */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class DefinitionChangesTest {

  @Test
  void shouldRunAChangeBegunOnAWorkerOnAWorkerAfterWaitingForOneThatEndedOnTheEventLoop(Vertx vertx) throws Exception {
    DefinitionChanges changes = new DefinitionChanges();
    Context context = vertx.getOrCreateContext();
    Promise<Void> first = Promise.promise();
    CompletableFuture<String> secondRanOn = new CompletableFuture<>();
    context.executeBlocking(() -> {
      changes.next(() -> first.future()); // in flight until the event loop ends it
      changes.next(() -> {
        secondRanOn.complete(Context.isOnWorkerThread() ? "worker" : Thread.currentThread().getName());
        return Future.succeededFuture();
      });
      return null;
    }, false).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    context.runOnContext(v -> first.complete()); // the first change's answer, on the loop as a file write's is
    assertThat(secondRanOn.get(20, TimeUnit.SECONDS)).isEqualTo("worker");
  }

  @Test
  void shouldRunAChangeBegunOnTheEventLoopOnItsEventLoop(Vertx vertx) throws Exception {
    DefinitionChanges changes = new DefinitionChanges();
    Context context = vertx.getOrCreateContext();
    Promise<Void> first = Promise.promise();
    CompletableFuture<Boolean> secondOnLoop = new CompletableFuture<>();
    context.runOnContext(v -> {
      changes.next(() -> first.future());
      changes.next(() -> {
        secondOnLoop.complete(Context.isOnEventLoopThread() && Vertx.currentContext() == context);
        return Future.succeededFuture();
      });
      vertx.executeBlocking(() -> null).onComplete(done -> first.complete()); // ended from elsewhere
    });
    assertThat(secondOnLoop.get(20, TimeUnit.SECONDS)).isTrue();
  }
}
