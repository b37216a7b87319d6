package io.botgate;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerEventLoopTest {

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  /** What the holder makes: a number, the thread it was made on, and whether it was closed. */
  private static final class Made {
    final int number;
    final Thread madeOn = Thread.currentThread();
    volatile boolean closed;

    Made(int number) {
      this.number = number;
    }
  }

  private final AtomicInteger count = new AtomicInteger();
  private final List<Made> made = new ArrayList<>();
  private final PerEventLoop<Made> holder = new PerEventLoop<>(() -> {
    Made m = new Made(count.incrementAndGet());
    synchronized (made) {
      made.add(m);
    }
    return m;
  }, m -> m.closed = true);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** Gets the holder's object on the event loop of {@code context}. */
  private Made on(Context context) throws Exception {
    CompletableFuture<Made> got = new CompletableFuture<>();
    context.runOnContext(v -> got.complete(holder.get()));
    return got.get(10, TimeUnit.SECONDS);
  }

  /** The context of a verticle deployed now: each deployment takes the pool's next event loop. */
  private Context deployed() {
    CompletableFuture<Context> found = new CompletableFuture<>();
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        found.complete(context);
      }
    }).await();
    return found.join();
  }

  @Test
  void shouldMakeOnePerEventLoopOnThatLoopAndOneSharedOffTheLoops() throws Exception {
    List<Context> contexts = List.of(deployed(), deployed(), deployed());
    List<Made> got = new ArrayList<>();
    for (Context context : contexts) {
      got.add(on(context));
    }
    Set<Thread> loops = new HashSet<>();
    for (int i = 0; i < got.size(); i++) {
      Made m = got.get(i);
      assertThat(m.madeOn.getName()).startsWith("vert.x-eventloop");
      loops.add(m.madeOn);
      assertThat(on(contexts.get(i))).as("asked again on the same loop").isSameAs(m);
      for (Made other : got) {
        assertThat(other == m).as("the same object exactly where the loop is the same").isEqualTo(other.madeOn == m.madeOn);
      }
    }
    assertThat(loops).as("three deployments over a pool of two loops").hasSize(2);

    Made shared = holder.get(); // the test's thread is no event loop
    assertThat(got).doesNotContain(shared);
    assertThat(holder.get()).isSameAs(shared);
    CompletableFuture<Made> fromWorker = new CompletableFuture<>();
    vertx.executeBlocking(() -> fromWorker.complete(holder.get()));
    assertThat(fromWorker.get(10, TimeUnit.SECONDS)).isSameAs(shared);
    assertThat(count).hasValue(3);
  }

  @Test
  void shouldCloseEveryOneMadeAndMakeLaterOnesClosed() throws Exception {
    Context first = deployed();
    Context second = deployed();
    Made a = on(first);
    Made shared = holder.get();
    assertThat(a.closed || shared.closed).isFalse();
    holder.close();
    assertThat(a.closed).isTrue();
    assertThat(shared.closed).isTrue();
    Made late = on(second); // the other loop, first asked after close
    assertThat(late).isNotSameAs(a);
    assertThat(late.closed).as("made after close").isTrue();
    assertThat(made).hasSize(3);
  }
}
