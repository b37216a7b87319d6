package io.botgate.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The jar's SLF4J provider: Logback set up by LogSetup without Logback's own start-up path. */
class LogProviderTest {

  @Test
  void shouldStartLogbackWithBotgatesAppenderOnStandardErrorAtInfo() {
    LogProvider provider = new LogProvider();
    provider.initialize();

    LoggerContext context = (LoggerContext) provider.getLoggerFactory();
    assertThat(context.isStarted()).isTrue();
    assertThat(context.getName()).isEqualTo("default");
    assertThat(context.getMDCAdapter()).isSameAs(provider.getMDCAdapter());
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel().toString()).isEqualTo("INFO");
    // written from a thread of its own, never waited on by the thread logging
    assertThat(root.getAppender(LogSetup.APPENDER)).isInstanceOfSatisfying(NonBlockingAppender.class, queued -> {
      assertThat(queued.isStarted()).isTrue();
      assertThat(queued.isNeverBlock()).isTrue();
      assertThat(queued.getAppender(LogSetup.APPENDER + "-stderr")).isInstanceOfSatisfying(ConsoleAppender.class,
        appender -> {
          assertThat(appender.isStarted()).isTrue();
          assertThat(appender.getTarget()).isEqualTo("System.err");
        });
    });
    // the status messages of Logback's own start-up path (version checks, configurators found) are not there
    assertThat(context.getStatusManager().getCopyOfStatusList()).noneMatch(s -> s.getMessage().contains("configurator"));
    context.stop();
  }

  @Test
  void shouldKeepTheAppenderWhenTheSameFormatAndLevelAreInstalledAgain() {
    LogProvider provider = new LogProvider();
    provider.initialize();
    LoggerContext context = (LoggerContext) provider.getLoggerFactory();
    Object first = context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogSetup.APPENDER);

    LogSetup.installOwn(context);

    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).<ILoggingEvent>getAppender(LogSetup.APPENDER)).isSameAs(first);
    context.stop();
  }

  /**
   * Lines dropped while standard error was not read, then the reader caught up and nothing more was logged before
   * the process stopped (a burst of warnings, then SIGTERM): the count must still be said, not lost with the thread.
   */
  @Test
  void shouldSayHowManyLinesWereDroppedWhenStoppedWithNoLineAfterThem() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch reading = new CountDownLatch(1);
    List<String> written = new CopyOnWriteArrayList<>();
    AppenderBase<ILoggingEvent> stderr = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        stalled.countDown();
        try {
          reading.await(); // the pipe's reader stalled
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        written.add(event.getFormattedMessage());
      }
    };
    stderr.setContext(context);
    stderr.start();
    NonBlockingAppender appender = new NonBlockingAppender(0, 0); // every line written: none counted as a repeat or past the bound
    appender.setContext(context);
    appender.addAppender(stderr);
    appender.start();
    Logger logger = context.getLogger("test");
    appender.doAppend(line(logger, "first"));
    assertThat(stalled.await(30, TimeUnit.SECONDS)).isTrue(); // the writer holds "first", the queue is empty
    for (int i = 0; i < NonBlockingAppender.QUEUE + 5; i++) {
      appender.doAppend(line(logger, "line " + i));
    }

    reading.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> written.size() == NonBlockingAppender.QUEUE + 1);
    appender.stop();

    assertThat(written).anyMatch(line -> line.contains("about 5 log lines were dropped"));
  }

  private static ILoggingEvent line(Logger logger, String text) {
    return new LoggingEvent(Logger.FQCN, logger, Level.WARN, text, null, null);
  }
}
