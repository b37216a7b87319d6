package io.botgate.session;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Where the other nodes reach this one: an event-bus consumer at a prefix followed by this Hazelcast member's
 * uuid, which is how the other nodes know it ({@code Member.getUuid()}). The uuid is not for life: a member split
 * from the cluster (a pause or a network fault longer than {@code hazelcast.max.no.heartbeat.seconds}) is merged
 * back under a new one, and from then on the others ask at the new address; the consumer moves there.
 */
public final class MemberAddress<T> {

  private static final Logger LOG = LoggerFactory.getLogger(MemberAddress.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String prefix;
  private final Handler<Message<T>> handler;
  /** The context the consumer runs on: moved there too, rather than on the Hazelcast thread that tells of a merge. */
  private final Context context;
  private final UUID listener;
  /** The consumer at {@link #at}'s address; guarded by this. */
  private MessageConsumer<T> consumer;
  private UUID at;
  private boolean closed;

  private MemberAddress(Vertx vertx, HazelcastInstance hazelcast, String prefix, Handler<Message<T>> handler) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.prefix = prefix;
    this.handler = handler;
    this.context = vertx.getOrCreateContext();
    // listening first: a merge between the two is then followed, not missed
    this.listener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        context.runOnContext(v -> follow());
      }
    });
    follow();
  }

  /** Starts consuming at {@code prefix} and this member's uuid, following the uuid. */
  public static <T> MemberAddress<T> consume(Vertx vertx, HazelcastInstance hazelcast, String prefix,
                                             Handler<Message<T>> handler) {
    return new MemberAddress<>(vertx, hazelcast, prefix, handler);
  }

  /** This member's uuid now. */
  public static UUID self(HazelcastInstance hazelcast) {
    return hazelcast.getCluster().getLocalMember().getUuid();
  }

  /** Completes once the consumer at the current address is registered across the cluster. */
  public synchronized Future<Void> completion() {
    return consumer.completion();
  }

  /** Consumes at the current uuid's address, if not there yet (and not closed). */
  private synchronized void follow() {
    UUID now = self(hazelcast);
    if (closed || now.equals(at)) {
      return;
    }
    MessageConsumer<T> before = consumer;
    consumer = vertx.eventBus().consumer(prefix + now, handler);
    at = now;
    if (before != null) {
      before.unregister();
      LOG.info("merged back into the cluster as member {}: {}<uuid> follows", now, prefix);
    }
  }

  /** Stops consuming. */
  public Future<Void> close() {
    try {
      hazelcast.getLifecycleService().removeLifecycleListener(listener);
    } catch (RuntimeException e) { // Hazelcast already shut down: nothing left to listen to
      LOG.debug("lifecycle listener not removed: {}", e.getMessage());
    }
    synchronized (this) {
      closed = true; // a merge told meanwhile moves nothing
      return consumer.unregister();
    }
  }
}
