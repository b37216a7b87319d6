package io.botgate.api;

import io.botgate.GatewayError;
import io.botgate.OnLoop;
import io.botgate.events.KnownSecrets;
import io.botgate.integration.ExecutionRequest;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.script.SessionScripts;
import io.botgate.session.HeldBytes;
import io.botgate.session.RefusalEvents;
import io.botgate.session.SessionId;
import io.botgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The event-bus side of the API. Requests carry the HTTP body plus {@code session} (and
 * {@code integration}); replies are the HTTP answer. A failure replies with the HTTP status as the
 * failure code and the error JSON as the message; an execution or a script run refused is also shown in its
 * session's console, as over HTTP ({@link RefusalEvents}).
 */
public final class EventBusApi {

  public static final String EXECUTE = "botgate.integration.execute";
  public static final String SESSION_GET = "botgate.session.get";
  public static final String SCRIPT_RUN = "botgate.script.run";

  private final IntegrationExecutor executor;
  private final SessionStore sessions;
  private final SessionScripts scripts;
  private final KnownSecrets secrets;
  private final HeldBodies held;
  private final RefusalEvents refusals;
  /** Called with the thread that counts a large request's bytes, as it begins (for tests). */
  static volatile Consumer<Thread> whileCounting = thread -> { };
  /** The count of the latest request that waits for one on a worker ({@link #inOrder}); null when none does. */
  private Future<?> counting;

  /**
   * {@code secrets}: what session reads are scrubbed of, as over HTTP; {@code held}: the HTTP API's bound on what
   * requests not yet answered hold, which requests on the bus are charged from too; {@code refusals}: where a refused
   * execution or script run is shown.
   */
  public EventBusApi(IntegrationExecutor executor, SessionStore sessions, SessionScripts scripts, KnownSecrets secrets,
                     HeldBodies held, RefusalEvents refusals) {
    this.executor = executor;
    this.sessions = sessions;
    this.scripts = scripts;
    this.secrets = secrets;
    this.held = held;
    this.refusals = refusals;
  }

  public Future<Void> register(Vertx vertx) {
    EventBus bus = vertx.eventBus();
    List<MessageConsumer<Object>> consumers = List.of(
      bus.consumer(EXECUTE, msg -> answer(vertx, msg, body -> executor.execute(session(body),
        required(body, "integration"), ExecutionRequest.fromJson(body)).map(r -> r.toJson()),
        body -> new JsonObject().put("integration", body.getValue("integration")))),
      bus.consumer(SCRIPT_RUN, msg -> answer(vertx, msg, body -> scripts.run(session(body), body), body -> new JsonObject())),
      bus.consumer(SESSION_GET, msg -> answer(vertx, msg, body -> describe(vertx, session(body)), null)));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /**
   * The session's state scrubbed of the secrets botgate sent (the variables may hold what an upstream echoed), as
   * {@code GET /api/sessions/{id}} shows it: a large one on a worker ({@link ShownSessions}).
   */
  private Future<JsonObject> describe(Vertx vertx, String id) {
    Future<JsonObject> described = sessions.describe(id);
    if (described.succeeded() && ShownSessions.onLoop(described.result())) { // the usual: a small session, at once
      return described.map(state -> shown(id, state));
    }
    return described.compose(state -> ShownSessions.onLoop(state) ? Future.succeededFuture(shown(id, state))
      : ShownSessions.json(vertx, secrets, state));
  }

  private JsonObject shown(String id, JsonObject state) {
    if (state == null) {
      throw GatewayError.notFound("unknown_session", "no session '" + id + "'");
    }
    return secrets.scrub(state);
  }

  /**
   * {@code count}, completed only once every count before it has: the requests go on, into their sessions' lines, in
   * the order they came, a small one after a large one still counted on a worker (a bridge client's messages of one
   * conversation sent back to back ran the second first). Touched on the consumers' event loop only.
   */
  private Future<Long> inOrder(Future<Long> count) {
    Future<?> before = counting;
    Future<Long> mine = before == null ? count : before.transform(v -> count);
    counting = mine;
    mine.onComplete(done -> {
      if (counting == mine) { // none came after it: the next request goes on at once
        counting = null;
      }
    });
    return mine;
  }

  /** {@code shown}: what a refusal shown in the session's console names besides its code (null: not shown). */
  private void answer(Vertx vertx, Message<Object> msg, Function<JsonObject, Future<JsonObject>> handler,
                      Function<JsonObject, JsonObject> shown) {
    Future<JsonObject> reply;
    if (msg.body() instanceof JsonObject body) {
      // A request waiting for its session's turn holds its body, as over HTTP (a bridge client may send many). Its
      // bytes are counted by a walk of it: one past OnLoop.MAX_BYTES is counted on a worker (5 MB of variables in
      // 170,000 objects held the event loop 11 to 34 ms), then the request goes on here.
      long bytes = HeldBytes.of(body, OnLoop.MAX_BYTES);
      if (bytes <= OnLoop.MAX_BYTES && counting == null) { // the usual request: charged and on its way at once
        reply = held.around(bytes, () -> handler.apply(body));
      } else {
        reply = inOrder(bytes <= OnLoop.MAX_BYTES ? Future.succeededFuture(bytes) : vertx.executeBlocking(() -> {
          whileCounting.accept(Thread.currentThread());
          return HeldBytes.of(body);
        }, false)).compose(counted -> held.around(counted, () -> handler.apply(body)));
      }
    } else {
      reply = Future.failedFuture(GatewayError.badRequest("invalid_request", "the message body must be a JSON object"));
    }
    reply.onSuccess(msg::reply).onFailure(e -> {
      GatewayError error = ApiRoutes.toError(e, 500);
      if (shown != null && msg.body() instanceof JsonObject body && body.getValue("session") instanceof String session) {
        refusals.show(session, error, shown.apply(body));
      }
      msg.fail(error.httpStatus(), error.toJson().encode());
    });
  }

  private static String session(JsonObject body) {
    String id = required(body, "session");
    String problem = SessionId.problem(id);
    if (problem != null) {
      throw GatewayError.badRequest("invalid_session", problem);
    }
    return id;
  }

  static String required(JsonObject body, String key) {
    Object value = body.getValue(key);
    if (value instanceof String s && !s.isBlank()) {
      return s;
    }
    if (value != null && !(value instanceof String)) { // present, so not "required": say what came instead
      throw GatewayError.badRequest("invalid_request", "'" + key + "' must be a string, not "
        + HostAllowList.shorten(String.valueOf(value)));
    }
    throw GatewayError.badRequest("invalid_request", "'" + key + "' is required (a non-empty string)");
  }
}
