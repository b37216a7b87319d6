package io.botgate;

import io.botgate.api.EventBusBridge;
import io.botgate.cluster.ClusterNode;
import io.botgate.cluster.ClusterOptions;
import io.botgate.api.MetricsEndpoint;
import io.botgate.logging.LogSetup;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.transport.Transport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The jar's entry point: botgate's own command line. It reads the configuration, starts Vert.x (on the
 * native epoll transport where available: about 7 % more executions a second than Java NIO in
 * bench/proxy-overhead.sh; {@code -Dvertx.options.preferNativeTransport=false} turns it off) and deploys
 * the gateway, or says plainly why it cannot, with an exit code a script can act on.
 */
@Command(name = "botgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
  sortOptions = false, usageHelpAutoWidth = true,
  description = {"A reactive gateway for chatbot API integrations, with a live debug console.",
    "Every setting of the configuration file can also be given as -D<key>=<value> or BOTGATE_<KEY>."},
  exitCodeListHeading = "%nExit codes:%n",
  exitCodeList = {"0:stopped normally", "1:bad configuration, or the gateway could not start (port in use...)",
    "2:wrong command-line usage"},
  footerHeading = "%nExamples:%n",
  footer = {"  java -jar botgate.jar", "  java -jar botgate.jar --port 9090 --config my.json",
    "  java -Dscript.cpu.ms=2000 -jar botgate.jar"})
public final class Main implements Callable<Integer> {

  static final int BAD_CONFIGURATION = 1;

  static {
    // SLF4J is told its provider (the jar's Logback, set up by LogProvider) instead of looking for one through a
    // ServiceLoader walk of the jar's service files; its note that it was told so is not printed. Either
    // property given wins.
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", "io.botgate.logging.LogProvider");
      if (System.getProperty("slf4j.internal.verbosity") == null) {
        System.setProperty("slf4j.internal.verbosity", "WARN");
      }
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final String PREFER_NATIVE = "vertx.options.preferNativeTransport";

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
    description = "the configuration file (default: conf/config.json when present, or -Dbotgate.conf)")
  Path config;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "the HTTP port (http.port; 0 = any free port)")
  Integer port;

  @Option(names = "--cluster", description = "join a cluster of botgate nodes (cluster.enabled=true)")
  boolean cluster;

  private Vertx vertx;
  private BotgateVerticle gateway;

  private static final String COMMON_POOL = "java.util.concurrent.ForkJoinPool.common.parallelism";
  private static final String NETTY_JFR = "io.netty.jfr.enabled";

  public static void main(String[] args) {
    // On fewer than three cores the JVM's common pool has one thread, and CompletableFuture and Hazelcast
    // then run each asynchronous callback on a thread of its own, started and ended per task.
    if (System.getProperty(COMMON_POOL) == null && Runtime.getRuntime().availableProcessors() < 3) {
      System.setProperty(COMMON_POOL, "2");
    }
    // Netty's buffer allocator registers its Flight Recorder events when the JVM has JFR: on the way to the first
    // answer that loaded ~100 classes of jdk.jfr and took about 6 % of the start's CPU time (async-profiler).
    // Events nobody records by default; -Dio.netty.jfr.enabled=true brings them back.
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    Main main = new Main();
    // picocli reads the options; without any, it is not loaded at all (its classes, about a tenth of the CPU
    // time of a start, are too old for a class-data sharing archive).
    int code = args.length == 0 ? main.callWithoutArguments() : new CommandLine(main).execute(args);
    if (code != 0 || main.vertx == null) {
      LogSetup.close();
      System.exit(code); // help, version, a usage error or a failed start; otherwise Vert.x keeps running
    }
  }

  /**
   * Vert.x's transports looked up and Netty's buffer allocator set up on a thread of their own while this one reads
   * the options and the configuration: Netty's native epoll library, copied out of the jar and loaded, and the
   * allocator took about a seventh of the main thread's time to the first answer, and need nothing from the
   * configuration. Logback is set up by then (this class's logger), so their log lines find it. The native
   * library is not loaded when the native transport is turned off. Joined before Vert.x starts (see
   * {@link #call}), so Netty's classes are never initialised by two threads at once.
   */
  private static Thread prepareNetty(boolean preferNative) {
    Thread prepare = new Thread(() -> {
      if (preferNative) {
        Transport.nativeTransport();
      }
      Buffer.buffer();
    }, "botgate-prepare-netty");
    prepare.setDaemon(true);
    prepare.start();
    return prepare;
  }

  /** {@link #call} as picocli would run it: an unexpected exception is printed and exits 1. */
  private int callWithoutArguments() {
    try {
      return call();
    } catch (RuntimeException e) {
      e.printStackTrace();
      return BAD_CONFIGURATION;
    }
  }

  @Override
  public Integer call() {
    if (port != null && (port < 0 || port > 65535)) {
      // a usage error of the option itself, not a bad setting of http.port "from a system property"
      throw new CommandLine.ParameterException(spec.commandLine(), "--port must be from 0 to 65535, not " + port);
    }
    String preferNative = System.getProperty(PREFER_NATIVE);
    boolean nativeTransport = preferNative == null || Boolean.parseBoolean(preferNative);
    // not for --help, --version or a usage error: picocli does not call this then
    Thread preparing = prepareNetty(nativeTransport);
    GatewayConfig settings;
    try {
      settings = GatewayConfig.read(config != null ? config : fromProperty(), overrides(), optionSources());
      LogSetup.apply(settings.logOptions()); // before Vert.x logs; the gateway's start warns when they do not apply
    } catch (IllegalArgumentException e) {
      fail(e.getMessage());
      return BAD_CONFIGURATION;
    }
    VertxOptions options = new VertxOptions();
    options.setPreferNativeTransport(nativeTransport);
    try {
      preparing.join(TimeUnit.SECONDS.toMillis(30)); // bounded: a stuck preparation must not hold the start for ever
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Vertx started;
    try {
      started = startVertx(options, settings);
    } catch (IllegalArgumentException e) {
      fail(e.getMessage()); // a cluster.* setting refused before joining, named in the message
      return BAD_CONFIGURATION;
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      fail("cannot join the cluster: " + (e instanceof ExecutionException ? e.getCause() : e));
      return BAD_CONFIGURATION;
    }
    gateway = new BotgateVerticle(settings);
    vertx = started;
    // Registered before deploying: the "listening" line is written during the deployment, and a SIGTERM sent
    // as soon as it shows must find the hook (adding one after the JVM began shutting down throws).
    int grace = settings.integer("shutdown.graceSeconds");
    Thread hook = new Thread(() -> stop(grace), "botgate-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      started.deployVerticle(gateway).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException | InterruptedException e) {
      fail(startFailure(e instanceof ExecutionException ? e.getCause() : e, settings));
      withoutHook(hook);
      started.close();
      return BAD_CONFIGURATION;
    }
    return 0;
  }

  /** Says why the start failed, after the log lines still queued (they tell what led to it). */
  private static void fail(String why) {
    LogSetup.drain();
    System.err.println("botgate: " + why);
  }

  /** A start that failed exits with its own code, not through the hook's drain and exit 0. */
  private static void withoutHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // a signal came meanwhile: the hook runs and ends the process
    }
  }

  /** One Vert.x of its own, or a member of the cluster with {@code cluster.enabled}. */
  private static Vertx startVertx(VertxOptions options, GatewayConfig settings)
    throws ExecutionException, TimeoutException, InterruptedException {
    ClusterOptions cluster = settings.cluster();
    boolean metrics = settings.bool("metrics.vertx");
    if (!cluster.enabled()) {
      return metrics ? MetricsEndpoint.vertxWithMetrics(options) : Vertx.vertx(options);
    }
    try {
      java.net.InetAddress.getByName(cluster.host()); // Hazelcast's own failure named neither the host nor the key
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("cluster.host: '" + cluster.host() + "' does not resolve to an address of "
        + "this machine's; give the address (or a name for it) the other members reach this node at ("
        + settings.source("cluster.host") + ")");
    }
    return ClusterNode.start(metrics ? MetricsEndpoint.builderWithMetrics(options) : Vertx.builder(), options, cluster,
      settings.integer("session.idle.minutes") * 60_000L, settings.string("node.id"))
      .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /**
   * On SIGTERM (or Ctrl-C): drain, close, and exit 0 — rather than the JVM's 143 for a signal, since
   * stopping on a signal is this process's normal way to end. Logback has no shutdown hook of its own
   * here, so these lines are written.
   */
  private void stop(int graceSeconds) {
    long start = System.nanoTime();
    LOG.atInfo().addKeyValue("graceSeconds", graceSeconds).log("botgate draining: no new connections; requests "
      + "in flight have up to {} s (shutdown.graceSeconds)", graceSeconds);
    int code = 0;
    try {
      gateway.drain().eventually(vertx::close).toCompletionStage().toCompletableFuture()
        .get(graceSeconds + 10L, TimeUnit.SECONDS);
      LOG.info("botgate stopped after {} ms", (System.nanoTime() - start) / 1_000_000);
    } catch (Exception e) {
      LOG.error("botgate did not stop cleanly", e);
      code = 1;
    }
    LogSetup.close();
    System.err.flush();
    Runtime.getRuntime().halt(code);
  }

  private static Path fromProperty() {
    String path = System.getProperty("botgate.conf");
    return path == null ? null : Path.of(path);
  }

  /** System properties, with the command line's own options on top. */
  private Properties overrides() {
    Properties props = new Properties();
    props.putAll(System.getProperties());
    if (port != null) {
      props.setProperty("http.port", String.valueOf(port));
    }
    if (cluster) {
      props.setProperty("cluster.enabled", "true");
    }
    return props;
  }

  /** The settings the command line's options set, each with the option's name, for errors to name. */
  private java.util.Map<String, String> optionSources() {
    java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
    if (port != null) {
      options.put("http.port", "option --port");
    }
    if (cluster) {
      options.put("cluster.enabled", "option --cluster");
    }
    return options;
  }

  /** What went wrong at start, in words an operator can act on. */
  static String startFailure(Throwable failure, GatewayConfig settings) {
    if (EventBusBridge.portInUse(failure)) {
      return "cannot listen on " + settings.string("http.host") + ":" + settings.integer("http.port")
        + ": the port is already in use (http.port from " + settings.source("http.port")
        + "; choose another with --port or http.port)";
    }
    String message = failure.getMessage() == null ? failure.toString() : failure.getMessage();
    if (failure instanceof java.net.UnknownHostException) {
      // Netty's resolver names the host, not the setting it came from
      String bridgeHost = settings.string("bridge.host");
      String key = bridgeHost != null && !bridgeHost.equals(settings.string("http.host"))
        && message.contains("'" + bridgeHost + "'") ? "bridge.host" : "http.host";
      return key + ": cannot resolve '" + settings.string(key) + "' to an address to listen on (" + message + "; "
        + settings.source(key) + ")";
    }
    return message;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"botgate " + (version == null ? "(development build)" : version)
        + " on Vert.x " + vertxVersion() + ", Java " + System.getProperty("java.version")};
    }

    private static String vertxVersion() {
      try (var in = Vertx.class.getResourceAsStream("/META-INF/vertx/vertx-version.txt")) {
        return in == null ? "5" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
      } catch (java.io.IOException e) {
        return "5";
      }
    }
  }
}
