package io.botgate.events;

import io.botgate.DecoratedMetricsFactory;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions whose {@code botgate.events.<session>} has a consumer in this process, as Vert.x's metrics
 * see every consumer registered and unregistered (in-process, a bridge client's, or this node's part of a
 * cluster's). {@link DebugStream} publishes an event only where someone receives it: publishing to no
 * consumer cost each event a message and, with {@code metrics.vertx}, a Micrometer meter lookup by address
 * (a fifth of a pass-through call's allocation). Known only when Vert.x runs with metrics made by
 * {@link #observing}; without them, and in a cluster (whose other nodes' consumers are not seen here),
 * every event is published.
 */
public final class BusReceivers {

  private final ConcurrentHashMap<String, Integer> sessions = new ConcurrentHashMap<>();
  /** The prefix of botgate's own addresses: the others (replies, a bridge's) are not counted. */
  private static final String OWN = "botgate.";
  /** Consumers of botgate's other addresses, by address ({@code botgate.results}, the API's). */
  private final ConcurrentHashMap<String, Integer> others = new ConcurrentHashMap<>();

  /** Whether a consumer of the session's {@code botgate.events.<session>} is registered in this process. */
  public boolean has(String session) {
    return sessions.containsKey(session);
  }

  /** Whether a consumer of botgate's {@code address} (not a session's events) is registered in this process. */
  public boolean consumed(String address) {
    return others.containsKey(address);
  }

  private void registered(String address) {
    if (address != null && address.startsWith(DebugStream.ADDRESS_PREFIX)) {
      sessions.merge(address.substring(DebugStream.ADDRESS_PREFIX.length()), 1, Integer::sum);
    } else if (address != null && address.startsWith(OWN)) {
      others.merge(address, 1, Integer::sum);
    }
  }

  private void unregistered(String address) {
    if (address != null && address.startsWith(DebugStream.ADDRESS_PREFIX)) {
      sessions.computeIfPresent(address.substring(DebugStream.ADDRESS_PREFIX.length()), (k, n) -> n > 1 ? n - 1 : null);
    } else if (address != null && address.startsWith(OWN)) {
      others.computeIfPresent(address, (k, n) -> n > 1 ? n - 1 : null);
    }
  }

  /** The receivers of a Vert.x whose metrics were made by {@link #observing}; null when unknown. */
  public static BusReceivers of(Vertx vertx) {
    return vertx instanceof VertxInternal internal && internal.metrics() instanceof Source source
      ? source.busReceivers() : null;
  }

  /**
   * {@code factory}'s metrics, unchanged, and the receivers they see registered. The default
   * {@code init} stays: it calls {@link VertxMetricsFactory#metrics} of this factory, not of {@code factory}.
   */
  public static VertxMetricsFactory observing(VertxMetricsFactory factory) {
    return new DecoratedMetricsFactory(factory, (metrics, options) -> observed(metrics));
  }

  /** Vert.x metrics that also answer which receivers they saw. */
  interface Source {
    BusReceivers busReceivers();
  }

  private static VertxMetrics observed(VertxMetrics metrics) {
    BusReceivers receivers = new BusReceivers();
    return (VertxMetrics) Proxy.newProxyInstance(BusReceivers.class.getClassLoader(),
      new Class<?>[] {VertxMetrics.class, Source.class}, (proxy, method, args) -> {
        if (method.getDeclaringClass() == Source.class) {
          return receivers;
        }
        if (method.getDeclaringClass() == Object.class) {
          return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "observed " + metrics;
          };
        }
        try {
          Object value = method.invoke(metrics, args);
          return method.getName().equals("createEventBusMetrics") && value instanceof EventBusMetrics<?> bus
            ? new Observed<>(bus, receivers) : value;
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      });
  }

  /** A consumer's handle, with its address for when it goes. */
  private record Handle<H>(String address, H handle) {
  }

  /** The sessions' event addresses as one label value, {@code botgate.events.*}. */
  static final String FOLDED = DebugStream.ADDRESS_PREFIX + "*";

  /** Where botgate's addresses of one cluster member are: {@code <prefix>.<member uuid>}. */
  private static final String INTERNAL = "botgate.internal.";
  private static final int UUID_LENGTH = 36;

  /**
   * The address as the meters see it: the sessions' event addresses folded into one, before the library
   * looks its meters up. Folded later (a Micrometer filter), each session's address stayed a key of the
   * registry's map of ids as given, for good, and every first message to a session ran the filter's regex.
   * An address of one cluster member ({@code botgate.internal.events.history.<uuid>}, {@code
   * botgate.internal.sessions.release.<uuid>}) has its uuid folded to {@code *}: each restart of a node is a
   * new member, whose series the other nodes would otherwise keep for good.
   */
  static String folded(String address) {
    if (address == null) {
      return null;
    }
    if (address.startsWith(DebugStream.ADDRESS_PREFIX)) {
      return FOLDED;
    }
    return address.startsWith(INTERNAL) && endsWithMember(address)
      ? address.substring(0, address.length() - UUID_LENGTH) + "*" : address;
  }

  /** Whether the address ends in {@code .} and a uuid as Hazelcast writes a member's (8-4-4-4-12 hex digits). */
  private static boolean endsWithMember(String address) {
    int start = address.length() - UUID_LENGTH;
    if (start < 1 || address.charAt(start - 1) != '.') {
      return false;
    }
    for (int i = 0; i < UUID_LENGTH; i++) {
      char c = address.charAt(start + i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : Character.digit(c, 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The event bus's metrics, passed on, with registrations counted on the way. */
  private static final class Observed<H> implements EventBusMetrics<Handle<H>> {
    private final EventBusMetrics<H> metrics;
    private final BusReceivers receivers;

    Observed(EventBusMetrics<H> metrics, BusReceivers receivers) {
      this.metrics = metrics;
      this.receivers = receivers;
    }

    @Override
    public Handle<H> handlerRegistered(String address) {
      Handle<H> handle = new Handle<>(address, metrics.handlerRegistered(folded(address)));
      receivers.registered(address);
      return handle;
    }

    @Override
    public void handlerUnregistered(Handle<H> handler) {
      receivers.unregistered(handler.address());
      metrics.handlerUnregistered(handler.handle());
    }

    @Override
    public void scheduleMessage(Handle<H> handler, boolean local) {
      metrics.scheduleMessage(handler.handle(), local);
    }

    @Override
    public void discardMessage(Handle<H> handler, boolean local, Message<?> msg) {
      metrics.discardMessage(handler.handle(), local, msg);
    }

    @Override
    public void messageDelivered(Handle<H> handler, boolean local) {
      metrics.messageDelivered(handler.handle(), local);
    }

    @Override
    public void messageSent(String address, boolean publish, boolean local, boolean remote) {
      metrics.messageSent(folded(address), publish, local, remote);
    }

    @Override
    public void messageReceived(String address, boolean publish, boolean local, int handlers) {
      metrics.messageReceived(folded(address), publish, local, handlers);
    }

    @Override
    public void messageWritten(String address, int numberOfBytes) {
      metrics.messageWritten(folded(address), numberOfBytes);
    }

    @Override
    public void messageRead(String address, int numberOfBytes) {
      metrics.messageRead(folded(address), numberOfBytes);
    }

    @Override
    public void replyFailure(String address, ReplyFailure failure) {
      metrics.replyFailure(folded(address), failure);
    }

    @Override
    public void close() {
      metrics.close();
    }
  }
}
