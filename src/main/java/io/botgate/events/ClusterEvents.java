package io.botgate.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.botgate.cluster.BusSubscribers;
import io.botgate.cluster.ClusterNode;
import io.botgate.session.MemberAddress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The debug events of every node of a cluster, seen as one stream. A node keeps the history of what it
 * emitted (cheap: nothing is written to the cluster per event) and answers the other members' questions
 * about it on {@value #HISTORY_PREFIX}{@code <member uuid>}; a history read here asks every member and
 * merges the answers by seq. Live, each event is also published on {@value #LIVE}, which a node consumes
 * only while one of its consoles watches ({@link #watch}), so a cluster without consoles sends nothing more.
 * It remembers the members that left, so that events nobody holds any more can be told apart from
 * history that has simply been trimmed, and names the stream for the whole cluster: the numbering goes on
 * from node to node, so a console moving from one node to another keeps its place. The secrets any node sent
 * are scrubbed from what every node shows ({@link ClusterSecrets}).
 */
public final class ClusterEvents {

  /** Every event of the cluster, as {@link DebugEvent}s in a compact binary form; internal. */
  static final String LIVE = "botgate.internal.events.live";
  /** The addresses whose consumers are tracked across the cluster: botgate's own. */
  private static final String TRACKED_PREFIX = "botgate.";
  /** Each member's history, asked by {@code {"op":"history","session","after","limit"}} or {@code {"op":"sessions"}}. */
  static final String HISTORY_PREFIX = "botgate.internal.events.history.";
  /** Holds the cluster's stream id, set by the first node; gone with the whole cluster (and its sessions). */
  static final String META_MAP = "botgate.events.meta";
  /** How long a member may take to answer before its answer counts as missing, unless told otherwise. */
  static final long ASK_MILLIS = 5_000;
  /**
   * The longest a page or a replay waits for a member ({@link #history}), whatever {@code cluster.turnWaitSeconds}:
   * a console's question, whose answer names the members that did not answer, asked again at will; a member alive
   * answers in milliseconds, and the turn wait (two minutes by default) is longer than proxies in front of the gateway
   * wait for an answer (nginx and cloud load balancers: 60 s).
   */
  static final long PAGE_MILLIS = 10_000;
  private static final int DEPARTURES_KEPT = 64;
  private static final Logger LOG = LoggerFactory.getLogger(ClusterEvents.class);

  /** Someone (a console connection) following the events emitted on the other nodes. */
  public interface Watcher extends Consumer<DebugEvent> {
    /** Called on a Hazelcast thread when a member has left the cluster. */
    void memberLeft(String node);
  }

  /** A member that left, and when (this node's clock). */
  public record Departure(String node, long at) {
  }

  private final Vertx vertx;
  private final DebugStream stream;
  private final HazelcastInstance hazelcast;
  private final DeliveryOptions liveDelivery = new DeliveryOptions().setCodecName(Codec.NAME);
  private final DeliveryOptions askDelivery;
  /** As {@link #askDelivery}, for a live console's questions ({@link #liveHistory}): {@link #ASK_MILLIS} at most. */
  private final DeliveryOptions liveAskDelivery;
  private static final DeliveryOptions CLUSTERED = new DeliveryOptions();
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /** Which of botgate's addresses some node consumes: the others are published on this node only. */
  private final BusSubscribers subscribers;
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private final Deque<Departure> departures = new ConcurrentLinkedDeque<>();
  private MessageConsumer<DebugEvent> live;
  private MemberAddress<JsonObject> answering;
  private UUID membership;
  /** The secrets the nodes sent, shared so that each scrubs what any sent. */
  private ClusterSecrets secrets;
  private volatile String streamId;

  public ClusterEvents(Vertx vertx, DebugStream stream, HazelcastInstance hazelcast) {
    this(vertx, stream, hazelcast, ASK_MILLIS);
  }

  /**
   * @param askMillis how long a member may take to answer a question about its history ({@code
   *                  cluster.turnWaitSeconds} in a gateway), {@link #PAGE_MILLIS} at most; the members are asked at
   *                  once, so a read waits this long at most, however many do not answer
   */
  public ClusterEvents(Vertx vertx, DebugStream stream, HazelcastInstance hazelcast, long askMillis) {
    this.askDelivery = new DeliveryOptions().setSendTimeout(Math.max(1, Math.min(askMillis, PAGE_MILLIS)));
    this.liveAskDelivery = new DeliveryOptions().setSendTimeout(Math.max(1, Math.min(askMillis, ASK_MILLIS)));
    this.vertx = vertx;
    this.stream = stream;
    this.hazelcast = hazelcast;
    this.streamId = stream.id();
    this.subscribers = new BusSubscribers(vertx, hazelcast, address -> address.startsWith(TRACKED_PREFIX));
  }

  /** Answers the other members, learns the cluster's stream id, and has the stream publish across nodes. */
  public Future<Void> start() {
    try {
      vertx.eventBus().registerCodec(new Codec());
    } catch (IllegalStateException alreadyThere) {
      // another gateway on this Vert.x registered it; one codec serves both
    }
    answering = MemberAddress.consume(vertx, hazelcast, HISTORY_PREFIX, this::answer);
    membership = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        left(nodeName(event.getMember()));
        String id = streamId;
        if (id != null) {
          // the map's copies may have gone with the members that left (more at once than cluster.backups): a node
          // started afterwards must still find the id the others greet consoles with, not make its own
          vertx.executeBlocking(() -> hazelcast.<String, String>getMap(META_MAP).putIfAbsent("stream", id), false)
            .onFailure(e -> LOG.warn("the console's stream id could not be put back: {}", e.getMessage()));
        }
      }
    });
    return vertx.executeBlocking(() -> {
        String existing = hazelcast.<String, String>getMap(META_MAP).putIfAbsent("stream", stream.id());
        return existing != null ? existing : stream.id();
      }, false)
      .compose(id -> {
        streamId = id;
        return subscribers.start();
      })
      .compose(v -> ClusterSecrets.start(vertx, hazelcast, stream.secrets()))
      .compose(shared -> {
        secrets = shared;
        stream.acrossNodes(this);
        return answering.completion();
      });
  }

  /** The stream id shared by the cluster's nodes: seq numbers continue under it from node to node. */
  public String streamId() {
    return streamId;
  }

  /** Publishes an event for the consoles of the other nodes; called by the stream, under its session's lock. */
  void publish(DebugEvent event) {
    if (subscribers.consumed(LIVE)) { // else no node's console watches: nobody to send it to
      vertx.eventBus().publish(LIVE, event, liveDelivery);
    }
  }

  /**
   * How to publish on one of botgate's addresses ({@code botgate.results}, {@code botgate.events.<session>}):
   * across the cluster when some node consumes that address (a bridge client, an application in the
   * cluster), else to this node's consumers only.
   */
  public DeliveryOptions delivery(String address) {
    return subscribers.consumed(address) ? CLUSTERED : LOCAL;
  }

  /** Whether {@link #delivery} keeps the address on this node. */
  static boolean isLocal(DeliveryOptions delivery) {
    return delivery == LOCAL;
  }

  /** Calls the watcher with every event emitted on another node from now on, and when a member leaves. */
  public void watch(Watcher watcher) {
    synchronized (watchers) {
      watchers.add(watcher);
      if (live == null) {
        live = vertx.eventBus().consumer(LIVE, message -> {
          DebugEvent event = message.body();
          if (event != null) { // null: emitted on this node, whose consoles have it already
            for (Watcher w : watchers) {
              w.accept(event);
            }
          }
        });
      }
    }
  }

  public void unwatch(Watcher watcher) {
    synchronized (watchers) {
      watchers.remove(watcher);
      if (watchers.isEmpty() && live != null) {
        live.unregister();
        live = null;
      }
    }
  }

  /** The members that left the cluster at or after {@code since} (this node's clock), oldest first. */
  public List<String> leftSince(long since) {
    List<String> nodes = new ArrayList<>();
    for (Departure d : departures) {
      if (d.at() >= since && !nodes.contains(d.node())) {
        nodes.add(d.node());
      }
    }
    return nodes;
  }

  private void left(String node) {
    departures.add(new Departure(node, System.currentTimeMillis()));
    while (departures.size() > DEPARTURES_KEPT) {
      departures.poll();
    }
    LOG.info("member {} left the cluster; events only it held are gone with it", node);
    for (Watcher w : watchers) {
      w.memberLeft(node);
    }
  }

  /**
   * Up to {@code limit} kept events of the session after {@code after}, from every member, merged by seq.
   * Each member sends its own first {@code limit}; the first {@code limit} of their union is then exactly
   * the union's, so a seq missing below the newest one returned is held by no member that answered.
   */
  public Future<EventPage> history(String session, long after, int limit) {
    return history(session, after, limit, askDelivery);
  }

  /**
   * As {@link #history}, for a console putting its live events in order: a member is waited for {@link #ASK_MILLIS}
   * at most, whatever {@code cluster.turnWaitSeconds} says, since the connection's later events wait behind the
   * question and it is asked again, every second, up to 30 times (two minutes a question held them up to an hour).
   */
  public Future<EventPage> liveHistory(String session, long after, int limit) {
    return history(session, after, limit, liveAskDelivery);
  }

  private Future<EventPage> history(String session, long after, int limit, DeliveryOptions ask) {
    JsonObject question = new JsonObject().put("op", "history").put("session", session).put("after", after)
      .put("limit", limit);
    List<Future<EventPage>> answers = new ArrayList<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (member.localMember()) {
        answers.add(Future.succeededFuture(local(session, after, limit)));
      } else {
        String node = nodeName(member);
        answers.add(vertx.eventBus().<Buffer>request(HISTORY_PREFIX + member.getUuid(), question, ask)
          .map(reply -> decode(session, reply.body()))
          .recover(failure -> Future.succeededFuture(unanswered(node, failure))));
      }
    }
    return Future.join(answers).map(all -> merge(all.list(), limit));
  }

  /** The sessions this node keeps events of. */
  private JsonArray localSessions() {
    JsonArray names = new JsonArray();
    stream.sessions().forEachRemaining(names::add);
    return names;
  }

  /** The sessions any member keeps events of. */
  public Future<Collection<String>> sessions() {
    List<Future<JsonArray>> answers = new ArrayList<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (member.localMember()) {
        answers.add(Future.succeededFuture(localSessions()));
      } else {
        answers.add(vertx.eventBus().<JsonArray>request(HISTORY_PREFIX + member.getUuid(),
            new JsonObject().put("op", "sessions"), askDelivery)
          .map(Message::body)
          .recover(failure -> Future.succeededFuture(new JsonArray())));
      }
    }
    return Future.join(answers).map(all -> {
      Set<String> names = new TreeSet<>();
      for (Object answer : all.list()) {
        ((JsonArray) answer).forEach(s -> names.add((String) s));
      }
      return names;
    });
  }

  private EventPage local(String session, long after, int limit) {
    long last = stream.lastSeq(session); // first: see EventPage.gaps
    return new EventPage(stream.history(session, after, limit), last, List.of());
  }

  /** A member that has no gateway (a plain Vert.x application in the cluster) holds nothing: not unanswered. */
  private static EventPage unanswered(String node, Throwable failure) {
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
      return new EventPage(List.of(), 0, List.of());
    }
    return new EventPage(List.of(), 0, List.of(node));
  }

  private static EventPage merge(List<EventPage> pages, int limit) {
    TreeMap<Long, DebugEvent> bySeq = new TreeMap<>();
    long lastSeq = 0;
    List<String> unanswered = new ArrayList<>();
    for (EventPage page : pages) {
      for (DebugEvent event : page.events()) {
        bySeq.putIfAbsent(event.seq(), event);
      }
      lastSeq = Math.max(lastSeq, page.lastSeq());
      unanswered.addAll(page.unanswered());
    }
    List<DebugEvent> events = new ArrayList<>(Math.min(limit, bySeq.size()));
    for (DebugEvent event : bySeq.values()) {
      if (events.size() == limit) {
        break;
      }
      events.add(event);
    }
    return new EventPage(events, lastSeq, unanswered);
  }

  private void answer(Message<JsonObject> question) {
    // A member asking is a console there about to watch: its live consumer may be registered before this
    // node hears of it, and the events emitted after this answer must reach it.
    subscribers.expect(LIVE);
    JsonObject body = question.body();
    if ("sessions".equals(body.getString("op"))) {
      question.reply(localSessions());
      return;
    }
    String session = body.getString("session");
    EventPage page = local(session, body.getLong("after", 0L), body.getInteger("limit", 1));
    Buffer reply = Buffer.buffer().appendLong(page.lastSeq()).appendInt(page.events().size());
    for (DebugEvent event : page.events()) {
      reply.appendLong(event.seq()).appendInt(event.utf8().length).appendBytes(event.utf8());
    }
    question.reply(reply);
  }

  private static EventPage decode(String session, Buffer reply) {
    long lastSeq = reply.getLong(0);
    int count = reply.getInt(8);
    List<DebugEvent> events = new ArrayList<>(count);
    int at = 12;
    for (int i = 0; i < count; i++) {
      long seq = reply.getLong(at);
      int length = reply.getInt(at + 8);
      events.add(new DebugEvent(seq, session, reply.getBytes(at + 12, at + 12 + length)));
      at += 12 + length;
    }
    return new EventPage(events, lastSeq, List.of());
  }

  private static String nodeName(Member member) {
    String node = member.getAttribute(ClusterNode.NODE_ATTRIBUTE);
    return node != null ? node : member.getAddress().getHost() + ":" + member.getAddress().getPort();
  }

  public void close() {
    stream.acrossNodes(null);
    if (secrets != null) {
      secrets.close();
    }
    subscribers.close();
    if (membership != null) {
      hazelcast.getCluster().removeMembershipListener(membership);
    }
    if (answering != null) {
      answering.close();
    }
    synchronized (watchers) {
      watchers.clear();
      if (live != null) {
        live.unregister();
        live = null;
      }
    }
  }

  /**
   * A debug event on the wire: seq, session and its JSON text as encoded when emitted, never parsed again.
   * On the emitting node it is delivered as null: that node's consoles have it from the stream already.
   */
  static final class Codec implements MessageCodec<DebugEvent, DebugEvent> {
    static final String NAME = "botgate.debugEvent";

    @Override
    public void encodeToWire(Buffer buffer, DebugEvent event) {
      byte[] session = event.session().getBytes(StandardCharsets.UTF_8);
      buffer.appendLong(event.seq()).appendInt(session.length).appendBytes(session)
        .appendInt(event.utf8().length).appendBytes(event.utf8());
    }

    @Override
    public DebugEvent decodeFromWire(int pos, Buffer buffer) {
      long seq = buffer.getLong(pos);
      int sessionLength = buffer.getInt(pos + 8);
      String session = buffer.getString(pos + 12, pos + 12 + sessionLength, "UTF-8");
      int at = pos + 12 + sessionLength;
      int length = buffer.getInt(at);
      return new DebugEvent(seq, session, buffer.getBytes(at + 4, at + 4 + length));
    }

    @Override
    public DebugEvent transform(DebugEvent event) {
      return null;
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
}
