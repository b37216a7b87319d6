package io.botgate.script;

import io.botgate.cb.context.ContextStore;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.LambdaFunction;
import org.mozilla.javascript.NativeArray;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.SerializableCallable;
import org.mozilla.javascript.Undefined;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code botContext} a script sees: an object whose only properties are the botContext functions.
 * It is not a wrapped Java object, so a script finds no {@code getClass} or other Java member on it.
 * One instance lives in the shared scope, frozen with its functions (no property can be added, changed
 * or removed, see {@link SharedGraph}); each call finds the run's {@link BotContext} on the thread's
 * Rhino context, so a run costs no new function objects and no run can leave anything on them.
 */
final class BotContextObject extends ScriptableObject {

  /** Binds the run on this thread, with fresh per-run state (see {@link RunState}); gone when the context exits. */
  static void bind(Context cx, BotContext bot) {
    ((SandboxContextFactory.RunContext) cx).bot = bot;
    RunState.begin(cx);
  }

  private static BotContext current(Context cx) {
    BotContext bot = cx instanceof SandboxContextFactory.RunContext run ? run.bot : null;
    if (bot == null) {
      throw new IllegalStateException("botContext used outside a script run");
    }
    return bot;
  }

  BotContextObject(Scriptable scope) {
    setParentScope(scope);
    setPrototype(getObjectPrototype(scope));
    define(scope, "isApiExecutionSuccessful", 1, (cx, s, t, a) -> current(cx).isApiExecutionSuccessful(optionalText(a, 0)));
    define(scope, "getApiStatusCode", 1, (cx, s, t, a) -> current(cx).getApiStatusCode(optionalText(a, 0)));
    define(scope, "getBotVariable", 1, (cx, s, t, a) -> JsValues.toJs(current(cx).getBotVariable(text(a, 0)), cx, s));
    define(scope, "setBotVariable", 4, (cx, s, t, a) -> {
      BotContext bot = current(cx);
      String name = text(a, 0);
      bot.setBotVariable(name, json(arg(a, 1), bot.maxValueBytes(), name), flag(a, 2), flag(a, 3));
      return Undefined.instance;
    });
    define(scope, "getEnvVariable", 1, (cx, s, t, a) -> current(cx).getEnvVariable(text(a, 0)));
    define(scope, "printDebugMessage", 1, (cx, s, t, a) -> {
      current(cx).printDebugMessage(text(a, 0));
      return Undefined.instance;
    });
    define(scope, "sendMessage", 1, (cx, s, t, a) -> {
      current(cx).sendMessage(text(a, 0));
      return Undefined.instance;
    });
    define(scope, "sendMessages", 1, (cx, s, t, a) -> {
      BotContext bot = current(cx);
      ScriptWorkers.Job job = SandboxContextFactory.job(cx);
      for (String text : list(cx, "sendMessages", arg(a, 0))) {
        ScriptWorkers.stopIfAsked(job); // no stop is sent in here: an array of a million messages would never end
        bot.sendMessage(text);
      }
      return Undefined.instance;
    });
    define(scope, "sendMessageWithQuickReplies", 2, (cx, s, t, a) -> {
      current(cx).sendMessageWithQuickReplies(text(a, 0), list(cx, "sendMessageWithQuickReplies", arg(a, 1)));
      return Undefined.instance;
    });
    define(scope, "sendImmediateReply", 1, (cx, s, t, a) -> {
      current(cx).sendMessage(text(a, 0));
      throw new ImmediateReply();
    });
    define(scope, "getConversationId", 0, (cx, s, t, a) -> current(cx).getConversationId());
    define(scope, "getCurrentUserMessage", 0, (cx, s, t, a) -> current(cx).getCurrentUserMessage());
    define(scope, "logCustomEvent", 3, (cx, s, t, a) -> {
      current(cx).logCustomEvent(optionalText(a, 0), text(a, 1), optionalText(a, 2));
      return Undefined.instance;
    });
    defineConversationBuilder(scope);
    sealObject();
  }

  /** The functions CB bots call beyond integration data: the request's context, flow, the Context Service. */
  private void defineConversationBuilder(Scriptable scope) {
    define(scope, "getChatBotId", 0, (cx, s, t, a) -> current(cx).getChatBotId());
    define(scope, "getLPAccountId", 0, (cx, s, t, a) -> current(cx).contextText("accountId"));
    define(scope, "getUserPlatformId", 0, (cx, s, t, a) -> current(cx).getUserPlatformId());
    define(scope, "getUserChannel", 0, (cx, s, t, a) -> current(cx).contextText("channel"));
    define(scope, "getDialogStarterIntent", 0, (cx, s, t, a) -> current(cx).contextText("dialogStarterIntent"));
    define(scope, "getLPEngagementAttribute", 1, (cx, s, t, a) ->
      current(cx).contextEntry("engagementAttributes", text(a, 0)));
    define(scope, "getLPCustomerInfo", 0, (cx, s, t, a) ->
      JsValues.toJs(current(cx).contextObject("customerInfo"), cx, s));
    define(scope, "getLPUserPersonalInfo", 0, (cx, s, t, a) ->
      JsValues.toJs(current(cx).contextObject("personalInfo"), cx, s));
    define(scope, "getWebViewVariable", 1, (cx, s, t, a) -> current(cx).contextEntry("webViewVariables", text(a, 0)));
    define(scope, "getWebViewVariables", 0, (cx, s, t, a) ->
      JsValues.toJs(current(cx).contextObject("webViewVariables"), cx, s));
    define(scope, "getUserLocation", 0, (cx, s, t, a) -> UserLocation.toJs(current(cx).contextObject("userLocation"), cx, s));
    define(scope, "setTriggerNextMessage", 1, (cx, s, t, a) -> {
      current(cx).setTriggerNextMessage(text(a, 0));
      return Undefined.instance;
    });
    define(scope, "setMessageDelay", 1, (cx, s, t, a) -> {
      current(cx).setMessageDelay(arg(a, 0) instanceof Number n ? n : text(a, 0));
      return Undefined.instance;
    });
    define(scope, "isContextApiEnabled", 0, (cx, s, t, a) -> current(cx).isContextApiEnabled());
    define(scope, "registerContextNamespace", 2, (cx, s, t, a) -> {
      String namespace = required(a, 0, "registerContextNamespace", "the namespace", "ns[, ttlSeconds]");
      String wrongName = ContextStore.namespaceProblem(namespace);
      if (wrongName != null) {
        // a bot's mistake, not a state of the service: named where the script made it (CB names namespaces in code)
        throw Context.reportRuntimeError("registerContextNamespace: " + wrongName + "; nothing was registered");
      }
      BotContext bot = current(cx);
      ContextStore store = bot.contextStore("registerContextNamespace");
      Object ttl = arg(a, 1);
      double seconds = ttl == null || ttl instanceof Undefined ? 0
        : ttl instanceof CharSequence given && given.toString().isBlank() ? Double.NaN
        : number(ttl);
      if (store != null && !(seconds >= 0 && seconds == Math.floor(seconds) && !Double.isInfinite(seconds))) {
        // as PUT /api/context/namespaces/{ns} refuses them: -1 would have registered data that expires at once
        return bot.refused("registerContextNamespace", "ttlSeconds must be whole seconds, 0 or more (or absent, to "
          + "keep the namespace's), got " + text(ttl));
      }
      return store != null && bot.reported("registerContextNamespace", namespace,
        store.registerNamespace(namespace, ttl == null || ttl instanceof Undefined ? null : (long) seconds));
    });
    define(scope, "deleteContextNamespace", 1, (cx, s, t, a) -> {
      String namespace = required(a, 0, "deleteContextNamespace", "the namespace", "ns");
      ContextStore store = current(cx).contextStore("deleteContextNamespace");
      return store != null && store.deleteNamespace(namespace);
    });
    defineScope(scope, ContextStore.Scope.GLOBAL, "GlobalContextData", null);
    defineScope(scope, ContextStore.Scope.USER, "ContextDataForUser", "deleteAllContextDataForUser");
    defineScope(scope, ContextStore.Scope.CONVERSATION, "ContextDataForConversation",
      "deleteAllContextDataForConversation");
  }

  /**
   * {@code set<suffix>(ns, property, value)} and {@code delete<suffix>(ns, property)} answer a Boolean;
   * {@code get<suffix>(ns, property)} the value, and {@code get<suffix>(ns)} every property as an object.
   */
  private void defineScope(Scriptable scope, ContextStore.Scope where, String suffix, String deleteAll) {
    define(scope, "set" + suffix, 3, (cx, s, t, a) -> {
      String namespace = required(a, 0, "set" + suffix, "the namespace", "ns, property, value");
      String property = required(a, 1, "set" + suffix, "the property", "ns, property, value");
      BotContext bot = current(cx);
      ContextStore store = bot.contextStore("set" + suffix);
      String wrongName = ContextStore.propertyProblem(property);
      if (store != null && wrongName != null) {
        return bot.refused("set" + suffix, wrongName);
      }
      if (store == null) {
        return false;
      }
      Object value = json(arg(a, 2), bot.maxValueBytes(), property);
      String lone = ContextStore.valueProblem(value);
      if (lone != null) {
        // kept, it would be read back as '?' (as JSON anywhere, from a clustered store at once): another value
        throw Context.reportRuntimeError("set" + suffix + ": the value for '" + ScriptText.bounded(property,
          ScriptText.MAX_QUOTED) + "' holds " + lone + "; nothing was set");
      }
      return bot.reported("set" + suffix, namespace, store.set(where, namespace, bot.owner(where), property, value));
    });
    define(scope, "get" + suffix, 2, (cx, s, t, a) -> {
      String namespace = required(a, 0, "get" + suffix, "the namespace", "ns[, property]");
      BotContext bot = current(cx);
      ContextStore store = bot.contextStore("get" + suffix);
      if (store == null) {
        return null;
      }
      Object property = arg(a, 1);
      if (property == null || property instanceof Undefined) {
        return JsValues.toJsChecked(store.all(where, namespace, bot.owner(where)), cx, s);
      }
      return JsValues.toJsChecked(store.get(where, namespace, bot.owner(where), text(property)), cx, s);
    });
    define(scope, "delete" + suffix, 2, (cx, s, t, a) -> {
      String namespace = required(a, 0, "delete" + suffix, "the namespace", "ns, property");
      String property = required(a, 1, "delete" + suffix, "the property", "ns, property");
      BotContext bot = current(cx);
      ContextStore store = bot.contextStore("delete" + suffix);
      return store != null && bot.reported("delete" + suffix, namespace,
        store.delete(where, namespace, bot.owner(where), property));
    });
    if (deleteAll != null) {
      define(scope, deleteAll, 1, (cx, s, t, a) -> {
        String namespace = required(a, 0, deleteAll, "the namespace", "ns");
        BotContext bot = current(cx);
        ContextStore store = bot.contextStore(deleteAll);
        return store != null && bot.reported(deleteAll, namespace, store.deleteAll(where, namespace, bot.owner(where)));
      });
    }
  }

  /**
   * A Context Service function's name argument as text; a script error when it is missing (absent, undefined or
   * null), which JavaScript would have made the name "undefined" or "null": {@code registerContextNamespace()}
   * registered a namespace called "undefined", where the bot meant one that a variable failed to hold.
   */
  private static String required(Object[] args, int i, String function, String what, String signature) {
    Object v = arg(args, i);
    if (v == null || v instanceof Undefined) {
      throw Context.reportRuntimeError(function + ": " + what + " (argument " + (i + 1) + ") is " + (v == null
        ? "null" : i < args.length ? "undefined" : "missing") + "; call it as botContext." + function + "(" + signature
        + ")");
    }
    return text(v);
  }

  /**
   * Notes, on the run's own {@link BotContext}, a name read that botContext does not have, so that the
   * TypeError of calling it can say that botgate lacks that function (Rhino's message names no object).
   */
  @Override
  public Object get(String name, Scriptable start) {
    Object value = super.get(name, start);
    // Rhino reads __noSuchMethod__ after a failed lookup: that is not the name the script called.
    if (value == NOT_FOUND && !name.equals("__noSuchMethod__") && !ScriptableObject.hasProperty(getPrototype(), name)) {
      Context cx = Context.getCurrentContext();
      if (cx instanceof SandboxContextFactory.RunContext run && run.bot != null) {
        BotContext bot = run.bot;
        bot.missing(name);
      }
    }
    return value;
  }

  @Override
  public String getClassName() {
    return "BotContext";
  }

  /**
   * Each function runs as shared code (see {@link ScriptWorkers#shared}): it reaches the session and the
   * console, so the watchdog's stop must never land inside it, however the script calls it (directly, or
   * handed to a native such as {@code arr.forEach(botContext.printDebugMessage)}).
   */
  private void define(Scriptable scope, String name, int arity, SerializableCallable body) {
    SerializableCallable guarded = (cx, s, t, a) -> {
      ScriptWorkers.Job job = ScriptWorkers.enterShared(SandboxContextFactory.job(cx));
      try {
        return body.call(cx, s, t, a);
      } finally {
        ScriptWorkers.exitShared(job);
      }
    };
    defineProperty(name, new LambdaFunction(scope, name, arity, guarded, false), READONLY | PERMANENT);
  }

  private static Object arg(Object[] args, int i) {
    return i < args.length ? args[i] : Undefined.instance;
  }

  private static String text(Object[] args, int i) {
    Object v = arg(args, i);
    return v instanceof Undefined ? "undefined" : text(v);
  }

  private static String optionalText(Object[] args, int i) {
    Object v = arg(args, i);
    return v == null || v instanceof Undefined ? null : text(v);
  }

  /*
   * An object argument's conversion runs the script's own code (toString, valueOf, getters, a Proxy's traps),
   * which may loop in a builtin: it runs outside this function's shared code (ScriptWorkers.outsideShared), where
   * the watchdog can stop it; in shared code a stop is never sent, so such a loop kept a core busy long after its
   * run was answered. A primitive converts without any script code, and without a closure made for it.
   */

  private static String text(Object v) {
    return v instanceof Scriptable ? ScriptWorkers.outsideShared(() -> JsValues.text(v)) : JsValues.text(v);
  }

  /** A value for a variable or the Context Service, as {@link JsValues#toJava(Object, long, String)} makes it. */
  private static Object json(Object v, long maxBytes, String name) {
    return v instanceof Scriptable ? ScriptWorkers.outsideShared(() -> JsValues.toJava(v, maxBytes, name))
      : JsValues.toJava(v, maxBytes, name);
  }

  private static double number(Object v) {
    return v instanceof Scriptable ? ScriptWorkers.outsideShared(() -> Context.toNumber(v)) : Context.toNumber(v);
  }

  private static boolean flag(Object[] args, int i) {
    return Context.toBoolean(arg(args, i));
  }

  /** An array of texts, or one text with items separated by ';' (as CB's quick replies are often written). */
  private static final int CHECK_EVERY = 1024;

  private static List<String> list(Context cx, String function, Object value) {
    return value instanceof Scriptable ? ScriptWorkers.outsideShared(() -> texts(cx, function, value)) : texts(cx, function, value);
  }

  /**
   * The texts of an array as the builtins go through one: refused past the array bound (a sparse array of a billion
   * holes is one line of script, and a billion texts were made for it, checked by nothing but the watchdog), with the
   * run's memory budget checked at every element and all its checks every {@link #CHECK_EVERY}, since their {@code
   * toString}s may be builtins that run no instruction.
   */
  private static List<String> texts(Context cx, String function, Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof NativeArray arr) {
      long length = arr.getLength();
      SandboxContextFactory.checkArrayLength(cx, "botContext." + function, length);
      for (int i = 0; i < length; i++) {
        if (i % CHECK_EVERY == CHECK_EVERY - 1) {
          SandboxContextFactory.checkWhileBuilding(cx);
        } else {
          SandboxContextFactory.checkAtCall(cx); // the memory budget: one text may be megabytes
        }
        out.add(JsValues.text(arr.get(i, arr)));
      }
    } else if (value != null && !(value instanceof Undefined)) {
      out.addAll(Arrays.stream(JsValues.text(value).split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }
    return out;
  }
}
