package io.botgate.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.botgate.GatewayError;
import io.botgate.JsonText;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.listener.EntryMergedListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Lock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The definitions of one kind (integrations; credentials and imported bots can plug in the same way), kept
 * alike on every node and in every node's file, so a change made through any node applies everywhere and
 * survives a restart.
 * <p>
 * A change is written to this node's file first (atomically); if that fails, the change fails and nothing
 * changes. Standalone that is all. On a clustered Vert.x the current set also lives in a cluster-wide map
 * ({@code botgate.definitions.<kind>}, a Hazelcast IMap): a change is put there, then announced on
 * {@link #ADDRESS}; every other node reads the changed entry from the map, installs it and rewrites its own
 * file. A node joining a running cluster takes the cluster's set (in the order its changes were made, for a kind
 * whose order matters); the first node of a fresh cluster seeds it from its file. Changes on one node are made
 * one at a time, so concurrent calls never lose each other.
 * <p>
 * A kind plugs in with its name, a check and an install; its registry keeps serving reads, and every change
 * goes through here (as {@code ApiRoutes} does for integrations):
 * <pre>{@code
 * registry.load(text, path);  // start-up: the file, every problem reported
 * ReplicatedDefinitions.start(vertx, new Kind<>("credentials", (name, json) -> Credential.fromJson(json, name),
 *   registry::install), config.string("credentials.file"), new JsonArray(text), config.integer("definitions.maxBytes"));
 * }</pre>
 */
public final class ReplicatedDefinitions<T> {

  /** Where nodes announce a change: {@code {"kind", "name", "origin"}}; the definition itself is in the map. */
  public static final String ADDRESS = "botgate.internal.definitions";
  private static final String MAP_PREFIX = "botgate.definitions.";
  /** Which kinds a node has seeded the cluster with: gone with the cluster, so a fresh one seeds again. */
  private static final String SEEDED = "botgate.definitions.seeded";
  private static final long LOCK_TIMEOUT_MS = 30_000;
  /** {@code definitions.maxBytes}: 64 MiB of each kind (a large CB export is about 1 MB). */
  public static final int DEFAULT_MAX_BYTES = 64 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedDefinitions.class);

  /**
   * What makes one kind of definition: its name (in messages and the cluster map's name; its file's setting
   * is {@code <name>.file}),
   * how another node's definition is checked and built from its JSON (throwing with the problems; this node's own
   * changes are checked by their callers), and how a built one is installed in this node's registry (null:
   * removed). Both may run on a worker thread.
   *
   * @param lastChangedLast whether a changed definition moves to the end of the file, for a kind whose
   *                        definitions are installed in the file's order at start and where that order matters
   *                        (a later CB import may take an integration over from an earlier one)
   */
  public record Kind<T>(String name, BiFunction<String, JsonObject, T> check, BiConsumer<String, T> install,
                        boolean lastChangedLast) {

    /** A kind whose definitions keep their place in the file when they change. */
    public Kind(String name, BiFunction<String, JsonObject, T> check, BiConsumer<String, T> install) {
      this(name, check, install, false);
    }
  }

  private final Vertx vertx;
  private final Kind<T> kind;
  private final DefinitionFile file;
  /** {@code definitions.maxBytes}: the most this kind's definitions may take as JSON text once a change adds to them. */
  private final long maxBytes;
  private final String origin = UUID.randomUUID().toString();
  /** By name, in the file's order; replaced whole on each change, never modified. */
  private volatile Map<String, JsonObject> current;
  private Future<?> tail = Future.succeededFuture();
  private AsyncMap<String, String> shared;
  /**
   * For a kind whose order matters ({@link Kind#lastChangedLast}): when each definition was last changed, by a
   * cluster-wide count, so a joining node installs them in the order the cluster made them; null otherwise.
   */
  private AsyncMap<String, Long> stamps;
  private MessageConsumer<JsonObject> consumer;
  /** Hears this node merged back into the cluster after a split; null when not clustered. */
  private volatile UUID mergeListener;
  /** Hears definitions a merge brought into the cluster's map; null when not clustered. */
  private volatile UUID mergedEntries;

  private ReplicatedDefinitions(Vertx vertx, Kind<T> kind, String file, JsonArray loaded, long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("definitions.maxBytes must be positive, not " + maxBytes);
    }
    this.vertx = vertx;
    this.kind = kind;
    this.file = new DefinitionFile(kind.name(), file);
    this.maxBytes = maxBytes;
    Map<String, JsonObject> byName = new LinkedHashMap<>();
    for (Object definition : loaded) {
      JsonObject json = (JsonObject) definition;
      byName.put(json.getString("name"), json);
    }
    this.current = Collections.unmodifiableMap(byName);
  }

  /**
   * Starts keeping a kind's definitions.
   *
   * @param file   the node's file of them (null: memory only); created at the first change if missing
   * @param loaded what this node read from its file (or its embedded defaults), each with its "name", already
   *               installed in the registry
   * @param maxBytes {@code definitions.maxBytes}: a change that makes the definitions larger than this, as JSON
   *                 text, is refused (what was loaded is kept, whatever its size; a change that shrinks them is
   *                 always taken)
   */
  public static <T> Future<ReplicatedDefinitions<T>> start(Vertx vertx, Kind<T> kind, String file, JsonArray loaded,
                                                           long maxBytes) {
    ReplicatedDefinitions<T> definitions = new ReplicatedDefinitions<>(vertx, kind, file, loaded, maxBytes);
    if (!vertx.isClustered()) {
      // A cluster's nodes on one machine may share the file, each writing the cluster's set; a plain gateway's
      // file is its own, and another one's changes in it must not be written over.
      definitions.file.soleWriter(loaded);
    }
    return (vertx.isClustered() ? definitions.join() : Future.succeededFuture()).map(v -> definitions);
  }

  /**
   * Saves a definition and installs it here and on every other node.
   *
   * @param definition the JSON to keep, as the user gave it (secrets in clear), with its "name"
   * @param checked    that JSON already checked and built by the caller
   * @return whether it replaced one of the same name; fails with {@code definitions_not_saved} and changes
   * nothing when the file cannot be written
   */
  public Future<Boolean> put(String name, JsonObject definition, T checked) {
    String lone = JsonText.loneSurrogate(definition);
    if (lone != null) {
      // Jackson writes it as '?': the file, and every node, would hold another value (another secret) than sent
      return Future.failedFuture(GatewayError.badRequest("invalid_request", "the " + kind.name() + " '" + name
        + "' holds a lone surrogate (half of a UTF-16 pair) in " + (lone.isEmpty() ? "a name" : lone) + ": it has "
        + "no UTF-8 form, so it cannot be saved as sent; nothing was changed"));
    }
    return serially(() -> change(name, definition, checked));
  }

  /** Removes a definition here and on every other node; false when there is none of that name. */
  public Future<Boolean> remove(String name) {
    return serially(() -> current.containsKey(name) ? change(name, null, null) : Future.succeededFuture(false));
  }

  /** The definitions as saved, by name. */
  public Map<String, JsonObject> all() {
    return current;
  }

  /** Stops following the other nodes' changes. */
  public Future<Void> close() {
    HazelcastInstance hazelcast = ClusterNode.hazelcast(vertx);
    Future<Void> unheard = Future.succeededFuture();
    if (mergeListener != null && hazelcast != null && hazelcast.getLifecycleService().isRunning()) {
      unheard = vertx.executeBlocking(() -> { // a call to the cluster: not on the caller's event loop
        hazelcast.getLifecycleService().removeLifecycleListener(mergeListener);
        hazelcast.getMap(MAP_PREFIX + kind.name()).removeEntryListener(mergedEntries);
        return null;
      }, false);
    }
    return unheard.transform(v -> consumer == null ? Future.<Void>succeededFuture() : consumer.unregister());
  }

  private Future<Boolean> change(String name, JsonObject definition, T checked) {
    Map<String, JsonObject> before = current;
    Map<String, JsonObject> next = with(before, name, definition, kind.lastChangedLast());
    return vertx.executeBlocking(() -> {
      if (definition != null) {
        checkRoom(before, name, definition);
      }
      file.write(next.values());
      return null;
    }, false).compose(v -> share(name, definition).recover(e -> undo(before, e))).map(v -> {
      kind.install().accept(name, checked);
      current = next;
      announce(name);
      return before.containsKey(name);
    });
  }

  /**
   * Refuses a change that would make the definitions larger than {@code definitions.maxBytes} as JSON text: every
   * change rewrites the whole file and every node keeps them all in memory. Blocking (it encodes them all, once,
   * unless the change does not grow them).
   */
  private void checkRoom(Map<String, JsonObject> before, String name, JsonObject definition) {
    JsonObject replaced = before.get(name);
    long growth = textBytes(definition) - (replaced == null ? 0 : textBytes(replaced));
    if (growth <= 0) {
      return; // as large as before or smaller: always taken
    }
    long after = growth;
    for (JsonObject kept : before.values()) {
      after += textBytes(kept);
    }
    if (after > maxBytes) {
      throw new GatewayError(507, "definitions_full", kind.name() + " not saved: they would take " + after
        + " bytes as JSON, more than definitions.maxBytes (" + maxBytes + "); nothing was changed. Delete some "
        + kind.name() + ", or raise definitions.maxBytes");
    }
  }

  private static long textBytes(JsonObject definition) {
    return definition.toBuffer().length();
  }

  private Future<Void> share(String name, JsonObject definition) {
    if (shared == null) {
      return Future.succeededFuture();
    }
    if (definition == null) {
      // the stamp after the definition: one left behind orders nothing
      return shared.remove(name).compose(v -> stamps == null ? Future.succeededFuture() : stamps.remove(name))
        .mapEmpty();
    }
    // the stamp before the definition: one without its definition orders nothing
    return stamp(List.of(name)).compose(v -> shared.put(name, definition.encode()));
  }

  /** Stamps {@code names} as changed now, in their order (nothing for a kind whose order does not matter). */
  private Future<Void> stamp(List<String> names) {
    if (stamps == null || names.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.sharedData().getCounter(MAP_PREFIX + kind.name() + ".clock")
      .compose(clock -> clock.addAndGet(names.size()))
      .compose(last -> {
        List<Future<?>> puts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
          puts.add(stamps.put(names.get(i), last - names.size() + 1 + i));
        }
        return Future.all(puts).mapEmpty();
      });
  }

  /** The file was written but the cluster refused the change: put the file back so nothing changed. */
  private Future<Void> undo(Map<String, JsonObject> before, Throwable failure) {
    return vertx.executeBlocking(() -> {
      file.write(before.values());
      return null;
    }, false).transform(restored -> Future.failedFuture(new GatewayError(503, "definitions_not_replicated",
      kind.name() + " not saved: the cluster did not take the change (" + failure.getMessage() + "); nothing was changed")));
  }

  private void announce(String name) {
    if (shared != null) {
      vertx.eventBus().publish(ADDRESS, new JsonObject().put("kind", kind.name()).put("name", name).put("origin", origin));
    }
  }

  /** Runs changes one after another: each reads the set the previous one left. */
  private synchronized <R> Future<R> serially(Supplier<Future<R>> step) {
    Future<R> next = tail.transform(previous -> {
      try {
        return step.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    tail = next;
    return next;
  }

  private Future<Void> join() {
    Promise<Void> joined = Promise.promise();
    synchronized (this) {
      tail = joined.future(); // announcements received meanwhile wait for the cluster's set
    }
    consumer = vertx.eventBus().consumer(ADDRESS, this::onAnnounce);
    consumer.completion()
      .compose(v -> followMerges())
      .compose(v -> vertx.sharedData().<String, String>getAsyncMap(MAP_PREFIX + kind.name()))
      .compose(map -> {
        shared = map;
        return kind.lastChangedLast() ? vertx.sharedData().<String, Long>getAsyncMap(MAP_PREFIX + kind.name() + ".stamps")
          : Future.succeededFuture(null);
      })
      .compose(map -> {
        stamps = map;
        return vertx.sharedData().getLockWithTimeout(MAP_PREFIX + kind.name(), LOCK_TIMEOUT_MS);
      })
      .compose(lock -> seedOrTake().eventually(() -> release(lock)))
      .compose(cluster -> {
        if (cluster != current && isCurrent(cluster)) { // taken from the cluster, not this node's own seed
          LOG.info("{}: the cluster's {} definitions are this node's already", kind.name(), cluster.size());
        }
        return adopt(cluster);
      })
      .onComplete(joined);
    return joined.future();
  }

  private static Future<Void> release(Lock lock) {
    lock.release();
    return Future.succeededFuture();
  }

  /**
   * A node cut off from the others (a pause, a network fault) missed the announcements of what they changed
   * meanwhile, and they missed its own. Once Hazelcast merges it back, the merged node takes the cluster's set
   * anew, and every node reads again each definition the merge brought into the cluster's map (the names new to the
   * side merged into: Hazelcast's merge keeps that side's value of a name both hold). Heard on the map itself, not
   * announced: the event bus takes seconds after a merge to reach every node again.
   */
  private Future<Void> followMerges() {
    HazelcastInstance hazelcast = ClusterNode.hazelcast(vertx);
    if (hazelcast == null) {
      return Future.succeededFuture();
    }
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> { // registering with the cluster: not on the event loop
      listenForMerges(hazelcast, context);
      return null;
    }, false);
  }

  private void listenForMerges(HazelcastInstance hazelcast, Context context) {
    mergeListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        context.runOnContext(v -> serially(() -> clusterSet().compose(this::adopt)).onFailure(e ->
          LOG.warn("{}: after a merge, the cluster's set could not be taken: {}", kind.name(), e.getMessage())));
      }
    });
    mergedEntries = hazelcast.<String, String>getMap(MAP_PREFIX + kind.name()).addEntryListener(
      (EntryMergedListener<String, String>) merged -> context.runOnContext(v -> serially(() -> refresh(merged.getKey()))
        .onFailure(e -> LOG.warn("{}: '{}', brought by a merge, could not be read: {}", kind.name(), merged.getKey(),
          e.getMessage()))),
      false);
  }

  /** The cluster's set as its map holds it, in the cluster's order for a kind whose order matters. */
  private Future<Map<String, JsonObject>> clusterSet() {
    return shared.entries().compose(entries -> stamps == null ? Future.succeededFuture(decode(entries, Map.of()))
      : stamps.entries().map(order -> decode(entries, order)));
  }

  /** The cluster's set; the first node of a fresh cluster puts its own there first. */
  private Future<Map<String, JsonObject>> seedOrTake() {
    return vertx.sharedData().<String, String>getAsyncMap(SEEDED).compose(seeded -> seeded.get(kind.name())
      .compose(seeder -> {
        if (seeder != null) {
          return clusterSet();
        }
        Map<String, JsonObject> mine = current;
        LOG.info("{}: the cluster had none yet: its set is this node's {} definitions, which the other nodes take as "
          + "they join", kind.name(), mine.size());
        return shared.clear().compose(v -> stamps == null ? Future.succeededFuture() : stamps.clear())
          .compose(v -> stamp(List.copyOf(mine.keySet())))
          .compose(v -> {
            List<Future<?>> puts = new ArrayList<>();
            mine.forEach((name, json) -> puts.add(shared.put(name, json.encode())));
            return Future.all(puts);
          }).compose(v -> seeded.put(kind.name(), origin)).map(v -> mine);
      }));
  }

  /** Makes the cluster's set this node's: installs what differs and rewrites the file if anything did. */
  private Future<Void> adopt(Map<String, JsonObject> cluster) {
    Map<String, JsonObject> before = current;
    if (isCurrent(cluster)) {
      return Future.succeededFuture();
    }
    Map<String, JsonObject> next = new LinkedHashMap<>();
    if (!kind.lastChangedLast()) {
      before.keySet().stream().filter(cluster::containsKey).forEach(name -> next.put(name, cluster.get(name)));
    }
    cluster.forEach(next::putIfAbsent);
    return vertx.executeBlocking(() -> {
      installAll(before, next);
      writeOrLog(next);
      current = Collections.unmodifiableMap(next);
      LOG.info("{}: took the cluster's {} definitions", kind.name(), next.size());
      return null;
    }, false);
  }

  /**
   * Installs what takes this node from {@code before} to {@code next}: what is gone first, then what changed, in
   * {@code next}'s order; for a kind whose order matters, everything from the first place where the two orders
   * part, since a later import may take over from an earlier one and installing one makes it the latest. A
   * definition this node refuses is left as it was in {@code next} too.
   */
  private void installAll(Map<String, JsonObject> before, Map<String, JsonObject> next) {
    for (String name : List.copyOf(before.keySet())) {
      if (!next.containsKey(name) && !install(name, null)) {
        keep(next, name, before.get(name));
      }
    }
    Iterator<String> kept = before.keySet().stream().filter(next::containsKey).iterator();
    boolean parted = false;
    for (String name : List.copyOf(next.keySet())) {
      boolean changed = !Objects.equals(before.get(name), next.get(name));
      if (kind.lastChangedLast() && !parted) {
        parted = changed || !kept.hasNext() || !kept.next().equals(name);
      }
      if ((changed || parted) && !install(name, next.get(name))) {
        keep(next, name, before.get(name));
      }
    }
  }

  /** Whether {@code cluster} is what this node has, in the same order for a kind whose order matters. */
  private boolean isCurrent(Map<String, JsonObject> cluster) {
    return current.equals(cluster) && (!kind.lastChangedLast() || sameOrder(current, cluster));
  }

  private static boolean sameOrder(Map<String, JsonObject> one, Map<String, JsonObject> other) {
    return List.copyOf(one.keySet()).equals(List.copyOf(other.keySet()));
  }

  private void onAnnounce(Message<JsonObject> message) {
    JsonObject body = message.body();
    if (kind.name().equals(body.getString("kind")) && !origin.equals(body.getString("origin"))) {
      String name = body.getString("name");
      serially(() -> refresh(name));
    }
  }

  /**
   * Another node changed a definition: read it from the cluster's map, where the latest change of it is. For a kind
   * whose order matters, it takes its place in the cluster's order, which need not be last: a change made here at
   * the same time may have come after it.
   */
  private Future<Void> refresh(String name) {
    return shared.get(name).compose(text -> (stamps == null ? Future.<Map<String, Long>>succeededFuture(null)
      : stamps.entries()).compose(order -> {
      Map<String, JsonObject> before = current;
      JsonObject definition = text == null ? null : new JsonObject(text);
      if (Objects.equals(definition, before.get(name)) && (order == null || sameOrder(before, ordered(before, order)))) {
        return Future.<Void>succeededFuture();
      }
      Map<String, JsonObject> changed = with(before, name, definition, kind.lastChangedLast());
      Map<String, JsonObject> next = new LinkedHashMap<>(order == null ? changed : ordered(changed, order));
      return vertx.executeBlocking(() -> {
        installAll(before, next);
        if (!next.equals(before) || !sameOrder(before, next)) {
          writeOrLog(next);
          current = Collections.unmodifiableMap(next);
        }
        return null;
      }, false);
    })).recover(e -> {
      LOG.error("{}: could not take the change of '{}' made on another node", kind.name(), name, e);
      return Future.succeededFuture();
    });
  }

  /**
   * Installs another node's definition; false when this node refuses it (say, it runs an older version), and
   * then keeps its own, so its file never holds what it could not load at its next start.
   */
  private boolean install(String name, JsonObject definition) {
    try {
      kind.install().accept(name, definition == null ? null : kind.check().apply(name, definition));
      return true;
    } catch (RuntimeException e) {
      LOG.error("{}: '{}' from the cluster is refused on this node: {}", kind.name(), name, e.getMessage());
      return false;
    }
  }

  private static void keep(Map<String, JsonObject> set, String name, JsonObject own) {
    if (own == null) {
      set.remove(name);
    } else {
      set.put(name, own);
    }
  }

  /** Another node's change stands in the cluster whatever this node's disk says; the next change writes again. */
  private void writeOrLog(Map<String, JsonObject> definitions) {
    try {
      file.write(definitions.values());
    } catch (GatewayError e) {
      LOG.error("{}; the change stands in the cluster all the same", e.getMessage());
    }
  }

  private static Map<String, JsonObject> with(Map<String, JsonObject> set, String name, JsonObject definition,
                                              boolean last) {
    Map<String, JsonObject> next = new LinkedHashMap<>(set);
    if (definition == null || last) {
      next.remove(name);
    }
    if (definition != null) {
      next.put(name, definition);
    }
    return Collections.unmodifiableMap(next);
  }

  /** The cluster's definitions in the order of their stamps; those without one last, by name. */
  private static Map<String, JsonObject> decode(Map<String, String> entries, Map<String, Long> stamps) {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    new TreeMap<>(entries).forEach((name, text) -> out.put(name, new JsonObject(text)));
    return ordered(out, stamps);
  }

  /** {@code set} in the order of the stamps; those without one last, in the order they had. */
  private static Map<String, JsonObject> ordered(Map<String, JsonObject> set, Map<String, Long> stamps) {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    set.entrySet().stream().sorted(Comparator.comparingLong(e -> stamps.getOrDefault(e.getKey(), Long.MAX_VALUE)))
      .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
