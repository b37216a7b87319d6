package io.botgate.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapEvent;
import com.hazelcast.multimap.MultiMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Which addresses of the clustered event bus some node consumes, for the addresses a node publishes on
 * often and usually to nobody ({@code botgate.events.<session>}, the cross-node live events). Publishing
 * on the clustered bus asks the cluster for an address's consumers each time it has none (vertx-hazelcast
 * caches only addresses that have some): a worker thread and a Hazelcast operation per debug event, most
 * of a clustered execution's extra cost (measured). This set is kept up to date by listening to the
 * registrations vertx-hazelcast keeps in its multimap {@value #REGISTRATIONS}, so an address nobody
 * consumes is published to this node's consumers only, at a local publish's cost.
 *
 * <p>A registration counts as soon as its event arrives; one is forgotten only when the multimap, read
 * after the removal and with no other change in between, no longer holds the address. Between a consumer's
 * registration on another node and its event arriving here (milliseconds) this node still publishes
 * locally; {@link #expect} closes that window where the caller learns of a consumer by other means.
 */
public final class BusSubscribers {

  /** vertx-hazelcast's multimap of event-bus registrations (address to node), see its {@code SubsMapHelper}. */
  static final String REGISTRATIONS = "__vertx.subs";

  private final MultiMap<String, Object> registrations;
  private final Predicate<String> tracked;
  private final Set<String> consumed = ConcurrentHashMap.newKeySet();
  /** Changes seen: a re-read is applied only when none came in while it ran. */
  private final AtomicLong changes = new AtomicLong();
  private final Context rereads;
  private UUID listener;

  /** Tracks the addresses {@code tracked} accepts. */
  public BusSubscribers(Vertx vertx, HazelcastInstance hazelcast, Predicate<String> tracked) {
    this.registrations = hazelcast.getMultiMap(REGISTRATIONS);
    this.tracked = tracked;
    this.rereads = vertx.getOrCreateContext();
  }

  /** Listens first, then reads the registrations already there. */
  public Future<Void> start() {
    return rereads.executeBlocking(() -> {
      listener = registrations.addEntryListener(new Listener(), false);
      for (String address : registrations.keySet()) {
        if (tracked.test(address)) {
          consumed.add(address);
        }
      }
      return null;
    }, true);
  }

  /** Whether some node (this one included) has a clustered consumer of the address. */
  public boolean consumed(String address) {
    return consumed.contains(address);
  }

  /** Counts the address as consumed until the registrations say otherwise at their next change. */
  public void expect(String address) {
    changes.incrementAndGet();
    consumed.add(address);
    reread(address);
  }

  private void reread(String address) {
    long seen = changes.get();
    rereads.executeBlocking(() -> registrations.containsKey(address), true).onSuccess(there -> {
      if (changes.get() != seen) {
        reread(address); // something changed meanwhile: read again rather than apply an old answer
      } else if (there) {
        consumed.add(address);
      } else {
        consumed.remove(address);
      }
    });
  }

  public void close() {
    if (listener != null) {
      registrations.removeEntryListener(listener);
    }
  }

  /** Called on Hazelcast's event threads. */
  private final class Listener implements EntryListener<String, Object> {

    @Override
    public void entryAdded(EntryEvent<String, Object> event) {
      String address = event.getKey();
      if (tracked.test(address)) {
        changes.incrementAndGet();
        consumed.add(address);
      }
    }

    @Override
    public void entryRemoved(EntryEvent<String, Object> event) {
      changed(event.getKey());
    }

    @Override
    public void entryUpdated(EntryEvent<String, Object> event) {
      changed(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, Object> event) {
      changed(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, Object> event) {
      changed(event.getKey());
    }

    @Override
    public void mapCleared(MapEvent event) {
      consumed.forEach(this::changed);
    }

    @Override
    public void mapEvicted(MapEvent event) {
      consumed.forEach(this::changed);
    }

    private void changed(String address) {
      if (tracked.test(address)) {
        changes.incrementAndGet();
        reread(address);
      }
    }
  }
}
