package io.botgate.cb;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An imported CB bot: its name (CB's {@code bot.name}), id, global functions, runnable interactions by
 * name, and the integrations its import declared. Immutable; its JSON form carries all of it, so a bot
 * can be stored or sent to another node and rebuilt.
 */
public record CbBot(String name, String id, String globals, Map<String, Interaction> interactions,
                    Set<String> integrations) {

  public CbBot {
    interactions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(interactions));
    integrations = java.util.Collections.unmodifiableSet(new TreeSet<>(integrations));
  }

  /** The same bot without an integration (another import took the name over). */
  CbBot without(String integration) {
    Set<String> kept = new TreeSet<>(integrations);
    kept.remove(integration);
    return new CbBot(name, id, globals, interactions, kept);
  }

  /** The same bot with an integration its export declares back (the bot that took it over gave it up). */
  CbBot with(String integration) {
    Set<String> kept = new TreeSet<>(integrations);
    kept.add(integration);
    return new CbBot(name, id, globals, interactions, kept);
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    interactions.values().forEach(i -> list.add(i.toJson()));
    return new JsonObject().put("name", name).put("id", id).put("globalFunctions", globals)
      .put("interactions", list).put("integrations", new JsonArray(List.copyOf(integrations)));
  }

  /** The bot as listed: names and what each interaction does, without the code. */
  public JsonObject summary() {
    JsonArray list = new JsonArray();
    interactions.values().forEach(i -> list.add(new JsonObject().put("name", i.name()).put("type", i.type())
      .put("integration", i.integration()).put("code", new JsonArray(i.code())).put("next", i.next())));
    return new JsonObject().put("name", name).put("id", id).put("globalFunctions", globals != null)
      .put("interactions", list).put("integrations", new JsonArray(List.copyOf(integrations)));
  }

  public static CbBot fromJson(JsonObject json) {
    Map<String, Interaction> interactions = new LinkedHashMap<>();
    json.getJsonArray("interactions", new JsonArray()).forEach(i -> {
      Interaction interaction = Interaction.fromJson((JsonObject) i);
      interactions.put(interaction.name(), interaction);
    });
    Set<String> integrations = new TreeSet<>();
    json.getJsonArray("integrations", new JsonArray()).forEach(n -> integrations.add((String) n));
    return new CbBot(json.getString("name"), json.getString("id"), json.getString("globalFunctions"), interactions,
      integrations);
  }
}
