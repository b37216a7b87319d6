package io.botgate.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsNaming;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Vert.x's event-bus meters with vertx-micrometer-metrics' names, labels and semantics, held per address
 * and side: the library looked up two to four meters by a newly built id for every message. Addresses are
 * those the meters are given: botgate folds the sessions' event addresses into one before (BusReceivers).
 */
final class EventBusMeters implements EventBusMetrics<EventBusMeters.Address> {

  /** The library leaves the event bus's own addresses (replies) out. */
  private static final String INTERNAL = "__vertx.";

  private final MeterRegistry registry;
  private final MetricsNaming names;
  private final Set<Label> labels;
  private final HttpMeters.Gauges gauges;
  private final ConcurrentHashMap<String, Address> addresses = new ConcurrentHashMap<>();

  EventBusMeters(MeterRegistry registry, MetricsNaming names, Set<Label> labels, HttpMeters.Gauges gauges) {
    this.registry = registry;
    this.names = names;
    this.labels = labels;
    this.gauges = gauges;
  }

  private Address address(String address) {
    return address.startsWith(INTERNAL) ? null : addresses.computeIfAbsent(address, Address::new);
  }

  @Override
  public Address handlerRegistered(String address) {
    Address a = address(address);
    if (a != null) {
      a.handlers().increment();
    }
    return a;
  }

  @Override
  public void handlerUnregistered(Address a) {
    if (a != null) {
      a.handlers().decrement();
    }
  }

  @Override
  public void messageDelivered(Address a, boolean local) {
    if (a != null) {
      Side side = a.handled(local);
      side.pending().decrement();
      side.processed.increment();
    }
  }

  @Override
  public void discardMessage(Address a, boolean local, Message<?> msg) {
    if (a != null) {
      Side side = a.handled(local);
      side.pending().decrement();
      side.discarded.increment();
    }
  }

  @Override
  public void messageSent(String address, boolean publish, boolean local, boolean remote) {
    Address a = address(address);
    if (a != null) {
      a.traffic(local).sent(publish).increment();
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean local, int handlers) {
    Address a = address(address);
    if (a != null) {
      Traffic traffic = a.traffic(local);
      traffic.received().increment();
      if (handlers > 0) {
        a.handled(local).pending().add(handlers);
        traffic.delivered().increment();
      }
    }
  }

  @Override
  public void messageWritten(String address, int bytes) {
    Address a = address(address);
    if (a != null) {
      a.bytes(true).record(bytes);
    }
  }

  @Override
  public void messageRead(String address, int bytes) {
    Address a = address(address);
    if (a != null) {
      a.bytes(false).record(bytes);
    }
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    if (!address.startsWith(INTERNAL)) {
      // rare: looked up when it happens
      Tags tags = addressTags(address);
      if (labels.contains(Label.EB_FAILURE)) {
        tags = tags.and(Label.EB_FAILURE.toString(), failure.name());
      }
      Counter.builder(names.getEbReplyFailures()).description("Number of message reply failures").tags(tags)
        .register(registry).increment();
    }
  }

  private Tags addressTags(String address) {
    return labels.contains(Label.EB_ADDRESS) ? Tags.of(Label.EB_ADDRESS.toString(), address) : Tags.empty();
  }

  /**
   * One address's meters, each made when first needed (so that /metrics shows the same series as the
   * library's would): a race makes one twice, and the registry hands both the one registered first.
   */
  final class Address {
    private final String address;
    private final Tags tags;
    private final Tags localTags;
    private final Tags remoteTags;
    private LongAdder handlers;
    private Side localHandled;
    private Side remoteHandled;
    private Traffic local;
    private Traffic remote;
    private DistributionSummary written;
    private DistributionSummary read;

    Address(String address) {
      this.address = address;
      this.tags = addressTags(address);
      boolean side = labels.contains(Label.EB_SIDE);
      this.localTags = side ? tags.and(Label.EB_SIDE.toString(), "local") : tags;
      this.remoteTags = side ? tags.and(Label.EB_SIDE.toString(), "remote") : tags;
    }

    LongAdder handlers() {
      LongAdder h = handlers;
      if (h == null) {
        h = handlers = gauges.get(names.getEbHandlers(), "Number of event bus handlers in use", tags);
        // the library makes a handler's meters of both sides when it registers
        handled(true);
        handled(false);
      }
      return h;
    }

    Side handled(boolean isLocal) {
      Side s = isLocal ? localHandled : remoteHandled;
      if (s == null) {
        s = new Side(isLocal ? localTags : remoteTags);
        if (isLocal) {
          localHandled = s;
        } else {
          remoteHandled = s;
        }
      }
      return s;
    }

    Traffic traffic(boolean isLocal) {
      Traffic t = isLocal ? local : remote;
      if (t == null) {
        t = new Traffic(isLocal ? localTags : remoteTags);
        if (isLocal) {
          local = t;
        } else {
          remote = t;
        }
      }
      return t;
    }

    DistributionSummary bytes(boolean writing) {
      DistributionSummary d = writing ? written : read;
      if (d == null) {
        d = writing
          ? DistributionSummary.builder(names.getEbBytesWritten())
            .description("Number of bytes sent while sending messages to event bus cluster peers").tags(tags)
            .register(registry)
          : DistributionSummary.builder(names.getEbBytesRead())
            .description("Number of bytes received while reading messages from event bus cluster peers").tags(tags)
            .register(registry);
        if (writing) {
          written = d;
        } else {
          read = d;
        }
      }
      return d;
    }

    @Override
    public String toString() {
      return address;
    }
  }

  /** The meters of the messages handled on one side of an address, made when a handler registers. */
  final class Side {
    private final LongAdder pending;
    final Counter processed;
    final Counter discarded;

    Side(Tags tags) {
      this.pending = gauges.get(names.getEbPending(), "Number of messages not processed yet", tags);
      this.processed = Counter.builder(names.getEbProcessed()).description("Number of processed messages").tags(tags)
        .register(registry);
      this.discarded = Counter.builder(names.getEbDiscarded()).description("Number of discarded messages").tags(tags)
        .register(registry);
    }

    LongAdder pending() {
      return pending;
    }
  }

  /** The counters of the messages sent and received on one side of an address, each made on first use. */
  final class Traffic {
    private final Tags tags;
    private Counter published;
    private Counter sent;
    private Counter received;
    private Counter delivered;

    Traffic(Tags tags) {
      this.tags = tags;
    }

    Counter sent(boolean publish) {
      if (publish) {
        Counter c = published;
        return c != null ? c : (published = Counter.builder(names.getEbPublished())
          .description("Number of messages published (publish / subscribe)").tags(tags).register(registry));
      }
      Counter c = sent;
      return c != null ? c : (sent = Counter.builder(names.getEbSent())
        .description("Number of messages sent (point-to-point)").tags(tags).register(registry));
    }

    Counter received() {
      Counter c = received;
      return c != null ? c : (received = Counter.builder(names.getEbReceived())
        .description("Number of messages received").tags(tags).register(registry));
    }

    Counter delivered() {
      Counter c = delivered;
      return c != null ? c : (delivered = Counter.builder(names.getEbDelivered())
        .description("Number of messages delivered to handlers").tags(tags).register(registry));
    }
  }
}
