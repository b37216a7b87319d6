package io.botgate.cb.context;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import io.botgate.session.HeldBytes;
import io.vertx.core.json.JsonObject;

import java.io.Serial;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The Context Service's data in the cluster's maps, so every node reads and writes the same: namespaces
 * (with their TTL) in {@value #NAMESPACES}, and each bucket (the global data of a namespace, one user's or
 * one conversation's) as one entry of {@value #DATA}, its properties with their expiry, changed under the
 * entry's lock. An entry lives as long as its newest property (the map's own TTL); an expired property is
 * never read. {@code context.maxBytes} bounds what this node holds of the data.
 * Calls block on the cluster: callers run on workers (scripts, {@code /api/context}).
 */
public final class ClusteredContextStore implements ContextStore {

  public static final String NAMESPACES = "botgate.context.namespaces";
  public static final String DATA = "botgate.context.data";
  private static final long NO_TTL = -1;

  private final IMap<String, Long> namespaces;
  private final IMap<String, String> data;
  private final ContextOptions options;
  private final LongSupplier clock;

  public ClusteredContextStore(HazelcastInstance hazelcast, ContextOptions options, LongSupplier clock) {
    this.namespaces = hazelcast.getMap(NAMESPACES);
    this.data = hazelcast.getMap(DATA);
    this.options = options;
    this.clock = clock;
  }

  @Override
  public Outcome registerNamespace(String namespace, Long ttlSeconds) {
    if (!ContextStore.validNamespace(namespace, ttlSeconds)) {
      return Outcome.INVALID;
    }
    if (!namespaces.containsKey(namespace) && bytes() + LocalContextStore.NAMESPACE + namespace.length() > options.maxBytes()) {
      return Outcome.FULL;
    }
    namespaces.set(namespace, ttlSeconds == null || ttlSeconds <= 0 ? NO_TTL : ttlSeconds);
    return Outcome.DONE;
  }

  @Override
  public boolean deleteNamespace(String namespace) {
    if (namespaces.remove(namespace) == null) {
      return false;
    }
    data.removeAll(new InNamespace(namespace));
    return true;
  }

  /** The entries of one namespace, chosen on the nodes holding them. */
  private record InNamespace(String namespace) implements Predicate<String, String> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public boolean apply(Map.Entry<String, String> entry) {
      return entry.getKey().startsWith(namespace + '\u0000');
    }
  }

  @Override
  public Map<String, Long> namespaces() {
    Map<String, Long> out = new TreeMap<>();
    namespaces.forEach((name, ttl) -> out.put(name, ttl == NO_TTL ? null : ttl));
    return out;
  }

  @Override
  public Outcome set(Scope scope, String namespace, String owner, String property, Object value) {
    Long ttl = namespaces.get(namespace);
    if (ttl == null) {
      return Outcome.UNKNOWN_NAMESPACE;
    }
    if (value == null) {
      return delete(scope, namespace, owner, property);
    }
    String key = key(namespace, scope, owner);
    long cost = LocalContextStore.ENTRY + key.length() + property.length() + HeldBytes.of(value);
    if (bytes() + cost > options.maxBytes()) {
      return Outcome.FULL;
    }
    long expiresAt = ContextStore.expiresAt(clock.getAsLong(), ttl == NO_TTL ? null : ttl);
    return change(key, bucket -> bucket.put(property, new JsonObject().put("v", value).put("exp", expiresAt)));
  }

  @Override
  public Object get(Scope scope, String namespace, String owner, String property) {
    JsonObject entry = live(read(key(namespace, scope, owner))).getJsonObject(property);
    return entry == null ? null : entry.getValue("v");
  }

  @Override
  public Map<String, Object> all(Scope scope, String namespace, String owner) {
    if (!namespaces.containsKey(namespace)) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    live(read(key(namespace, scope, owner))).forEach(e -> out.put(e.getKey(), ((JsonObject) e.getValue()).getValue("v")));
    return out;
  }

  @Override
  public Outcome delete(Scope scope, String namespace, String owner, String property) {
    if (!namespaces.containsKey(namespace)) {
      return Outcome.UNKNOWN_NAMESPACE;
    }
    return change(key(namespace, scope, owner), bucket -> bucket.remove(property));
  }

  @Override
  public Outcome deleteAll(Scope scope, String namespace, String owner) {
    if (!namespaces.containsKey(namespace)) {
      return Outcome.UNKNOWN_NAMESPACE;
    }
    data.delete(key(namespace, scope, owner));
    return Outcome.DONE;
  }

  /** What this node holds of the data, as Hazelcast counts it. */
  @Override
  public long bytes() {
    return data.getLocalMapStats().getOwnedEntryMemoryCost() + namespaces.getLocalMapStats().getOwnedEntryMemoryCost();
  }

  /** The map drops a bucket once its newest property expired; expired properties are dropped at the next write. */
  @Override
  public void expire() {
  }

  /** Changes one bucket under its lock, so writes from several nodes at once lose nothing. */
  private Outcome change(String key, Consumer<JsonObject> edit) {
    data.lock(key);
    try {
      JsonObject bucket = live(read(key));
      edit.accept(bucket);
      if (bucket.isEmpty()) {
        data.delete(key);
        return Outcome.DONE;
      }
      long last = 0;
      for (Map.Entry<String, Object> e : bucket) {
        last = Math.max(last, ((JsonObject) e.getValue()).getLong("exp"));
      }
      if (last == Long.MAX_VALUE) {
        data.set(key, bucket.encode());
      } else {
        data.set(key, bucket.encode(), Math.max(1, last - clock.getAsLong()), TimeUnit.MILLISECONDS);
      }
      return Outcome.DONE;
    } finally {
      data.unlock(key);
    }
  }

  private JsonObject read(String key) {
    String text = data.get(key);
    return text == null ? new JsonObject() : new JsonObject(text);
  }

  /** The bucket without its expired properties. */
  private JsonObject live(JsonObject bucket) {
    long now = clock.getAsLong();
    bucket.getMap().entrySet().removeIf(e -> expiry(e.getValue()) <= now);
    return bucket;
  }

  /** A property's expiry: decoded JSON holds it as a map, a property just set as a JsonObject. */
  private static long expiry(Object property) {
    Object exp = property instanceof JsonObject json ? json.getValue("exp") : ((Map<?, ?>) property).get("exp");
    return ((Number) exp).longValue();
  }

  private static String key(String namespace, Scope scope, String owner) {
    return namespace + '\u0000' + switch (scope) {
      case GLOBAL -> "g";
      case USER -> "u:" + owner;
      case CONVERSATION -> "c:" + owner;
    };
  }
}
