package io.botgate.api;

import io.botgate.console.ConsoleStats;
import io.botgate.events.BusReceivers;
import io.botgate.events.DebugStream;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.script.ScriptRunner;
import io.botgate.session.IntegrationResult;
import io.botgate.session.SessionStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * {@code GET /metrics}: the Prometheus text of one Micrometer registry holding botgate's own meters and,
 * when the process runs Vert.x with metrics on ({@code metrics.vertx}, the default), Vert.x's HTTP server,
 * Web Client, event-bus and pool meters and the JVM's. botgate's counters are read when scraped, so the
 * request path pays nothing for them; only the execution latency histogram is recorded as results come.
 */
public final class MetricsEndpoint {

  public static final boolean DEFAULT_VERTX_METRICS = true;
  /** Latency buckets of the execution histogram: CB's 20 s deadline is the last one that matters. */
  static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
    Duration.ofSeconds(20)};

  /** Buckets of the script duration histogram: most scripts take a millisecond or two; script.cpu.ms is 5 s. */
  static final Duration[] SCRIPT_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
    Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
    Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
    Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
    "TRACE", "PATCH");
  static final String OTHER_METHOD = "other";
  private static final String HTTP_POOL_TYPE = "http";
  /** The one {@code pool_name} of the HTTP client's connection pools, whatever upstream each one is for. */
  static final String UPSTREAM_POOL = "upstreams";
  /** Called with the thread that renders a scrape, as it begins (for tests). */
  static volatile Consumer<Thread> whileRendering = thread -> { };
  /** One thread renders scrapes, one after another: scrapers that come together wait rather than take workers. */
  private final WorkerExecutor scraper;
  private final PrometheusMeterRegistry registry;
  /**
   * The histograms' timers by their labels, made once: building and registering a timer per result (a registry
   * look-up with its tags sorted and its id hashed) cost more than recording.
   */
  private final Map<Outcome, Timer> executionTimers = new ConcurrentHashMap<>();
  private final Map<String, Timer> scriptTimers = new ConcurrentHashMap<>();
  private final IntegrationExecutor executor;
  private final ScriptRunner scripts;
  /** The tallies as of the latest scrape; the per-label counters read them. */
  private volatile Map<String, Long> executions = Map.of();
  private volatile Map<String, Long> scriptRuns = Map.of();
  private final Set<String> counted = ConcurrentHashMap.newKeySet();
  /** The JVM's meters, bound at the first scrape: their ~300 classes are not loaded on the way to listening. */
  private final AtomicBoolean jvmUnbound;

  public MetricsEndpoint(Vertx vertx, IntegrationExecutor executor, ScriptRunner scripts, SessionStore sessions,
                         DebugStream stream, ConsoleStats console) {
    this.registry = registryOf(vertx);
    this.scraper = vertx.createSharedWorkerExecutor("botgate-metrics", 1);
    this.jvmUnbound = new AtomicBoolean(vertx.isMetricsEnabled());
    this.executor = executor;
    this.scripts = scripts;
    counter("botgate.script.threads.stopped", "Script threads stopped inside a builtin that ran past the time "
      + "limit, each replaced.", scripts.engine(), e -> e.stoppedThreads());
    counter("botgate.script.threads.replaced", "Script threads that could not be stopped, abandoned and replaced.",
      scripts.engine(), e -> e.replacedThreads());
    gauge("botgate.script.cache.bytes", "Estimated heap held by compiled scripts (at most script.cache.bytes).",
      scripts.engine(), e -> e.cachedBytes());
    gauge("botgate.sessions", "Sessions in memory.", sessions, SessionStore::size);
    gauge("botgate.sessions.max", "Live sessions allowed (session.max).", sessions, s -> s.options().maxSessions());
    counter("botgate.sessions.refused", "New sessions refused because session.max were live.", sessions,
      SessionStore::refused);
    counter("botgate.events", "Debug events emitted.", stream, DebugStream::emitted);
    gauge("botgate.events.kept", "Debug events the histories can replay now (at most history.total).", stream,
      DebugStream::kept);
    gauge("botgate.console.connections", "Open console WebSocket connections.", console, ConsoleStats::connections);
    counter("botgate.console.events.delivered", "Events written to console clients.", console,
      ConsoleStats::delivered);
    counter("botgate.console.events.dropped", "Events dropped for slow console clients.", console,
      ConsoleStats::dropped);
    gauge("botgate.console.queued.bytes", "Bytes console connections wrote that their sockets have not taken yet.",
      console, ConsoleStats::queuedBytes);
    gauge("botgate.console.queued.bytes.peak", "The most bytes one console connection has had queued since start.",
      console, ConsoleStats::peakQueuedBytes);
    counter("botgate.console.congestions", "Times a console connection's queue was full (events dropped, replies "
      + "held, reading paused).", console, ConsoleStats::congestions);
    counter("botgate.console.replies.merged", "Replies merged into one already held for a console client that was "
      + "not reading.", console, ConsoleStats::mergedReplies);
    // Told by the executor on the thread that recorded the result, not by a consumer of botgate.results: that
    // cost a copy of the result and a hop to this verticle's event loop on every call.
    executor.onResult(this::latency);
    scripts.onFinished((outcome, micros) -> scriptTimers.computeIfAbsent(outcome, o -> Timer.builder("botgate.script.duration")
        .description("Script runs by how long they took and how they ended: ok, syntax, runtime, limit.")
        .tags("outcome", o).serviceLevelObjectives(SCRIPT_BUCKETS).register(registry))
      .record(micros, TimeUnit.MICROSECONDS));
  }

  /** Adds the count of open HTTP connections, which {@code http.connections} bounds. */
  public MetricsEndpoint http(AtomicInteger open) {
    gauge("botgate.http.connections", "Open HTTP connections on the gateway's port, the console's WebSockets "
      + "included (at most http.connections).", open, AtomicInteger::get);
    return this;
  }

  /** Adds the TCP event-bus bridge's meters, when {@code bridge.port} is set. */
  public MetricsEndpoint bridge(EventBusBridge bridge) {
    gauge("botgate.bridge.connections", "Open connections of the TCP event-bus bridge.", bridge,
      EventBusBridge::connections);
    counter("botgate.bridge.frames.refused", "Bridge frames refused: no token, an address outside the lists, a "
      + "publish, too many registrations.", bridge, EventBusBridge::refusedFrames);
    return this;
  }

  /** Adds the cluster's meters, when {@code cluster.enabled}. */
  public MetricsEndpoint cluster(com.hazelcast.core.HazelcastInstance hazelcast) {
    gauge("botgate.cluster.members", "Members of the cluster this node sees, itself included.", hazelcast,
      h -> h.getLifecycleService().isRunning() ? h.getCluster().getMembers().size() : 0);
    return this;
  }

  /**
   * Vert.x's metrics options for {@code metrics.vertx}: labels with few values only. HTTP paths are left out
   * (a session id is in most), the route template is kept; the addresses of sessions' events are folded into
   * one value ({@link BusReceivers}; the library leaves replies' {@code __vertx.*} addresses out itself).
   */
  static MicrometerMetricsOptions vertxMetricsOptions() {
    return new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(false)
      .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.EB_ADDRESS, Label.EB_SIDE,
        Label.EB_FAILURE, Label.POOL_TYPE, Label.POOL_NAME, Label.CLIENT_NAME));
  }

  /** Vert.x recording its metrics into a registry that {@code /metrics} then serves. */
  public static Vertx vertxWithMetrics(VertxOptions options) {
    return builderWithMetrics(options).build();
  }

  /** The same as a builder, to finish clustered ({@code withClusterManager(...).buildClustered()}) or not. */
  public static VertxBuilder builderWithMetrics(VertxOptions options) {
    return Vertx.builder().with(options.setMetricsOptions(vertxMetricsOptions()))
      .withMetrics(BusReceivers.observing(HttpMeters.cached(new MicrometerMetricsFactory(newRegistry()))));
  }

  static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // A client names the method: any name is a new series, kept for ever, unless folded (before any check).
    registry.config().meterFilter(MeterFilter.replaceTagValues(Label.HTTP_METHOD.toString(),
      MetricsEndpoint::methodLabel));
    // The HTTP client has a connection pool per upstream host and port, and the library names its meters after it
    // and never removes them: a host or port a placeholder fills would add ten series a target, for ever. Folded
    // into one pool; its ratio (in use over one pool's size) would then mean nothing, so it is left out.
    registry.config().meterFilter(MeterFilter.deny(id -> HTTP_POOL_TYPE.equals(id.getTag(Label.POOL_TYPE.toString()))
      && id.getName().equals("vertx.pool.ratio")));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return HTTP_POOL_TYPE.equals(id.getTag(Label.POOL_TYPE.toString()))
          ? id.replaceTags(Tags.of(id.getTagsAsIterable()).and(Label.POOL_NAME.toString(), UPSTREAM_POOL)) : id;
      }
    });
    return registry;
  }

  /** A method as a label: one of HTTP's own methods, or {@value #OTHER_METHOD} for any other name a client sends. */
  static String methodLabel(String method) {
    return METHODS.contains(method) ? method : OTHER_METHOD;
  }

  /** The registry Vert.x records into when its metrics are on, else one of this gateway's own. */
  static PrometheusMeterRegistry registryOf(Vertx vertx) {
    if (vertx.isMetricsEnabled()
      && BackendRegistries.getNow(MicrometerMetricsOptions.DEFAULT_REGISTRY_NAME) instanceof PrometheusMeterRegistry r) {
      return r;
    }
    return newRegistry();
  }

  /**
   * Answers a scrape rendered on {@link #scraper}: with 300 integrations the text of a few thousand series took the
   * event loop up to 270 ms, and every request and console frame on that loop waited for it.
   */
  public void handle(RoutingContext ctx) {
    scraper.executeBlocking(this::render).onSuccess(text ->
      ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text))
      .onFailure(ctx::fail);
  }

  String render() {
    whileRendering.accept(Thread.currentThread());
    if (jvmUnbound.compareAndSet(true, false)) {
      // the binders Vert.x's setJvmMetricsEnabled would bind at start
      for (MeterBinder jvm : new MeterBinder[] {new ClassLoaderMetrics(), new JvmMemoryMetrics(), new JvmGcMetrics(),
        new JvmHeapPressureMetrics(), new JvmThreadMetrics(), new JvmCompilationMetrics(), new JvmInfoMetrics(),
        new ProcessorMetrics(), new UptimeMetrics()}) {
        jvm.bindTo(registry);
      }
    }
    executions = executor.counts();
    scriptRuns = scripts.counts();
    executions.keySet().forEach(key -> {
      if (!counted.contains("executions|" + key)) {
        counter(key);
      }
    });
    scriptRuns.keySet().forEach(outcome -> {
      if (counted.add("scripts|" + outcome)) {
        FunctionCounter.builder("botgate.scripts", this, m -> m.scriptRuns.getOrDefault(outcome, 0L))
          .description("Script runs by how they ended: ok, syntax, runtime, limit.")
          .tags("outcome", outcome).register(registry);
      }
    });
    return registry.scrape();
  }

  /**
   * Removes the series of an integration that was removed (its execution counts, from {@code executor} too, and its
   * latency histogram): declared and deleted by name after name, they piled up for good in the registry and in
   * every scrape.
   */
  public synchronized void forget(String integration) {
    executor.forget(integration);
    for (String name : new String[] {"botgate.executions", "botgate.execution.duration"}) {
      registry.find(name).tag("integration", integration).meters().forEach(registry::remove);
    }
    executionTimers.keySet().removeIf(key -> integration.equals(key.integration()));
    counted.removeIf(key -> key.startsWith("executions|" + integration + "|"));
  }

  /**
   * Registers the counter of one execution key ("integration|status|outcome"), unless its integration is gone: a
   * scrape that read the counts just before a {@link #forget} would otherwise bring its series back for good.
   */
  private synchronized void counter(String key) {
    String[] k = key.split("\\|", 3);
    if (counted.contains("executions|" + key) || !executor.declared(k[0])) {
      return;
    }
    counted.add("executions|" + key);
    FunctionCounter.builder("botgate.executions", this, m -> m.executions.getOrDefault(key, 0L))
      .description("Integration executions by integration, status and outcome.")
      .tags("integration", k[0], "status", k[1], "outcome", k[2]).register(registry);
  }

  private void latency(IntegrationResult result) {
    // keyed by a record: no label text built and hashed per result
    Timer timer = executionTimers.get(new Outcome(result.integration(), result.success()));
    if (timer == null) {
      timer = timer(result);
    }
    if (timer != null) {
      timer.record(Duration.ofMillis(result.durationMs()));
    }
  }

  /**
   * The histogram's timer of a result's labels, made at its first result, or null when its integration is gone: a
   * call in flight when its integration was deleted ends after {@link #forget}, and would bring its series back for
   * good. Made under the same lock as {@link #forget}, so that no timer removed from the registry stays in use.
   */
  private synchronized Timer timer(IntegrationResult result) {
    if (!executor.declared(result.integration())) {
      return null;
    }
    return executionTimers.computeIfAbsent(new Outcome(result.integration(), result.success()), key ->
      Timer.builder("botgate.execution.duration").description("Integration executions by how long they took.")
        .tags("integration", result.integration(), "outcome", result.success() ? "success" : "failure")
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
  }

  private record Outcome(String integration, boolean success) {
  }

  private <T> void counter(String name, String help, T source, ToDoubleFunction<T> value) {
    FunctionCounter.builder(name, source, value).description(help).register(registry);
  }

  private <T> void gauge(String name, String help, T source, ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).description(help).strongReference(true).register(registry);
  }
}
