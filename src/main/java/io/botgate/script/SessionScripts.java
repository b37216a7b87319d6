package io.botgate.script;

import io.botgate.GatewayError;
import io.botgate.JsonFields;
import io.botgate.OnLoop;
import io.botgate.cb.context.ConversationContext;
import io.botgate.events.DebugStream;
import io.botgate.events.Transcript;
import io.botgate.session.CallerGone;
import io.botgate.session.RequestScope;
import io.botgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Runs a script on its own against a session ({@code POST /api/sessions/{session}/scripts} and
 * {@code botgate.script.run}): body {@code {"code", "variables", "userMessage", "context"}}.
 */
public final class SessionScripts {

  private static final Set<String> KNOWN = Set.of("code", "variables", "userMessage", "session", "context");

  private final SessionStore sessions;
  private final DebugStream stream;
  private final ScriptRunner runner;
  private final OnLoop.Elsewhere elsewhere;

  /** @param elsewhere where a request's variables or context past {@link OnLoop#MAX_BYTES} are copied */
  public SessionScripts(SessionStore sessions, DebugStream stream, ScriptRunner runner, OnLoop.Elsewhere elsewhere) {
    this.sessions = sessions;
    this.stream = stream;
    this.runner = runner;
    this.elsewhere = elsewhere;
  }

  /** Answers {@code {session, outcome, messages, variableChanges, error?, events, durationMs}}; {@code context} is kept on the session. */
  public Future<JsonObject> run(String sessionId, JsonObject body) {
    return run(sessionId, body, () -> false);
  }

  /** As {@link #run(String, JsonObject)}, not run when the caller left while it waited its turn ({@link CallerGone}). */
  public Future<JsonObject> run(String sessionId, JsonObject body, BooleanSupplier callerGone) {
    String code;
    JsonObject variables;
    String userMessage;
    JsonObject context;
    try {
      if (body != null) { // first: {"script": "..."} is a misnamed field, which "'code' is required" would not say
        JsonFields.onlyKnown(body, KNOWN);
      }
      Object given = body == null ? null : body.getValue("code");
      if (given != null && !(given instanceof String)) {
        throw GatewayError.badRequest("invalid_request", "'code' must be a string (the JavaScript to run), not "
          + (given instanceof JsonObject ? "an object" : given instanceof JsonArray ? "an array" : given));
      }
      if (!(given instanceof String text) || text.isBlank()) {
        throw GatewayError.badRequest("invalid_request", "'code' is required: the JavaScript to run");
      }
      code = text;
      variables = JsonFields.object(body, "variables");
      userMessage = JsonFields.string(body, "userMessage");
      context = ConversationContext.check(body.getValue("context"));
    } catch (GatewayError e) {
      return Future.failedFuture(e);
    }
    Transcript transcript = new Transcript(stream, sessionId);
    return sessions.turn(sessionId, callerGone, session -> {
      if (callerGone.getAsBoolean()) {
        return Future.failedFuture(CallerGone.refusal("script"));
      }
      RequestScope scope = ConversationContext.scopeOnLoop(session, context, variables, null, userMessage);
      if (scope != null) { // the usual few variables and no large context: copied here, no hop
        return runner.run("script", code, scope, transcript, false);
      }
      // as an execution's: copied on a worker in the session's turn
      return ConversationContext.scopeElsewhere(elsewhere, session, context, variables, null, userMessage)
        .compose(large -> runner.run("script", code, large, transcript, false));
    }).map(r -> {
      JsonObject answer = new JsonObject()
        .put("session", sessionId)
        .put("outcome", r.outcome().ok() ? "ok" : "error")
        .put("messages", transcript.messages())
        .put("variableChanges", transcript.secrets().scrub(r.changes()));
      if (!r.outcome().ok()) {
        answer.put("error", transcript.secrets().scrub(r.outcome().error().toJson()));
      }
      return answer.put("events", transcript.eventsAsJson()).put("durationMs", r.outcome().durationMicros() / 1000.0);
    });
  }
}
