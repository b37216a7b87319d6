package io.botgate.events;

import io.botgate.JsonText;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class DebugStreamTest {

  final AtomicLong now = new AtomicLong(1_000);

  private static void emit(DebugStream stream, String session, int times) {
    for (int i = 0; i < times; i++) {
      stream.emit(session, "debug", "debug", session + " " + i, null);
    }
  }

  @Test
  void shouldKeepTheLastEventsOfEachSessionNumberedWithoutGaps() {
    DebugStream stream = new DebugStream(null, 5, 1_000, 60_000, now::get);
    emit(stream, "s", 8);
    assertThat(stream.history("s", 0, 100)).extracting(DebugEvent::seq).containsExactly(4L, 5L, 6L, 7L, 8L);
    assertThat(stream.history("s", 6, 100)).extracting(DebugEvent::seq).containsExactly(7L, 8L);
    assertThat(stream.history("s", 0, 2)).extracting(DebugEvent::seq).containsExactly(4L, 5L);
    assertThat(stream.history("s", 0, 1).get(0).toJson().getString("text")).isEqualTo("s 3");
    assertThat(stream.lastSeq("s")).isEqualTo(8);
  }

  @Test
  void shouldEvictTheOldestEventsOfAllSessionsPastTheTotal() {
    DebugStream stream = new DebugStream(null, 100, 100, 60_000, now::get);
    emit(stream, "a", 100);
    emit(stream, "b", 60);
    assertThat(stream.kept()).isEqualTo(100);
    assertThat(stream.history("a", 0, 1000)).extracting(DebugEvent::seq).first().isEqualTo(61L);
    assertThat(stream.history("b", 0, 1000)).hasSize(60);
    emit(stream, "b", 50);
    assertThat(stream.history("a", 0, 1000)).isEmpty();
    assertThat(stream.history("b", 0, 1000)).hasSize(100).extracting(DebugEvent::seq).first().isEqualTo(11L);
    assertThat(stream.lastSeq("a")).isEqualTo(100);
  }

  @Test
  void shouldKeepMemoryBoundedHoweverManySessionsThereAre() {
    DebugStream stream = new DebugStream(null, 1000, 500, 60_000, now::get);
    for (int s = 0; s < 2_000; s++) {
      emit(stream, "s" + s, 3);
    }
    assertThat(stream.kept()).isEqualTo(500);
    int inHistories = 0;
    for (Iterator<String> sessions = stream.sessions(); sessions.hasNext(); ) {
      inHistories += stream.history(sessions.next(), 0, 1000).size();
    }
    assertThat(inHistories).isEqualTo(500);
    assertThat(stream.history("s1999", 0, 1000)).hasSize(3);
    assertThat(stream.history("s0", 0, 1000)).isEmpty();
    // Sessions that went quiet still hold handles of evicted events until the periodic sweep drops them.
    assertThat(stream.handles()).isGreaterThan(500);
    assertThat(stream.expire()).isZero();
    assertThat(stream.handles()).isEqualTo(500);
  }

  @Test
  void shouldStayWithinTheTotalWhenSessionsAlsoHitTheirOwnBound() {
    DebugStream stream = new DebugStream(null, 5, 20, 60_000, now::get);
    emit(stream, "a", 30);
    emit(stream, "b", 30);
    assertThat(stream.kept()).isEqualTo(5); // of the newest 20, those b's own bound keeps
    assertThat(stream.history("a", 0, 100)).isEmpty(); // its last 5 were the oldest held
    assertThat(stream.history("b", 0, 100)).extracting(DebugEvent::seq).containsExactly(26L, 27L, 28L, 29L, 30L);
  }

  @Test
  void shouldKeepOnlyWhatTheRingHoldsWhenEventsAreLarge() {
    DebugStream stream = new DebugStream(null, 1000, 8, 60_000, now::get); // 8 events: 8 KB, four segments of 2 KB
    String large = "y".repeat(1500);
    for (int i = 1; i <= 10; i++) {
      stream.emit("big", "debug", "debug", i + " " + large, null);
    }
    List<DebugEvent> kept = stream.history("big", 0, 100);
    assertThat(kept).extracting(DebugEvent::seq).containsExactly(7L, 8L, 9L, 10L); // one a segment
    assertThat(kept.get(3).toJson().getString("text")).isEqualTo("10 " + large);
    assertThat(stream.kept()).isEqualTo(4);
  }

  @Test
  void shouldKeepAnEventLargerThanASegmentWithItsTextCutToWhatFits() {
    DebugStream stream = new DebugStream(null, 1000, 8, 60_000, now::get); // four segments of 2 KB
    stream.emit("big", "debug", "debug", "one", null);
    DebugEvent whole = stream.emit("big", "debug", "debug", "é".repeat(5000), new JsonObject().put("n", 1));
    stream.emit("big", "debug", "debug", "three", null);

    assertThat(whole.toJson().getString("text")).as("as emitted: whole").hasSize(5000);
    List<DebugEvent> kept = stream.history("big", 0, 100);
    assertThat(kept).extracting(DebugEvent::seq).containsExactly(1L, 2L, 3L);
    JsonObject cut = kept.get(1).toJson();
    assertThat(kept.get(1).utf8().length).isLessThanOrEqualTo(2048);
    assertThat(cut.getString("text")).startsWith("éé").matches("é+… \\((\\d|,)+ characters cut: too large to keep\\)");
    int left = cut.getString("text").indexOf('…');
    assertThat(cut.getString("text")).endsWith("… (" + String.format(java.util.Locale.ROOT, "%,d", 5000 - left)
      + " characters cut: too large to keep)");
    assertThat(cut.getJsonObject("data")).isEqualTo(new JsonObject().put("n", 1));
    assertThat(cut.getString("kind")).isEqualTo("debug");

    stream.emit("big", "debug", "debug", "x", new JsonObject().put("body", "b".repeat(5000)));
    assertThat(stream.history("big", 3, 100)).singleElement().satisfies(e -> {
      assertThat(e.seq()).isEqualTo(4);
      assertThat(e.toJson().getString("text")).isEqualTo("x… (its data cut: too large to keep)");
      assertThat(e.toJson().getJsonObject("data")).isEmpty();
    });
  }

  /**
   * A session's events ranked out of order by two threads (ranks in blocks): its first and third event sit
   * in this thread's block, its second in the other thread's later one, so the first and third go before
   * the second. A replay must then not give the second alone, as if nothing came after it.
   */
  @Test
  void shouldNeverReplayAnEventWhoseSuccessorWasLetGo() throws Exception {
    DebugStream stream = new DebugStream(null, 100_000, DebugStream.RANK_BLOCKS_FROM, 60_000, now::get);
    emit(stream, "warm", 64); // this thread's blocks double up to one of RANK_BLOCK, with room left
    stream.emit("s", "debug", "debug", "first", null);
    Thread other = new Thread(() -> {
      emit(stream, "other", 1);
      stream.emit("s", "debug", "debug", "second", null); // a rank from a block taken after this thread's
    });
    other.start();
    other.join();
    stream.emit("s", "debug", "debug", "third", null);
    assertThat(stream.history("s", 0, 10)).extracting(DebugEvent::seq).containsExactly(1L, 2L, 3L);
    int flood = 0;
    while (stream.history("s", 0, 10).stream().anyMatch(e -> e.seq() == 3) && flood++ < 100_000) {
      stream.emit("flood", "debug", "debug", "x", null);
    }
    assertThat(stream.history("s", 0, 10)).isEmpty(); // not [2]: its successor is gone
    assertThat(stream.kept()).isEqualTo(stream.history("flood", 0, 100_000).size()
      + stream.history("warm", 0, 100).size() + stream.history("other", 0, 100).size());
  }

  @Test
  void shouldLetGoOfEvictedHandlesAndKeepNumberingAfterwards() {
    DebugStream stream = new DebugStream(null, 1000, 100, 60_000, now::get);
    emit(stream, "a", 100);
    emit(stream, "b", 150); // pushes every event of a out of the total
    assertThat(stream.handles()).isEqualTo(200); // a's 100 handles wait for a's next event or the sweep
    stream.expire();
    assertThat(stream.handles()).isEqualTo(100);
    emit(stream, "a", 3);
    assertThat(stream.history("a", 0, 100)).extracting(DebugEvent::seq).containsExactly(101L, 102L, 103L);
    assertThat(stream.history("b", 0, 1000)).hasSize(97).extracting(DebugEvent::seq).first().isEqualTo(54L);
  }

  @Test
  void shouldForgetSessionsQuietPastTheKeepTime() {
    DebugStream stream = new DebugStream(null, 100, 1_000, 60_000, now::get);
    emit(stream, "old", 3);
    now.addAndGet(30_000);
    emit(stream, "recent", 3);
    now.addAndGet(31_000);
    assertThat(stream.expire()).isEqualTo(1);
    assertThat(stream.history("old", 0, 100)).isEmpty();
    assertThat(stream.history("recent", 0, 100)).hasSize(3);
  }

  @Test
  void shouldKeepAndDeliverTheEventsOfATranscriptThatGathersNone() {
    DebugStream stream = new DebugStream(null, 100, 1_000, 60_000, now::get);
    Transcript streamed = Transcript.streamedOnly(stream, "s");
    streamed.debug("before any listener"); // nobody reads the event itself: its text goes straight to the ring
    List<String> heard = new java.util.ArrayList<>();
    stream.addListener(event -> heard.add(event.toJson().getString("text")));
    streamed.warning("while one listens", new io.vertx.core.json.JsonObject().put("n", 1));
    assertThat(heard).containsExactly("while one listens");
    assertThat(stream.history("s", 0, 100)).extracting(e -> e.toJson().getString("text"))
      .containsExactly("before any listener", "while one listens");
    assertThat(stream.history("s", 0, 100).get(1).toJson().getJsonObject("data").getInteger("n")).isEqualTo(1);
    assertThat(streamed.events().elements()).isEmpty(); // not gathered for an answer
    Transcript gathered = new Transcript(stream, "s");
    gathered.debug("gathered");
    assertThat(gathered.events().elements()).hasSize(1);
    assertThat(stream.history("s", 0, 100)).extracting(DebugEvent::seq).containsExactly(1L, 2L, 3L);
  }

  /**
   * A console connecting while a pass-through call's transcript emits: an event whose text skipped its own
   * array (nobody listened when it was encoded) must not reach the listener added meanwhile as null.
   */
  @Test
  @Timeout(60)
  void shouldNeverHandAListenerAddedMeanwhileAnEventItCannotRead() throws InterruptedException {
    DebugStream stream = new DebugStream(null, 1000, 200_000, 60_000, now::get);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicLong emitted = new java.util.concurrent.atomic.AtomicLong();
    Thread emitter = new Thread(() -> {
      Transcript transcript = Transcript.streamedOnly(stream, "s");
      while (failure.get() == null && !Thread.currentThread().isInterrupted()) {
        try {
          transcript.debug("a pass-through event");
          emitted.incrementAndGet();
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }
    });
    emitter.start();
    java.util.concurrent.atomic.AtomicLong heard = new java.util.concurrent.atomic.AtomicLong();
    long until = System.nanoTime() + 20_000_000_000L; // a bound only: it stops once enough events raced
    while (emitted.get() < 300_000 && failure.get() == null && System.nanoTime() < until) {
      java.util.function.Consumer<DebugEvent> listener = event -> {
        event.session(); // what a console connection reads first
        heard.incrementAndGet();
      };
      stream.addListener(listener);
      stream.removeListener(listener);
    }
    emitter.interrupt();
    emitter.join();
    assertThat(failure.get()).isNull();
    assertThat(emitted.get()).isPositive();
  }

  @Test
  void shouldKeepATranscriptsEventsWhenItsSessionsHistoryWasForgottenBetweenThem() {
    DebugStream stream = new DebugStream(null, 100, 1_000, 60_000, now::get);
    Transcript transcript = new Transcript(stream, "s");
    transcript.debug("first"); // the transcript holds the session's history from here on
    now.addAndGet(61_000);
    assertThat(stream.expire()).isEqualTo(1); // gone meanwhile: the next event must not land in the dropped one
    transcript.debug("second");
    assertThat(stream.history("s", 0, 100)).extracting(e -> e.toJson().getString("text")).containsExactly("second");
    assertThat(stream.lastSeq("s")).isEqualTo(2); // a new history numbers on after the forgotten one's last
    transcript.debug("third");
    assertThat(stream.history("s", 0, 100)).extracting(DebugEvent::seq).containsExactly(2L, 3L);
  }

  @Test
  void shouldNumberALiveSessionsNextEventAfterItsLastOnceItsEventsWereForgotten() {
    // events kept 1 minute, numbering 60 minutes (as long as a session lives idle)
    DebugStream stream = new DebugStream(null, 100, 1_000, 60_000, 3_600_000, now::get);
    emit(stream, "s", 3);
    now.addAndGet(61_000);
    assertThat(stream.expire()).isEqualTo(1); // its events went
    assertThat(stream.history("s", 0, 100)).isEmpty();
    assertThat(stream.lastSeq("s")).isEqualTo(3);
    assertThat(stream.sessions()).toIterable().isEmpty(); // nothing to replay: "*" does not list it
    emit(stream, "s", 1); // a console that saw 1..3 resumes after 3 and must get this one as new
    assertThat(stream.sessions()).toIterable().containsExactly("s");
    assertThat(stream.history("s", 0, 100)).extracting(DebugEvent::seq).containsExactly(4L);
    now.addAndGet(3_601_000);
    assertThat(stream.expire()).isEqualTo(1);
    assertThat(stream.lastSeq("s")).isZero(); // the session is long gone, nothing kept of it
    assertThat(stream.expire()).isZero();
    // but its id used again numbers on: a console page still open on it skips the seqs it has seen
    emit(stream, "s", 2);
    assertThat(stream.history("s", 0, 100)).extracting(DebugEvent::seq).containsExactly(5L, 6L);
  }

  @Test
  void shouldNumberFromTheStartASessionIdForgottenLongerAgoThanTheRetiredItKeeps() {
    DebugStream stream = new DebugStream(null, 100, 1_000, 60_000, 60_000, now::get);
    emit(stream, "first", 3);
    now.addAndGet(61_000);
    stream.expire();
    for (int i = 0; i < DebugStream.RETIRED_KEPT; i++) {
      emit(stream, "other-" + i, 1);
    }
    now.addAndGet(61_000);
    stream.expire(); // "first" is the oldest of RETIRED_KEPT + 1 forgotten: let go of
    emit(stream, "first", 1);
    emit(stream, "other-0", 1);
    assertThat(stream.history("first", 0, 100)).extracting(DebugEvent::seq).containsExactly(1L);
    assertThat(stream.history("other-0", 0, 100)).extracting(DebugEvent::seq).containsExactly(2L);
  }

  /**
   * Two producers on one session, interleaved on purpose: while the listener holds the first event, the
   * second producer emits. Under the per-session lock it blocks until the listener returns, so the listener
   * sees 1 then 2; a stream that called listeners after releasing the lock would deliver 2 before 1.
   */
  @Test
  @Timeout(20)
  void shouldCallListenersUnderTheSessionLockSoTwoProducersKeepSeqOrder() throws Exception {
    DebugStream stream = new DebugStream(null, 100, 1_000, 60_000, now::get);
    List<Long> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.concurrent.atomic.AtomicReference<Thread> second = new java.util.concurrent.atomic.AtomicReference<>();
    stream.addListener(event -> {
      if (event.seq() == 1) {
        Thread producer = new Thread(() -> stream.emit("order", "debug", "debug", "second", null), "second-producer");
        second.set(producer);
        producer.start();
        // until the second producer either delivered its event (no lock held) or waits for the lock
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).pollInterval(java.time.Duration.ofMillis(5))
          .until(() -> !seen.isEmpty() || producer.getState() == Thread.State.BLOCKED);
      }
      seen.add(event.seq());
    });
    Thread first = new Thread(() -> stream.emit("order", "debug", "debug", "first", null), "first-producer");
    first.start();
    first.join();
    second.get().join();
    assertThat(seen).containsExactly(1L, 2L);
  }

  /**
   * With a large total, threads take ranks in blocks: two busy threads and one that keeps an event now and
   * then stay within the total (short of it by at most a block a thread), the oldest going first, and the
   * rare event is kept among the newest rather than ranked behind everything the busy threads kept.
   */
  @Test
  @Timeout(60)
  void shouldStayWithinTheTotalAndEvictTheOldestWhenThreadsTakeRanksInBlocks() throws Exception {
    DebugStream stream = new DebugStream(null, 100_000, 20_000, 60_000, now::get);
    emit(stream, "rare", 1);
    List<Thread> busy = new java.util.ArrayList<>();
    for (int t = 0; t < 2; t++) {
      String session = "busy" + t;
      busy.add(new Thread(() -> emit(stream, session, 30_000)));
    }
    busy.forEach(Thread::start);
    for (Thread t : busy) {
      t.join();
    }
    emit(stream, "rare", 1);
    // never more than the total; fewer by the blocks in use and the rest of each block given up when its
    // thread fell RANK_STALE behind (descheduled on a busy machine): at most once per RANK_STALE ranks a thread
    long givenUp = 2 * (20_000 / DebugStream.RANK_STALE + 1) * DebugStream.RANK_BLOCK;
    assertThat(stream.kept()).isBetween(20_000L - 3 * DebugStream.RANK_BLOCK - givenUp, 20_000L);
    assertThat(stream.history("rare", 0, 10)).extracting(DebugEvent::seq).containsExactly(2L);
    long inBusy = 0;
    for (int t = 0; t < 2; t++) {
      List<DebugEvent> kept = stream.history("busy" + t, 0, 100_000);
      if (!kept.isEmpty()) { // each session keeps its newest: the oldest went first
        assertThat(kept.get(kept.size() - 1).seq()).isEqualTo(30_000L);
        assertThat(kept.get(0).seq()).isEqualTo(30_000L - kept.size() + 1);
      }
      inBusy += kept.size();
    }
    assertThat(inBusy).isEqualTo(stream.kept() - 1);
  }

  /**
   * An event whose data is written as members (a pass-through call's, nothing else reading it) is published on
   * the bus as the text kept, its writer run once: the bus copy is decoded from the event's text.
   */
  @Test
  @Timeout(30)
  void shouldPublishMembersDataAsKeptWritingItOnce() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      DebugStream stream = new DebugStream(vertx, 100, 100_000, 60_000, now::get);
      CompletableFuture<JsonObject> published = new CompletableFuture<>();
      vertx.eventBus().<JsonObject>consumer(DebugStream.ADDRESS_PREFIX + "bus", m -> published.complete(m.body()))
        .completion().await();
      AtomicInteger writes = new AtomicInteger();
      JsonText.Members data = fields -> {
        writes.incrementAndGet();
        fields.string(JsonText.key("phase"), "finish").number(JsonText.key("n"), 7)
          .value(JsonText.key("list"), List.of("a", 1));
      };
      Transcript.streamedOnly(stream, "bus").encodedEvent("integration", "info", "done", data);
      JsonObject onBus = published.get(10, TimeUnit.SECONDS);
      JsonObject kept = stream.page("bus", 0, 10).await().events().get(0).toJson();
      assertThat(writes).hasValue(1);
      assertThat(onBus).isEqualTo(kept);
      assertThat(onBus.getJsonObject("data")).isEqualTo(new JsonObject().put("phase", "finish").put("n", 7)
        .put("list", new JsonArray().add("a").add(1)));
      assertThat(onBus.getString("text")).isEqualTo("done");
      assertThat(onBus.getLong("seq")).isEqualTo(1L);
    } finally {
      vertx.close().await();
    }
  }
}
