package io.botgate.console;

import io.botgate.events.DebugEvent;
import io.botgate.events.DebugStream;
import io.botgate.events.EventPage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One connection's ordering of a session's events coming from several nodes, against a cluster the test plays. */
@Timeout(60)
class InOrderTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    result(vertx.close());
  }

  /** The members' merged history, what they answer, and what the connection was sent. */
  static final class Fixture implements InOrder.Members, InOrder.Out {
    final DebugStream stream = new DebugStream(null, 2000, 10_000, 600_000, System::currentTimeMillis);
    final List<DebugEvent> events = new ArrayList<>();
    /** What the members hold of session "s"; of the other sessions, {@link #heldOf}. */
    final TreeMap<Long, DebugEvent> held = new TreeMap<>();
    final Map<String, TreeMap<Long, DebugEvent>> heldOf = new ConcurrentHashMap<>();
    final List<Long> sent = new CopyOnWriteArrayList<>();
    /** Events of sessions other than "s" that were sent, as session and seq ("t2"). */
    final List<String> sentOf = new CopyOnWriteArrayList<>();
    final List<String> gaps = new CopyOnWriteArrayList<>();
    final List<String> left = new CopyOnWriteArrayList<>();
    volatile List<String> unanswered = List.of();
    final AtomicInteger asked = new AtomicInteger();
    long dropped;
    final Context context = vertx.getOrCreateContext();
    final InOrder order;

    Fixture(int count) {
      this(count, 100);
    }

    Fixture(int count, int maxWaiting) {
      order = new InOrder(context, this, this, maxWaiting);
      heldOf.put("s", held);
      for (int i = 0; i < count; i++) {
        DebugEvent event = stream.emit("s", "debug", "debug", "event " + i, null);
        events.add(event);
        held.put(event.seq(), event);
      }
    }

    /** Emits {@code count} events of another session, held by the members; answers them. */
    List<DebugEvent> emit(String session, int count) {
      List<DebugEvent> emitted = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        DebugEvent event = stream.emit(session, "debug", "debug", "event " + i, null);
        heldOf.computeIfAbsent(session, k -> new TreeMap<>()).put(event.seq(), event);
        emitted.add(event);
      }
      return emitted;
    }

    /** Runs on the connection's context and waits for it. */
    void on(Runnable work) {
      result(Future.<Void>future(p -> context.runOnContext(v -> {
        work.run();
        p.complete();
      })));
    }

    DebugEvent event(long seq) {
      return events.get((int) seq - 1);
    }

    /** Offers the events with these seqs, in this order, on the connection's context. */
    void offer(long... seqs) {
      Future<Void> done = Future.future(p -> context.runOnContext(v -> {
        for (long seq : seqs) {
          order.offer(event(seq));
        }
        p.complete();
      }));
      result(done);
    }

    @Override
    public Future<EventPage> history(String session, long after, int limit) {
      asked.incrementAndGet();
      List<DebugEvent> page = new ArrayList<>(heldOf.getOrDefault(session, new TreeMap<>()).tailMap(after, false).values());
      return Future.succeededFuture(new EventPage(page.subList(0, Math.min(limit, page.size())), 0, unanswered));
    }

    @Override
    public List<String> leftSince(long since) {
      return left;
    }

    @Override
    public void send(DebugEvent event) {
      if (event.session().equals("s")) {
        sent.add(event.seq());
      } else {
        sentOf.add(event.session() + event.seq());
      }
    }

    @Override
    public void gap(String session, long from, long to, List<String> left, List<String> unanswered) {
      gaps.add(from + "-" + to + " left " + left + " unanswered " + unanswered);
      sent.add(-from);
    }

    @Override
    public void dropped(long count) {
      dropped += count;
    }

    @Override
    public long afterOf(String session) {
      return after;
    }

    /** Where the client's subscription starts. */
    volatile long after;

    @Override
    public long subscribedAt(String session) {
      return 0;
    }
  }

  @Test
  void shouldSendEventsArrivingOutOfOrderInSeqOrderFetchingTheMissingOnes() {
    Fixture f = new Fixture(6);
    f.offer(1, 2, 5, 6);
    await().until(() -> f.sent.size() == 6);
    f.offer(3, 4);

    assertThat(f.sent).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(f.gaps).isEmpty();
  }

  @Test
  void shouldSayWhichEventsNoMemberHoldsAndGoOn() {
    Fixture f = new Fixture(6);
    f.held.remove(3L);
    f.held.remove(4L);
    f.left.add("node-b");
    f.offer(1, 2, 5, 6);

    await().until(() -> f.sent.size() == 5);
    assertThat(f.sent).containsExactly(1L, 2L, -3L, 5L, 6L);
    assertThat(f.gaps).containsExactly("3-4 left [node-b] unanswered []");
  }

  @Test
  void shouldNotCallOlderHistoryNobodyKeepsAGapForASessionFirstSeen() {
    Fixture f = new Fixture(8);
    f.held.headMap(7L).clear();
    f.offer(7, 8);

    await().until(() -> f.sent.size() == 2);
    assertThat(f.sent).containsExactly(7L, 8L);
    assertThat(f.gaps).isEmpty();
  }

  @Test
  void shouldWaitForAMemberThatDoesNotAnswerAndReportTheGapOnceItLeft() {
    Fixture f = new Fixture(3);
    f.held.remove(2L);
    f.unanswered = List.of("node-c");
    f.offer(1, 3);
    await().until(() -> f.asked.get() >= 2); // asked again while node-c does not answer
    assertThat(f.sent).containsExactly(1L);

    f.unanswered = List.of();
    f.left.add("node-c");
    f.context.runOnContext(v -> f.order.memberLeft());

    await().until(() -> f.sent.size() == 3);
    assertThat(f.sent).containsExactly(1L, -2L, 3L);
    assertThat(f.gaps).containsExactly("2-2 left [node-c] unanswered []");
  }

  @Test
  void shouldSkipWithoutAskingWhatTheConnectionDroppedItself() {
    Fixture f = new Fixture(3);
    f.offer(1);
    f.order.lostOnTheWay("s", 2);
    f.offer(3);

    assertThat(f.sent).containsExactly(1L, 3L);
    assertThat(f.asked.get()).isZero();
    assertThat(f.gaps).isEmpty();
  }

  @Test
  void shouldDropWhatWasSentAlreadyAndGoOnFromTheReplayedPlace() {
    Fixture f = new Fixture(6);
    f.on(() -> {
      f.order.replayed("s", 3, true);
      for (long seq : new long[] {2, 3, 4, 4, 6, 5}) {
        f.order.offer(f.event(seq));
      }
    });
    f.on(() -> { }); // the answer to the question asked for 5, which came meanwhile
    assertThat(f.sent).containsExactly(4L, 5L, 6L);
    assertThat(f.gaps).isEmpty();
    assertThat(f.order.waiting()).isZero();
  }

  @Test
  void shouldStartAfterTheSubscriptionsPlaceForASessionFirstSeen() {
    Fixture f = new Fixture(5);
    f.after = 3;
    f.offer(2, 3, 4, 5);
    assertThat(f.sent).containsExactly(4L, 5L);
    assertThat(f.asked.get()).isZero();
  }

  @Test
  void shouldSayWhichEventsAreMissingAfterThePlaceASubscriptionResumedFrom() {
    Fixture f = new Fixture(5);
    f.after = 3;
    f.held.remove(4L);
    f.offer(5);

    await().until(() -> f.sent.size() == 2);
    assertThat(f.sent).containsExactly(-4L, 5L);
    assertThat(f.gaps).containsExactly("4-4 left [] unanswered []");
  }

  @Test
  void shouldSayWhichEventsAreMissingInASessionItSentEventsOfThoughNoMemberLeft() {
    Fixture f = new Fixture(3);
    f.held.remove(2L);
    f.offer(1, 3);

    await().until(() -> f.sent.size() == 3);
    assertThat(f.sent).containsExactly(1L, -2L, 3L);
    assertThat(f.gaps).containsExactly("2-2 left [] unanswered []");
    assertThat(f.order.waiting()).isZero();
  }

  @Test
  void shouldSayWhatANodeThatLeftTookOfASessionFirstSeen() {
    Fixture f = new Fixture(8);
    f.held.headMap(7L).clear();
    f.left.add("node-b");
    f.offer(7, 8);

    await().until(() -> f.sent.size() == 3);
    assertThat(f.sent).containsExactly(-1L, 7L, 8L);
    assertThat(f.gaps).containsExactly("1-6 left [node-b] unanswered []");
  }

  @Test
  void shouldAskForAtMostFetchLimitEventsAtATimeAndSendThemAllInOrder() {
    int count = InOrder.FETCH_LIMIT + 502;
    Fixture f = new Fixture(count);
    f.offer(1, count);

    await().until(() -> f.sent.size() == count);
    assertThat(f.sent).isEqualTo(java.util.stream.LongStream.rangeClosed(1, count).boxed().toList());
    assertThat(f.asked.get()).isEqualTo(2);
    assertThat(f.gaps).isEmpty();
    assertThat(f.order.waiting()).isZero();
  }

  @Test
  void shouldSayWhatNoMemberHoldsPastTheFirstFetchLimit() {
    int count = InOrder.FETCH_LIMIT + 502;
    Fixture f = new Fixture(count);
    f.held.subMap((long) InOrder.FETCH_LIMIT + 2, (long) count).clear();
    f.offer(1, count);

    await().until(() -> f.sent.size() == InOrder.FETCH_LIMIT + 3);
    assertThat(f.sent.subList(0, InOrder.FETCH_LIMIT + 1))
      .isEqualTo(java.util.stream.LongStream.rangeClosed(1, InOrder.FETCH_LIMIT + 1).boxed().toList());
    assertThat(f.sent.subList(InOrder.FETCH_LIMIT + 1, InOrder.FETCH_LIMIT + 3))
      .containsExactly(-(InOrder.FETCH_LIMIT + 2L), (long) count);
    assertThat(f.gaps).containsExactly((InOrder.FETCH_LIMIT + 2) + "-" + (count - 1) + " left [] unanswered []");
  }

  @Test
  void shouldCountAnEventThatFindsNoRoomToWaitAsDroppedAndNotAsAGap() {
    Fixture f = new Fixture(7, 3);
    f.offer(1, 3, 4, 5, 6);
    await().until(() -> f.sent.size() == 5);
    assertThat(f.sent).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(f.dropped).isEqualTo(1);

    f.offer(7);
    assertThat(f.sent).containsExactly(1L, 2L, 3L, 4L, 5L, 7L);
    assertThat(f.asked.get()).as("only for 2").isEqualTo(1);
    assertThat(f.gaps).isEmpty();
    assertThat(f.order.waiting()).isZero();
  }

  @Test
  void shouldSkipWhatTheConnectionDroppedEvenPastTheFirstWaitingEvent() {
    Fixture f = new Fixture(5);
    f.offer(1);
    f.order.lostOnTheWay("s", 4);
    f.offer(3);
    f.offer(5);

    assertThat(f.sent).containsExactly(1L, 3L, 5L);
    assertThat(f.asked.get()).isZero();
    assertThat(f.gaps).isEmpty();
  }

  @Test
  void shouldLetGoOfWhatWaitsInSessionsItForgetsAndOfTheAnswersAboutThem() {
    Fixture f = new Fixture(5);
    List<DebugEvent> t = f.emit("t", 3);
    f.on(() -> {
      f.order.offer(f.event(1));
      f.order.offer(f.event(3));
      f.order.offer(f.event(4));
      f.order.offer(t.get(0));
      f.order.offer(t.get(2));
      assertThat(f.order.waiting()).isEqualTo(3);
      f.order.forget("s");
      assertThat(f.order.waiting()).isEqualTo(1);
      f.order.forgetUnless(session -> session.equals("t"));
      assertThat(f.order.waiting()).as("t is still wanted").isEqualTo(1);
      f.order.forgetUnless(session -> session.equals("s"));
      assertThat(f.order.waiting()).isZero();
    });
    f.on(() -> { }); // the answers to the questions asked before
    assertThat(f.sent).containsExactly(1L);
    assertThat(f.sentOf).containsExactly("t1");

    f.on(() -> {
      f.order.offer(t.get(2)); // first seen again: waits for t2
      assertThat(f.order.waiting()).isEqualTo(1);
      f.order.forgetAll();
      assertThat(f.order.waiting()).isZero();
    });
    f.on(() -> { });
    assertThat(f.sentOf).containsExactly("t1");
  }

  @Test
  void shouldForgetAnIdleSessionOnPruneSoThatItsNextEventIsFirstSeen() {
    Fixture pruned = new Fixture(5);
    Fixture kept = new Fixture(5);
    for (Fixture f : List.of(pruned, kept)) {
      f.offer(1, 2, 3);
      f.held.clear(); // every member let go of the session's history
    }
    pruned.on(() -> pruned.order.prune(System.currentTimeMillis() + 1));
    kept.on(() -> kept.order.prune(0));
    pruned.offer(5);
    kept.offer(5);

    await().until(() -> pruned.sent.size() == 4 && kept.sent.size() == 5);
    assertThat(pruned.sent).containsExactly(1L, 2L, 3L, 5L);
    assertThat(kept.sent).containsExactly(1L, 2L, 3L, -4L, 5L);
  }

  @Test
  void shouldNotPruneASessionWhoseEventsWaitForAMemberThatDoesNotAnswer() {
    Fixture f = new Fixture(3);
    f.held.remove(2L);
    f.unanswered = List.of("node-c");
    f.offer(1, 3);
    await().until(() -> f.asked.get() >= 1);
    f.on(() -> { }); // the first answer, incomplete: asked again a second later
    f.on(() -> f.order.prune(Long.MAX_VALUE));

    f.unanswered = List.of();
    f.left.add("node-c");
    f.on(() -> f.order.memberLeft());
    await().until(() -> f.sent.size() == 3);
    assertThat(f.sent).containsExactly(1L, -2L, 3L);
  }
}
