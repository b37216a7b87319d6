package io.botgate.cb;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The imported CB bots of this gateway, by name: the one place their definitions are kept, so that a
 * clustered gateway can replicate them (as {@link CbBot#toJson()}) and {@link #load} them on another node.
 */
public final class BotRegistry {

  private final Map<String, CbBot> byName = new ConcurrentSkipListMap<>();

  /** Replaces every bot by the ones given as JSON (as {@link #toJson()} writes them). */
  public synchronized void load(JsonArray bots) {
    Map<String, CbBot> loaded = new ConcurrentSkipListMap<>();
    bots.forEach(b -> {
      CbBot bot = CbBot.fromJson((JsonObject) b);
      loaded.put(bot.name(), bot);
    });
    byName.clear();
    byName.putAll(loaded);
  }

  public void put(CbBot bot) {
    byName.put(bot.name(), bot);
  }

  public Optional<CbBot> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public boolean remove(String name) {
    return byName.remove(name) != null;
  }

  public Collection<CbBot> all() {
    return byName.values();
  }

  /** The bot whose import declared the integration, if any. */
  public Optional<CbBot> owner(String integration) {
    return byName.values().stream().filter(b -> b.integrations().contains(integration)).findFirst();
  }

  public JsonArray toJson() {
    JsonArray out = new JsonArray();
    byName.values().forEach(b -> out.add(b.toJson()));
    return out;
  }
}
