package io.botgate.cb.context;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.flakeidgen.FlakeIdGenerator;
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
 * (each registration with its TTL and an id of its own) in {@value #NAMESPACES}, and each bucket (the global data
 * of a namespace, one user's or one conversation's) as one entry of {@value #DATA}, keyed by the registration's id,
 * its properties with their expiry, changed under the entry's lock. An entry lives as long as its newest property
 * (the map's own TTL); an expired property is never read. {@code context.maxBytes} bounds what this node holds of
 * the data. Calls block on the cluster: callers run on workers (scripts, {@code /api/context}).
 *
 * <p>Every read goes through the namespace's registration, so once {@link #deleteNamespace} is done no value of the
 * deleted registration is read again, not even one whose write raced the deletion (it read the registration before
 * the deletion and wrote after its sweep): that write finds the registration gone or another one when it checks
 * after writing, and takes its bucket away again.
 */
public final class ClusteredContextStore implements ContextStore {

  /**
   * Named anew when its values became registrations (JSON text) rather than a TTL (a Long): a member of an earlier
   * build reading one would fail, where under another name it only misses the other build's namespaces.
   */
  public static final String NAMESPACES = "botgate.context.registrations";
  public static final String DATA = "botgate.context.data";
  private static final long NO_TTL = -1;

  private final IMap<String, String> namespaces;
  private final IMap<String, String> data;
  private final FlakeIdGenerator ids;
  private final ContextOptions options;
  private final LongSupplier clock;

  public ClusteredContextStore(HazelcastInstance hazelcast, ContextOptions options, LongSupplier clock) {
    this.namespaces = hazelcast.getMap(NAMESPACES);
    this.data = hazelcast.getMap(DATA);
    this.ids = hazelcast.getFlakeIdGenerator(NAMESPACES);
    this.options = options;
    this.clock = clock;
  }

  /**
   * One registration of a namespace: its time to live ({@link #NO_TTL} for none) and an id unique in the cluster,
   * which keys its data, so that data written for a registration since deleted is never another's.
   */
  private record Registration(long ttl, String id) {

    static Registration of(String text) {
      if (text == null) {
        return null;
      }
      JsonObject json = new JsonObject(text);
      return new Registration(json.getLong("ttl"), json.getString("id"));
    }

    String encode() {
      return new JsonObject().put("ttl", ttl).put("id", id).encode();
    }

    Long ttlSeconds() {
      return ttl == NO_TTL ? null : ttl;
    }

    /** What every key of this registration's data begins with. */
    String prefix(String namespace) {
      return namespace + '\u0000' + id + '\u0000';
    }
  }

  private Registration registration(String namespace) {
    return Registration.of(namespaces.get(namespace));
  }

  @Override
  public Outcome registerNamespace(String namespace, Long ttlSeconds) {
    if (!ContextStore.validNamespace(namespace, ttlSeconds)) {
      return Outcome.INVALID;
    }
    long ttl = ttlSeconds == null || ttlSeconds <= 0 ? NO_TTL : ttlSeconds;
    namespaces.lock(namespace); // a registration and a deletion of one namespace never interleave
    try {
      Registration held = registration(namespace);
      if (held == null) {
        if (bytes() + LocalContextStore.NAMESPACE + namespace.length() > options.maxBytes()) {
          return Outcome.FULL;
        }
        namespaces.set(namespace, new Registration(ttl, Long.toString(ids.newId(), 36)).encode());
      } else if (ttlSeconds != null) {
        namespaces.set(namespace, new Registration(ttl, held.id()).encode());
      }
      return Outcome.DONE;
    } finally {
      namespaces.unlock(namespace);
    }
  }

  @Override
  public boolean deleteNamespace(String namespace) {
    namespaces.lock(namespace);
    try {
      Registration removed = Registration.of(namespaces.remove(namespace));
      if (removed == null) {
        return false;
      }
      data.removeAll(new Prefixed(removed.prefix(namespace)));
      return true;
    } finally {
      namespaces.unlock(namespace);
    }
  }

  /** The entries of one registration, chosen on the nodes holding them. */
  private record Prefixed(String prefix) implements Predicate<String, String> {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public boolean apply(Map.Entry<String, String> entry) {
      return entry.getKey().startsWith(prefix);
    }
  }

  @Override
  public Map<String, Long> namespaces() {
    Map<String, Long> out = new TreeMap<>();
    namespaces.forEach((name, registration) -> out.put(name, Registration.of(registration).ttlSeconds()));
    return out;
  }

  @Override
  public Outcome set(Scope scope, String namespace, String owner, String property, Object value) {
    Registration registration = registration(namespace);
    if (registration == null) {
      return Outcome.UNKNOWN_NAMESPACE;
    }
    if (value == null) {
      return delete(scope, namespace, owner, property);
    }
    String key = key(namespace, registration, scope, owner);
    long cost = LocalContextStore.ENTRY + key.length() + property.length() + HeldBytes.of(value);
    if (bytes() + cost > options.maxBytes()) {
      return Outcome.FULL;
    }
    long expiresAt = ContextStore.expiresAt(clock.getAsLong(), registration.ttlSeconds());
    change(key, bucket -> bucket.put(property, new JsonObject().put("v", value).put("exp", expiresAt)));
    Registration now = registration(namespace);
    if (now == null || !now.id().equals(registration.id())) {
      // deleted while this wrote, after its sweep: nothing reads this bucket any more, and it goes too
      data.delete(key);
      return Outcome.UNKNOWN_NAMESPACE;
    }
    return Outcome.DONE;
  }

  @Override
  public Object get(Scope scope, String namespace, String owner, String property) {
    Registration registration = registration(namespace);
    if (registration == null) {
      return null;
    }
    JsonObject entry = live(read(key(namespace, registration, scope, owner))).getJsonObject(property);
    return entry == null ? null : entry.getValue("v");
  }

  @Override
  public Map<String, Object> all(Scope scope, String namespace, String owner) {
    Registration registration = registration(namespace);
    if (registration == null) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    live(read(key(namespace, registration, scope, owner)))
      .forEach(e -> out.put(e.getKey(), ((JsonObject) e.getValue()).getValue("v")));
    return out;
  }

  /**
   * A removal racing the namespace's deletion can only write back what a racing {@link #set} wrote, and that set
   * takes its bucket away again.
   */
  @Override
  public Outcome delete(Scope scope, String namespace, String owner, String property) {
    Registration registration = registration(namespace);
    if (registration == null) {
      return Outcome.UNKNOWN_NAMESPACE;
    }
    return change(key(namespace, registration, scope, owner), bucket -> bucket.remove(property));
  }

  @Override
  public Outcome deleteAll(Scope scope, String namespace, String owner) {
    Registration registration = registration(namespace);
    if (registration == null) {
      return Outcome.UNKNOWN_NAMESPACE;
    }
    data.delete(key(namespace, registration, scope, owner));
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

  private static String key(String namespace, Registration registration, Scope scope, String owner) {
    return registration.prefix(namespace) + switch (scope) {
      case GLOBAL -> "g";
      case USER -> "u:" + owner;
      case CONVERSATION -> "c:" + owner;
    };
  }
}
