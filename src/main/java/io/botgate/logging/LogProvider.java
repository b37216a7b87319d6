package io.botgate.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import ch.qos.logback.core.CoreConstants;

/**
 * SLF4J's provider in the jar (Main names it with {@code -Dslf4j.provider}): Logback's, with its context set
 * up by {@link LogSetup} directly. Logback's own start-up path first checks its jars' versions (reading
 * their properties files), looks for configurators through a ServiceLoader and reports each step as a status
 * message: Logback took a third of the main thread's time to the first answer, more than half of it there.
 * java.util.logging is routed into it once the configured format and level are applied, on a thread of its
 * own ({@link LogSetup#apply}). A Logback configuration file ({@code -Dlogback.configurationFile}, a
 * {@code logback.xml} on the class path) goes through Logback's own path, as before.
 */
public final class LogProvider extends LogbackServiceProvider {

  @Override
  public void initialize() {
    if (LogSetup.configurationFile()) {
      super.initialize();
      return;
    }
    LoggerContext context = (LoggerContext) getLoggerFactory();
    context.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
    context.setMDCAdapter(getMDCAdapter());
    LogSetup.installOwn(context);
    context.start();
  }
}
