package io.botgate.events;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import io.botgate.cluster.ClusterNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/**
 * The secrets every node of a cluster has sent, known to each: an upstream's echo of a value node A sent, kept in
 * a session, is scrubbed when node B shows that session too. A node puts each value it learns into a cluster map
 * ({@value #MAP}, the value as its key); every node hears each addition, and one joining reads the map whole.
 * The map holds about as many values as a node's {@link KnownSecrets} (the least recently added go first).
 */
final class ClusterSecrets {

  /** Bounded to about {@link KnownSecrets#MAX_VALUES} by its configuration ({@link ClusterNode#hazelcastConfig}). */
  static final String MAP = ClusterNode.SECRETS_MAP;
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSecrets.class);

  private final IMap<String, Boolean> map;
  private final KnownSecrets known;
  private final UUID listener;
  private final HazelcastInstance hazelcast;
  /** Hears this node merged back after a split: what the others learnt meanwhile was told to a map it did not see. */
  private final UUID mergeListener;

  private ClusterSecrets(Vertx vertx, HazelcastInstance hazelcast, KnownSecrets known) {
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMap(MAP);
    this.known = known;
    // Heard before the map is read: a value added meanwhile is adopted twice, never missed.
    this.listener = map.addEntryListener(new Heard(known), false);
    known.onLearnt(values -> values.forEach(v -> map.setAsync(v, Boolean.TRUE)));
    this.mergeListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        vertx.executeBlocking(() -> {
          known.adoptMissing(map.keySet()); // not those known already: adopting moves them, pushing recent ones out
          return null;
        }, false).onFailure(e -> LOG.warn("after a merge, the cluster's known secrets could not be read: {}", e.getMessage()));
      }
    });
  }

  /** A value another node put, or one a merge brought from the side of a split that learnt it. */
  private record Heard(KnownSecrets known) implements EntryAddedListener<String, Boolean>,
    EntryMergedListener<String, Boolean> {
    @Override
    public void entryAdded(EntryEvent<String, Boolean> event) {
      known.adopt(List.of(event.getKey()));
    }

    @Override
    public void entryMerged(EntryEvent<String, Boolean> event) {
      known.adopt(List.of(event.getKey()));
    }
  }

  /** Shares {@code known} with the other nodes, once it holds what they have sent so far. */
  static Future<ClusterSecrets> start(Vertx vertx, HazelcastInstance hazelcast, KnownSecrets known) {
    return vertx.executeBlocking(() -> {
      ClusterSecrets shared = new ClusterSecrets(vertx, hazelcast, known);
      try {
        known.adopt(shared.map.keySet());
      } catch (RuntimeException e) { // the start fails: nothing of it stays hooked to the map
        shared.close();
        throw e;
      }
      return shared;
    }, false);
  }

  /** Stops hearing the other nodes and telling them: what this node learns from now on stays here. */
  void close() {
    known.onLearnt(values -> { });
    map.removeEntryListener(listener);
    if (hazelcast.getLifecycleService().isRunning()) {
      hazelcast.getLifecycleService().removeLifecycleListener(mergeListener);
    }
  }
}
