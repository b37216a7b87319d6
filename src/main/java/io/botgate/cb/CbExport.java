package io.botgate.cb;

import io.botgate.JsonText;
import io.botgate.ShownText;
import io.botgate.Typos;
import io.botgate.integration.DefinitionException;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.JsonNesting;
import io.botgate.script.BotContext;
import io.botgate.script.ScriptSyntax;
import io.botgate.session.SessionId;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a CB bot export (the JSON CB's "Export bot" writes) into what botgate runs of it: an integration
 * per API responder, the global functions, and the interactions that have code or call an integration;
 * with every item it skips and why, and every problem that makes the export unusable (all of them, so
 * that one import attempt shows everything to fix).
 */
final class CbExport {

  /**
   * The longest name of a bot or a runnable interaction: a path names each ({@code /api/bots/{bot}},
   * {@code .../bots/{bot}/interactions/{name}}) and must fit the request line, and the console's events quote them.
   */
  static final int MAX_NAME = 200;
  /** Export keys read here; any other non-empty one is listed as skipped. */
  private static final Set<String> READ = Set.of("bot", "responder", "conversationMessage", "globalFunctions", "hash");
  /** A placeholder as templates write it; replaced by a number to check that a JSON body is JSON around them. */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\$?[A-Za-z_][\\w.\\-\\[\\]]*}");
  private static final Set<String> CREDENTIAL_KEYS = Set.of("credential", "credentialId", "credentialName",
    "authentication", "authenticationId", "authType");
  private static final Set<String> BODYLESS = Set.of("GET", "HEAD");
  /** A responder's keys read here (besides {@link #CREDENTIAL_KEYS}). */
  private static final Set<String> RESPONDER_KEYS = Set.of("name", "webhook", "method", "headers", "postBody",
    "customDataFields", "responseDataVariable", "transformResultsScript", "integrationType");
  /** A responder's keys CB writes for its own bookkeeping and display: nothing of the call, left out silently. */
  private static final Set<String> RESPONDER_BOOKKEEPING = Set.of("id", "chatbotId", "chatBotId", "description",
    "fileUrl", "defaultValues", "results", "group", "tangoContextEnabled", "creationTime", "modificationTime",
    "createdBy", "modifiedBy", "version", "status");
  /** A call of {@code getEnvVariable} with the name written out in quotes. */
  private static final Pattern ENV_READ = Pattern.compile("getEnvVariable\\s*\\(\\s*(['\"])([^'\"\\\\\\n]{1,200})\\1\\s*\\)");
  /** {@code {$env.NAME}} as a template reads it. */
  private static final Pattern ENV = Pattern.compile("\\{\\$env\\.([\\w.\\-]*)}");

  /** An item of the export that botgate does not import, and why. */
  record Skipped(String kind, String name, String reason) {
    JsonObject toJson() {
      return new JsonObject().put("kind", kind).put("name", name).put("reason", reason);
    }
  }

  /**
   * What the import took but may not run as it did in CB: where (a path in the export) and what, for the bot's
   * author to check. It does not stop the import.
   */
  record Warning(String where, String message) {
    JsonObject toJson() {
      return new JsonObject().put("where", where).put("message", message);
    }
  }

  /** What makes the export unusable: where (a path in the export) and what. */
  record Problem(String where, String message) {
    JsonObject toJson() {
      return new JsonObject().put("where", where).put("message", message);
    }
  }

  final List<IntegrationDefinition> integrations = new ArrayList<>();
  /** The URL each integration had in the export, where baseUrls changed it. */
  final Map<String, String> rewrittenFrom = new HashMap<>();
  final List<Skipped> skipped = new ArrayList<>();
  final List<Problem> problems = new ArrayList<>();
  final List<Warning> warnings = new ArrayList<>();
  private final Map<String, String> baseUrls;
  /** The values {@code {$env.NAME}} takes here: a name without one is warned about. */
  private final Map<String, String> env;
  private String botName;
  private String botId;
  private String globals;
  private final Map<String, Interaction> interactions = new LinkedHashMap<>();
  /** The baseUrls prefixes that rewrote a webhook: the others are warned about. */
  private final Set<String> usedBaseUrls = new HashSet<>();
  /** Responders not imported (another integration type): interactions calling them are skipped too. */
  private final Set<String> skippedResponders = new HashSet<>();

  private CbExport(Map<String, String> baseUrls, Map<String, String> env) {
    this.baseUrls = baseUrls;
    this.env = env;
  }

  /**
   * Reads the export; check {@link #problems} before using anything else.
   *
   * @param env the values of {@code {$env.NAME}} on this gateway (the configuration's {@code env})
   */
  static CbExport read(Object export, Map<String, String> baseUrls, Map<String, String> env) {
    CbExport read = new CbExport(baseUrls, env);
    if (!(export instanceof JsonObject json)) {
      read.problem("export", "must be the JSON object CB's \"Export bot\" writes (with bot, responder, "
        + "conversationMessage...)");
      return read;
    }
    read.readBot(json.getValue("bot")); // reads two names of it, whatever its depth: the refusal names the bot
    if (read.tooDeep(json)) {
      return read;
    }
    read.readResponders(json.getValue("responder"));
    read.readGlobals(json.getValue("globalFunctions"));
    read.readInteractions(json.getValue("conversationMessage"));
    for (String key : json.fieldNames()) {
      if (!READ.contains(key) && !isEmpty(json.getValue(key))) {
        read.skipped.add(new Skipped("export", key, key.toLowerCase().contains("knowledge")
          ? "knowledge bases are not imported: botgate runs API integrations"
          : "not used by botgate (dialogs, menus, platforms, NLU and display settings stay in CB)"));
      }
    }
    return read;
  }

  /**
   * Whether a key of the export nests deeper than a definition's field may, each such key a problem. The export is
   * kept as sent (in imports.file, in the cluster's map), a level or two inside what holds it: one as deep as a
   * request may be could not be written there, and a CB export goes a dozen levels deep.
   */
  private boolean tooDeep(JsonObject export) {
    int before = problems.size(); // the bot's own problems are not depth: the rest is read on to name them all
    for (Map.Entry<String, Object> key : export) {
      if (JsonNesting.deeperThan(key.getValue(), IntegrationDefinition.MAX_NESTING)) {
        problem(key.getKey(), "nests objects and arrays more than " + IntegrationDefinition.MAX_NESTING
          + " levels deep");
      }
    }
    return problems.size() > before;
  }

  /** The baseUrls prefixes that rewrote no webhook: a typo there sends the calls to the export's hosts, unsaid. */
  List<String> unusedBaseUrls() {
    return baseUrls.keySet().stream().filter(prefix -> !usedBaseUrls.contains(prefix)).toList();
  }

  CbBot bot() {
    Set<String> names = new HashSet<>();
    integrations.forEach(d -> names.add(d.name()));
    return new CbBot(botName, botId, globals, interactions, names);
  }

  String botName() {
    return botName;
  }

  private void problem(String where, String message) {
    problems.add(new Problem(where, message));
  }

  private void readBot(Object value) {
    if (!(value instanceof JsonObject bot)) {
      problem("bot", "is required: the object with the bot's name and id");
      return;
    }
    if (!(bot.getValue("name") instanceof String name) || name.isBlank()) {
      problem("bot.name", "is required (a non-empty string): the imported bot is known by it");
    } else if (name.length() > MAX_NAME) {
      problem("bot.name", "must be at most " + MAX_NAME + " characters");
    } else if (name.equals(".") || name.equals("..")) {
      problem("bot.name", "cannot be '" + name + "': GET and DELETE /api/bots/{bot} could never name the bot");
    } else if (name.chars().anyMatch(Character::isISOControl)) {
      problem("bot.name", "must not hold control characters such as a line break (the name goes into log lines, "
        + "where one would start a forged line)");
    } else if (SessionId.loneSurrogate(name) >= 0) {
      problem("bot.name", "must not hold a lone surrogate (at position " + (SessionId.loneSurrogate(name) + 1)
        + "): it has no UTF-8 form, so GET and DELETE /api/bots/{bot} could never name the bot");
    } else {
      botName = name;
    }
    Object id = bot.getValue("id");
    if (id != null && !(id instanceof String)) {
      problem("bot.id", "must be a string, not " + shown(id));
    }
    botId = id instanceof String text ? text : null;
  }

  private void readResponders(Object value) {
    if (value == null) {
      return;
    }
    if (!(value instanceof JsonArray responders)) {
      problem("responder", "must be an array of integrations");
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < responders.size(); i++) {
      String where = "responder[" + i + "]";
      if (!(responders.getValue(i) instanceof JsonObject r)) {
        problem(where, "must be an object");
        continue;
      }
      if (!(r.getValue("name") instanceof String name) || name.isBlank()) {
        problem(where + ".name", "is required: every responder needs a name");
        continue;
      }
      where = "responder '" + name + "'";
      if (!seen.add(name)) {
        problem(where, "is declared twice: responder names must be unique");
        continue;
      }
      Object type = r.getValue("integrationType");
      if (type != null && !"API".equals(type)) {
        skippedResponders.add(name);
        skipped.add(new Skipped("responder", name, "integrationType " + type + " is not an API call"
          + (String.valueOf(type).contains("KNOWLEDGE") ? " (knowledge bases are not imported)" : "")
          + ": botgate imports API integrations only"));
        continue;
      }
      readResponder(where, name, r);
    }
  }

  private void readResponder(String where, String name, JsonObject r) {
    JsonObject definition = new JsonObject().put("name", name);
    if (!(r.getValue("webhook") instanceof String webhook) || webhook.isBlank()) {
      problem(where + ".webhook", "is required: the URL the integration calls");
    } else {
      String url = rewrite(webhook);
      if (!url.equals(webhook)) {
        rewrittenFrom.put(name, webhook);
      }
      definition.put("url", url);
    }
    String given = text(where, r, "method");
    String method = given == null ? "GET" : given.toUpperCase(java.util.Locale.ROOT);
    definition.put("method", method);
    JsonObject headers = pairs(where + ".headers", r.getValue("headers"), true);
    for (String header : List.copyOf(headers.fieldNames())) {
      if (IntegrationDefinition.setByGateway(header)) { // CB sent it as the bot author wrote it; here it would refuse the bot
        headers.remove(header);
        skipped.add(new Skipped("header", name + "." + header, "the gateway sets " + header + " itself (the URL's "
          + "host, the body's framing, the connection's own): left out"));
      }
    }
    if (!headers.isEmpty()) {
      definition.put("headers", headers);
    }
    JsonObject fields = pairs(where + ".customDataFields", r.getValue("customDataFields"), false);
    if (!fields.isEmpty()) {
      definition.put("customDataFields", fields);
    }
    String rdv = text(where, r, "responseDataVariable");
    if (rdv != null) {
      definition.put("responseDataVariable", rdv);
    }
    readBody(where, name, method, headers, r.getValue("postBody"), definition);
    String transform = text(where, r, "transformResultsScript");
    envReads(where + ".transformResultsScript", transform);
    if (transform != null) {
      definition.put("transformScript", transform);
    }
    for (String key : CREDENTIAL_KEYS) {
      if (!isEmpty(r.getValue(key))) {
        skipped.add(new Skipped("credential", name, "the export holds no secrets: CB's credential (" + key + ") is "
          + "not imported; add the authentication to the integration yourself, e.g. a header with {$env.NAME}"));
        break;
      }
    }
    unreadKeys(where, r);
    unsetEnv(where, definition);
    try {
      integrations.add(IntegrationDefinition.fromJson(definition, null));
    } catch (DefinitionException e) {
      for (DefinitionException.Problem p : e.problems()) {
        boolean rewritten = p.field().equals("url") && rewrittenFrom.containsKey(name);
        problem(rewritten ? "baseUrls (rewriting " + where + ".webhook)" : where + "." + cbField(p.field()), p.message());
      }
    }
  }

  /**
   * A responder key botgate neither reads nor knows as CB's bookkeeping is left out, and said: it may hold part of
   * the call (a newer CB's field, a hand-edited export), which the integration would then make without.
   */
  private void unreadKeys(String where, JsonObject r) {
    for (String key : r.fieldNames()) {
      if (RESPONDER_KEYS.contains(key) || CREDENTIAL_KEYS.contains(key) || RESPONDER_BOOKKEEPING.contains(key)
        || isEmpty(r.getValue(key))) {
        continue;
      }
      warnings.add(new Warning(where + "." + key, "not a responder key botgate reads: left out"
        + Typos.closest(key, RESPONDER_KEYS).map(near -> " (did you mean '" + near + "'?)").orElse("")
        + "; the integration is made of " + String.join(", ", new java.util.TreeSet<>(RESPONDER_KEYS))
        + ", so check that it calls what CB's did"));
    }
  }

  /**
   * Each {@code {$env.NAME}} of the call (URL, headers, body) that has no value here, once a responder: CB's
   * environment is not part of the export, and without it every call of the integration ends "440".
   */
  private void unsetEnv(String where, JsonObject definition) {
    Map<String, String> first = new LinkedHashMap<>();
    scanEnv(where + ".webhook", definition.getValue("url"), first);
    JsonObject headers = definition.getJsonObject("headers", new JsonObject());
    headers.fieldNames().forEach(h -> scanEnv(where + ".headers." + h, headers.getValue(h), first));
    scanEnv(where + ".postBody", definition.getValue("body"), first);
    first.forEach((name, at) -> warnings.add(new Warning(at, "{$env." + name + "} has no value on this gateway "
      + "(neither the configuration's \"env\" object nor BOTGATE_ENV_" + name + " sets it): every call of the "
      + "integration ends \"440\" until it is set, as CB's environment is not part of the export")));
  }

  /**
   * Each {@code getEnvVariable('NAME')} of code, with the name written out, that has no value here: it answers null,
   * and the code goes on with it, without a word at run time.
   */
  private void envReads(String where, String code) {
    if (code == null) {
      return;
    }
    Set<String> named = new java.util.LinkedHashSet<>();
    java.util.regex.Matcher m = ENV_READ.matcher(code);
    while (m.find()) {
      if (!env.containsKey(m.group(2))) {
        named.add(m.group(2));
      }
    }
    named.forEach(name -> warnings.add(new Warning(where, "getEnvVariable('" + name + "') has no value on this "
      + "gateway (neither the configuration's \"env\" object nor BOTGATE_ENV_" + name + " sets it): it answers null "
      + "until it is set, as CB's environment is not part of the export")));
  }

  private void scanEnv(String where, Object text, Map<String, String> first) {
    if (text instanceof String s) {
      java.util.regex.Matcher m = ENV.matcher(s);
      while (m.find()) {
        if (!env.containsKey(m.group(1))) {
          first.putIfAbsent(m.group(1), where);
        }
      }
    }
  }

  /**
   * A responder's optional text field: null when absent, null or blank; another type is a problem (a POST read
   * as GET, a transform lost, without a word), and null.
   */
  private String text(String where, JsonObject r, String key) {
    Object value = r.getValue(key);
    if (value != null && !(value instanceof String)) {
      problem(where + "." + key, "must be a string");
      return null;
    }
    return value == null || ((String) value).isBlank() ? null : (String) value;
  }

  private void readBody(String where, String name, String method, JsonObject headers, Object value,
                        JsonObject definition) {
    if (value == null || value instanceof String s && s.isBlank()) {
      return;
    }
    if (!(value instanceof String body)) {
      problem(where + ".postBody", "must be a string");
      return;
    }
    if (BODYLESS.contains(method)) {
      skipped.add(new Skipped("postBody", name, "a " + method + " request carries no body"));
      return;
    }
    String type = headers.fieldNames().stream().filter(k -> k.equalsIgnoreCase("Content-Type"))
      .map(headers::getString).findFirst().orElse("application/json");
    if (type.toLowerCase(java.util.Locale.ROOT).contains("json")) {
      try {
        Json.decodeValue(PLACEHOLDER.matcher(body).replaceAll("1"));
      } catch (DecodeException e) {
        // without the token the parser stopped at: a key written into the body, the refusal would quote it
        problem(where + ".postBody", "is not valid JSON, placeholders aside: "
          + JsonText.withoutQuotedText(e.getMessage()));
        return;
      }
    }
    definition.put("body", body);
  }

  /**
   * CB's {@code [{"key", "value"}]} list as an object. A key given twice is a problem: the object keeps one value of
   * a name, and a definition one header of a name whatever its case.
   */
  private JsonObject pairs(String where, Object value, boolean headerNames) {
    JsonObject out = new JsonObject();
    if (value == null) {
      return out;
    }
    if (!(value instanceof JsonArray list)) {
      problem(where, "must be a list of {\"key\", \"value\"}");
      return out;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject pair) || !(pair.getValue("key") instanceof String key)
        || key.isBlank()) {
        problem(where + "[" + i + "]", "must be {\"key\": \"<name>\", \"value\": \"<text>\"} with a key");
        continue;
      }
      Object v = pair.getValue("value");
      if (v != null && !(v instanceof String)) {
        problem(where + "[" + i + "].value", "must be a string");
        continue;
      }
      if (!seen.add(headerNames ? key.toLowerCase(java.util.Locale.ROOT) : key)) {
        problem(where + "[" + i + "]", "'" + key + "' is declared twice" + (headerNames ? " (header names are "
          + "case-insensitive)" : "") + ": one of them would be lost");
        continue;
      }
      out.put(key, v == null ? "" : v);
    }
    return out;
  }

  private void readGlobals(Object value) {
    if (value == null) {
      return;
    }
    if (!(value instanceof JsonObject g) || g.getValue("methods") != null && !(g.getValue("methods") instanceof String)) {
      problem("globalFunctions", "must be {\"methods\": \"<JavaScript>\"}");
      return;
    }
    String methods = g.getString("methods");
    if (methods == null || methods.isBlank()) {
      return;
    }
    ScriptSyntax.check(methods, "globalFunctions").ifPresent(p -> problem("globalFunctions.methods", p.toString()));
    envReads("globalFunctions.methods", methods);
    globals = methods;
  }

  private void readInteractions(Object value) {
    if (value == null) {
      return;
    }
    if (!(value instanceof JsonArray list)) {
      problem("conversationMessage", "must be an array of interactions");
      return;
    }
    Map<String, String> names = new HashMap<>();
    for (Object o : list) {
      if (o instanceof JsonObject m && m.getValue("id") instanceof String id && m.getValue("name") instanceof String n) {
        names.put(id, n);
      }
    }
    Set<String> responders = new HashSet<>();
    integrations.forEach(d -> responders.add(d.name()));
    for (int i = 0; i < list.size(); i++) {
      String where = "conversationMessage[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject m)) {
        problem(where, "must be an object");
        continue;
      }
      if (!(m.getValue("name") instanceof String name) || name.isBlank()) {
        problem(where + ".name", "is required");
        continue;
      }
      readInteraction("interaction '" + name + "'", name, m, names, responders);
    }
  }

  private void readInteraction(String where, String name, JsonObject m, Map<String, String> names,
                               Set<String> responders) {
    Object typed = m.getValue("interactionType");
    if (typed != null && !(typed instanceof String)) {
      problem(where + ".interactionType", "must be a string such as \"TEXT\" or \"API_INTEGRATION\", not " + shown(typed));
      return;
    }
    String type = (String) typed;
    String pre = code(where, m, "preProcessMessage");
    String user = code(where, m, "processUserResponse");
    String post = code(where, m, "postProcessMessage");
    String integration = null;
    if ("API_INTEGRATION".equals(type)) {
      JsonObject content = m.getValue("content") instanceof JsonObject c ? c : new JsonObject();
      if (!(content.getValue("responderName") instanceof String responder) || responder.isBlank()) {
        problem(where + ".content.responderName", "is required for an API_INTEGRATION interaction");
        return;
      }
      if (skippedResponders.contains(responder)) {
        skipped.add(new Skipped("interaction", name, "it calls responder '" + responder + "', which is not imported"));
        return;
      }
      if (!responders.contains(responder) && problems.stream().noneMatch(p -> p.where().startsWith("responder '"
        + responder + "'"))) {
        problem(where + ".content.responderName", "'" + responder + "' is not a responder of this export");
        return;
      }
      integration = responder;
    } else if (pre == null && user == null && post == null) {
      skipped.add(new Skipped("interaction", name, "no code and no integration: nothing for botgate to run (its "
        + "messages and rules are CB's)"));
      return;
    }
    if (name.length() > MAX_NAME) {
      problem(where + ".name", "must be at most " + MAX_NAME + " characters, as a bot's name");
      return;
    }
    if (name.equals(".") || name.equals("..")) { // the router resolves them away before it matches a route
      problem(where + ".name", "cannot be '" + name + "': POST /api/sessions/{session}/bots/{bot}/interactions/{name} "
        + "could never name it");
      return;
    }
    if (interactions.containsKey(name)) {
      problem(where, "is declared twice: the names of interactions with code or an integration must be unique");
      return;
    }
    String id = m.getValue("id") instanceof String s ? s : null;
    String next = m.getValue("nextMessageId") instanceof String n ? names.getOrDefault(n, null) : null;
    Object delay = m.getValue("interactionDelay");
    if (delay instanceof Number n && !(n.doubleValue() >= 0 && n.doubleValue() <= MAX_DELAY_MS)) {
      problem(where + ".interactionDelay", "must be milliseconds from 0 to " + MAX_DELAY_MS + ", not " + n);
      return;
    }
    if (delay != null && !(delay instanceof Number) && !"".equals(delay) && delay(delay) == null) {
      // "" is what CB writes for none; anything else taken for none would drop a delay the bot has
      problem(where + ".interactionDelay", "must be milliseconds from 0 to " + MAX_DELAY_MS + ", a number, or its "
        + "digits in a string; not " + shown(delay));
      return;
    }
    interactions.put(name, new Interaction(id, name, type, integration, pre, user, post, next,
      rules(name, m.getValue("responseMatches"), names, next), delay(delay)));
  }

  /** The longest delay an interaction may declare, as nine digits in a string may write it: a script's own bound. */
  static final long MAX_DELAY_MS = BotContext.MAX_DELAY_MS;

  private String code(String where, JsonObject m, String key) {
    Object value = m.getValue(key);
    if (value == null || value instanceof String s && s.isBlank()) {
      return null;
    }
    if (!(value instanceof String code)) {
      problem(where + "." + key, "must be a string of JavaScript");
      return null;
    }
    ScriptSyntax.check(code, key).ifPresent(p -> problem(where + "." + key, p.toString()));
    envReads(where + "." + key, code);
    return code;
  }

  /**
   * CB's rules on an integration result ({@code API_RESULT} conditions, or none) leading to an interaction. The others
   * (patterns and intents need CB's NLU; context conditions and other actions botgate does not evaluate) are left out,
   * and listed under {@code skipped} once for the interaction, each with why: a bot that routes by them would otherwise
   * go to the interaction's next one without a word.
   */
  private List<Interaction.Rule> rules(String interaction, Object value, Map<String, String> names, String next) {
    List<Interaction.Rule> rules = new ArrayList<>();
    if (!(value instanceof JsonArray matches)) {
      return rules;
    }
    List<String> left = new ArrayList<>();
    for (int i = 0; i < matches.size(); i++) {
      String why = notFollowed(matches.getValue(i));
      if (why != null) {
        left.add("rule " + (i + 1) + (matches.getValue(i) instanceof JsonObject m && m.getValue("name") instanceof String n
          && !n.isBlank() ? " (" + ShownText.bounded(n, 40) + ")" : "") + " " + why);
        continue;
      }
      JsonObject match = matches.getJsonObject(i);
      JsonObject action = match.getJsonObject("action");
      String target = "next".equals(action.getValue("value")) ? next
        : action.getValue("value") instanceof String id ? names.getOrDefault(id, id) : null;
      String status = null;
      for (Object c : match.getValue("conditions") instanceof JsonArray conditions ? conditions : new JsonArray()) {
        status = ((JsonObject) c).getJsonObject("apiResultsMatch").getString("status");
      }
      rules.add(new Interaction.Rule(status, target));
    }
    if (!left.isEmpty()) {
      skipped.add(new Skipped("rules", interaction, left.size() + " of its " + matches.size() + " rules "
        + (left.size() == 1 ? "is" : "are") + " not followed (botgate follows rules on the API result, API_RESULT "
        + "SUCCESS or FAILURE, that go to an interaction; else the interaction's next one): "
        + String.join("; ", left.subList(0, Math.min(left.size(), 5))) + (left.size() > 5 ? "; …" : "")));
    }
    return rules;
  }

  /** Why botgate cannot follow a rule of CB's, or null when it can. */
  private static String notFollowed(Object rule) {
    if (!(rule instanceof JsonObject match)) {
      return "is not an object";
    }
    Object action = match.getValue("action") instanceof JsonObject a ? a.getValue("name") : null;
    if (!"INTERACTION".equals(action)) {
      return "does " + (action instanceof String name ? ShownText.bounded(name, 40) : "no action")
        + ", not go to an interaction";
    }
    if (match.getValue("contextConditions") instanceof JsonArray context && !context.isEmpty()) {
      return "has context conditions";
    }
    if (match.getValue("conditions") instanceof JsonArray conditions) {
      for (Object c : conditions) {
        if (!(c instanceof JsonObject condition && "API_RESULT".equals(condition.getValue("matchType"))
          && condition.getValue("apiResultsMatch") instanceof JsonObject result
          && result.getValue("status") instanceof String)) {
          Object type = c instanceof JsonObject condition ? condition.getValue("matchType") : null;
          return "matches " + (type instanceof String t ? ShownText.bounded(t, 40) : "a condition without an "
            + "API_RESULT status") + (type instanceof String t && !t.equals("API_RESULT") ? " (CB's NLU reads it)" : "");
        }
      }
    }
    return null;
  }

  /** A wrong value as JSON, cut short: what the author wrote, without a key-sized text quoted whole. */
  private static String shown(Object value) {
    return ShownText.bounded(io.vertx.core.json.Json.encode(value), 40);
  }

  private static Long delay(Object value) {
    if (value instanceof Number n) {
      return n.longValue();
    }
    if (value instanceof String s && s.matches("\\d{1,9}")) {
      return Long.parseLong(s);
    }
    return null;
  }

  /**
   * The longest {@code baseUrls} prefix the webhook starts with, replaced. A prefix ends where a host, port or
   * path segment does: {@code https://a.example.com} never matches {@code https://a.example.com.evil.net/x}.
   */
  private String rewrite(String webhook) {
    String best = null;
    for (String prefix : baseUrls.keySet()) {
      if (startsWithWhole(webhook, prefix) && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    if (best == null) {
      return webhook;
    }
    usedBaseUrls.add(best);
    return baseUrls.get(best) + webhook.substring(best.length());
  }

  private static boolean startsWithWhole(String webhook, String prefix) {
    return webhook.startsWith(prefix) && (prefix.endsWith("/") || webhook.length() == prefix.length()
      || "/?#".indexOf(webhook.charAt(prefix.length())) >= 0);
  }

  /** A definition field by the name the export gives it. */
  private static String cbField(String field) {
    return switch (field) {
      case "url" -> "webhook";
      case "body" -> "postBody";
      case "transformScript" -> "transformResultsScript";
      default -> field;
    };
  }

  private static boolean isEmpty(Object value) {
    return value == null || value instanceof JsonArray a && a.isEmpty() || value instanceof JsonObject o && o.isEmpty()
      || value instanceof String s && s.isEmpty();
  }
}
