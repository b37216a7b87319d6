package io.botgate.script;

import io.botgate.cb.context.ContextStore;
import io.botgate.cb.context.ConversationContext;
import io.botgate.events.DebugEvent;
import io.botgate.events.Transcript;
import io.botgate.session.HeldBytes;
import io.botgate.session.IntegrationResult;
import io.botgate.session.RequestScope;
import io.botgate.session.SessionLimitExceeded;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.mozilla.javascript.EvaluatorException;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Java side of {@code botContext} for one script run: bound to one session and request, writing
 * what the script does into the request's transcript. Scripts see it only through {@link BotContextObject}.
 */
public final class BotContext {

  public static final int MAX_QUICK_REPLIES = 10;
  public static final int MAX_QUICK_REPLY_TITLE = 20;
  /** A variable event carries a value up to this size (as HeldBytes counts it); a larger one as a preview. */
  static final int MAX_EVENT_VALUE_BYTES = 4096;

  private final RequestScope scope;
  private final Transcript transcript;
  private final Map<String, String> env;
  private final String scriptName;
  private final boolean inTransform;
  /** The variables this run set; made at the first (most runs set none). */
  private JsonObject changes;
  /**
   * What the names {@link #changes} holds with a null value (removed, or set to null in the request scope) count, as
   * {@link HeldBytes#variable} counts them: nothing else bounds them, since they are not stored.
   */
  private long removedBytes;
  private final Bot bot;
  /** Set by setTriggerNextMessage / setMessageDelay during this run; null when not called. */
  private String next;
  private Long delayMs;

  /**
   * What a run may have beyond the session: the Conversation Context Service (null: not available) and,
   * for an imported CB bot, its id and its global functions (run before the script, after
   * {@code script.globals}).
   */
  public record Bot(ContextStore contextStore, String botId, String globals) {
    public static final Bot NONE = new Bot(null, null, null);
  }

  /**
   * @param scriptName  names the script in events ("preProcess", "transformScript", "script"...)
   * @param inTransform whether this is an integration's transform script, where the last result is reset
   */
  public BotContext(RequestScope scope, Transcript transcript, Map<String, String> env, String scriptName,
                    boolean inTransform) {
    this(scope, transcript, env, scriptName, inTransform, Bot.NONE);
  }

  public BotContext(RequestScope scope, Transcript transcript, Map<String, String> env, String scriptName,
                    boolean inTransform, Bot bot) {
    this.scope = scope;
    this.transcript = transcript;
    this.env = env;
    this.scriptName = scriptName;
    this.inTransform = inTransform;
    this.bot = bot;
  }

  /**
   * Text a script gave, cut to {@code max} characters to be shown: scrubbed of the known secrets first when it is
   * cut, since the cut could leave a secret's first characters, which scrubbing would no longer recognise.
   */
  private String shown(String text, int max) {
    return ScriptText.bounded(beforeCut(text, max), max);
  }

  /**
   * An error's message before {@link ScriptError} cuts it at {@link ScriptText#MAX_ERROR}: scrubbed first when it
   * will be cut, as {@link #shown} does (a script may throw a long text ending with a secret).
   */
  String errorText(String message) {
    return beforeCut(message, ScriptText.MAX_ERROR);
  }

  /** The text, scrubbed of the known secrets when it is longer than {@code max}: about to be cut there. */
  private String beforeCut(String text, int max) {
    return text == null || text.length() <= max ? text : transcript.secrets().scrub(text);
  }

  /** The env names this run may not read, each with who withholds it, or null. */
  private Function<String, String> withheld = name -> null;

  /** Withholds the env values {@code heldBy} names a holder of (ScriptRunner#withholding). */
  BotContext withholding(Function<String, String> heldBy) {
    this.withheld = heldBy;
    return this;
  }

  /** The last name read from botContext that it does not have, in this run (for the error of calling it). */
  private volatile String missing;

  void missing(String name) {
    missing = name;
  }

  String missing() {
    return missing;
  }

  /** The bot's global functions for this run, or null. */
  String globals() {
    return bot.globals();
  }

  /** The interaction named by setTriggerNextMessage in this run, or null. */
  public synchronized String next() {
    return next;
  }

  /** The delay set by setMessageDelay in this run, or null. */
  public synchronized Long delayMs() {
    return delayMs;
  }

  public String scriptName() {
    return scriptName;
  }

  /** The variables this run set, name to new value. */
  public JsonObject changes() {
    return changes == null ? new JsonObject() : changes.copy();
  }

  boolean isApiExecutionSuccessful(String integration) {
    if (inTransform && integration == null) {
      transcript.warning("isApiExecutionSuccessful() called in the transform script always returns false: the "
        + "success flag is set after the transform (CB behaviour). Check it in postProcess or the next "
        + "interaction instead.", new JsonObject().put("script", scriptName));
    }
    IntegrationResult result = integration == null ? scope.session().lastResult()
      : scope.session().lastResultOf(integration);
    return result != null && result.success();
  }

  String getApiStatusCode(String integration) {
    IntegrationResult result = integration == null ? scope.session().lastResult()
      : scope.session().lastResultOf(integration);
    return result == null ? null : result.statusCode();
  }

  Object getBotVariable(String name) {
    return scope.variable(name);
  }

  /** The most a value set by the script may cost ({@code session.maxBytes}), checked while converting it. */
  long maxValueBytes() {
    return scope.session().maxBytes();
  }

  void setBotVariable(String name, Object value, boolean persistForSession, boolean persistForever) {
    boolean session = persistForSession || persistForever;
    // A null is not stored (the session removes the variable, the request scope charges it nothing), but the run's
    // variableChanges names it: without this bound a loop over long names made an answer of tens of MB.
    boolean wasRemoved = changes != null && changes.containsKey(name) && changes.getValue(name) == null;
    long removed = removedBytes;
    if (value == null && !wasRemoved) {
      removed += HeldBytes.variable(name, null);
    } else if (value != null && wasRemoved) {
      removed -= HeldBytes.variable(name, null);
    }
    if (removed > removedBytes && removed > maxValueBytes()) {
      throw new EvaluatorException(ScriptText.bounded(SessionLimitExceeded.of(maxValueBytes(), "setting '"
        + shown(name, ScriptText.MAX_QUOTED) + "' to null: the variables this run removed or set to null would be "
        + "named in about " + removed + " bytes; nothing was set").getMessage(), ScriptText.MAX_ERROR));
    }
    try {
      scope.setVariable(name, value, session);
    } catch (SessionLimitExceeded e) {
      throw new EvaluatorException(ScriptText.bounded(e.getMessage(), ScriptText.MAX_ERROR));
    }
    if (changes == null) {
      changes = new JsonObject();
    }
    changes.put(name, value);
    removedBytes = removed;
    String where = session ? "session" : "request";
    String shown = preview(value);
    String shownName = shown(name, ScriptText.MAX_QUOTED);
    JsonObject data = new JsonObject().put("name", shownName).put("scope", where);
    long bytes = HeldBytes.of(value);
    if (bytes <= MAX_EVENT_VALUE_BYTES) {
      data.put("value", value);
    } else {
      // A loop rewriting a large value would otherwise keep a copy per event in the request's transcript.
      data.put("value", shown).put("valueBytes", bytes);
    }
    transcript.event(DebugEvent.VARIABLE, "debug", shownName + " = " + shown + " (" + where + ")", data);
  }

  /** An env value, as in CB; from now on it is a known secret, masked wherever botgate shows it (DESIGN). */
  String getEnvVariable(String name) {
    String holder = withheld.apply(name);
    if (holder != null) {
      transcript.warning("getEnvVariable('" + shown(name, ScriptText.MAX_QUOTED) + "') is null: a secret "
        + "of credential '" + holder + "' comes from it, which the credential sends and scripts may not read", null);
      return null;
    }
    String value = env.get(name);
    if (value != null) {
      transcript.secrets().remember(List.of(value));
    }
    return value;
  }

  void printDebugMessage(String text) {
    transcript.debug(shown(text, ScriptText.MAX_MESSAGE));
  }

  void sendMessage(String text) {
    transcript.message(new JsonObject().put("text", shown(text, ScriptText.MAX_MESSAGE)));
  }

  void sendMessageWithQuickReplies(String text, List<String> replies) {
    if (replies.size() > MAX_QUICK_REPLIES) {
      transcript.error("sendMessageWithQuickReplies: " + replies.size() + " quick replies given, CB allows at most "
        + MAX_QUICK_REPLIES + "; the message was not sent", new JsonObject().put("script", scriptName));
      return;
    }
    for (String reply : replies) {
      if (reply.length() > MAX_QUICK_REPLY_TITLE) {
        transcript.error("sendMessageWithQuickReplies: the quick reply '" + shown(reply, ScriptText.MAX_QUOTED)
          + "' is " + reply.length()
          + " characters, CB allows at most " + MAX_QUICK_REPLY_TITLE + "; the message was not sent",
          new JsonObject().put("script", scriptName));
        return;
      }
    }
    transcript.message(new JsonObject().put("text", shown(text, ScriptText.MAX_MESSAGE))
      .put("quickReplies", new JsonArray(List.copyOf(replies))));
  }

  String getConversationId() {
    return scope.session().id();
  }

  String getCurrentUserMessage() {
    return scope.userMessage();
  }

  void logCustomEvent(String userMessage, String eventName, String detail) {
    userMessage = shown(userMessage, ScriptText.MAX_MESSAGE);
    eventName = shown(eventName, ScriptText.MAX_QUOTED);
    detail = shown(detail, ScriptText.MAX_MESSAGE);
    transcript.event(DebugEvent.DEBUG, "info", "custom event '" + eventName + "'" + (detail == null ? "" : ": " + detail),
      new JsonObject().put("customEvent", eventName).put("userMessage", userMessage).put("detail", detail));
  }

  String getChatBotId() {
    return bot.botId();
  }

  private JsonObject context() {
    JsonObject context = scope.session().context();
    return context == null ? new JsonObject() : context;
  }

  String contextText(String key) {
    return context().getValue(key) instanceof String s ? s : null;
  }

  String getUserPlatformId() {
    return ConversationContext.user(scope.session());
  }

  /** A value of one of the context's objects (engagementAttributes, webViewVariables...) as text, or null. */
  String contextEntry(String object, String name) {
    JsonObject values = context().getJsonObject(object);
    return values == null ? null : RequestScope.asText(values.getValue(name));
  }

  /** One of the context's objects, or null. */
  JsonObject contextObject(String object) {
    return context().getJsonObject(object);
  }

  synchronized void setTriggerNextMessage(String interaction) {
    String shown = shown(interaction, ScriptText.MAX_QUOTED);
    next = shown(interaction, ScriptText.MAX_MESSAGE); // whole as a name is; an answer stays bounded
    transcript.event(DebugEvent.DEBUG, "debug", "next interaction: " + shown,
      new JsonObject().put("script", scriptName).put("next", shown));
  }

  synchronized void setMessageDelay(Object ms) {
    double value = ms instanceof Number n ? n.doubleValue() : parse(String.valueOf(ms));
    if (!(value >= 0 && value <= MAX_DELAY_MS)) {
      transcript.warning("setMessageDelay(" + shown(String.valueOf(ms), ScriptText.MAX_QUOTED) + "): the "
        + "delay must be a number of milliseconds from 0 to " + MAX_DELAY_MS + "; it was ignored",
        new JsonObject().put("script", scriptName));
      return;
    }
    delayMs = (long) value;
  }

  /** The longest delay a script may set (an interaction may declare as much): 999,999,999 ms, 11.6 days. */
  public static final long MAX_DELAY_MS = 999_999_999L;

  private static double parse(String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  boolean isContextApiEnabled() {
    return bot.contextStore() != null;
  }

  /** The owner of a scope's data in this run: the user, the conversation, or none for global data. */
  String owner(ContextStore.Scope where) {
    return switch (where) {
      case GLOBAL -> "";
      case USER -> ConversationContext.user(scope.session());
      case CONVERSATION -> scope.session().id();
    };
  }

  /** Calls the Context Service, or answers null with an error event when the gateway has none. */
  ContextStore contextStore(String function) {
    if (bot.contextStore() == null) {
      transcript.error(function + ": the Conversation Context Service is not available here",
        new JsonObject().put("script", scriptName));
    }
    return bot.contextStore();
  }

  /** Reports a Context Service write: true when done, else false with a warning saying why. */
  boolean reported(String function, String namespace, ContextStore.Outcome outcome) {
    namespace = shown(namespace, ScriptText.MAX_QUOTED);
    JsonObject data = new JsonObject().put("script", scriptName).put("function", function).put("namespace", namespace)
      .put("outcome", outcome.name());
    switch (outcome) {
      case DONE -> transcript.event(DebugEvent.DEBUG, "debug", function + "('" + namespace + "', ...) done", data);
      case UNKNOWN_NAMESPACE -> transcript.warning(function + ": the namespace '" + namespace + "' is not registered "
        + "(botContext.registerContextNamespace, or PUT /api/context/namespaces/" + namespace + "); nothing was "
        + "written", data);
      case FULL -> transcript.warning(function + ": context.maxBytes reached, the Context Service holds as much as "
        + "it may; nothing was written", data);
      case INVALID -> transcript.warning(function + ": the namespace must be named and its ttlSeconds a whole number "
        + "from 0 to " + ContextStore.MAX_TTL_SECONDS + "; nothing was changed", data);
    }
    return outcome == ContextStore.Outcome.DONE;
  }

  /** Refuses a call with a warning saying why: false, what the call returns for nothing done. */
  boolean refused(String function, String why) {
    transcript.warning(function + ": " + shown(why, ScriptText.MAX_QUOTED) + "; nothing was done",
      new JsonObject().put("script", scriptName).put("function", function));
    return false;
  }

  /** A value as a variable's event text shows it: cut at 200 characters, scrubbed before the cut (see shown). */
  private String preview(Object value) {
    String text = beforeCut(value instanceof String s ? "\"" + s + "\"" : String.valueOf(value), 200);
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
