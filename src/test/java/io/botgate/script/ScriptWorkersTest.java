package io.botgate.script;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The pool's watchdog: a run that never returns is stopped, or its thread abandoned and replaced. */
class ScriptWorkersTest {

  static final long LIMIT_MS = 1_000;
  final ScriptWorkers workers = new ScriptWorkers(2, 4, LIMIT_MS, 64L << 20);
  final AtomicBoolean release = new AtomicBoolean();
  static volatile long sink;

  @AfterEach
  void close() {
    release.set(true);
    workers.close();
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void shouldStopAThreadThatLoopsInJavaAndReplaceIt() throws Exception {
    long start = System.nanoTime();
    ScriptOutcome outcome = run(() -> {
      while (!release.get()) {
        sink++;
      }
      return new ScriptOutcome(null, false, 0);
    });
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(outcome.error().type()).isEqualTo("limit");
    assertThat(tookMillis).isLessThan(2 * LIMIT_MS + 1_000);
    assertThat(outcome.error().message()).satisfiesAnyOf(
      m -> assertThat(m).contains("the script was stopped"),
      m -> assertThat(m).contains("could not be stopped and was replaced"));
    assertThat(workers.stopped() + workers.abandoned()).isEqualTo(1);
    await().atMost(5, TimeUnit.SECONDS).until(() -> workers.threads() == 2);
    assertThat(run(() -> new ScriptOutcome(null, false, 0)).ok()).isTrue();
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void shouldAbandonAndReplaceAThreadThatIgnoresTheStopAndSaySo() throws Exception {
    long start = System.nanoTime();
    ScriptOutcome outcome = run(() -> {
      while (!release.get()) {
        try {
          while (!release.get()) {
            sink++;
          }
        } catch (ThreadDeath ignored) {
          // a native that swallows the stop
        }
      }
      return new ScriptOutcome(null, false, 0);
    });
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(outcome.error().type()).isEqualTo("limit");
    assertThat(outcome.error().message()).contains("could not be stopped and was replaced");
    assertThat(tookMillis).isLessThan(2 * LIMIT_MS + 1_000);
    assertThat(workers.abandoned()).isEqualTo(1);
    await().atMost(5, TimeUnit.SECONDS).until(() -> workers.threads() == 2);
    for (int i = 0; i < 4; i++) {
      assertThat(run(() -> new ScriptOutcome(null, false, 0)).ok()).as("run %d after the replacement", i).isTrue();
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void shouldRefuseRunsPastTheQueueBound() {
    for (int i = 0; i < 2 + 4; i++) {
      workers.submit("busy", () -> {
        while (!release.get()) {
          Thread.onSpinWait();
        }
        return new ScriptOutcome(null, false, 0);
      }, outcome -> { });
    }
    await().atMost(5, TimeUnit.SECONDS).until(() -> !workers.submit("one more", () -> null, outcome -> { }));
  }

  private ScriptOutcome run(Supplier<ScriptOutcome> work) throws Exception {
    CompletableFuture<ScriptOutcome> answer = new CompletableFuture<>();
    assertThat(workers.submit("test", work, answer::complete)).isTrue();
    return answer.get(20, TimeUnit.SECONDS);
  }
}
