package io.botgate.integration;

import io.botgate.GatewayError;
import io.botgate.JsonText;
import io.botgate.OnLoop;
import io.botgate.Tally;
import io.botgate.cb.context.ConversationContext;
import io.botgate.events.BusReceivers;
import io.botgate.events.DebugEvent;
import io.botgate.events.DebugStream;
import io.botgate.events.KnownSecrets;
import io.botgate.session.CallerGone;
import io.botgate.events.SecretMask;
import io.botgate.events.Transcript;
import io.botgate.script.ScriptRunner;
import io.botgate.script.ScriptText;
import io.botgate.session.HeldBytes;
import io.botgate.session.IntegrationResult;
import io.botgate.session.RefusalEvents;
import io.botgate.session.RequestScope;
import io.botgate.session.Session;
import io.botgate.session.SessionGone;
import io.botgate.session.SessionLimitExceeded;
import io.botgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Executes a named integration for a session in CB's order: preProcess, render, call, store
 * {@code api_<rdv>}, transformScript, decide success, record and publish the result, map custom data
 * fields, postProcess.
 */
public final class IntegrationExecutor {

  public static final String RESULTS_ADDRESS = "botgate.results";
  /** The fields of a pass-through call's events, encoded once. */
  private static final JsonText.Key PHASE = JsonText.key("phase");
  private static final JsonText.Key INTEGRATION = JsonText.key("integration");
  private static final JsonText.Key METHOD = JsonText.key("method");
  private static final JsonText.Key URL = JsonText.key("url");
  private static final JsonText.Key HEADERS = JsonText.key("headers");
  private static final JsonText.Key REQUEST = JsonText.key("request");
  private static final JsonText.Key STATUS_CODE = JsonText.key("statusCode");
  private static final JsonText.Key SUCCESS = JsonText.key("success");
  private static final JsonText.Key DURATION_MS = JsonText.key("durationMs");
  private static final JsonText.Key ATTEMPTS = JsonText.key("attempts");
  private static final JsonText.Key REASON = JsonText.key("reason");
  private static final JsonText.Key FIELDS = JsonText.key("fields");
  private static final JsonText.Key PHASES = JsonText.key("phases");
  private static final JsonText.Key MODE = JsonText.key("mode");
  private static final JsonText.Key CREDENTIAL = JsonText.key("credential");
  private static final Logger LOG = LoggerFactory.getLogger(IntegrationExecutor.class);
  /**
   * The most of a failed execution's request line (and of its reason) a log line holds: placeholders may put up
   * to 4 Mi characters of a request's variables into the URL, which made one failed call a log line as long.
   */
  static final int LOGGED_REQUEST_CHARS = 2_048;
  static final int LOGGED_REASON_CHARS = 4_096;
  /**
   * An answer's size times the walks over it (its decoding, each field Jayway evaluates or with {@code [i]}) past which
   * the custom data fields are mapped on a worker: about 5 ms of an event loop's time. The benchmark's 1 kB answer stays.
   */
  static final long OFF_LOOP_WORK = 1L << 20;
  /**
   * The largest answer read on the event loop (its JSON checked, its text made for {@code api_<rdv>} and the finish
   * event; {@link OnLoop#MAX_BYTES}). A larger one is read on a worker; the benchmark's 1 kB answer stays.
   */
  static final int READ_ON_LOOP_BYTES = OnLoop.MAX_BYTES;
  private static final String FIELDS_TOO_LARGE = "the custom data fields are too large to keep in the session: ";

  private final Vertx vertx;
  private final IntegrationRegistry registry;
  private final SessionStore sessions;
  private final DebugStream stream;
  private final RefusalEvents refusals;
  private final ScriptRunner scripts;
  private final SecretMask mask;
  private final UpstreamCaller upstream;
  private final Map<String, String> env;
  private final Supplier<String> selfBaseUrl;
  private final String node;
  /** Executions by "integration|status|outcome", for /metrics. */
  private final Tally<Outcome> counts = new Tally<>();
  /** Told of every result as it is published, on the thread that recorded it. */
  private final List<Consumer<IntegrationResult>> resultListeners = new CopyOnWriteArrayList<>();
  /** Who consumes botgate's addresses here, when Vert.x's metrics tell; null: unknown, publish every result. */
  private final BusReceivers receivers;
  /** In a cluster, how results are published (to the nodes consuming them); null: as the bus does. */
  private volatile Function<String, DeliveryOptions> resultsDelivery;

  public IntegrationExecutor(Vertx vertx, IntegrationRegistry registry, SessionStore sessions, DebugStream stream,
                             ScriptRunner scripts, SecretMask mask, EgressGuard guard, Settings settings) {
    this(vertx, registry, sessions, stream, scripts, mask, guard, settings, UpstreamCredentials.NONE,
      UpstreamOptions.defaults(), new RecordedMocks(vertx, null), new RefusalEvents(sessions, stream));
  }

  /**
   * With credentials, the upstream modes and rewrites, the mocks record mode keeps, and the refusals of the gateway's
   * other entry points, with which a session's unknown-integration refusals are paced ({@link RefusalEvents}).
   */
  public IntegrationExecutor(Vertx vertx, IntegrationRegistry registry, SessionStore sessions, DebugStream stream,
                             ScriptRunner scripts, SecretMask mask, EgressGuard guard, Settings settings,
                             UpstreamCredentials credentials, UpstreamOptions upstreamOptions, RecordedMocks recorded,
                             RefusalEvents refusals) {
    this.vertx = vertx;
    this.registry = registry;
    this.sessions = sessions;
    this.stream = stream;
    this.refusals = refusals;
    this.scripts = scripts;
    this.mask = mask;
    this.upstream = new UpstreamCaller(vertx, guard, mask, settings.maxResponseBytes(), credentials, upstreamOptions,
      recorded);
    upstream.decodeOn(this::offLoop);
    this.env = Map.copyOf(settings.env());
    this.selfBaseUrl = settings.selfBaseUrl();
    this.node = settings.node();
    this.receivers = vertx == null ? null : BusReceivers.of(vertx);
  }

  /** What the executor needs from the configuration. */
  public record Settings(long maxResponseBytes, Map<String, String> env, Supplier<String> selfBaseUrl, String node) {
    /** The largest upstream answer kept ({@code upstream.limit.bytes}); past it the call is "502". */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 5 << 20;
  }

  public Future<ExecutionReport> execute(String sessionId, String integration, ExecutionRequest request) {
    return execute(sessionId, integration, request, () -> false);
  }

  /**
   * As {@link #execute(String, String, ExecutionRequest)}, not run at all when {@code callerGone} says, as the
   * session's turn comes, that the caller closed its connection while waiting for it ({@link CallerGone}).
   */
  public Future<ExecutionReport> execute(String sessionId, String integration, ExecutionRequest request,
                                         BooleanSupplier callerGone) {
    IntegrationDefinition definition = registry.find(integration).orElse(null);
    if (definition == null) {
      return Future.failedFuture(unknownIntegration(sessionId, integration));
    }
    // The whole execution is one turn of the session: its scripts and state changes never interleave with
    // another request's of the same session (a conversation's messages run one after another, as in CB).
    return sessions.turn(sessionId, callerGone, session -> {
      if (callerGone.getAsBoolean()) {
        return Future.failedFuture(CallerGone.refusal("integration " + integration));
      }
      RequestScope scope = ConversationContext.scopeOnLoop(session, request.context(), request.variables(),
        request.slots(), request.userMessage());
      if (scope != null) { // the usual few variables and no large context: copied here, no hop
        return new Execution(definition, request, scope, new Transcript(stream, sessionId)).run();
      }
      return ConversationContext.scopeElsewhere(this::offLoop, session, request.context(), request.variables(),
        request.slots(), request.userMessage())
        .compose(large -> new Execution(definition, request, large, new Transcript(stream, sessionId)).run());
    });
  }

  /**
   * The refusal of a call naming no declared integration, also shown in the console of a session that has events
   * already ({@link RefusalEvents}): a misspelt name would otherwise leave it silent while the bot got a 404.
   */
  public GatewayError unknownIntegration(String sessionId, String integration) {
    String unknown = registry.unknown(integration);
    refusals.show(sessionId, unknown, new JsonObject().put("code", "unknown_integration").put("status", 404)
      .put("integration", integration));
    return GatewayError.notFound("unknown_integration", unknown);
  }

  /**
   * A call the pass-through proxy makes itself, to be recorded as an execution is, in the session it begins in
   * (refused 503 {@code sessions_full} past session.max before it is made, 503 {@code session_store_timeout} when
   * the cluster does not open it within the integration's {@code timeoutMs}). The streamed call runs outside the
   * session's turns (it may overlap others); recording its outcome takes a turn, never refused for session.queue,
   * and only in that session: one deleted or expired meanwhile gets no outcome (see {@link SessionStore#recordingTurn}).
   */
  public Future<PassThrough> passThrough(String sessionId, IntegrationDefinition definition) {
    Future<Session> began = sessions.beginCall(sessionId, definition.timeoutMs());
    if (began.isComplete()) { // on one node, always: no future more on the proxy's path
      return began.succeeded() ? Future.succeededFuture(passThrough(began.result(), definition))
        : Future.failedFuture(began.cause());
    }
    return began.map(session -> passThrough(session, definition));
  }

  private PassThrough passThrough(Session began, IntegrationDefinition definition) {
    RequestScope scope = new RequestScope(began, null, null, null);
    Transcript transcript = Transcript.streamedOnly(stream, began.id());
    Execution execution = new Execution(definition, ExecutionRequest.empty(), scope,
      stream == null || stream.cluster() == null ? transcript : transcript.held()); // numbered in the recording turn
    execution.passThrough = true;
    return execution;
  }

  /** The mode an integration is called in: its own, else {@code upstream.mode}. */
  public UpstreamMode mode(IntegrationDefinition definition) {
    return upstream.modeOf(definition);
  }

  /** The mock that answers {@code method} on {@code url} in mock mode (declared first, then recorded), or null. */
  public MockAnswer mock(IntegrationDefinition definition, HttpMethod method, String url) {
    return upstream.findMock(definition, method, url, null);
  }

  public void close() {
    upstream.close();
    WorkerExecutor pool = mappers;
    if (pool != null) {
      pool.close();
    }
  }

  /**
   * The threads that map the custom data fields of large answers, made at the first such answer: two, apart from
   * Vert.x's own worker pool (which the cluster's glue and the definitions' writes use), so that many large answers
   * at once queue behind each other instead of taking every worker.
   */
  private WorkerExecutor mappers() {
    WorkerExecutor pool = mappers;
    if (pool == null) {
      synchronized (this) {
        if (mappers == null) {
          mappers = vertx.createSharedWorkerExecutor("botgate-mapping", MAPPING_THREADS);
        }
        pool = mappers;
      }
    }
    return pool;
  }

  static final int MAPPING_THREADS = 2;
  private volatile WorkerExecutor mappers;
  /**
   * Called with the thread that reads a large answer ({@link #READ_ON_LOOP_BYTES}), decodes a large compressed one
   * ({@link ContentCoding#decoding}), copies a request's large variables into its scope
   * ({@link OnLoop#MAX_BYTES}) or decodes what a transform script left large in {@code api_<rdv>}, as it
   * begins (for tests).
   */
  volatile Consumer<Thread> whileReading = thread -> { };
  /** Called with the thread that writes a large answer's text ({@code Execution.large}), as it begins (for tests). */
  volatile Consumer<Thread> whileWriting = thread -> { };

  /**
   * Runs the reading of a large input on {@link #mappers()}, beside the mapping of large answers' fields: also for
   * the scripts run on their own and the interactions, what they copy of a large request ({@link OnLoop.Elsewhere}).
   */
  public <T> Future<T> offLoop(Callable<T> work) {
    return mappers().executeBlocking(() -> {
      whileReading.accept(Thread.currentThread());
      return work.call();
    }, false);
  }

  /**
   * A compressed answer decoded ({@link ContentCoding#decoding}): a large one on the threads that read large answers,
   * not on the event loop. For the pass-through proxy's captures, as the executor decodes its own calls' answers.
   */
  public Future<Buffer> decoded(String contentEncoding, Buffer body, long limit) {
    return ContentCoding.decoding(contentEncoding, body, limit, this::offLoop);
  }

  /**
   * Calls {@code listener} with every result this executor records, right after publishing it on
   * {@code botgate.results}, on the recording thread: for in-process readers that need no copy of it.
   */
  public void onResult(Consumer<IntegrationResult> listener) {
    resultListeners.add(listener);
  }

  /**
   * Publishes results with the delivery options {@code delivery} gives for {@code botgate.results}: in a
   * cluster, on this node only while no node consumes them. Otherwise the clustered bus asks the cluster for
   * the address's consumers at every publish where it has none (a worker thread and a Hazelcast operation
   * per execution).
   */
  public void resultsDelivery(Function<String, DeliveryOptions> delivery) {
    resultsDelivery = delivery;
  }

  /** How many executions ended how: key "integration|statusCode|success-or-failure". */
  public Map<String, Long> counts() {
    return counts.snapshot();
  }

  /** Whether an integration of that name is declared now. */
  public boolean declared(String integration) {
    return integration != null && registry.find(integration).isPresent();
  }

  /** Drops the counts of an integration that was removed: names come and go, their counts must not pile up. */
  public void forget(String integration) {
    counts.forget(outcome -> integration.equals(outcome.integration()));
  }

  /** How an execution ended, counted in {@link #counts()}; its text is the count's key there. */
  private record Outcome(String integration, String statusCode, boolean success) {
    @Override
    public String toString() {
      return integration + "|" + statusCode + "|" + (success ? "success" : "failure");
    }
  }

  /** The state of one execution, from preProcess to reply. */
  private final class Execution implements PassThrough {
    private final IntegrationDefinition definition;
    private final ExecutionRequest request;
    /** The request over its session; a pass-through call moves it onto the session of the turn recording it. */
    private RequestScope scope;
    private final Transcript transcript;
    private final long started = System.nanoTime();
    private final long atMillis = System.currentTimeMillis();
    private final JsonArray scriptErrors = new JsonArray();
    private final JsonObject changes = new JsonObject();
    private final ExchangeTrace trace = new ExchangeTrace();
    private RenderedRequest rendered;
    private UpstreamResponse answered;
    private Object answeredJson;
    /** What the finish event shows of a large answer, worked out where it was read; else null. */
    private JsonText.Members answeredShown;
    private String maskedUrl;
    /** {@link #requestLine()} once made; reset where {@link #maskedUrl} or {@link #method} is set. */
    private String shownLine;
    private Long upstreamMs;
    /** The upstream mode the call was made in, once it was prepared. */
    private String mode;
    private HttpMethod method;
    /** A pass-through call: its body went to the caller whatever its type; a transform runs on a captured one only. */
    private boolean passThrough;
    private boolean skipTransform;
    /**
     * Whether the answer may be large: the fields were mapped from a large answer ({@link #mapsOffLoop}), or the
     * scripts' variable changes hold more than {@link OnLoop#MAX_BYTES}. Its recording, finish event and text are then
     * made on a worker: a 5 MB answer's 90,000 titles held the event loop 30 to 50 ms, masked, shown and encoded
     * twice; a transform's 5 MB {@code jsonData} in {@code variableChanges}, 14 ms.
     */
    private boolean large;

    Execution(IntegrationDefinition definition, ExecutionRequest request, RequestScope scope, Transcript transcript) {
      this.definition = definition;
      this.request = request;
      this.scope = scope;
      this.transcript = transcript;
      this.method = definition.method();
    }

    Future<ExecutionReport> run() {
      // Steps without a script are left out of the chain rather than run as finished futures: most
      // executions have neither, and each step was a few more futures and lambdas per execution.
      Future<ExecutionReport> done = hasCode(request.preProcess())
        ? script("preProcess", request.preProcess(), false).compose(v -> call()).compose(this::afterCall)
        : callCaught().compose(this::afterCall);
      if (hasCode(request.postProcess())) {
        done = done.compose(report -> script("postProcess", request.postProcess(), false)
          .compose(v -> large ? writtenOffLoop(report) : Future.succeededFuture(report)));
      }
      return done;
    }

    /** {@link #call()}, a failure it throws as a failed future, as when it runs in {@code compose}. */
    private Future<UpstreamResponse> callCaught() {
      try {
        return call();
      } catch (Throwable e) { // as compose would, an Error included
        return Future.failedFuture(e);
      }
    }

    private static boolean hasCode(String code) {
      return code != null && !code.isBlank();
    }

    private Future<UpstreamResponse> call() {
      try {
        rendered = definition.request().render(this::valueOf, selfBaseUrl.get(), mask);
      } catch (TemplateRejection e) {
        return Future.succeededFuture(UpstreamResponse.failure("440", e.getMessage(), 0));
      }
      // The hook where the request is sent: rewrite, mode and credential (UpstreamCaller.prepare).
      return upstream.prepare(definition, rendered).compose(prepared -> {
        rendered = prepared.request();
        stream.secrets().remember(rendered.shown().secrets());
        mode = prepared.mode().label();
        maskedUrl = rendered.shown().url();
        shownLine = null;
        boolean showsMode = prepared.mode() != UpstreamMode.LIVE || definition.credential() != null;
        Map<String, String> headers = rendered.shown().headers();
        transcript.encodedEvent(DebugEvent.INTEGRATION, "info", definition.name() + ": " + requestLine(), data -> {
          data.string(PHASE, "start").string(INTEGRATION, definition.name()).string(METHOD, definition.method().name())
            .string(URL, maskedUrl).value(HEADERS, headers);
          if (showsMode) {
            data.string(MODE, mode).string(CREDENTIAL, definition.credential());
          }
        });
        long upstreamStart = System.nanoTime();
        return upstream.call(definition, prepared, trace, this::warning).andThen(done -> {
          upstreamMs = (System.nanoTime() - upstreamStart) / 1_000_000;
          stream.secrets().remember(rendered.shown().secrets()); // a credential renewed after a 401 added its own
        });
      });
    }

    @Override
    public void started(HttpMethod method, String url, Iterable<Map.Entry<String, String>> headers) {
      this.method = method;
      maskedUrl = mask.url(shownTarget(url));
      shownLine = null;
      // Written field by field, as the event's own fields are, rather than built as an object to be encoded:
      // every pass-through call has one.
      Object shownHeaders = mask.headers(headers);
      transcript.encodedEvent(DebugEvent.INTEGRATION, "info", definition.name() + ": " + requestLine(),
        data -> data.string(PHASE, "start").string(INTEGRATION, definition.name()).string(METHOD, method.name())
          .string(URL, maskedUrl).value(HEADERS, shownHeaders));
    }

    /**
     * A pass-through target (the integration's URL, the caller's path and query appended) as it may be
     * shown: the part rendered from the definition in its shown form, then every env value scrubbed.
     */
    private String shownTarget(String url) {
      if (rendered == null) {
        return url;
      }
      String real = withoutQuery(rendered.url());
      String shown = withoutQuery(rendered.shown().url());
      if (!url.startsWith(real) && real.endsWith("/") && shown.endsWith("/")) {
        real = real.substring(0, real.length() - 1);
        shown = shown.substring(0, shown.length() - 1);
      }
      return rendered.shown().scrub(url.startsWith(real) ? shown + url.substring(real.length()) : url);
    }

    private static String withoutQuery(String url) {
      int q = url.indexOf('?');
      return q < 0 ? url : url.substring(0, q);
    }

    @Override
    public String baseUrl() {
      rendered = upstream.options().rewrite(definition.request().url(this::valueOf, selfBaseUrl.get(), mask));
      stream.secrets().remember(rendered.shown().secrets());
      return rendered.url();
    }

    @Override
    public void credential(CredentialGrant grant) {
      stream.secrets().remember(grant.secrets());
      if (rendered != null) {
        rendered.shown().hide(grant.secrets());
      }
    }

    @Override
    public Future<IntegrationResult> answered(int httpStatus, Buffer captured) {
      return passThroughOutcome(UpstreamResponse.of(httpStatus, captured, 1));
    }

    @Override
    public Future<IntegrationResult> failed(String statusCode, String reason) {
      return passThroughOutcome(UpstreamResponse.failure(statusCode, reason, 1));
    }

    @Override
    public Future<Void> keepAsMock(HttpMethod method, String url, int httpStatus, MultiMap headers, Buffer body) {
      if (rendered == null) {
        return Future.succeededFuture(); // no target was made: nothing was called
      }
      // matched on the target as the console shows it: secrets as ****, which matches any value
      ShownRequest shown = rendered.shown().withUrl(mask.url(shownTarget(url)));
      return upstream.record(definition, shown, method, httpStatus, headers, body, this::warning);
    }

    private Future<IntegrationResult> passThroughOutcome(UpstreamResponse response) {
      upstreamMs = (System.nanoTime() - started) / 1_000_000;
      skipTransform = response.body() == null;
      // The call is made: its outcome is recorded even past session.queue, or it would vanish from the session.
      return sessions.recordingTurn(scope.session(), session -> {
        transcript.release();
        scope = scope.on(session);
        return afterCall(response).map(ExecutionReport::result);
      }).onFailure(failure -> {
        if (failure instanceof SessionGone) {
          notRecorded(response);
        }
      });
    }

    /**
     * Says in the console of the call's session id why its outcome went nowhere: the session it began in was deleted
     * (a clean start, which the call must not undo) or expired meanwhile. In a cluster, in a turn of the session of
     * that id if there is one now, where events are numbered; else not shown.
     */
    private void notRecorded(UpstreamResponse response) {
      String id = scope.session().id();
      String text = definition.name() + ": the call's outcome (" + (response.httpStatus() > 0 ? "HTTP "
        + response.httpStatus() : "\"" + response.statusCode() + "\"") + ") is not recorded: session '" + id
        + "' was deleted or expired after the call began, and a session of that id made since does not get it";
      if (stream == null) {
        return;
      }
      if (stream.cluster() == null) {
        transcript.warning(text, null);
        return;
      }
      sessions.turnIfPresent(id, session -> {
        transcript.release();
        transcript.warning(text, null);
        return Future.succeededFuture();
      });
    }

    @Override
    public String shown(String text) {
      String scrubbed = rendered == null ? text : rendered.shown().scrub(text);
      return stream == null ? scrubbed : stream.secrets().scrub(scrubbed);
    }

    @Override
    public void warning(String text) {
      transcript.warning(definition.name() + ": " + text, null);
    }

    /** Steps 4 to 7: store the raw response, transform, decide, record and publish, map fields. */
    private Future<ExecutionReport> afterCall(UpstreamResponse response) {
      Buffer raw = response.body();
      if (raw == null || raw.length() <= READ_ON_LOOP_BYTES) { // the usual answer: read here, no future more
        return afterRead(response, raw == null || raw.length() == 0 ? null : read(raw, response.httpStatus()), null, null);
      }
      // A large answer is read on a worker: its JSON checked (or decoded), its text for api_<rdv> and what the finish
      // event shows of it, each a walk over all of it (a 5 MB array held the event loop 200 to 600 ms).
      ShownRequest shownRequest = rendered == null ? null : rendered.shown();
      KnownSecrets known = stream == null ? KnownSecrets.NONE : stream.secrets();
      return offLoop(() -> {
        Object body = read(raw, response.httpStatus());
        Object json = body instanceof String || body instanceof DecodeException ? null : body;
        String api = definition.apiVariable();
        String jsonData = body instanceof DecodeException ? null : jsonData(api, body, raw);
        return new Read(body, jsonData, ExchangeTrace.shownBody(mask, known, shownRequest, raw, json));
      }).compose(read -> afterRead(response, read.body(), read.jsonData(), read.shown()));
    }

    /** A large answer as read on a worker ({@link #afterCall}). */
    private record Read(Object body, String jsonData, JsonText.Members shown) {
    }

    /**
     * The answer's body as JSON ({@link JsonBody#decode}); when it is not JSON, the exception saying why where a JSON
     * answer is expected (a success code of an execution), else its text.
     */
    private Object read(Buffer raw, int httpStatus) {
      try {
        return JsonBody.decode(raw, mask);
      } catch (DecodeException e) {
        return definition.isSuccess(httpStatus) && !passThrough ? e : raw.toString();
      }
    }

    /**
     * As {@link #afterCall}, over the body read ({@link #read}: null without one); {@code readJsonData} and
     * {@code shownBody}, the answer's text for {@code api_<rdv>} and the finish event's view of it, when read already.
     */
    private Future<ExecutionReport> afterRead(UpstreamResponse response, Object read, String readJsonData,
                                              JsonText.Members shownBody) {
      Session session = scope.session();
      Object body = read;
      String status = response.statusCode();
      String reason = response.reason();
      if (read instanceof DecodeException e) {
        body = null;
        status = "502";
        reason = "upstream answered " + response.httpStatus() + " with a body that is not JSON: "
          + JsonText.withoutQuotedText(e.getMessage());
      }
      answeredShown = shownBody;
      answered = response;
      answeredJson = body instanceof String ? null : body;
      String api = definition.apiVariable();
      // Reset before the transform: inside it, isApiExecutionSuccessful() reads false (CB).
      session.clearLastResult();
      // Always replaced, so a failed call never leaves the previous run's data looking current.
      String refused = store(api, apiData(readJsonData != null ? readJsonData : jsonData(api, body, response.body())));
      if (refused != null) {
        // Handled as a response past upstream.limit.bytes: "502", and no data to map.
        status = "502";
        reason = "the response is too large to keep in the session: " + refused;
        body = null;
        store(api, apiData(jsonData(api, null, null)));
      }
      store(definition.statusVariable(), status);
      String finalStatus = status;
      String finalReason = reason;
      Object parsed = body;
      // A call that got no answer ("440", "502", "504") keeps its own code when the transform then fails too (as one
      // reading the missing data does): "450" would hide why the call failed behind what followed from it.
      boolean unanswered = response.httpStatus() == 0;
      return transform().compose(transformError -> {
        String code = transformError == null || unanswered ? finalStatus : "450";
        String why = transformError == null ? finalReason : unanswered
          ? finalReason + "; the transform script then failed too: " + transformError
          : "the transform script failed: " + transformError;
        Object data = transformError == null ? parsed : null;
        if (passThrough && data == null && definition.customDataFields().isEmpty()) {
          // nothing to map (most pass-through calls): no mapping step to show either
          return Future.succeededFuture(decide(response, code, why, Map.of()));
        }
        long mapping = trace.now();
        long answerSize = response.body() == null ? 0 : response.body().length();
        if (transformError != null || definition.transformScript() == null) { // the usual execution: no transform
          return mapped(response, code, why, mapping, data, answerSize);
        }
        Object left = scope.variable(definition.apiVariable());
        String text = left instanceof JsonObject obj && obj.getValue("jsonData") instanceof String json ? json : null;
        if (text == null || text.length() <= READ_ON_LOOP_BYTES) {
          return mapped(response, code, why, mapping, transformedBody(left, text, text == null ? null : decoded(text)),
            answerSize);
        }
        // A large text left by the transform is decoded on a worker (5 MB held the event loop 13 to 50 ms), and mapped
        // as an answer of its size is.
        long size = Math.max(answerSize, text.length());
        return offLoop(() -> decoded(text)).compose(value ->
          mapped(response, code, why, mapping, transformedBody(left, text, value), size));
      });
    }

    /**
     * Maps the custom data fields over {@code body}, {@code size} the text it was read from, then decides: here for
     * the usual answer, on a worker for a large one ({@link #mapsOffLoop}).
     */
    private Future<ExecutionReport> mapped(UpstreamResponse response, String code, String why, long mapping,
                                           Object body, long size) {
      if (mapsOffLoop(size)) {
        large = true;
      } else if (!large) { // the usual answer: mapped here, no future more
        Map<String, Object> fields = mapFields(body, Long.MAX_VALUE);
        trace.phase("mapping", mapping, null);
        return Future.succeededFuture(decide(response, code, why, fields));
      }
      // Mapped, recorded, shown in the finish event and, unless a postProcess follows, written as the answer's text on a
      // worker, in the session's turn; the data is this execution's own, read by one thread at a time.
      long bound = mapsOffLoop(size) ? scope.session().maxBytes() : Long.MAX_VALUE;
      boolean last = !hasCode(request.postProcess()) && !passThrough; // a pass-through call answers with upstream's body
      return mappers().executeBlocking(() -> {
        ExecutionReport report;
        try {
          Map<String, Object> fields = mapFields(body, bound);
          trace.phase("mapping", mapping, null);
          report = decide(response, code, why, fields);
        } catch (SessionLimitExceeded tooLarge) { // none is set: the old ones go
          trace.phase("mapping", mapping, null);
          report = decide(response, "502", FIELDS_TOO_LARGE + tooLarge.getMessage(), Map.of());
        }
        return last ? written(report) : report;
      }, false);
    }

    /** The answer with its text written on a mapping worker, for a {@link #large} one a postProcess changed last. */
    private Future<ExecutionReport> writtenOffLoop(ExecutionReport report) {
      return mappers().executeBlocking(() -> written(report), false);
    }

    private ExecutionReport written(ExecutionReport report) {
      whileWriting.accept(Thread.currentThread());
      return report.written();
    }

    /** Runs the transform script, if any; completes with its error text, or null when it went well. */
    private Future<String> transform() {
      if (definition.transformScript() == null || skipTransform) {
        return Future.succeededFuture(null);
      }
      return script("transformScript", definition.transformScript(), true)
        .map(r -> r == null || r.outcome().ok() ? null : r.outcome().error().describe());
    }

    private ExecutionReport decide(UpstreamResponse response, String status, String reason,
                                   Map<String, Object> fields) {
      Session session = scope.session();
      try {
        session.replaceVariablesStartingWith(definition.fieldPrefix(), fields);
      } catch (SessionLimitExceeded e) {
        session.removeVariablesStartingWith(definition.fieldPrefix());
        fields = Map.of();
        status = "502";
        reason = FIELDS_TOO_LARGE + e.getMessage();
      }
      boolean success = reason == null && definition.isSuccess(response.httpStatus());
      long durationMs = (System.nanoTime() - started) / 1_000_000;
      IntegrationResult result = new IntegrationResult(session.id(), definition.name(), success, status, atMillis,
        durationMs, response.attempts(), node);
      session.record(result);
      // not for an integration deleted while this call was in flight: its counts were dropped, and would stay for good
      counts.increment(new Outcome(definition.name(), status, success), outcome -> declared(outcome.integration()));
      Function<String, DeliveryOptions> delivery = resultsDelivery;
      if (delivery == null) {
        // Not to a bus where nobody consumes results (as events, BusReceivers): no JSON, no message.
        if (receivers == null || receivers.consumed(RESULTS_ADDRESS)) {
          vertx.eventBus().publish(RESULTS_ADDRESS, result.toJson());
        }
      } else {
        vertx.eventBus().publish(RESULTS_ADDRESS, result.toJson(), delivery.apply(RESULTS_ADDRESS));
      }
      for (Consumer<IntegrationResult> listener : resultListeners) {
        listener.accept(result);
      }
      if (!success) {
        logFailure(result, reason);
      }
      // The event shows them masked as the answer they were mapped from is (a field may hold a part of it with a
      // secret-named member); the answer, the bot's own data, with only the env values an upstream echoed
      // scrubbed. Each is the same map when nothing is to be masked; the session's variables keep the values.
      ShownRequest shown = rendered == null ? null : rendered.shown();
      Object forEvent = ExchangeTrace.masked(mask, shown, fields);
      // what the event leaves as it is (most executions: no secret at all) the answer does too: not walked again
      Object forAnswer = forEvent == fields ? fields : ExchangeTrace.masked(null, shown, fields);
      // a field may be nested as deep as the answer, too deep for the event that wraps it (ExchangeTrace.TOO_DEEP)
      finished(result, reason, ExchangeTrace.shallowFields(shown(forEvent), deepestPossible()));
      return new ExecutionReport(result, reason, requestLine(), shown(forAnswer), upstreamMs, mode, transcript,
        scriptErrors, changes, null);
    }

    /**
     * The most text the custom data fields were mapped from: the answer, or what the transform left in
     * {@code api_<rdv>} (a script may nest it deeper than any answer).
     */
    private long deepestPossible() {
      long answer = answered == null || answered.body() == null ? 0 : answered.body().length();
      return definition.transformScript() == null ? answer : Long.MAX_VALUE;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> shown(Object masked) {
      return masked instanceof JsonObject object ? object.getMap() : (Map<String, Object>) masked;
    }

    /**
     * The reason is the one the answer gives, so it is masked as that is, scrubbed of the secrets botgate knows as the
     * answer is (a token endpoint or an upstream may echo one into it); the request line too.
     */
    private void logFailure(IntegrationResult result, String reason) {
      KnownSecrets known = stream == null ? KnownSecrets.NONE : stream.secrets();
      String request = known.scrub(requestLine());
      reason = known.scrub(reason);
      LOG.atWarn().addKeyValue("session", result.session()).addKeyValue("integration", result.integration())
        .addKeyValue("status", result.statusCode()).addKeyValue("durationMs", result.durationMs())
        .addKeyValue("attempts", result.attempts())
        .addKeyValue("request", request == null ? "not sent" : ScriptText.bounded(request, LOGGED_REQUEST_CHARS))
        .log("execution failed: {}", reason == null ? "status " + result.statusCode() + " is not a success code"
          : ScriptText.bounded(reason, LOGGED_REASON_CHARS));
    }

    /** The request as the console and the answer show it: method and URL, secrets masked; null if not sent. */
    private String requestLine() {
      if (maskedUrl == null) {
        return null;
      }
      if (shownLine == null) {
        shownLine = method + " " + maskedUrl; // asked for three or four times an execution: made once
      }
      return shownLine;
    }

    /**
     * The integration's finish event: what a developer looks at first when a bot misbehaves. Its text is
     * kept ASCII ("->", not an arrow sign): one non-Latin-1 character makes every string it lands in twice
     * as large and its encoding several times slower, which the benchmark showed on every execution.
     */
    private void finished(IntegrationResult result, String reason, Map<String, Object> shownFields) {
      String level = result.success() ? "info" : reason != null ? "error" : "warn";
      String attempts = result.attempts() + (result.attempts() == 1 ? " attempt" : " attempts");
      String text = definition.name() + " -> " + result.statusCode() + " in " + result.durationMs() + " ms ("
        + attempts + ")" + (reason == null ? "" : ": " + reason);
      // Nothing more to show for a pass-through call in which no step ran: the start event showed the headers
      // sent (the definition's declared ones, which the trace would add, were not) and the answer streamed
      // to the caller.
      JsonText.Members details = passThrough && !trace.hasPhases() ? null
        : trace.details(mask, stream == null ? KnownSecrets.NONE : stream.secrets(), rendered,
          answered == null ? null : answered.body(), answeredJson, answeredShown);
      transcript.encodedEvent(DebugEvent.INTEGRATION, level, text, data -> {
        data.string(PHASE, "finish").string(INTEGRATION, definition.name()).string(REQUEST, requestLine())
          .string(STATUS_CODE, result.statusCode()).value(SUCCESS, result.success())
          .number(DURATION_MS, result.durationMs()).number(ATTEMPTS, result.attempts()).string(REASON, reason)
          .value(FIELDS, shownFields).string(METHOD, method.name()).string(URL, maskedUrl);
        if (details == null) {
          data.value(PHASES, List.of()); // no step, but the member a reader of every finish event expects
        } else {
          details.writeTo(data);
        }
      });
    }

    /**
     * The body as the transform left it in {@code api_<rdv>} ({@code left}): CB's jsonData string ({@code text}, and
     * {@code decoded}, its value or why it is not JSON), or an object.
     */
    private Object transformedBody(Object left, String text, Object decoded) {
      Object data = text == null ? left : decoded instanceof DecodeException e ? notJson(e) : decoded;
      if (data instanceof JsonObject wrapper && wrapper.containsKey(definition.apiVariable())) {
        return wrapper.getValue(definition.apiVariable());
      }
      return data;
    }

    /** The JSON value of {@code json}, or the DecodeException saying why it is none. */
    private static Object decoded(String json) {
      try {
        return Json.decodeValue(json);
      } catch (DecodeException e) {
        return e;
      }
    }

    private Object notJson(DecodeException e) {
      transcript.warning("api_" + definition.responseDataVariable() + ".jsonData set by the transform script is "
        + "not JSON: " + JsonText.withoutQuotedText(e.getMessage()), null);
      return null;
    }

    private Future<ScriptRunner.Result> script(String name, String code, boolean inTransform) {
      if (code == null || code.isBlank()) {
        return Future.succeededFuture(null);
      }
      long began = trace.now();
      return scripts.run(name, code, scope, transcript, inTransform, definition.name()).map(r -> {
        trace.phase(name, began, r.outcome().ok() ? "ok" : "error");
        JsonObject changed = r.changes();
        if (!changed.isEmpty()) { // most scripts set nothing
          changes.mergeIn(changed);
          large = large || HeldBytes.variables(changes.getMap(), OnLoop.MAX_BYTES) > OnLoop.MAX_BYTES;
        }
        if (!r.outcome().ok()) {
          scriptErrors.add(r.outcome().error().toJson());
        }
        return r;
      });
    }

    /**
     * {@code {"api_<rdv>": body}} as text; a body that parsed as JSON is spliced in as received. The name needs
     * no escaping: a responseDataVariable is letters, digits, '_' and '-' (IntegrationDefinition checks it).
     */
    private String jsonData(String api, Object parsed, Buffer raw) {
      if (parsed == null) {
        return definition.nullJsonData(); // most pass-through calls: nothing captured, the same text each time
      }
      if (parsed instanceof String) {
        return new JsonObject().put(api, parsed).encode();
      }
      return JsonText.text("{\"" + api + "\":", raw, "}"); // one string, not the body's and then a copy of it
    }

    /**
     * CB's {@code api_<rdv>} value, {@code {"jsonData": text}}, over a map of one entry: each session keeps its
     * latest until the next execution, so every young collection copies it; a JsonObject's own map (a linked
     * map, its table of 16 and an entry) was three objects more. Stored values are never changed in place.
     */
    private static JsonObject apiData(String jsonData) {
      return new JsonObject(Map.of("jsonData", jsonData));
    }

    /**
     * Sets a variable the execution itself writes; a value past session.maxBytes is not kept and the
     * variable is removed instead, so stale data never looks current. Returns why it was refused, or null.
     */
    /**
     * Stores what the call gives into the session, where a request-scope variable of the same name (a caller's
     * {@code "api_<rdv>"}) no longer hides it from the transform and the fields.
     */
    private String store(String name, Object value) {
      try {
        scope.setVariable(name, value, true);
        return null;
      } catch (SessionLimitExceeded e) {
        scope.setVariable(name, null, true);
        return e.getMessage();
      }
    }

    /**
     * Whether the custom data fields are mapped on a worker: the answer is large enough that the paths could hold
     * this event loop, and every session on it, for long (a deep scan walks the whole answer: ~30 ms per field over
     * 5 MiB, and a definition may have 100 fields; an {@code [i]} field lists every element: 100 of them over a 0.95 MB
     * answer of 50,000 members held the loop 0.5 to 1.5 s). The session's turn waits meanwhile; the data is this
     * execution's own, read by one thread at a time.
     */
    private boolean mapsOffLoop(long size) {
      return !definition.customDataFields().isEmpty() && size * (1 + definition.answerWalkingFields()) >= OFF_LOOP_WORK;
    }

    /**
     * The custom data fields and their counts, evaluated against the data; stored all or nothing. Over a large answer
     * ({@link #mapsOffLoop}) they are counted as a session counts them while they are mapped, and the mapping stops
     * once they take more than {@code bound} ({@code session.maxBytes}), which no session could keep: a hundred
     * {@code [i]} fields over a 50,000-member answer were five million values built, seconds of work, before the
     * session refused them all.
     *
     * @throws SessionLimitExceeded naming the fields mapped when the bound was passed and how many were not mapped
     */
    private Map<String, Object> mapFields(Object body, long bound) {
      Map<String, Object> out = new LinkedHashMap<>();
      if (definition.customDataFields().isEmpty()) {
        return out;
      }
      Map<String, Object> document = new LinkedHashMap<>();
      document.put(definition.apiVariable(), body instanceof JsonObject o ? o.getMap()
        : body instanceof JsonArray a ? a.getList() : body);
      long held = 0;
      int mapped = 0;
      for (IntegrationDefinition.CustomField field : definition.customDataFields()) {
        Object value = field.path().evaluate(document);
        int count = FieldPath.count(value);
        out.put(field.variable(), value);
        out.put(field.countVariable(), count);
        mapped++;
        if (bound != Long.MAX_VALUE) {
          held += HeldBytes.variable(field.variable(), value, bound - held)
            + HeldBytes.variable(field.countVariable(), count);
          if (held > bound) {
            throw SessionLimitExceeded.of(bound, "the fields mapped first, " + out.keySet() + ", would make the session "
              + "hold more than that on their own, so the other " + (definition.customDataFields().size() - mapped)
              + " were not mapped");
          }
        }
      }
      return out;
    }

    private String valueOf(Template.Placeholder p) {
      return switch (p.kind()) {
        case BOT_VARIABLE, FIELD -> RequestScope.asText(scope.variable(p.name()));
        case SLOT -> RequestScope.asText(scope.slot(p.name()));
        case ENV -> env.get(p.name());
        case CONVERSATION_ID -> scope.session().id();
        case USER_MESSAGE -> scope.userMessage();
        case UNKNOWN -> null;
      };
    }
  }
}
