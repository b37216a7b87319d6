package io.botgate.cb.context;

import io.botgate.session.HeldBytes;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The context data of one node, in memory, bounded by {@code context.maxBytes}: a write that would pass
 * the bound is refused ({@link Outcome#FULL}), never an OutOfMemoryError. Expired properties are never
 * read; {@link #expire()} gives their bytes back. One lock: every call is a few map operations.
 */
public final class LocalContextStore implements ContextStore {

  /**
   * What a property costs beyond its name's characters and its value: its entry in the bucket's ordered map and
   * that map's slot, the name's String and array, the record with its expiry. Measured: 135 bytes of heap for a
   * property of a 7-character name holding a number (charged 20).
   */
  static final int ENTRY = 108;
  /**
   * What a bucket (one owner's data in a namespace) costs beyond its key's characters: its ordered map and table,
   * its entry in the namespace's map, the key's String. One property a conversation took 325 bytes of heap where
   * 78 were charged, so that {@code context.maxBytes} let the service hold four times its bytes.
   */
  static final int BUCKET = 190;
  /** A namespace: its entry, its record, its (empty) map of buckets, its name's String (measured 180 for 6 characters). */
  static final int NAMESPACE = 170;
  private static final long SWEEP_GAP_MILLIS = 1000;

  private final ContextOptions options;
  private final LongSupplier clock;
  private final Map<String, Namespace> namespaces = new HashMap<>();
  private long bytes;
  /** When a refused write last gave back what expired; at most one such sweep a second. */
  private long lastSweep = Long.MIN_VALUE / 2;

  public LocalContextStore(ContextOptions options, LongSupplier clock) {
    this.options = options;
    this.clock = clock;
  }

  public LocalContextStore(ContextOptions options) {
    this(options, System::currentTimeMillis);
  }

  private static final class Namespace {
    Long ttlSeconds;
    /** By scope and owner, then property. */
    final Map<String, Map<String, Entry>> buckets = new HashMap<>();
  }

  private record Entry(Object value, long expiresAt, long bytes) {
  }

  @Override
  public synchronized Outcome registerNamespace(String namespace, Long ttlSeconds) {
    if (!ContextStore.validNamespace(namespace, ttlSeconds)) {
      return Outcome.INVALID;
    }
    Namespace ns = namespaces.get(namespace);
    if (ns == null) {
      long cost = NAMESPACE + namespace.length();
      if (!fits(cost, clock.getAsLong())) {
        return Outcome.FULL;
      }
      ns = new Namespace();
      namespaces.put(namespace, ns);
      bytes += cost;
    } else if (ttlSeconds == null) {
      return Outcome.DONE;
    }
    ns.ttlSeconds = ttlSeconds == null || ttlSeconds <= 0 ? null : ttlSeconds;
    return Outcome.DONE;
  }

  @Override
  public synchronized boolean deleteNamespace(String namespace) {
    Namespace ns = namespaces.remove(namespace);
    if (ns == null) {
      return false;
    }
    bytes -= NAMESPACE + namespace.length();
    ns.buckets.forEach((key, bucket) -> {
      bytes -= bucketCost(key);
      bucket.values().forEach(e -> bytes -= e.bytes());
    });
    return true;
  }

  @Override
  public synchronized Map<String, Long> namespaces() {
    Map<String, Long> out = new TreeMap<>();
    namespaces.forEach((name, ns) -> out.put(name, ns.ttlSeconds));
    return out;
  }

  @Override
  public synchronized Outcome set(Scope scope, String namespace, String owner, String property, Object value) {
    Namespace ns = namespaces.get(namespace);
    if (ns == null) {
      return Outcome.UNKNOWN_NAMESPACE;
    }
    if (value == null) {
      return delete(scope, namespace, owner, property);
    }
    String key = bucket(scope, owner);
    Map<String, Entry> bucket = ns.buckets.get(key);
    Entry old = bucket == null ? null : bucket.get(property);
    long cost = ENTRY + property.length() + HeldBytes.of(value);
    long now = clock.getAsLong(); // one reading: what counts as expired here is what a sweep gives back
    long more = cost - (old == null || old.expiresAt() <= now ? 0 : old.bytes()) + (bucket == null ? bucketCost(key) : 0);
    if (!fits(more, now)) {
      return Outcome.FULL;
    }
    if (bucket != null && ns.buckets.get(key) == null) { // the sweep took the bucket (all of it had expired)
      bucket = null;
      if (!fits(cost + bucketCost(key), now)) {
        return Outcome.FULL;
      }
    }
    if (bucket == null) {
      bucket = new LinkedHashMap<>();
      ns.buckets.put(key, bucket);
      bytes += bucketCost(key);
    }
    old = bucket.put(property, new Entry(value, ContextStore.expiresAt(now, ns.ttlSeconds), cost));
    bytes += cost - (old == null ? 0 : old.bytes());
    return Outcome.DONE;
  }

  @Override
  public synchronized Object get(Scope scope, String namespace, String owner, String property) {
    Namespace ns = namespaces.get(namespace);
    Map<String, Entry> bucket = ns == null ? null : ns.buckets.get(bucket(scope, owner));
    Entry e = bucket == null ? null : bucket.get(property);
    return e == null || e.expiresAt() <= clock.getAsLong() ? null : e.value();
  }

  @Override
  public synchronized Map<String, Object> all(Scope scope, String namespace, String owner) {
    Namespace ns = namespaces.get(namespace);
    if (ns == null) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Entry> bucket = ns.buckets.get(bucket(scope, owner));
    long now = clock.getAsLong();
    if (bucket != null) {
      bucket.forEach((property, e) -> {
        if (e.expiresAt() > now) {
          out.put(property, e.value());
        }
      });
    }
    return out;
  }

  @Override
  public synchronized Outcome delete(Scope scope, String namespace, String owner, String property) {
    Namespace ns = namespaces.get(namespace);
    if (ns == null) {
      return Outcome.UNKNOWN_NAMESPACE;
    }
    String key = bucket(scope, owner);
    Map<String, Entry> bucket = ns.buckets.get(key);
    Entry old = bucket == null ? null : bucket.remove(property);
    if (old != null) {
      bytes -= old.bytes();
      if (bucket.isEmpty()) {
        ns.buckets.remove(key);
        bytes -= bucketCost(key);
      }
    }
    return Outcome.DONE;
  }

  @Override
  public synchronized Outcome deleteAll(Scope scope, String namespace, String owner) {
    Namespace ns = namespaces.get(namespace);
    if (ns == null) {
      return Outcome.UNKNOWN_NAMESPACE;
    }
    String key = bucket(scope, owner);
    Map<String, Entry> bucket = ns.buckets.remove(key);
    if (bucket != null) {
      bytes -= bucketCost(key);
      bucket.values().forEach(e -> bytes -= e.bytes());
    }
    return Outcome.DONE;
  }

  @Override
  public synchronized long bytes() {
    return bytes;
  }

  @Override
  public synchronized void expire() {
    expire(clock.getAsLong());
  }

  private void expire(long now) {
    for (Namespace ns : namespaces.values()) {
      for (Iterator<Map.Entry<String, Map<String, Entry>>> buckets = ns.buckets.entrySet().iterator();
           buckets.hasNext(); ) {
        Map.Entry<String, Map<String, Entry>> held = buckets.next();
        Map<String, Entry> bucket = held.getValue();
        for (Iterator<Entry> entries = bucket.values().iterator(); entries.hasNext(); ) {
          Entry e = entries.next();
          if (e.expiresAt() <= now) {
            bytes -= e.bytes();
            entries.remove();
          }
        }
        if (bucket.isEmpty()) {
          buckets.remove();
          bytes -= bucketCost(held.getKey());
        }
      }
    }
  }

  /**
   * Whether {@code more} bytes fit within {@code context.maxBytes}; when they do not, what expired is given back
   * first (otherwise held until the next sweep), so data nobody can read any more never fills the service.
   */
  private boolean fits(long more, long now) {
    if (bytes + more <= options.maxBytes()) {
      return true;
    }
    if (now - lastSweep < SWEEP_GAP_MILLIS) {
      return false; // a store full of live data is not walked on every refused write
    }
    lastSweep = now;
    expire(now);
    return bytes + more <= options.maxBytes();
  }

  private static long bucketCost(String key) {
    return BUCKET + key.length();
  }

  /** The bucket of a scope and owner: "g", "u:<user>" or "c:<session>". */
  private static String bucket(Scope scope, String owner) {
    return switch (scope) {
      case GLOBAL -> "g";
      case USER -> "u:" + owner;
      case CONVERSATION -> "c:" + owner;
    };
  }
}
