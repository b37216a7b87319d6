package io.botgate.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.net.URL;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Logback, set up in code rather than from logback.xml (quicker at start): one appender on standard error
 * writing readable lines or JSON lines, at the configured level, from a thread of its own
 * ({@link NonBlockingAppender}: no event loop waits on a slow reader of the log), with java.util.logging (the JDK's,
 * Hazelcast's) routed into it. Vert.x and Netty find SLF4J by themselves. The jar's SLF4J provider,
 * {@link LogProvider}, calls it directly; embedded, Logback finds this class through its service file. A Logback
 * configuration of the operator's or an embedding application's own
 * ({@code -Dlogback.configurationFile}, a {@code logback.xml} on the class path) is left to Logback: then the
 * {@code log.*} settings of format, level and line bounds do not apply, and {@link #apply} says why, for the start's
 * warning. An embedding application without one gets the settings applied when its gateway starts.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

  static final String APPENDER = "botgate";

  /** Whether this class set Logback up, rather than a configuration file. */
  private static volatile boolean ours;

  /** java.util.logging is to be routed by {@link #apply}, off the caller's thread ({@link LogProvider}). */
  private static volatile boolean julLater;
  /** The context's object holding the options installed last. */
  private static final String INSTALLED = "botgate.log.options";
  /**
   * Guards installs and {@link #holder}. Not the class's monitor: the start of a gateway would wait on it while
   * java.util.logging is being routed (setting up its LogManager), which holds only this for the final level copy.
   */
  private static final Object LOCK = new Object();
  /** The running gateway whose settings the log has (a JVM has one log), or null; and those settings. */
  private static Object holder;
  private static LogOptions held;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (configurationFile()) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    ours = true;
    routeJavaUtilLogging(context);
    install(context, LogOptions.DEFAULTS);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Whether Logback is to read a configuration file of the operator's or an embedding application's. */
  static boolean configurationFile() {
    ClassLoader loader = LogSetup.class.getClassLoader();
    return System.getProperty("logback.configurationFile") != null || loader.getResource("logback-test.xml") != null
      || loader.getResource("logback.xml") != null;
  }

  /** {@link LogProvider}'s set-up: the default format and level; java.util.logging once {@link #apply} runs. */
  static void installOwn(LoggerContext context) {
    ours = true;
    julLater = true;
    install(context, LogOptions.DEFAULTS);
  }

  /**
   * Applies the configured format and level, unless Logback was configured from a file, or SLF4J is bound to
   * something other than Logback: then it says why they do not apply, in words that end a sentence naming them
   * ({@code log.format=json (…) takes no effect: Logback reads /etc/app/logback.xml (-Dlogback.configurationFile);
   * set the format and level there}), so the start can warn rather than ignore them silently. Under {@link
   * LogProvider}, java.util.logging is then routed into Logback on a thread of its own: setting up
   * java.util.logging's LogManager and copying the levels took a tenth of the main thread's time to the first
   * answer, and nothing the gateway starts logs through it (Hazelcast is told to use SLF4J); a record logged before
   * that goes to java.util.logging's default handler, standard error.
   *
   * @return empty when applied, else why not
   */
  public static Optional<String> apply(LogOptions options) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return Optional.of("SLF4J logs through " + factory.getClass().getName() + ", not Logback; configure the "
        + "format and level there");
    }
    if (!ours) {
      return Optional.of("Logback reads " + configurationSource() + "; set the format and level there");
    }
    install(context, options);
    routeLater(context);
    return Optional.empty();
  }

  /**
   * As {@link #apply}, for a gateway that starts: the log is the JVM's, so the first gateway's settings hold while
   * it runs. A second gateway embedded in the same JVM with other format, level or line bounds leaves them, and the
   * line returned says so (to be logged as a warning); its {@code log.access} lines are its own and written all the
   * same. Once the holder {@linkplain #release releases} the log, the next gateway to start applies its own.
   *
   * @param notApplied the warning for the reason {@link #apply} gives, if any
   * @return the warning to log, if any
   */
  public static Optional<String> claim(Object gateway, LogOptions options,
                                       java.util.function.Function<String, Optional<String>> notApplied) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context) || !ours) {
      return apply(options).flatMap(notApplied);
    }
    synchronized (LOCK) {
      if (holder != null && holder != gateway) {
        if (options.access()) { // its handler writes only its own requests' lines
          context.getLogger(AccessLog.LOGGER).setLevel(Level.INFO);
        }
        return sameLines(held, options) ? Optional.empty() : Optional.of("log settings " + shown(options) + " take no effect: another gateway in this JVM holds "
          + "the log with " + shown(held) + " (a JVM has one log: the first gateway's settings hold while it runs); "
          + "give the gateways the same log.* settings");
      }
      holder = gateway;
      held = options;
      install(context, options);
    }
    routeLater(context);
    return Optional.empty();
  }

  /** The gateway stopped: the next one to start applies its settings. */
  public static void release(Object gateway) {
    synchronized (LOCK) {
      if (holder == gateway) {
        holder = null;
        held = null;
      }
    }
  }

  private static boolean sameLines(LogOptions a, LogOptions b) {
    return a.format().equals(b.format()) && a.level().equals(b.level()) && a.repeatsPerSecond() == b.repeatsPerSecond()
      && a.linesPerSecond() == b.linesPerSecond();
  }

  private static String shown(LogOptions o) {
    return "log.format=" + o.format() + ", log.level=" + o.level() + ", log.repeats.perSecond=" + o.repeatsPerSecond()
      + ", log.lines.perSecond=" + o.linesPerSecond();
  }

  /** Under {@link LogProvider}, routes java.util.logging once, on a thread of its own (see {@link #apply}). */
  private static void routeLater(LoggerContext context) {
    if (julLater) {
      julLater = false;
      Thread route = new Thread(() -> routeJavaUtilLogging(context), "botgate-log-jul");
      route.setDaemon(true);
      route.start();
    }
  }

  /** Where the Logback configuration that is not botgate's comes from, as its author would recognise it. */
  private static String configurationSource() {
    String property = System.getProperty("logback.configurationFile");
    if (property != null) {
      return property + " (-Dlogback.configurationFile)";
    }
    ClassLoader loader = LogSetup.class.getClassLoader();
    URL file = loader.getResource("logback-test.xml") != null ? loader.getResource("logback-test.xml")
      : loader.getResource("logback.xml");
    return file != null ? file + " (on the class path)" : "a configuration of the application's own";
  }

  private static void install(LoggerContext context, LogOptions options) {
    synchronized (LOCK) {
      installLocked(context, options);
    }
  }

  private static void installLocked(LoggerContext context, LogOptions options) {
    // log.access asks for these lines by itself: they are written whatever log.level says of the others
    context.getLogger(AccessLog.LOGGER).setLevel(options.access() ? Level.INFO : null);
    if (context.getObject(INSTALLED) instanceof LogOptions installed && sameLines(installed, options)) {
      return; // the same appender again: the start applies the defaults twice when the configuration keeps them
    }
    context.putObject(INSTALLED, options);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName(APPENDER + "-stderr");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder(context, options));
    stderr.start();
    NonBlockingAppender appender = new NonBlockingAppender(options.repeatsPerSecond(), options.linesPerSecond());
    appender.setContext(context);
    appender.setName(APPENDER);
    appender.addAppender(stderr);
    QuietResets quiet = new QuietResets();
    quiet.setContext(context);
    quiet.start();
    appender.addFilter(quiet);
    appender.start();
    Appender<ILoggingEvent> previous = root.getAppender(APPENDER);
    if (previous != null) {
      root.detachAppender(previous);
      previous.stop();
    }
    root.addAppender(appender);
    root.setLevel(Level.toLevel(options.level(), Level.INFO));
    // Vert.x registers the same gauge once per HTTP server instance, all reading one counter (checked: the
    // connections of every instance are counted); Micrometer warns about each repeat at start.
    context.getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(Level.ERROR);
  }

  /**
   * Waits (a second at the most) until botgate's appender's thread has taken every line queued so far, so that what
   * is written next to standard error by hand comes after them.
   */
  public static void drain() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
      && context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER) instanceof NonBlockingAppender appender) {
      long until = System.nanoTime() + 1_000_000_000L;
      while (appender.getNumberOfElementsInQueue() > 0 && System.nanoTime() < until) {
        LockSupport.parkNanos(1_000_000);
      }
    }
  }

  /**
   * Writes the lines still waiting for botgate's appender's thread (for a second at the most) and stops it: before
   * the process ends, whose last lines would otherwise be lost with that thread.
   */
  public static void close() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context
      && context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER) instanceof NonBlockingAppender appender) {
      appender.stop();
    }
  }

  /** The encoder of the configured format, started. */
  public static Encoder<ILoggingEvent> encoder(LoggerContext context, LogOptions options) {
    Encoder<ILoggingEvent> encoder;
    if (options.json()) {
      JsonEncoder json = new JsonEncoder();
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      encoder = json;
    } else {
      TextLayout layout = new TextLayout();
      layout.setContext(context);
      layout.start();
      LayoutWrappingEncoder<ILoggingEvent> text = new LayoutWrappingEncoder<>();
      text.setLayout(layout);
      encoder = text;
    }
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }

  /**
   * java.util.logging into SLF4J; Logback's levels are copied to java.util.logging's loggers, so a record
   * below the level is dropped before it is built rather than after.
   */
  private static void routeJavaUtilLogging(LoggerContext context) {
    if (SLF4JBridgeHandler.isInstalled()) {
      return;
    }
    LevelChangePropagator propagator = new LevelChangePropagator();
    propagator.setContext(context);
    propagator.setResetJUL(true);
    propagator.start();
    context.addListener(propagator);
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    synchronized (LOCK) { // a level an install set while the propagator started, before it listened: copied again
      for (Logger logger : context.getLoggerList()) {
        if (logger.getLevel() != null) {
          propagator.onLevelChange(logger, logger.getLevel());
        }
      }
    }
  }
}
