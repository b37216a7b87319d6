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
import java.util.TreeMap;
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
    final DebugStream stream = new DebugStream(null, 1000, 10_000, 600_000, System::currentTimeMillis);
    final List<DebugEvent> events = new ArrayList<>();
    final TreeMap<Long, DebugEvent> held = new TreeMap<>();
    final List<Long> sent = new CopyOnWriteArrayList<>();
    final List<String> gaps = new CopyOnWriteArrayList<>();
    final List<String> left = new CopyOnWriteArrayList<>();
    volatile List<String> unanswered = List.of();
    final AtomicInteger asked = new AtomicInteger();
    long dropped;
    final Context context = vertx.getOrCreateContext();
    final InOrder order = new InOrder(context, this, this, 100);

    Fixture(int count) {
      for (int i = 0; i < count; i++) {
        DebugEvent event = stream.emit("s", "debug", "debug", "event " + i, null);
        events.add(event);
        held.put(event.seq(), event);
      }
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
      List<DebugEvent> page = new ArrayList<>(held.tailMap(after, false).values());
      return Future.succeededFuture(new EventPage(page.subList(0, Math.min(limit, page.size())), 0, unanswered));
    }

    @Override
    public List<String> leftSince(long since) {
      return left;
    }

    @Override
    public void send(DebugEvent event) {
      sent.add(event.seq());
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
      return 0;
    }

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
}
