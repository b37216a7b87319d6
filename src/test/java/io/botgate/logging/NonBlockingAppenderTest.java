package io.botgate.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** botgate's appender as the gateway's end meets it: what it still has to say is said, once. */
@Timeout(60)
class NonBlockingAppenderTest {

  /**
   * A context whose first look-up of {@code logger} by the appender's summaries thread waits until the test lets it
   * go (interrupts included): a second's summary caught half made, as a stop can find it.
   */
  static final class HeldSummary extends LoggerContext {
    final String logger;
    final AtomicBoolean armed = new AtomicBoolean(true);
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile Thread summarizing;

    HeldSummary(String logger) {
      this.logger = logger;
      setMDCAdapter(new LogbackMDCAdapter());
    }

    @Override
    public Logger getLogger(String name) {
      if (name.equals(logger) && Thread.currentThread().getName().equals("botgate-log-repeats")
        && armed.compareAndSet(true, false)) {
        summarizing = Thread.currentThread();
        entered.countDown();
        boolean interrupted = false;
        for (;;) {
          try {
            release.await();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      return super.getLogger(name);
    }
  }

  /**
   * Whether the stop has come to the summary being made: blocked on what the summaries thread holds (the kind it
   * summarizes, or the appender's own hold on summaries).
   */
  private static boolean waitsForTheSummary(Thread stopping) {
    ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(stopping.getId(), Integer.MAX_VALUE);
    return info != null && info.getThreadState() == Thread.State.BLOCKED && Arrays.stream(info.getStackTrace())
      .anyMatch(frame -> frame.getClassName().equals(RepeatedLines.class.getName())
        && frame.getMethodName().startsWith("lambda$ended")
        || frame.getClassName().equals(NonBlockingAppender.class.getName()) && frame.getMethodName().equals("stop"));
  }

  @Test
  void shouldSayWhatASecondSuppressedOnceWhenStoppedWhileThatSecondsSummaryIsBeingMade() throws Exception {
    // The stop took the summaries thread away without waiting for it (shutdownNow): the summary it was making was
    // made again by the stop (the count said twice), or, enqueued once the writer had ended, never written.
    HeldSummary context = new HeldSummary("held.kind");
    ListAppender<ILoggingEvent> written = new ListAppender<>();
    written.setContext(context);
    written.start();
    NonBlockingAppender appender = new NonBlockingAppender(1, 0);
    appender.setContext(context);
    appender.addAppender(written);
    appender.start();
    long secondsAgo = System.currentTimeMillis() - 5_000;
    for (int i = 0; i < 3; i++) {
      LoggingEvent line = new LoggingEvent(Logger.FQCN, context.getLogger("held.kind"), Level.WARN, "refused: {}",
        null, new Object[] {i});
      line.setTimeStamp(secondsAgo);
      appender.doAppend(line);
    }
    assertThat(context.entered.await(30, TimeUnit.SECONDS)).as("the second's summary is being made").isTrue();

    Thread stopping = new Thread(appender::stop, "stopping");
    stopping.start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> waitsForTheSummary(stopping));
    context.release.countDown();
    stopping.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(stopping.isAlive()).isFalse();
    context.summarizing.join(TimeUnit.SECONDS.toMillis(30)); // its pool is shut down: it ends with its task
    assertThat(context.summarizing.isAlive()).isFalse();

    assertThat(appender.getNumberOfElementsInQueue()).as("nothing enqueued after the writer ended").isZero();

    List<String> lines = written.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines.stream().filter(l -> l.startsWith("refused: "))).containsExactly("refused: 0");
    assertThat(lines.stream().filter(l -> l.contains("more lines like"))).as(lines.toString()).singleElement()
      .satisfies(summary -> assertThat(summary).startsWith("2 more lines like \"refused: {}\""));
  }
}
