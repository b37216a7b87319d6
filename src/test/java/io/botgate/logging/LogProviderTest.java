package io.botgate.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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
}
