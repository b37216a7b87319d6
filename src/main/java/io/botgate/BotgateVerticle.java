package io.botgate;

import com.hazelcast.core.HazelcastInstance;
import io.botgate.cluster.ClusterNode;
import io.botgate.api.ApiRoutes;
import io.botgate.api.AsteriskOptions;
import io.botgate.api.BridgeOptions;
import io.botgate.api.DefinitionChanges;
import io.botgate.api.EventBusBridge;
import io.botgate.cluster.ReplicatedDefinitions;
import io.botgate.api.CbRoutes;
import io.botgate.api.ContextRoutes;
import io.botgate.cb.BotRegistry;
import io.botgate.cb.CbImporter;
import io.botgate.cb.SavedImports;
import io.botgate.credentials.Credential;
import io.botgate.cb.InteractionRunner;
import io.botgate.cb.context.ContextOptions;
import io.botgate.cb.context.ContextStore;
import io.botgate.cb.context.ClusteredContextStore;
import io.botgate.cb.context.LocalContextStore;
import io.botgate.api.EventBusApi;
import io.botgate.api.GatewayHealth;
import io.botgate.api.BearerAuth;
import io.botgate.api.CredentialRoutes;
import io.botgate.api.HostAllowList;
import io.botgate.api.HeldBodies;
import io.botgate.api.HttpErrors;
import io.botgate.api.OriginCheck;
import io.botgate.api.MetricsEndpoint;
import io.botgate.console.ConsoleEndpoint;
import io.botgate.credentials.CredentialRegistry;
import io.botgate.console.ConsoleOptions;
import io.botgate.events.ClusterEvents;
import io.botgate.events.DebugStream;
import io.botgate.events.SecretMask;
import io.botgate.script.ScriptEngine;
import io.botgate.script.ScriptLimits;
import io.botgate.script.ScriptOptions;
import io.botgate.script.ScriptRunner;
import io.botgate.script.SessionScripts;
import io.botgate.demo.DemoFaq;
import io.botgate.integration.DefinitionMask;
import io.botgate.integration.EgressGuard;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.integration.IntegrationRegistry;
import io.botgate.integration.RecordedMocks;
import io.botgate.integration.UpstreamMode;
import io.botgate.integration.UpstreamOptions;
import io.botgate.logging.AccessLog;
import io.botgate.logging.LogSetup;
import io.botgate.proxy.PassThroughOptions;
import io.botgate.proxy.PassThroughProxy;
import io.botgate.session.SessionOptions;
import io.botgate.session.ClusteredSessionStore;
import io.botgate.session.LocalSessionStore;
import io.botgate.session.RefusalEvents;
import io.botgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway: reads the configuration, wires the capabilities together and serves HTTP. */
public final class BotgateVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BotgateVerticle.class);
  /** How long after listening the script sandbox is built, unless a script needs it sooner. */
  static final long SANDBOX_DELAY_MS = 1_000;

  private final GatewayConfig preset;
  private volatile int port;
  private IntegrationExecutor executor;
  private SessionStore sessions;
  private IntegrationRegistry registry;
  private ReplicatedDefinitions<IntegrationDefinition> integrations;
  private ReplicatedDefinitions<Credential> savedCredentials;
  private ReplicatedDefinitions<CbImporter.Checked> imports;
  private BotRegistry bots;
  private CbImporter importer;
  private ContextStore contextStore;
  private ScriptEngine engine;
  private DebugStream stream;
  private ClusterEvents clusterEvents;
  private PassThroughProxy passThrough;
  private EventBusBridge bridge;
  /** The HTTP connections open on the gateway's port ({@code http.connections} bounds them). */
  private final AtomicInteger httpConnections = new AtomicInteger();
  /** {@code body.held.bytes}: what requests not yet answered may hold, over HTTP and the event bus. */
  private HeldBodies held;
  private EgressGuard guard;
  private CredentialRegistry credentials;
  private UpstreamOptions upstreamOptions;
  private RecordedMocks recorded;
  private volatile String baseUrl;
  private volatile boolean draining;
  private HttpServerVerticle.Servers servers;
  private Router router;

  /** Reads conf/config.json (or -Dbotgate.conf) and the environment. */
  public BotgateVerticle() {
    this(null);
  }

  /** Starts with the given configuration instead of reading one. */
  public BotgateVerticle(GatewayConfig config) {
    this.preset = config;
  }

  @Override
  public Future<?> start() {
    Future<GatewayConfig> config = preset != null ? Future.succeededFuture(preset) : GatewayConfig.load(vertx);
    return config.compose(this::startWith);
  }

  private Future<?> startWith(GatewayConfig config) {
    String host = config.string("http.host");
    String token = config.string("auth.token");
    for (String key : List.of("http.host", "bridge.host")) {
      // "" passes for loopback (InetAddress reads it so) and was then named as an http.allowedHosts entry
      String named = config.string(key);
      if (named != null && named.isBlank()) {
        return Future.failedFuture(new IllegalArgumentException(key + ": '" + named
          + "' is not a host name or address; give one, such as 127.0.0.1 (" + config.source(key) + ")"));
      }
    }
    if (!isLoopback(host) && (token == null || token.isBlank())) {
      return Future.failedFuture(new IllegalStateException("refusing to bind " + config.named("http.host")
        + " without auth.token: anyone on the network could call your integrations. Set auth.token "
        + "(BOTGATE_AUTH_TOKEN) or bind to 127.0.0.1"));
    }
    if (config.list("http.allowedHosts").contains("*") && (token == null || token.isBlank())) {
      return Future.failedFuture(new IllegalStateException("refusing http.allowedHosts=* ("
        + config.source("http.allowedHosts") + ") without auth.token: "
        + "any web page could reach the gateway through a DNS name pointed at it (DNS rebinding). Set auth.token "
        + "or list the host names instead"));
    }
    BridgeOptions bridgeOptions = bridgeOptions(config, host, token);
    int httpPort = config.integer("http.port");
    if (bridgeOptions.enabled() && httpPort != 0 && bridgeOptions.port() == httpPort
      && bridgeOptions.host().equals(host)) {
      // Vert.x shares one listening socket between servers of the same address, whatever their kind: both would
      // start, and connections would go in turn to the HTTP server and to the bridge.
      return Future.failedFuture(new IllegalStateException("bridge.port (" + config.source("bridge.port")
        + ") and http.port (" + config.source("http.port") + ") are both " + httpPort + " on " + host
        + ": the event-bus bridge needs a port of its own"));
    }
    if (bridgeOptions.enabled() && EventBusBridge.refusal(bridgeOptions) != null) {
      String bridgeHost = config.string("bridge.host") == null ? "http.host" : "bridge.host";
      return Future.failedFuture(new IllegalStateException(EventBusBridge.refusal(bridgeOptions) + " (bridge.host from "
        + (bridgeHost.equals("http.host") ? "http.host, " : "") + config.source(bridgeHost) + ")"));
    }
    config.withoutEffect().forEach(line -> LOG.warn("{}", line));
    // again when embedded (Main applied them before Vert.x started): a start that cannot apply them says so
    LogSetup.claim(this, config.logOptions(), config::logSettingsWithoutEffect).ifPresent(line -> LOG.warn("{}", line));
    registry = new IntegrationRegistry();
    bots = new BotRegistry();
    importer = new CbImporter(registry, bots, new DefinitionMask(new SecretMask(config.list("mask.headers"))),
      config.botEnv());
    guard = new EgressGuard(config.list("egress.allow"));
    credentials = new CredentialRegistry(vertx, config.botEnv(), guard);
    registry.checkCredentials(credentials::declared);
    // The script engine (compiling the global functions takes a while) is built on a worker beside the steps
    // below rather than after them (not ordered with their blocking parts); the sandbox is built later.
    Future<ScriptEngine> scriptEngine = ConfFiles.read(vertx, "script.globals", config.string("script.globals"), config.source("script.globals"),
        () -> ConfFiles.embeddedIfAny("/conf/globals.js"))
      .compose(globals -> vertx.executeBlocking(() -> new ScriptEngine(vertx, new ScriptLimits(
        config.integer("script.cpu.ms"), config.integer("script.memory.mb") * (1L << 20),
        config.integer("script.stack.depth"), ScriptLimits.DEFAULTS.maxStringLength(),
        ScriptLimits.DEFAULTS.maxArrayLength()), globals, new ScriptOptions(config.integer("script.threads"),
        config.integer("script.queue"), config.integer("script.maxSourceBytes"), config.integer("script.cache.bytes"),
        config.integer("script.memory.total.mb") == 0
          ? ScriptOptions.defaultMemoryTotalBytes(config.integer("script.memory.mb") * (1L << 20)) : config.integer("script.memory.total.mb") * (1L << 20))),
        false));
    // Credentials first: an integration naming one that does not exist is warned about.
    return ConfFiles.read(vertx, "credentials.file", config.string("credentials.file"),
        config.source("credentials.file"), () -> null)
      .compose(text -> {
        if (text != null) {
          credentials.load(text, config.string("credentials.file"));
        }
        return ReplicatedDefinitions.start(vertx, new ReplicatedDefinitions.Kind<>("credentials",
          (name, json) -> credentials.readSaved(json, name), credentials::install),
          config.string("credentials.file"), text == null ? new JsonArray() : new JsonArray(text),
          config.integer("definitions.maxBytes"));
      })
      .compose(saved -> {
        savedCredentials = saved;
        upstreamOptions = UpstreamOptions.of(config.string("upstream.mode"), config.string("upstream.mocksDir"),
          config.object("upstream.rewrite"));
        recorded = new RecordedMocks(vertx, upstreamOptions.mocksDir() == null ? null : Path.of(upstreamOptions.mocksDir()),
          config.string("node.id"));
        return vertx.executeBlocking(() -> {
          recorded.load();
          if (upstreamOptions.mode() == UpstreamMode.RECORD) {
            recorded.claim(); // another gateway recording there stops this start, rather than every recording failing
          }
          return null;
        });
      })
      .compose(v -> ConfFiles.read(vertx, "integrations.file", config.string("integrations.file"),
        config.source("integrations.file"), () -> ConfFiles.embedded("/conf/integrations.json")))
      .map(text -> text == null ? "[]" : text) // integrations.file "": no file, none at start, changes in memory only
      .compose(text -> {
        registry.load(text, config.string("integrations.file"));
        return ReplicatedDefinitions.start(vertx, new ReplicatedDefinitions.Kind<>("integrations",
          (name, json) -> registry.readSaved(json, name), importer::installPlain),
          config.string("integrations.file"), new JsonArray(text), config.integer("definitions.maxBytes"));
      })
      .compose(saved -> {
        integrations = saved;
        return importAtStart(config.list("imports.cb"), config.source("imports.cb"));
      })
      .compose(v -> ConfFiles.read(vertx, "imports.file", config.string("imports.file"),
        config.source("imports.file"), () -> null))
      .compose(text -> vertx.executeBlocking(() -> SavedImports.installAll(importer, text, config.string("imports.file"))))
      .compose(loaded -> ReplicatedDefinitions.start(vertx, SavedImports.kind(importer),
        config.string("imports.file"), loaded, config.integer("definitions.maxBytes")))
      .compose(saved -> {
        imports = saved;
        return Future.succeededFuture();
      })
      .compose(v -> scriptEngine)
      .compose(built -> {
        engine = built;
        return listen(config, host, token);
      })
      .recover(failed -> {
        LogSetup.release(this); // a gateway that did not start holds no log settings: stop() never runs
        scriptEngine.onSuccess(ScriptEngine::close); // its threads do not outlive a failed start
        // nor does the mocks directory's lock: stop() never runs after a failed start, and the lock is the process's;
        // its file, and the directory, go too when the start made them
        return (recorded == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
          recorded.abandon();
          return null;
        })).transform(released -> Future.failedFuture(failed));
      });
  }

  /** Lets the mocks directory go ({@link RecordedMocks#close}), once the write under way, if any, is done. */
  private Future<?> releaseMocks() {
    return recorded == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      recorded.close();
      return null;
    });
  }

  /** Imports the CB exports listed in {@code imports.cb}, in order, on a worker (their scripts are compiled). */
  private Future<Void> importAtStart(List<String> files, String source) {
    Future<Void> done = Future.succeededFuture();
    for (String file : files) {
      done = done.compose(v -> ConfFiles.read(vertx, "imports.cb", file, source, () -> null))
        .compose(text -> vertx.executeBlocking(() -> importer.importFile(file, text)))
        .map(answer -> {
          LOG.info("imported CB bot '{}' from {}: {} integrations, {} interactions, {} items skipped",
            answer.getString("bot"), file, answer.getJsonArray("integrations").size(),
            answer.getJsonArray("interactions").size(), answer.getJsonArray("skipped").size());
          SavedImports.logWarnings(answer, file);
          return null;
        });
    }
    return done;
  }

  private Future<?> listen(GatewayConfig config, String host, String token) {
    long idleMillis = config.integer("session.idle.minutes") * 60_000L;
    // A session's numbering outlives its events as long as the session may: its next event follows its last.
    stream = new DebugStream(vertx, config.integer("history.size"), config.integer("history.total"),
      config.integer("history.minutes") * 60_000L, idleMillis, CoarseClock.MILLIS);
    credentials.onHeld((name, secrets) -> stream.secrets().pin("credential " + name, secrets));
    SessionOptions sessionOptions = new SessionOptions(config.integer("session.max"), config.integer("session.maxBytes"),
      config.integer("session.results"), idleMillis, config.integer("session.queue"));
    long totalBytes = config.integer("session.total.mb") == 0
      ? LocalSessionStore.defaultTotalBytes() : config.integer("session.total.mb") * (1L << 20);
    HazelcastInstance hazelcast = ClusterNode.hazelcast(vertx);
    sessions = hazelcast == null ? new LocalSessionStore(sessionOptions, totalBytes, CoarseClock.MILLIS)
      : new ClusteredSessionStore(vertx, hazelcast, sessionOptions, totalBytes, stream, System::currentTimeMillis,
        config.cluster().turnWaitSeconds() * 1000L);
    ContextOptions contextOptions = new ContextOptions(config.integer("context.maxBytes"));
    contextStore = hazelcast == null ? new LocalContextStore(contextOptions)
      : new ClusteredContextStore(hazelcast, contextOptions, System::currentTimeMillis);
    ScriptRunner runner = new ScriptRunner(engine, config.botEnv(), contextStore).withholding(credentials::secretFrom);
    SecretMask mask = new SecretMask(config.list("mask.headers"));
    // one for every way a request comes in, the executor's too: a session's refusals are paced together (RefusalEvents)
    RefusalEvents refusals = new RefusalEvents(sessions, stream);
    executor = new IntegrationExecutor(vertx, registry, sessions, stream, runner, mask, guard,
      new IntegrationExecutor.Settings(config.integer("upstream.limit.bytes"), config.botEnv(), () -> baseUrl,
        config.string("node.id")), credentials, upstreamOptions, recorded, refusals);
    SessionScripts scripts = new SessionScripts(sessions, stream, runner, executor::offLoop);

    router = Router.router(vertx);
    if (config.bool("log.access")) {
      router.route().handler(new AccessLog());
    }
    HostAllowList hosts = new HostAllowList(config.list("http.allowedHosts"), host);
    OriginCheck origins = new OriginCheck(allowedOrigins(config));
    router.route().handler(HttpErrors::rejectMalformedUri).handler(hosts).handler(origins);
    // First after the filters every request passes: a pass-through call is matched without walking the
    // API's routes (their path patterns cost a regex each, on every call).
    passThrough = new PassThroughProxy(vertx, registry, executor, guard, new PassThroughOptions(
      config.integer("proxy.request.limit.bytes"), config.integer("proxy.response.limit.bytes"),
      config.integer("upstream.limit.bytes")), token, credentials, refusals);
    // TRACE's echo would carry the credential a call is given: refused before the pass-through, as its Allow says
    router.route(HttpMethod.TRACE, "/proxy/*").handler(AsteriskOptions::refuseTrace);
    passThrough.mount(router);
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(healthChecks()));
    Buffer openApi = Buffer.buffer(ConfFiles.embedded("/openapi.json"));
    router.get("/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(openApi));
    boolean demo = config.bool("demo.enabled");
    if (demo) {
      router.get(DemoFaq.PATH).handler(DemoFaq.load()::handle);
    }
    DefinitionChanges changes = new DefinitionChanges();
    held = new HeldBodies(config.integer("body.held.bytes"));
    new ApiRoutes(registry, integrations, executor, sessions, scripts, stream, mask, importer::owner, changes, refusals)
      .mount(router, config.integer("body.limit.bytes"), held, token);
    router.get("/api/cluster").handler(ctx -> ApiRoutes.jsonHead(ctx.response())
      .end(ClusterNode.describe(vertx, config.string("node.id")).toBuffer()));
    new CbRoutes(importer, bots, imports, new InteractionRunner(sessions, stream, runner, executor, bots)).mount(router);
    new ContextRoutes(contextStore).mount(router);
    new CredentialRoutes(credentials, savedCredentials, () -> Stream.concat(registry.all().stream(),
      importer.setAside().stream()).toList(), changes).mount(router);
    ConsoleEndpoint console = new ConsoleEndpoint(vertx, stream, new ConsoleOptions(
      config.integer("console.subscriptions"), config.integer("console.queue.bytes"),
      config.integer("console.heartbeat.seconds") * 1000L, config.integer("history.size"),
      ConsoleOptions.DEFAULT_INBOX, ConsoleOptions.DEFAULT_INBOX_BYTES, config.integer("console.frames.perSecond")),
      config.integer("console.connections"));
    router.get("/console").handler(new BearerAuth(token)).handler(console::handle)
      .failureHandler(ApiRoutes::failure);
    router.post(ConsoleEndpoint.CHECK_PATH).handler(new BearerAuth(token)).handler(console::check)
      .failureHandler(ApiRoutes::failure);
    MetricsEndpoint metrics = new MetricsEndpoint(vertx, executor, runner, sessions, stream, console.stats())
      .http(httpConnections);
    registry.onRemoved(metrics::forget);
    BridgeOptions bridgeOptions = bridgeOptions(config, host, token);
    if (bridgeOptions.enabled()) { // checked in start(): built here, beside the sessions its refusals show in
      bridge = new EventBusBridge(vertx, bridgeOptions, refusals);
      metrics.bridge(bridge);
    }
    if (hazelcast != null) {
      metrics.cluster(hazelcast);
    }
    router.get("/metrics").handler(new BearerAuth(token)).handler(metrics::handle)
      .failureHandler(ApiRoutes::failure);
    // The console's files carry no version in their names: a browser revalidates each one (a 304 when unchanged)
    // rather than keep a day's copy, which after an upgrade ran the old page, or the new page with old modules.
    // A JSON error for a path or method no route takes (ApiRoutes.jsonHead) keeps its no-store.
    // No page may show them in a frame: framed by a page elsewhere, the console is still same-origin with the
    // gateway, and a click lured onto it would run its Try it (clickjacking).
    router.route("/*").handler(ctx -> {
      ctx.addHeadersEndHandler(v -> ctx.response().headers()
        .set("Cache-Control", "no-store".equals(ctx.response().headers().get("Cache-Control")) ? "no-store" : "no-cache")
        .set("X-Frame-Options", "DENY").set("Content-Security-Policy", "frame-ancestors 'none'"));
      ctx.next();
    }).handler(StaticHandler.create("webroot"));
    HttpErrors.mount(router);
    // Pass-through calls the filters admit skip the router (the access log, when on, sees every request).
    boolean accessLog = config.bool("log.access");
    Handler<HttpServerRequest> requests = HostAllowList.guarding(AsteriskOptions.inFront(accessLog
      ? router : passThrough.inFront(router, request -> request.method() != HttpMethod.TRACE && hosts.allows(request)
        && origins.allows(request)), hosts));
    if (accessLog) { // and those answered before any route, or not parsed at all
      requests = AccessLog.around(requests);
    }
    Function<HttpServerOptions, Handler<HttpServerRequest>> invalid = accessLog
      ? serverOptions -> AccessLog.around(HttpErrors.invalidRequests(serverOptions)) : HttpErrors::invalidRequests;

    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(config.integer("http.port"))
      // HTTP/1.1 only: with clear-text HTTP/2 on, Vert.x knows a connection only once its first bytes have come,
      // and a client sending nothing would escape http.idleTimeoutSeconds (IdleConnections)
      .setHttp2ClearTextEnabled(false)
      .setCompressionSupported(true)
      .setMaxWebSocketFrameSize(config.integer("console.frame.bytes"))
      .setMaxWebSocketMessageSize(config.integer("console.frame.bytes"))
      // Deflating every small event frame for every console costs more CPU than all the rest of delivering it.
      .setPerMessageWebSocketCompressionSupported(config.bool("console.deflate"))
      .setPerFrameWebSocketCompressionSupported(config.bool("console.deflate"));
    Handler<HttpServerRequest> served = requests;
    clusterEvents = hazelcast == null ? null : new ClusterEvents(vertx, stream, hazelcast,
      config.cluster().turnWaitSeconds() * 1000L);
    if (clusterEvents != null) {
      executor.resultsDelivery(clusterEvents::delivery);
    }
    return (clusterEvents == null ? Future.succeededFuture() : clusterEvents.start())
      .compose(v -> HttpServerVerticle.deploy(vertx, served, invalid, options, config.integer("http.instances"),
        config.integer("shutdown.graceSeconds"), idleTimeoutSeconds(config) * 1000L, config.integer("http.connections"),
        httpConnections))
      .compose(bound -> {
        servers = bound;
        port = bound.port();
        return new EventBusApi(executor, sessions, scripts, stream.secrets(), held,
          refusals).register(vertx);
      })
      .compose(v -> bridge == null ? Future.succeededFuture() : bridge.start())
      .onSuccess(v -> {
        String selfHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        baseUrl = "http://" + (selfHost.contains(":") ? "[" + selfHost + "]" : selfHost) + ":" + port;
        guard.own(selfHost, port, demo ? DemoFaq.PREFIX : null, !selfHost.equals(host));
        // The script sandbox (about 0.2 s of CPU), built a moment after listening so that the first answers do
        // not share the CPU with it; a script that comes sooner starts the build itself and waits for it.
        vertx.setTimer(SANDBOX_DELAY_MS, t -> engine.prepare().whenComplete((sandbox, failure) -> {
          if (failure != null) { // every script run answers this failure; the rest of the gateway serves on
            LOG.error("the script sandbox could not be built: scripts will not run", failure);
          }
        }));
        vertx.setPeriodic(Math.min(idleMillis, 60_000L), id -> {
          vertx.executeBlocking(sessions::expireIdle, false); // a walk over up to session.max sessions
          stream.expire();
          vertx.executeBlocking(() -> {
            contextStore.expire();
            return null;
          }, false);
        });
        LOG.info("botgate listening on {} ({} integrations, demo {}, {} transport)", baseUrl, registry.all().size(),
          demo ? "on" : "off", vertx.isNativeTransportEnabled() ? "native" : "NIO");
      });
  }

  private static BridgeOptions bridgeOptions(GatewayConfig config, String httpHost, String token) {
    String host = config.string("bridge.host");
    return new BridgeOptions(host == null ? httpHost : host, config.integer("bridge.port"), token,
      config.integer("bridge.frame.bytes"), config.integer("bridge.registrations"), config.integer("bridge.queue.bytes"),
      config.integer("bridge.connections"), config.integer("bridge.connectionsPerAddress"),
      config.integer("bridge.first.frame.seconds"),
      BridgeOptions.replyTimeoutMs(config.integer("bridge.reply.seconds"), config.integer("cluster.turnWaitSeconds")));
  }

  /**
   * {@code http.idleTimeoutSeconds}, checked: how long a connection may hold its socket without a request for
   * the gateway to answer (see {@link IdleConnections}).
   */
  private static int idleTimeoutSeconds(GatewayConfig config) {
    int seconds = config.integer("http.idleTimeoutSeconds");
    if (seconds < 0) {
      throw new IllegalArgumentException("http.idleTimeoutSeconds: " + seconds + " must be 0 (never) or more");
    }
    return seconds;
  }

  /** {@code console.origins} is the older name of {@code http.allowedOrigins}, for the console alone. */
  private static List<String> allowedOrigins(GatewayConfig config) {
    List<String> legacy = config.list("console.origins");
    OriginCheck.check("console.origins", legacy);
    if (!legacy.isEmpty()) {
      LOG.warn("console.origins is deprecated: its origins {} are allowed for the whole gateway now, as "
        + "http.allowedOrigins; move them there", legacy);
    }
    return Stream.concat(config.list("http.allowedOrigins").stream(), legacy.stream()).toList();
  }

  private HealthChecks healthChecks() {
    return GatewayHealth.create(vertx, registry, sessions, () -> engine, () -> draining);
  }

  /**
   * Stops taking work: /health reports draining (503), the HTTP servers stop accepting and the requests in
   * flight finish within {@code shutdown.graceSeconds}; completes when they have.
   */
  public Future<Void> drain() {
    draining = true;
    return servers == null ? Future.succeededFuture() : servers.undeploy(vertx);
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public Future<?> stop() {
    LogSetup.release(this);
    Stream.of(integrations, savedCredentials, imports).filter(d -> d != null).forEach(ReplicatedDefinitions::close);
    if (clusterEvents != null) {
      clusterEvents.close();
    }
    if (executor != null) {
      executor.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (passThrough != null) {
      passThrough.close();
    }
    if (credentials != null) {
      credentials.close();
    }
    Future<?> released = sessions instanceof ClusteredSessionStore clustered ? clustered.close() : Future.succeededFuture();
    Future<?> mocks = releaseMocks();
    return released.eventually(() -> mocks).eventually(() -> bridge == null ? Future.succeededFuture() : bridge.close());
  }

  /** The routes the gateway's router holds, filters included: what its OpenAPI document is checked against. */
  public List<Route> routes() {
    return router == null ? List.of() : router.getRoutes();
  }

  /** The port actually bound (useful with http.port 0). */
  public int port() {
    return port;
  }

  /** The TCP event-bus bridge's port, or -1 when {@code bridge.port} is not set. */
  public int bridgePort() {
    return bridge == null ? BridgeOptions.OFF : bridge.port();
  }

  public String baseUrl() {
    return baseUrl;
  }

  public SessionStore sessions() {
    return sessions;
  }

  /** The members' event histories in a cluster, null on a node alone (for tests). */
  public ClusterEvents clusterEvents() {
    return clusterEvents;
  }

  /** The executor of integrations (for tests). */
  public IntegrationExecutor executor() {
    return executor;
  }

  public DebugStream stream() {
    return stream;
  }
}
