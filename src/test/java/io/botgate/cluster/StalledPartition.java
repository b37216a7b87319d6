package io.botgate.cluster;

import com.hazelcast.map.EntryProcessor;
import io.botgate.session.ClusteredSessionStore;
import io.vertx.core.Vertx;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A member of the cluster that hangs, as a test makes one: the partition thread serving a session's entry kept busy
 * until {@link #close}, so every operation on that partition (reads included) waits, as it does on a member that stops
 * answering before the cluster declares it gone.
 */
public final class StalledPartition implements AutoCloseable {

  private static final Map<String, CountDownLatch> RELEASES = new ConcurrentHashMap<>();
  private static final Map<String, CountDownLatch> STARTED = new ConcurrentHashMap<>();
  private final String name = UUID.randomUUID().toString();

  private StalledPartition() {
  }

  /** Stalls the partition of {@code session} in the sessions' map, sent from {@code member}; returns once it is. */
  public static StalledPartition of(Vertx member, String session) {
    StalledPartition stall = new StalledPartition();
    RELEASES.put(stall.name, new CountDownLatch(1));
    STARTED.put(stall.name, new CountDownLatch(1));
    ClusterNode.hazelcast(member).<String, byte[]>getMap(ClusteredSessionStore.MAP).submitToKey(session, new Hold(stall.name));
    try {
      if (!STARTED.get(stall.name).await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the partition of " + session + " did not stall");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return stall;
  }

  /** The partition serves again: what waited runs now, in the order it was sent. */
  @Override
  public void close() {
    RELEASES.remove(name).countDown();
    STARTED.remove(name);
  }

  /** Runs on the partition thread and keeps it until released (at most ten minutes: a test that dies frees it). */
  private static final class Hold implements EntryProcessor<String, byte[], Object>, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final String name;

    Hold(String name) {
      this.name = name;
    }

    @Override
    public Object process(Map.Entry<String, byte[]> entry) {
      STARTED.get(name).countDown();
      CountDownLatch release = RELEASES.get(name);
      try {
        if (release != null) {
          release.await(10, TimeUnit.MINUTES);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    }

    @Override
    public EntryProcessor<String, byte[], Object> getBackupProcessor() {
      return null;
    }
  }
}
