package io.botgate.cb;

import io.botgate.GatewayError;
import io.botgate.JsonFields;
import io.botgate.cb.context.ConversationContext;
import io.botgate.events.DebugEvent;
import io.botgate.events.DebugStream;
import io.botgate.events.Transcript;
import io.botgate.integration.ExecutionRequest;
import io.botgate.integration.IntegrationExecutor;
import io.botgate.script.ScriptRunner;
import io.botgate.session.CallerGone;
import io.botgate.session.RequestScope;
import io.botgate.session.Session;
import io.botgate.session.SessionLimitExceeded;
import io.botgate.session.SessionStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Runs an imported interaction as CB does ({@code POST /api/sessions/{session}/bots/{bot}/interactions/{name}}):
 * the bot's {@code __initConversation()} once per session, the pre-process code, the integration (for
 * {@code API_INTEGRATION}, executed as {@code POST .../integrations/{name}} would), the process-user-response
 * code, then the post-process code; each script with the bot's global functions. The answer is shaped like
 * an execution's, plus {@code next} (the interaction setTriggerNextMessage named, else the one CB's rules
 * choose) and {@code delayMs} (setMessageDelay, else the interaction's own delay, else 0).
 */
public final class InteractionRunner {

  private static final Set<String> KNOWN = Set.of("variables", "slots", "userMessage", "context");
  private static final Pattern INIT = Pattern.compile("function\\s+__initConversation\\s*\\(");
  /** The session variable that says the bot's __initConversation() ran in this session. */
  static final String STARTED = "botgate.cb.started.";
  /** What CB's bot answers when an integration failed and no rule of the interaction handles a failure. */
  static final String NOTHING_FOUND = "Sorry, I could not find anything for that.";

  private final SessionStore sessions;
  private final DebugStream stream;
  private final ScriptRunner scripts;
  private final IntegrationExecutor executor;
  private final BotRegistry bots;

  public InteractionRunner(SessionStore sessions, DebugStream stream, ScriptRunner scripts,
                           IntegrationExecutor executor, BotRegistry bots) {
    this.sessions = sessions;
    this.stream = stream;
    this.scripts = scripts;
    this.executor = executor;
    this.bots = bots;
  }

  public Future<JsonObject> run(String sessionId, String botName, String name, JsonObject body) {
    return run(sessionId, botName, name, body, () -> false);
  }

  /**
   * As {@link #run(String, String, String, JsonObject)}, not run when the caller left while it waited for the
   * session's turn ({@link CallerGone}).
   */
  public Future<JsonObject> run(String sessionId, String botName, String name, JsonObject body,
                                BooleanSupplier callerGone) {
    try {
      JsonObject request = body == null ? new JsonObject() : body;
      JsonFields.onlyKnown(request, KNOWN);
      JsonObject context = ConversationContext.check(request.getValue("context"));
      CbBot bot = bots.find(botName).orElseThrow(() -> GatewayError.notFound("unknown_bot", "no imported bot named '"
        + botName + "'; GET /api/bots lists them (POST /api/import/cb imports one)"));
      Interaction interaction = bot.interactions().get(name);
      if (interaction == null) {
        throw GatewayError.notFound("unknown_interaction", "bot '" + botName + "' has no runnable interaction named '"
          + name + "'; GET /api/bots/" + botName + " lists them");
      }
      JsonObject variables = JsonFields.object(request, "variables");
      // the request's own object, which nothing else reads: carried from step to step, not copied on the event loop
      return new Run(sessionId, bot, interaction, variables == null ? new JsonObject() : variables,
        JsonFields.object(request, "slots"), JsonFields.string(request, "userMessage"), context).start(callerGone);
    } catch (GatewayError e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * One interaction run: its steps in order and what they produced. Each step is a piece of work on the
   * session of its own (the integration between them is one too), so the request-scope variables of the
   * turn are carried from step to step here rather than in one {@link RequestScope}.
   */
  private final class Run {
    private final String sessionId;
    private final CbBot bot;
    private final Interaction interaction;
    /** The request-scope variables: those the caller sent, then every variable the steps set. */
    private final JsonObject requestVariables;
    private final JsonObject slots;
    private final String userMessage;
    private final JsonObject context;
    private final long started = System.nanoTime();
    private final JsonArray events = new JsonArray();
    private final JsonArray messages = new JsonArray();
    private final JsonArray errors = new JsonArray();
    private final JsonObject changes = new JsonObject();
    private JsonObject execution;
    private String next;
    private Long delayMs;

    Run(String sessionId, CbBot bot, Interaction interaction, JsonObject requestVariables, JsonObject slots,
        String userMessage, JsonObject context) {
      this.sessionId = sessionId;
      this.bot = bot;
      this.interaction = interaction;
      this.requestVariables = requestVariables;
      this.slots = slots;
      this.userMessage = userMessage;
      this.context = context;
    }

    Future<JsonObject> start(BooleanSupplier callerGone) {
      return sessions.turn(sessionId, callerGone, session -> {
        if (callerGone.getAsBoolean()) {
          return Future.failedFuture(CallerGone.refusal("interaction " + interaction.name()));
        }
        if (!ConversationContext.keptOnLoop(session, context)) { // a large one: copied on a worker, in the turn
          return executor.offLoop(() -> {
            ConversationContext.keep(session, context);
            return null;
          }).compose(v -> opened(session));
        }
        ConversationContext.keep(session, context);
        return opened(session);
      })
        .compose(v -> step("preProcessMessage", interaction.preProcess()))
        .compose(v -> integration())
        .compose(v -> step("processUserResponse", interaction.processUserResponse()))
        .compose(v -> step("postProcessMessage", interaction.postProcess()))
        .map(v -> answer());
    }

    /** The interaction's start, shown, and the conversation's start run when it is one ({@link #init}). */
    private Future<Void> opened(Session session) {
      Transcript opening = new Transcript(stream, sessionId);
      opening.event(DebugEvent.DEBUG, "info", "interaction '" + interaction.name() + "' of bot '" + bot.name()
        + "' started", group("start"));
      collect(opening);
      return init(session);
    }

    /**
     * Work on the session (created when new), as one turn of it. The integration between two steps takes a
     * turn of its own, so another request of the session may run between the steps of an interaction.
     */
    private <T> Future<T> inSession(Function<Session, Future<T>> work) {
      return sessions.turn(sessionId, work);
    }

    private JsonObject group(String phase) {
      return new JsonObject().put("phase", phase).put("bot", bot.name()).put("interaction", interaction.name());
    }

    /** CB runs a bot's {@code __initConversation()} when a conversation starts: here, its first interaction run. */
    private Future<Void> init(Session session) {
      String marker = STARTED + bot.name();
      if (bot.globals() == null || !INIT.matcher(bot.globals()).find() || session.variable(marker) != null) {
        return Future.succeededFuture();
      }
      try {
        session.setVariable(marker, true);
      } catch (SessionLimitExceeded e) {
        return Future.failedFuture(new GatewayError(413, "session_limit", e.getMessage()));
      }
      return script(session, "__initConversation", "__initConversation();");
    }

    private Future<Void> step(String name, String code) {
      return code == null ? Future.succeededFuture() : inSession(session -> script(session, name, code));
    }

    /**
     * Runs a step's script over the turn's request variables, copied into its scope here when they are few, else on a
     * worker (as an execution's are, {@link RequestScope#onLoop}); each step's scope has its own copy of the map, the
     * values are not changed in place by anyone.
     */
    private Future<Void> script(Session session, String name, String code) {
      RequestScope scope = RequestScope.onLoop(session, requestVariables, slots, userMessage);
      if (scope == null) {
        return executor.offLoop(() -> new RequestScope(session, requestVariables, slots, userMessage))
          .compose(large -> script(large, name, code));
      }
      return script(scope, name, code);
    }

    private Future<Void> script(RequestScope scope, String name, String code) {
      Transcript transcript = new Transcript(stream, sessionId);
      return scripts.run(name, code, scope, transcript, false, bot.id(), bot.globals()).map(r -> {
        collect(transcript);
        changes.mergeIn(r.changes());
        requestVariables.mergeIn(r.changes());
        if (!r.outcome().ok()) {
          errors.add(r.outcome().error().toJson());
        }
        if (r.next() != null) {
          next = r.next();
        }
        if (r.delayMs() != null) {
          delayMs = r.delayMs();
        }
        return null;
      });
    }

    /** The integration, executed with the turn's request variables so far; what its transform sets, later steps see. */
    private Future<Void> integration() {
      if (interaction.integration() == null) {
        return Future.succeededFuture();
      }
      return executor.execute(sessionId, interaction.integration(),
        new ExecutionRequest(requestVariables, slots, userMessage, null, null, null)).map(report -> {
          execution = report.toJson();
          events.addAll(execution.getJsonArray("events", new JsonArray()));
          messages.addAll(execution.getJsonArray("messages", new JsonArray()));
          errors.addAll(execution.getJsonArray("scriptErrors", new JsonArray()));
          JsonObject transformed = execution.getJsonObject("variableChanges", new JsonObject());
          changes.mergeIn(transformed);
          requestVariables.mergeIn(transformed);
          return null;
        });
    }

    private void collect(Transcript transcript) {
      events.addAll(transcript.eventsAsJson());
      messages.addAll(transcript.messages());
    }

    private JsonObject answer() {
      Boolean success = execution == null ? null : execution.getJsonObject("result").getBoolean("success");
      String chosen = next != null ? next : interaction.nextAfter(success);
      long delay = delayMs != null ? delayMs : interaction.delayMs() != null ? interaction.delayMs() : 0;
      String outcome = execution != null ? execution.getString("outcome") : errors.isEmpty() ? "ok" : "error";
      long totalMs = (System.nanoTime() - started) / 1_000_000;
      Transcript closing = new Transcript(stream, sessionId);
      if (Boolean.FALSE.equals(success) && next == null && !interaction.handlesFailure()) {
        closing.message(new JsonObject().put("text", NOTHING_FOUND)); // CB's answer to a failure no rule handles
      }
      closing.event(DebugEvent.DEBUG, "info", "interaction '" + interaction.name() + "' of bot '" + bot.name()
          + "' finished (" + outcome + ") in " + totalMs + " ms" + (chosen == null ? "" : ", next: " + chosen),
        group("finish").put("outcome", outcome).put("next", chosen).put("delayMs", delay));
      collect(closing);
      JsonObject answer = new JsonObject().put("bot", bot.name()).put("interaction", interaction.name())
        .put("result", execution == null ? null : execution.getJsonObject("result"))
        .put("outcome", outcome);
      if (execution != null && execution.getValue("reason") != null) {
        answer.put("reason", execution.getValue("reason"));
      }
      answer.put("request", execution == null ? null : execution.getValue("request"))
        .put("variables", execution == null ? new JsonObject() : execution.getJsonObject("variables"))
        .put("messages", messages);
      answer.put("scriptErrors", errors).put("variableChanges", stream.secrets().scrub(changes));
      Object upstreamMs = execution == null ? null : execution.getJsonObject("timings").getValue("upstreamMs");
      return answer.put("events", events)
        .put("timings", new JsonObject().put("totalMs", totalMs).put("upstreamMs", upstreamMs))
        .put("next", chosen).put("delayMs", delay);
    }
  }
}
