package io.botgate.console;

import io.botgate.TestGateway;
import io.botgate.events.DebugStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replay to a client that reads slowly while its session goes on: the history moves past the replay
 * before the client takes it, and yet every event reaches the client once and in order, or is announced as
 * dropped where it would have been: with its seqs, or (for live events dropped on their way, past the
 * connection's inbox) counted. Real gateway, a real socket whose receive buffer is small.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsoleSlowReplayTest {

  static final String SESSION = "slow-replay";

  @Test
  void shouldDeliverOrAnnounceAsDroppedEveryEventWhenTheHistoryMovesOnDuringASlowReplay() throws Exception {
    everyEventDeliveredOrAnnounced(new JsonObject().put("op", "subscribe").put("session", SESSION).put("after", 0),
      3_000);
  }

  @Test
  void shouldAnnounceLiveEventsDroppedDuringASlowReplayAfterTheReplayAndTheEventsBeforeThem() throws Exception {
    // more live events than the connection's inbox holds (1 MiB) while the replay waits on the client: the
    // count of those dropped on their way comes after the replay and the events the inbox kept, not before
    everyEventDeliveredOrAnnounced(new JsonObject().put("op", "subscribe").put("session", SESSION).put("after", 0),
      12_000);
  }

  @Test
  void shouldDeliverOrAnnounceAsDroppedEveryEventOfAStarSubscriptionWhenTheHistoryMovesOnDuringASlowReplay()
    throws Exception {
    everyEventDeliveredOrAnnounced(new JsonObject().put("op", "subscribe").put("session", "*")
      .put("after", new JsonObject().put(SESSION, 0)), 3_000);
  }

  /**
   * 1,000 events of 8 KB kept (the session's whole history), a client that subscribes and reads nothing while
   * {@code live} more are emitted (the history then holds none of those it had), then reads everything.
   */
  private static void everyEventDeliveredOrAnnounced(JsonObject subscribe, int live) throws Exception {
    Vertx vertx = Vertx.vertx(); // a gateway of its own: its metrics and sessions are this test's alone
    try {
      TestGateway gw = result(TestGateway.start(vertx, new JsonObject()));
      DebugStream stream = gw.gateway.stream();
      String padding = "b".repeat(8_000);
      for (int i = 0; i < 1_000; i++) {
        stream.emit(SESSION, "debug", "debug", "big " + i + padding, null);
      }
      long oldest = stream.history(SESSION, 0, 1).get(0).seq();
      long droppedBefore = metric(gw, "botgate_console_events_dropped_total");
      long congestionsBefore = metric(gw, "botgate_console_congestions_total");
      try (SlowReader client = new SlowReader(gw.gateway.port(), 2048)) {
        client.send(subscribe);
        // 8 MB to replay: far more than the socket's buffers and the console's queue take
        await().until(() -> metric(gw, "botgate_console_congestions_total") > congestionsBefore);
        for (int i = 0; i < live; i++) {
          stream.emit(SESSION, "debug", "debug", "small " + i, null);
        }
        long last = stream.lastSeq(SESSION);

        // In the order the client learnt of them; a notice with a count only stands for as many seqs after
        // the last one the client knows of, so one that comes too early covers seqs still to come.
        List<Long> covered = new ArrayList<>();
        long counted = 0;
        long announced = 0;
        int ranges = 0;
        boolean subscribed = false;
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // heartbeats would keep reads going
        while (!subscribed || covered.isEmpty() || covered.get(covered.size() - 1) + counted < last) {
          assertThat(System.nanoTime() - giveUp).as("all covered within 60 s; so far %s", covered.size()).isNegative();
          JsonObject frame = client.next();
          if (frame.containsKey("seq")) {
            counted = cover(covered, counted);
            covered.add(frame.getLong("seq"));
          } else if ("dropped".equals(frame.getString("kind"))) {
            JsonObject data = frame.getJsonObject("data");
            announced += data.getLong("count");
            if (data.containsKey("from")) {
              counted = cover(covered, counted);
              assertThat(frame.getString("session")).isEqualTo(SESSION);
              LongStream.rangeClosed(data.getLong("from"), data.getLong("to")).forEach(covered::add);
              assertThat(data.getLong("count")).isEqualTo(data.getLong("to") - data.getLong("from") + 1);
              ranges++;
            } else {
              counted += data.getLong("count");
            }
          } else if ("subscribed".equals(frame.getString("op"))) {
            subscribed = true;
          }
        }
        cover(covered, counted);
        assertThat(covered).as("each event once, in order, delivered or announced")
          .containsExactlyElementsOf(LongStream.rangeClosed(oldest, last).boxed().toList());
        assertThat(ranges).as("the history moved past the replay").isPositive();
        assertThat(metric(gw, "botgate_console_events_dropped_total") - droppedBefore).isEqualTo(announced);
      }
    } finally {
      result(vertx.close());
    }
  }

  /** The {@code count} seqs after the last covered, covered; answers 0, the count left. */
  private static long cover(List<Long> covered, long count) {
    long last = covered.isEmpty() ? 0 : covered.get(covered.size() - 1);
    for (long seq = last + 1; seq <= last + count; seq++) {
      covered.add(seq);
    }
    return 0;
  }

  private static long metric(TestGateway gw, String name) {
    HttpResponse<Buffer> page = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send());
    return page.bodyAsString().lines().filter(l -> l.startsWith(name + " "))
      .mapToLong(l -> (long) Double.parseDouble(l.substring(name.length() + 1).trim())).findFirst().orElseThrow();
  }
}
