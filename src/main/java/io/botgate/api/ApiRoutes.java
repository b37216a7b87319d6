package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.JsonText;
import io.botgate.LingeringClose;
import io.botgate.RequestChecks;
import io.botgate.session.CallerGone;
import io.botgate.session.SessionId;
import io.botgate.cluster.ReplicatedDefinitions;
import io.botgate.credentials.CredentialException;
import io.botgate.events.DebugStream;
import io.botgate.events.SecretMask;
import io.botgate.integration.DefinitionException;
import io.botgate.integration.DefinitionMask;
import io.botgate.integration.ExecutionReport;
import io.botgate.integration.ExecutionRequest;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.integration.IntegrationRegistry;
import io.botgate.script.SessionScripts;
import io.botgate.session.RefusalEvents;
import io.botgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.BodyHandler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The HTTP API under {@code /api}: auth, body limits, integrations and executions here, sessions in
 * {@link SessionRoutes}; every failure mapped once to the error JSON.
 */
public final class ApiRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
  /** The most bytes of a body whose buffer is sized from its Content-Length: Vert.x Web's default buffer. */
  static final int SIZED_BODY_BYTES = 1024;

  private final IntegrationRegistry registry;
  private final ReplicatedDefinitions<IntegrationDefinition> saved;
  private final IntegrationExecutor executor;
  private final SessionStore sessions;
  private final SessionScripts scripts;
  private final DebugStream stream;
  private final DefinitionMask definitions;
  private final Function<String, Optional<String>> owners;
  /** Integration PUTs, one at a time with credential DELETEs (each checks the other kind). */
  private final DefinitionChanges changes;
  /** Called with the thread that shows a definition (a PUT's answer, a GET), as it begins (for tests). */
  static volatile Consumer<Thread> whileShowing = thread -> { };
  /** Where refused requests show: one for the whole gateway, which paces each session's ({@link RefusalEvents}). */
  private final RefusalEvents refusals;

  /** @param owners the imported bot an integration belongs to, if any: PUT and DELETE leave those alone */
  public ApiRoutes(IntegrationRegistry registry, ReplicatedDefinitions<IntegrationDefinition> saved,
                   IntegrationExecutor executor, SessionStore sessions, SessionScripts scripts, DebugStream stream,
                   SecretMask mask, Function<String, Optional<String>> owners, DefinitionChanges changes,
                   RefusalEvents refusals) {
    this.changes = changes;
    this.refusals = refusals;
    this.owners = owners;
    this.registry = registry;
    this.saved = saved;
    this.executor = executor;
    this.sessions = sessions;
    this.scripts = scripts;
    this.stream = stream;
    this.definitions = new DefinitionMask(mask);
  }

  /** Mounts the API on the router; {@code authToken} may be null (no auth). */
  public void mount(Router router, long bodyLimit, HeldBodies held, String authToken) {
    if (authToken != null && !authToken.isBlank()) {
      router.route("/api/*").handler(new BearerAuth(authToken));
    }
    router.route("/api/*").handler(new JsonMediaType());
    // A small body's buffer is sized from its Content-Length: most carry a few dozen bytes, and the 1 kB buffer
    // Vert.x Web takes otherwise was a thirtieth of what an execution allocates. A larger one grows as its bytes
    // come, as before: a Content-Length alone never makes the gateway set more memory aside than that 1 kB.
    BodyHandler sized = bodies(bodyLimit).setPreallocateBodyBuffer(true);
    BodyHandler grown = bodies(bodyLimit);
    router.route("/api/*").handler(ctx ->
      (smallBody(ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH)) ? sized : grown).handle(ctx));
    router.route("/api/*").handler(held);
    router.route("/api/*").handler(new LargeJsonBodies());
    // The busiest route first: the router tries routes in order.
    router.post("/api/sessions/:session/integrations/:name").handler(this::execute);
    // On a worker: masking and encoding a definition of a megabyte held the event loop 50-150 ms.
    router.get("/api/integrations").blockingHandler(ctx -> answer(ctx, 200, listIntegrations()), false);
    router.get("/api/integrations/:name").blockingHandler(ctx -> answer(ctx, 200,
      shown(integration(ctx.pathParam("name")))), false);
    // On a worker: checking a large transformScript compiles it, which can take seconds.
    router.put("/api/integrations/:name").blockingHandler(this::putIntegration, false);
    router.delete("/api/integrations/:name").handler(this::deleteIntegration);
    new SessionRoutes(sessions, scripts, stream).mount(router);
    new ShownRefusals(refusals).mount(router); // CbRoutes' interactions too
    router.route("/api/*").failureHandler(ApiRoutes::failure);
  }

  /** Whether a request's Content-Length (null: none) is a plain number of at most {@link #SIZED_BODY_BYTES}. */
  static boolean smallBody(String length) {
    if (length == null || length.isEmpty() || length.length() > 4) {
      return false;
    }
    for (int i = 0; i < length.length(); i++) {
      if (length.charAt(i) < '0' || length.charAt(i) > '9') {
        return false;
      }
    }
    return Integer.parseInt(length) <= SIZED_BODY_BYTES;
  }

  /** The API's body handler: bodies read whole up to the limit, never written to files. */
  private static BodyHandler bodies(long limit) {
    return BodyHandler.create(false).setBodyLimit(limit);
  }

  private Buffer listIntegrations() {
    Buffer out = Buffer.buffer().appendByte((byte) '[');
    registry.all().forEach(d -> {
      if (out.length() > 1) {
        out.appendByte((byte) ',');
      }
      out.appendBuffer(shown(d));
    });
    return out.appendByte((byte) ']');
  }

  private IntegrationDefinition integration(String name) {
    return registry.find(name).orElseThrow(() -> GatewayError.notFound("unknown_integration",
      "no integration named '" + name + "'"));
  }

  private void putIntegration(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    JsonObject body = jsonBody(ctx);
    if (body == null) {
      throw GatewayError.badRequest("invalid_request", "PUT needs the definition as a JSON object");
    }
    refuseABotsIntegration(name, "replaced");
    changes.next(() -> {
      IntegrationDefinition stored = registry.find(name).orElse(null);
      // A definition read with GET comes back with its secrets masked: those stay as stored.
      JsonObject restored = definitions.restore(name, body, stored == null ? null : stored.toJson());
      IntegrationDefinition definition = registry.read(restored, name); // its credential declared, as of now
      // The answer is made here, on this worker: the save completes on the event loop, where masking and encoding a
      // definition of a megabyte held it up to 150 ms.
      Buffer shown = shown(definition);
      // The file keeps what the user sent, secrets in clear, not the defaults filled in.
      return saved.put(name, new JsonObject().put("name", name).mergeIn(restored), definition)
        .onSuccess(replaced -> answer(ctx, replaced ? 200 : 201, shown));
    }).onFailure(ctx::fail);
  }

  /** A definition as GET shows it, secrets masked, as JSON text. */
  private Buffer shown(IntegrationDefinition definition) {
    whileShowing.accept(Thread.currentThread());
    return JsonText.toBuffer(definitions.show(definition.toJson()));
  }

  private void deleteIntegration(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    refuseABotsIntegration(name, "deleted");
    saved.remove(name).onSuccess(removed -> {
      if (removed) {
        ctx.response().setStatusCode(204).end();
      } else {
        ctx.fail(GatewayError.notFound("unknown_integration", "no integration named '" + name + "'"));
      }
    }).onFailure(ctx::fail);
  }

  /**
   * An imported bot's integration changes with the bot, never alone: a restart imports the bot again over
   * whatever a PUT or DELETE had made of it.
   */
  private void refuseABotsIntegration(String name, String what) {
    owners.apply(name).ifPresent(bot -> {
      throw new GatewayError(409, "integration_conflict", "the integration '" + name + "' belongs to the imported "
        + "bot '" + bot + "' and cannot be " + what + " on its own: import the bot again (its export changed, or "
        + "another bot's with \"replace\": true), or delete the bot first (DELETE /api/bots/" + bot + ", which takes its "
        + "integrations with it)", new JsonObject().put("bot", bot));
    });
  }

  private void execute(RoutingContext ctx) {
    ExecutionRequest request = ExecutionRequest.fromJson(jsonBody(ctx));
    String name = ctx.pathParam("name");
    reply(ctx, executor.execute(sessionId(ctx), name, request, callerGone(ctx, "integration", name))
      .map(ExecutionReport::toBuffer));
  }

  /**
   * Whether the caller of {@code ctx} closed its connection before its answer ({@link CallerGone}), told at once to a
   * turn that waits by Vert.x Web's end handlers, which own the response's close handler (setting that one would
   * replace theirs); registered only by such a turn.
   */
  static BooleanSupplier callerGone(RoutingContext ctx, String kind, String name) {
    return new CallerGone.Watch(kind, name) {
      @Override
      public boolean getAsBoolean() {
        return ctx.response().closed();
      }

      @Override
      protected void onClose(Runnable gone) {
        if (ctx.response().closed()) {
          gone.run();
        } else {
          ctx.addEndHandler(end -> {
            if (end.failed()) { // closed or failed before the answer ended
              gone.run();
            }
          });
        }
      }
    };
  }

  static String sessionId(RoutingContext ctx) {
    return sessionId(ctx, "session");
  }

  /** The session id in the path parameter {@code param}: 400 {@code invalid_session} when it breaks the rules. */
  static String sessionId(RoutingContext ctx, String param) {
    String id = ctx.pathParam(param);
    String problem = SessionId.problem(id);
    if (problem != null) {
      throw GatewayError.badRequest("invalid_session", problem);
    }
    return id;
  }

  /** The request's JSON object, null when there is no body; 415 for another content type, 400 if malformed. */
  static JsonObject jsonBody(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return null;
    }
    String type = ctx.request().getHeader("Content-Type");
    if (!JsonMediaType.isJson(type)) { // JsonMediaType refused it already, unless its length was not declared
      throw new GatewayError(415, "unsupported_media_type", "send the body as application/json, not "
        + (type == null ? "without a Content-Type" : type));
    }
    Object decoded = ctx.get(LargeJsonBodies.DECODED);
    if (decoded instanceof GatewayError refused) {
      throw refused;
    }
    return decoded instanceof JsonObject obj ? obj : decodedBody(raw);
  }

  /** A JSON body's object; 400 if malformed, not an object, or holding a number no double holds. */
  static JsonObject decodedBody(Buffer raw) {
    Object value;
    try {
      value = JsonText.decode(raw);
    } catch (DecodeException e) {
      throw GatewayError.badRequest("malformed_json", "the body is not valid JSON: " + e.getMessage());
    }
    if (!(value instanceof JsonObject obj)) {
      throw GatewayError.badRequest("invalid_request", "the body must be a JSON object");
    }
    String huge = JsonText.outOfRange(obj);
    if (huge != null) {
      throw GatewayError.badRequest("invalid_request", outOfRange(huge));
    }
    return obj;
  }

  /** The refusal of a number at {@code path} that no double holds ({@link JsonText#outOfRange}). */
  static String outOfRange(String path) {
    return "'" + path + "' is a number beyond what a double holds (about ±1.8e308): it would be kept as \"Infinity\"; "
      + "send it as a string";
  }

  static void reply(RoutingContext ctx, Future<?> answer) {
    HeldBodies.until(ctx, answer);
    answer.onSuccess(json -> answer(ctx, 200, json)).onFailure(ctx::fail);
  }

  /** Answers with {@code json}: a JSON object or array, or a buffer of JSON text; completes once it is written. */
  static Future<Void> answer(RoutingContext ctx, int status, Object json) {
    Buffer body = json instanceof Buffer encoded ? encoded : JsonText.toBuffer(json);
    HttpServerResponse response = ctx.response();
    if (status != 200) { // 200 is the default; setting it looks the status up again
      response.setStatusCode(status);
    }
    return jsonHead(response).end(body);
  }

  /**
   * The head of every answer of the API's own, errors included: JSON, which no cache keeps (a session's variables
   * and results, or a definition, are a conversation's data) and no browser reads as anything else (an error
   * quotes what the client sent).
   */
  public static HttpServerResponse jsonHead(HttpServerResponse response) {
    GatewayError.jsonHead(response.headers());
    return response;
  }

  /** Maps every failure to {@code {"error": {"code", "message"}}} with a fitting status. */
  public static void failure(RoutingContext ctx) {
    failure(ctx, ctx.statusCode());
  }

  /** The same for a status the router chose itself (its error handlers are not told the failure's status). */
  static void failure(RoutingContext ctx, int status) {
    GatewayError error = status == 404 && ctx.failure() == null && !ctx.request().uri().startsWith("/")
      && !HostAllowList.absoluteForm(ctx.request().uri()) ? noPath(ctx.request())
      : refusedForHost(ctx.request(), status) ? unreadableHost(ctx.request()) : toError(ctx.failure(), status);
    if (error.httpStatus() == 503 || error.httpStatus() == 507 || error.httpStatus() == 413
      || error.httpStatus() == 414 || error.httpStatus() == 431) {
      LOG.atWarn().addKeyValue("code", error.code()).addKeyValue("status", error.httpStatus())
        .addKeyValue("method", ctx.request().method().name()).addKeyValue("path", ctx.request().path())
        .log("limit hit: {}", error.getMessage());
    } else if (error.httpStatus() >= 500) {
      // a pattern, not a message built per request: its lines are one kind for log.repeats.perSecond
      LOG.error("request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    // The rest of a body over the limit is not read to its end (it may be gigabytes), as nginx does: dropped as
    // it comes for a while after the answer, which the client reads before the connection ends.
    boolean unread = error.httpStatus() == 413 && !ctx.request().isEnded();
    if (unread || RequestChecks.refusedBody(error)) { // the connection ends after a body it could not decode too
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    Future<Void> sent = answer(ctx, error.httpStatus(), error.toJson());
    if (unread) {
      sent.onComplete(done -> LingeringClose.afterAnswer(ctx.request().connection()));
    }
  }

  /**
   * Whether the router refused the request for its Host header, which it could not read: it does so before any route,
   * and never for HTTP/1.0, which needs no Host (a 400 of such a request, a broken %-escape say, has a cause of its
   * own, which an unreadable Host beside it used to hide).
   */
  private static boolean refusedForHost(HttpServerRequest request, int status) {
    return status == 400 && request.version() != HttpVersion.HTTP_1_0 && request.authority() == null
      && request.getHeader(HttpHeaders.HOST) != null;
  }

  /**
   * A Host header Vert.x could not read as {@code host[:port]} (a port that is not a number, user info, a space):
   * the router refuses it before any route, saying a Host header is required, which the client did send.
   */
  private static GatewayError unreadableHost(HttpServerRequest request) {
    return GatewayError.badRequest("invalid_host", "the Host header '" + HostAllowList.shorten(
      request.getHeader(HttpHeaders.HOST)) + "' is not host[:port] (a name or an address, and a port from 0 to 65535)");
  }

  /** What the router refuses before any route: a target that names no path (CONNECT's, or {@code *} but in OPTIONS). */
  private static GatewayError noPath(HttpServerRequest request) {
    return GatewayError.notFound("not_found", "no route " + request.method() + " "
      + HostAllowList.shorten(request.uri()) + ": botgate serves paths starting with '/' (it is no forward proxy: "
      + "CONNECT is not served)");
  }

  public static GatewayError toError(Throwable failure, int status) {
    if (failure instanceof GatewayError g) {
      return g;
    }
    if (failure instanceof CredentialException c) {
      return new GatewayError(400, "invalid_credential", c.getMessage(),
        new JsonObject().put("problems", c.problemsJson()));
    }
    if (failure instanceof DefinitionException d) {
      return new GatewayError(400, "invalid_integration", d.getMessage(),
        new JsonObject().put("problems", d.problemsJson()));
    }
    if (status == 413) {
      return new GatewayError(413, "payload_too_large", "the request body is larger than the configured "
        + "limit (body.limit.bytes)");
    }
    if (status > 0 && status < 500) {
      String detail = failure instanceof HttpException || failure instanceof VertxException
        ? failure.getMessage() : null;
      return new GatewayError(status, HttpErrors.code(status), detail != null ? detail
        : "the request was refused with status " + status);
    }
    return new GatewayError(500, "internal_error", "botgate failed to handle the request: "
      + (failure == null ? "unknown cause" : failure.getMessage()));
  }
}
