package io.botgate.events;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.botgate.cluster.ClusterNode;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Function;

import static io.botgate.Await.result;

/**
 * {@link ClusterEvents} on a cluster the test plays, with no Hazelcast behind it: this node is a member and
 * answers for its own history; other members can be added that answer nothing (they fail every question, as a
 * member that is up but does not answer in time), and can leave. Live events of other nodes are handed to the
 * watchers directly. For tests of what a console does in a cluster, deterministically and in milliseconds.
 */
public final class FakeCluster {

  public final ClusterEvents events;
  private final Vertx vertx;
  private final Member self = member("node-a", true);
  private final Set<Member> members = new CopyOnWriteArraySet<>(Set.of(self));
  private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Member> others = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, MessageConsumer<JsonObject>> silent = new java.util.concurrent.ConcurrentHashMap<>();
  private final Cluster cluster;
  private final java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();

  /** Joins {@code stream} (whose Vert.x should be null: events are not published) to a cluster of this node. */
  public FakeCluster(Vertx vertx, DebugStream stream) {
    this.vertx = vertx;
    this.cluster = fake(Cluster.class, method -> switch (method) {
      case "getLocalMember" -> args -> self;
      case "getMembers" -> args -> Set.copyOf(members);
      case "addMembershipListener" -> args -> {
        listeners.add((MembershipListener) args[0]);
        return UUID.randomUUID();
      };
      default -> null;
    });
    HazelcastInstance hazelcast = fake(HazelcastInstance.class, method -> switch (method) {
      case "getCluster" -> args -> cluster;
      case "getMap" -> args -> fake(com.hazelcast.map.IMap.class, m -> switch (m) {
        case "addEntryListener" -> a -> UUID.randomUUID();
        case "keySet" -> a -> Set.of();
        default -> null;
      });
      case "getMultiMap" -> args -> fake(com.hazelcast.multimap.MultiMap.class, m -> switch (m) {
        case "addEntryListener" -> a -> UUID.randomUUID();
        case "keySet" -> a -> Set.of();
        default -> null;
      });
      case "getLifecycleService" -> args -> fake(com.hazelcast.core.LifecycleService.class, m -> switch (m) {
        case "addLifecycleListener" -> a -> UUID.randomUUID(); // never merged: this cluster never splits
        case "removeLifecycleListener" -> a -> true;
        default -> null;
      });
      default -> null;
    });
    events = new ClusterEvents(vertx, stream, hazelcast);
    result(events.start());
  }

  /** A member named {@code node} joins; it fails every question about its history or sessions. */
  public void joinSilent(String node) {
    Member member = member(node, false);
    others.put(node, member);
    silent.put(node, vertx.eventBus().<JsonObject>consumer(ClusterEvents.HISTORY_PREFIX + member.getUuid(),
      message -> {
        asked.incrementAndGet();
        message.fail(500, node + " is busy");
      }));
    members.add(member);
  }

  /** An event emitted on another node arrives on the bus as it would from there. */
  public void fromNode(DebugEvent event) {
    try {
      vertx.eventBus().registerCodec(new PassThrough());
    } catch (IllegalStateException registered) {
      // once per Vert.x
    }
    vertx.eventBus().publish(ClusterEvents.LIVE, event,
      new io.vertx.core.eventbus.DeliveryOptions().setCodecName(PassThrough.NAME));
  }

  /** Delivers the event itself on this node (the real codec delivers null here: "emitted on this node"). */
  private static final class PassThrough implements io.vertx.core.eventbus.MessageCodec<DebugEvent, DebugEvent> {
    static final String NAME = "test.fromAnotherNode";

    @Override
    public void encodeToWire(io.vertx.core.buffer.Buffer buffer, DebugEvent event) {
      throw new UnsupportedOperationException("local only");
    }

    @Override
    public DebugEvent decodeFromWire(int pos, io.vertx.core.buffer.Buffer buffer) {
      throw new UnsupportedOperationException("local only");
    }

    @Override
    public DebugEvent transform(DebugEvent event) {
      return event;
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }

  /** Questions the silent members were asked (and failed). */
  public int asked() {
    return asked.get();
  }

  /** The member leaves: ClusterEvents hears it as from Hazelcast. */
  public void leave(String node) {
    Member member = others.remove(node);
    members.remove(member);
    result(silent.remove(node).unregister());
    MembershipEvent event = new MembershipEvent(cluster, member, MembershipEvent.MEMBER_REMOVED, Set.copyOf(members));
    listeners.forEach(l -> l.memberRemoved(event));
  }

  private static Member member(String node, boolean local) {
    UUID uuid = UUID.randomUUID();
    return fake(Member.class, method -> switch (method) {
      case "getUuid" -> args -> uuid;
      case "localMember" -> args -> local;
      case "getAttribute" -> args -> ClusterNode.NODE_ATTRIBUTE.equals(args[0]) ? node : null;
      default -> null;
    });
  }

  /**
   * A proxy of {@code type} answering each method by name as {@code answers} says; a method it has no
   * answer for returns null, false or 0. Identity for equals and hashCode.
   */
  private static <T> T fake(Class<T> type, Function<String, Function<Object[], Object>> answers) {
    return type.cast(Proxy.newProxyInstance(FakeCluster.class.getClassLoader(), new Class<?>[] {type},
      (proxy, method, args) -> {
        switch (method.getName()) {
          case "hashCode" -> {
            return System.identityHashCode(proxy);
          }
          case "equals" -> {
            return proxy == args[0];
          }
          case "toString" -> {
            return "fake " + type.getSimpleName();
          }
          default -> { }
        }
        Function<Object[], Object> answer = answers.apply(method.getName());
        if (answer != null) {
          return answer.apply(args);
        }
        Class<?> returns = method.getReturnType();
        if (returns == boolean.class) {
          return false;
        }
        if (returns == int.class) {
          return 0;
        }
        if (returns == long.class) {
          return 0L;
        }
        return null;
      }));
  }
}
