package io.botgate;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deadlines fire on the context that set them, after their time and never before, in the order they fall due
 * whatever their lengths; a cancelled one never fires, wherever it was cancelled from. No timing bound is
 * asserted beyond "not before its time": a loaded machine may run a task late.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeadlineTest {

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** What a deadline saw when it fired: the context it ran on, and how long after it was set. */
  private record Fired(Context context, long afterNanos, String name) {
  }

  private final List<Fired> fired = new CopyOnWriteArrayList<>();

  /** Sets a deadline of {@code millis} on {@code context}; it notes its firing, then counts {@code done} down. */
  private Deadline set(Context context, long millis, String name, CountDownLatch done) throws Exception {
    CompletableFuture<Deadline> set = new CompletableFuture<>();
    context.runOnContext(v -> {
      long began = System.nanoTime();
      set.complete(Deadline.start(vertx, millis, () -> {
        fired.add(new Fired(Vertx.currentContext(), System.nanoTime() - began, name));
        done.countDown();
      }));
    });
    return set.get(10, TimeUnit.SECONDS);
  }

  private Context deployed(ThreadingModel model) {
    CompletableFuture<Context> found = new CompletableFuture<>();
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        found.complete(context);
      }
    }, new DeploymentOptions().setThreadingModel(model)).await();
    return found.join();
  }

  @Test
  void shouldFireOnTheEventLoopContextThatSetIt() throws Exception {
    Context loop = deployed(ThreadingModel.EVENT_LOOP);
    CountDownLatch done = new CountDownLatch(1);
    Deadline deadline = set(loop, 50, "loop", done);

    assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(fired).singleElement().satisfies(f -> {
      assertThat(f.context()).isSameAs(loop);
      assertThat(f.afterNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    });
    assertThat(deadline.settled()).isTrue();
  }

  @Test
  void shouldFireOnAWorkerContextOnAWorkerThread() throws Exception {
    Context worker = deployed(ThreadingModel.WORKER);
    CountDownLatch done = new CountDownLatch(1);
    CompletableFuture<Thread> firedOn = new CompletableFuture<>();
    worker.runOnContext(v -> Deadline.start(vertx, 30, () -> {
      firedOn.complete(Thread.currentThread());
      fired.add(new Fired(Vertx.currentContext(), 0, "worker"));
      done.countDown();
    }));

    assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(fired.get(0).context()).isSameAs(worker);
    assertThat(firedOn.get().getName()).startsWith("vert.x-worker-thread");
  }

  @Test
  void shouldFireForACallerOffVertxThreads() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    long began = System.nanoTime();
    AtomicInteger runs = new AtomicInteger();
    Deadline.start(vertx, 40, () -> {
      runs.incrementAndGet();
      done.countDown();
    });

    assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(System.nanoTime() - began).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
    Thread.sleep(100);
    assertThat(runs).hasValue(1);
  }

  @Test
  void shouldFireInTheOrderTheyFallDueWhateverTheirLengths() throws Exception {
    Context loop = deployed(ThreadingModel.EVENT_LOOP);
    CountDownLatch done = new CountDownLatch(4);
    loop.runOnContext(v -> {
      for (String name : List.of("400", "100", "250", "100 again")) {
        Deadline.start(vertx, Long.parseLong(name.split(" ")[0]), () -> {
          fired.add(new Fired(Vertx.currentContext(), 0, name));
          done.countDown();
        });
      }
    });

    assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(fired).extracting(Fired::name).containsExactly("100", "100 again", "250", "400");
  }

  @Test
  void shouldNeverFireOnceCancelledOnItsLoopOrFromAnotherThread() throws Exception {
    Context loop = deployed(ThreadingModel.EVENT_LOOP);
    CountDownLatch never = new CountDownLatch(1);
    Deadline onLoop = set(loop, 100, "cancelled on its loop", never);
    CompletableFuture<Void> cancelled = new CompletableFuture<>();
    loop.runOnContext(v -> {
      onLoop.cancel();
      cancelled.complete(null);
    });
    cancelled.get(10, TimeUnit.SECONDS);
    set(loop, 100, "cancelled from the test thread", never).cancel();
    // One left to fire after them: the loop's task still runs when the cancelled ones fall due, and drops them.
    CountDownLatch last = new CountDownLatch(1);
    set(loop, 300, "kept", last);

    assertThat(last.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(fired).extracting(Fired::name).containsExactly("kept");
    assertThat(onLoop.settled()).isTrue();
  }
}
