package io.botgate.cb;

import io.botgate.GatewayError;
import io.botgate.JsonFields;
import io.botgate.integration.DefinitionMask;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.IntegrationRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Imports CB bot exports ({@code POST /api/import/cb}, {@code imports.cb}): all or nothing. The export's
 * integrations join the gateway's; a name already declared by something else than this bot's previous
 * import is refused unless {@code replace}; re-importing a bot replaces it, integrations it no longer
 * declares included. Its interactions and global functions stay the bot's own ({@link BotRegistry}).
 * <p>
 * An integration is a bot's while the bot is imported: {@code PUT} and {@code DELETE} leave it alone. When
 * the bot gives a name up (it is deleted, or imported again without it) the name goes back to what a restart
 * would make of it, since a restart replays the integrations file, then the imports in the order they were
 * last made: the latest other bot that declares it, else the file's definition the imports replaced, else
 * nothing.
 */
public final class CbImporter {

  private static final Set<String> KNOWN = Set.of("export", "baseUrls", "replace");

  private final IntegrationRegistry integrations;
  private final BotRegistry bots;
  private final DefinitionMask mask;
  /** The values of {@code {$env.NAME}}: an imported integration using one without a value is warned about. */
  private final Map<String, String> env;
  /** Each imported bot's integrations as its export declared them, by bot in import order (last: latest). */
  private final Map<String, Map<String, IntegrationDefinition>> declared = new LinkedHashMap<>();
  /** The definitions (integrations file, PUT) imports replaced, by name: back once no bot declares the name. */
  private final Map<String, IntegrationDefinition> replaced = new HashMap<>();

  /**
   * @param mask how the answer shows each integration's URL: as {@code GET /api/integrations} does
   * @param env  the values {@code {$env.NAME}} takes on this gateway (the configuration's {@code env})
   */
  public CbImporter(IntegrationRegistry integrations, BotRegistry bots, DefinitionMask mask, Map<String, String> env) {
    this.integrations = integrations;
    this.bots = bots;
    this.mask = mask;
    this.env = Map.copyOf(env);
  }

  /** What an import did, and whether the bot was new. */
  public record Imported(JsonObject answer, boolean created) {
  }

  /** An import checked and not applied yet ({@link #check}); {@link #install} applies it. */
  public static final class Checked {
    private final CbExport export;
    private volatile Imported imported;

    private Checked(CbExport export) {
      this.export = export;
    }

    /** The bot's name: what the import is kept under. */
    public String bot() {
      return export.botName();
    }

    /** What installing it did; null before it was installed. */
    public Imported imported() {
      return imported;
    }
  }

  /**
   * Imports {@code {"export", "baseUrls"?, "replace"?}}.
   *
   * @throws GatewayError 400 {@code invalid_export} listing every problem, or 409 {@code integration_conflict}
   *                      when the only problems are names already taken; nothing is imported then
   */
  public synchronized Imported importExport(JsonObject request) {
    return install(check(request));
  }

  /**
   * Checks {@code {"export", "baseUrls"?, "replace"?}} against the gateway's integrations, changing nothing.
   *
   * @throws GatewayError as {@link #importExport} does
   */
  public synchronized Checked check(JsonObject request) {
    if (request == null) {
      throw GatewayError.badRequest("invalid_request", "the body must be {\"export\": <the bot export>, "
        + "\"baseUrls\": {...}, \"replace\": false}");
    }
    if (!request.containsKey("export") && request.containsKey("bot")) {
      throw GatewayError.badRequest("invalid_request", "send the bot export under \"export\": {\"export\": "
        + "<the JSON CB exported>, \"baseUrls\": {...}}");
    }
    JsonFields.onlyKnown(request, KNOWN);
    Map<String, String> baseUrls = baseUrls(request.getValue("baseUrls"));
    Object replaceFlag = request.getValue("replace");
    if (replaceFlag != null && !(replaceFlag instanceof Boolean)) {
      throw GatewayError.badRequest("invalid_request", "'replace' must be true or false");
    }
    boolean replace = Boolean.TRUE.equals(replaceFlag);
    CbExport export = CbExport.read(request.getValue("export"), baseUrls, env);
    List<CbExport.Problem> problems = new ArrayList<>(export.problems);
    boolean onlyConflicts = problems.isEmpty();
    if (!replace) {
      for (IntegrationDefinition d : export.integrations) {
        conflict(d.name(), export.botName()).ifPresent(by -> problems.add(new CbExport.Problem("responder '"
          + d.name() + "'", "an integration named '" + d.name() + "' is already declared " + by
          + "; import with \"replace\": true to replace it")));
      }
    }
    if (!problems.isEmpty()) {
      JsonArray list = new JsonArray();
      problems.forEach(p -> list.add(p.toJson()));
      String what = "the export of bot " + (export.botName() == null ? "?" : "'" + export.botName() + "'")
        + " was not imported (nothing of it was): " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s");
      throw onlyConflicts ? new GatewayError(409, "integration_conflict", what, new JsonObject().put("problems", list))
        : new GatewayError(400, "invalid_export", what, new JsonObject().put("problems", list));
    }
    return new Checked(export);
  }

  /**
   * Applies a checked import: the bot and its integrations replace a previous import of the same bot, so
   * installing the same import again changes nothing.
   */
  public synchronized Imported install(Checked checked) {
    Optional<CbBot> previous = bots.find(checked.bot());
    checked.imported = new Imported(apply(checked.export, previous.orElse(null)), previous.isEmpty());
    return checked.imported;
  }

  /**
   * Imports a file listed in {@code imports.cb}: a CB export as CB writes it, or an import request
   * ({@code {"export", "baseUrls", "replace"}}).
   *
   * @throws IllegalArgumentException naming the file and every problem
   */
  public JsonObject importFile(String path, String text) {
    try {
      Object json = io.botgate.JsonText.decode(io.vertx.core.buffer.Buffer.buffer(text));
      JsonObject request = json instanceof JsonObject o && !o.containsKey("export") ? new JsonObject().put("export", o)
        : json instanceof JsonObject o ? o : new JsonObject().put("export", json);
      return importExport(request).answer();
    } catch (io.vertx.core.json.DecodeException e) {
      throw new IllegalArgumentException("imports.cb: " + path + " is not valid JSON: " + e.getMessage());
    } catch (GatewayError e) {
      JsonObject error = e.toJson().getJsonObject("error");
      throw new IllegalArgumentException("imports.cb: " + path + ": " + e.getMessage()
        + (error.containsKey("problems") ? " " + error.getJsonArray("problems").encode() : ""));
    }
  }

  /**
   * Forgets an imported bot; each of its integrations goes back to what it had replaced (see the class).
   *
   * @return false when there is no bot of that name
   */
  public synchronized boolean remove(String bot) {
    declared.remove(bot);
    Optional<CbBot> gone = bots.find(bot);
    gone.ifPresent(b -> {
      bots.remove(bot);
      b.integrations().forEach(this::release);
    });
    return gone.isPresent();
  }

  /**
   * Installs a definition of the integrations file (a PUT, a DELETE when null) on this node: under a bot's
   * integration of the same name, if there is one, so that it is back once the bot gives the name up.
   */
  public synchronized void installPlain(String name, IntegrationDefinition definition) {
    if (bots.owner(name).isEmpty()) {
      integrations.install(name, definition);
    } else if (definition == null) {
      replaced.remove(name);
    } else {
      replaced.put(name, definition);
    }
  }

  /** The definitions imports replaced: each is back once no bot declares its name. */
  public synchronized List<IntegrationDefinition> setAside() {
    return List.copyOf(replaced.values());
  }

  /** The imported bot an integration belongs to, if any: PUT and DELETE refuse to change it. */
  public Optional<String> owner(String integration) {
    return bots.owner(integration).map(CbBot::name);
  }

  /**
   * A name its bot gave up goes to the latest other bot that declares it, else back to the definition the
   * imports replaced, else away.
   *
   * @return whether the gateway has no integration of that name any more
   */
  private boolean release(String name) {
    List<String> latestFirst = new ArrayList<>(declared.keySet());
    java.util.Collections.reverse(latestFirst);
    for (String other : latestFirst) {
      IntegrationDefinition definition = declared.get(other).get(name);
      Optional<CbBot> bot = bots.find(other);
      if (definition != null && bot.isPresent()) {
        integrations.put(definition);
        bots.put(bot.get().with(name));
        return false;
      }
    }
    IntegrationDefinition before = replaced.remove(name);
    if (before != null) {
      integrations.put(before);
      return false;
    }
    return integrations.remove(name);
  }

  /** Who declared the integration, when it is not this bot's own previous import; empty when free. */
  private Optional<String> conflict(String name, String bot) {
    if (integrations.find(name).isEmpty()) {
      return Optional.empty();
    }
    Optional<CbBot> owner = bots.owner(name);
    if (owner.isPresent()) {
      return owner.get().name().equals(bot) ? Optional.empty() : Optional.of("by bot '" + owner.get().name() + "'");
    }
    return Optional.of("(integrations file or PUT /api/integrations)");
  }

  private JsonObject apply(CbExport export, CbBot previous) {
    CbBot bot = export.bot();
    Map<String, IntegrationDefinition> declares = new LinkedHashMap<>();
    export.integrations.forEach(d -> declares.put(d.name(), d));
    declared.remove(bot.name()); // the latest import goes last, as in imports.file
    declared.put(bot.name(), declares);
    JsonArray removed = new JsonArray();
    if (previous != null) {
      for (String name : previous.integrations()) {
        if (!bot.integrations().contains(name) && release(name)) {
          removed.add(name);
        }
      }
    }
    JsonArray imported = new JsonArray();
    for (IntegrationDefinition d : export.integrations) {
      Optional<CbBot> owner = bots.owner(d.name()).filter(other -> !other.name().equals(bot.name()));
      if (owner.isPresent()) {
        bots.put(owner.get().without(d.name()));
      } else if (previous == null || !previous.integrations().contains(d.name())) {
        integrations.find(d.name()).ifPresent(plain -> replaced.put(d.name(), plain));
      }
      integrations.put(d);
      JsonObject json = d.toJson();
      JsonObject row = new JsonObject().put("name", d.name()).put("method", json.getString("method"))
        .put("url", mask.url(json.getString("url")));
      if (export.rewrittenFrom.containsKey(d.name())) {
        row.put("rewrittenFrom", mask.url(export.rewrittenFrom.get(d.name())));
      }
      imported.add(row);
    }
    bots.put(bot);
    JsonArray skipped = new JsonArray();
    export.skipped.forEach(s -> skipped.add(s.toJson()));
    JsonArray warnings = new JsonArray();
    export.warnings.forEach(w -> warnings.add(w.toJson()));
    for (String prefix : export.unusedBaseUrls()) { // shown as URLs are: user info masked
      warnings.add(new CbExport.Warning("baseUrls", "'" + io.botgate.ShownText.bounded(mask.url(prefix), 200)
        + "' rewrote no webhook: no API responder's starts with it up to a host, port or path boundary").toJson());
    }
    return new JsonObject().put("bot", bot.name()).put("botId", bot.id()).put("replaced", previous != null)
      .put("integrations", imported)
      .put("globalFunctions", bot.globals() != null)
      .put("interactions", bot.summary().getJsonArray("interactions"))
      .put("removedIntegrations", removed)
      .put("skipped", skipped)
      .put("warnings", warnings);
  }

  private static Map<String, String> baseUrls(Object value) {
    Map<String, String> out = new LinkedHashMap<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof JsonObject map)) {
      throw GatewayError.badRequest("invalid_request", "'baseUrls' must be an object of old URL prefix to new one");
    }
    for (String prefix : map.fieldNames()) {
      if (!(map.getValue(prefix) instanceof String target) || prefix.isEmpty()) {
        throw GatewayError.badRequest("invalid_request", "'baseUrls' must map URL prefixes to URL prefixes (strings); '"
          + prefix + "' does not");
      }
      out.put(prefix, target);
    }
    return out;
  }
}
