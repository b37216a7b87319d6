package io.botgate.console;

import io.botgate.console.ConsoleDeliveryTest.FakeSocket;
import io.botgate.events.DebugEvent;
import io.botgate.events.DebugStream;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One console connection on a fake socket (see {@link ConsoleDeliveryTest}): the frames a client sends and
 * what it is answered, a replay longer than a page or than the queue, what is held and merged for a client
 * that does not read and when it goes out, the bounds on what a client can make the gateway hold, the frame
 * rate, failures of the socket, and what a closed connection stops doing.
 */
@Timeout(60)
class ConsoleConnectionTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A connection on a fake socket, and how to talk to it on its own context. */
  static final class Client {
    final FakeSocket socket = new FakeSocket();
    final Context context;
    final DebugStream stream;
    final ConsoleStats stats = new ConsoleStats();
    final ConsoleConnection connection;

    Client(DebugStream stream, ConsoleOptions options) throws Exception {
      this(vertx, stream, options);
    }

    Client(Vertx vertx, DebugStream stream, ConsoleOptions options) throws Exception {
      this.context = vertx.getOrCreateContext();
      this.stream = stream;
      this.connection = new ConsoleConnection(socket.ws, context, stream, options, stats);
      on(() -> {
        connection.start();
        return null;
      });
    }

    <T> T on(Callable<T> work) throws Exception {
      CompletableFuture<T> done = new CompletableFuture<>();
      context.runOnContext(v -> {
        try {
          done.complete(work.call());
        } catch (Throwable e) {
          done.completeExceptionally(e);
        }
      });
      return done.get(30, TimeUnit.SECONDS);
    }

    void send(String text) throws Exception {
      on(() -> {
        socket.text.handle(text);
        return null;
      });
    }

    void send(JsonObject frame) throws Exception {
      send(frame.encode());
    }

    void subscribe(String session) throws Exception {
      send(new JsonObject().put("op", "subscribe").put("session", session));
    }

    void ping() throws Exception {
      send(new JsonObject().put("op", "ping"));
    }

    /** Runs on the context: the client reads everything queued and the socket says it has room. */
    void takeAll() throws Exception {
      on(() -> {
        socket.takeAll();
        return null;
      });
    }

    void take(int count) throws Exception {
      on(() -> {
        socket.take(count);
        return null;
      });
    }

    /** The frames written since the {@code from}-th, as JSON. */
    List<JsonObject> writtenFrom(int from) {
      return socket.written.subList(from, socket.written.size()).stream().map(JsonObject::new).toList();
    }

    List<String> errors() {
      return socket.frames("error").stream().map(f -> f.getString("message")).toList();
    }

    /** Holds the connection's event loop until the returned latch is counted down. */
    CountDownLatch block() throws InterruptedException {
      CountDownLatch blocked = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      context.runOnContext(v -> {
        blocked.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
      return release;
    }
  }

  static DebugStream stream() {
    return new DebugStream(null, 2000, 100_000, 600_000, System::currentTimeMillis);
  }

  static ConsoleOptions options(int queueBytes, int maxReplay) {
    return new ConsoleOptions(5, queueBytes, 60_000, maxReplay, ConsoleOptions.DEFAULT_INBOX,
      ConsoleOptions.DEFAULT_INBOX_BYTES, 1000);
  }

  /** Emits {@code count} events of the session whose JSON all has the same length; answers that length. */
  private static int emitSameSize(DebugStream stream, String session, int count, int textLength) {
    int size = -1;
    for (int i = 0; i < count; i++) {
      DebugEvent event = stream.emit(session, "debug", "debug", "x".repeat(textLength), null);
      assertThat(size).isIn(-1, event.utf8().length);
      size = event.utf8().length;
    }
    return size;
  }

  private static List<Long> seqs(List<JsonObject> events) {
    return events.stream().map(e -> e.getLong("seq")).toList();
  }

  @Test
  void shouldSayHelloWithTheProtocolStreamAndLimitsAndBoundTheSocketsQueue() throws Exception {
    DebugStream stream = stream();
    Client client = new Client(stream, options(4321, 1000));

    assertThat(client.socket.writeQueueMaxSize).isEqualTo(4321);
    assertThat(client.socket.frames("hello")).singleElement().satisfies(f -> {
      assertThat(f.getInteger("protocol")).isEqualTo(1);
      assertThat(f.getString("stream")).isEqualTo(stream.id());
      assertThat(f.getInteger("maxSubscriptions")).isEqualTo(5);
    });
    assertThat(client.stats.connections()).isEqualTo(1);
  }

  @Test
  void shouldAnswerEveryFrameItCannotUseWithAnErrorAndAPingWithAPong() throws Exception {
    Client client = new Client(stream(), options(1 << 20, 1000));
    client.send("not json");
    client.send(new JsonObject().put("op", "dance"));
    client.send(new JsonObject().put("op", "subscribe"));
    client.on(() -> {
      client.socket.binary.handle(Buffer.buffer("{\"op\":\"ping\"}"));
      return null;
    });
    client.ping();

    List<String> errors = client.errors();
    assertThat(errors).hasSize(4);
    assertThat(errors.get(0)).startsWith("the frame is not a JSON object: ");
    assertThat(errors.get(1)).isEqualTo("unknown op 'dance': use subscribe, unsubscribe or ping");
    assertThat(errors.get(2)).isEqualTo("\"session\" is required: a session id, or \"*\" for every session");
    assertThat(errors.get(3)).isEqualTo("binary frames are not understood; send JSON text frames");
    assertThat(client.socket.frames("pong")).singleElement()
      .satisfies(f -> assertThat(f.getString("ts")).isNotBlank());
    assertThat(client.socket.frames("subscribed")).isEmpty();
    assertThat(client.socket.closes).isEmpty();
  }

  @Test
  void shouldAnswerACommandThatFailedWithAnErrorAndGoOn() throws Exception {
    Client client = new Client(stream(), options(1 << 20, 1000));
    client.socket.failWriteOf = "\"op\":\"pong\"";
    client.ping();

    assertThat(client.errors()).containsExactly(
      "the gateway could not carry out \"ping\": java.lang.IllegalStateException: the socket failed");
    client.ping();
    assertThat(client.socket.frames("pong")).hasSize(1);
    assertThat(client.socket.closes).isEmpty();
  }

  @Test
  void shouldReplayAllOfASessionLongerThanAPageAndStopAtMaxReplay() throws Exception {
    DebugStream stream = stream();
    int pages = 2 * ConsoleConnection.REPLAY_PAGE;
    for (int i = 0; i < pages; i++) {
      stream.emit("full", "debug", "debug", "e", null);
    }
    for (int i = 0; i < 300; i++) {
      stream.emit("long", "debug", "debug", "e", null);
    }
    Client client = new Client(stream, options(1 << 20, 1000));

    client.subscribe("full");
    assertThat(seqs(client.socket.events("full"))).as("exactly two pages, then an empty one")
      .isEqualTo(java.util.stream.LongStream.rangeClosed(1, pages).boxed().toList());
    assertThat(client.socket.frames("subscribed")).singleElement()
      .satisfies(f -> assertThat(f.getInteger("replayed")).isEqualTo(pages));

    Client capped = new Client(stream, options(1 << 20, 150));
    capped.send(new JsonObject().put("op", "subscribe").put("session", "long").put("after", 10));
    assertThat(seqs(capped.socket.events("long")))
      .isEqualTo(java.util.stream.LongStream.rangeClosed(11, 160).boxed().toList());
    assertThat(capped.socket.frames("subscribed")).singleElement()
      .satisfies(f -> assertThat(f.getInteger("replayed")).isEqualTo(150));
  }

  @Test
  void shouldGoOnWithAReplayOnlyOnceHalfTheQueueHasDrainedAndHoldTheRepliesThatDoNotFit() throws Exception {
    DebugStream stream = stream();
    int size = emitSameSize(stream, "r", 6, 1000);
    Client client = new Client(stream, options(4 * size, 1000));
    FakeSocket socket = client.socket;
    socket.holdWrites = true;

    client.subscribe("r");
    assertThat(seqs(socket.events("r"))).containsExactly(1L, 2L, 3L, 4L);
    assertThat(socket.paused).isTrue();
    client.take(1); // three events still queued: more than half of the four the queue holds
    assertThat(seqs(socket.events("r"))).containsExactly(1L, 2L, 3L, 4L);
    assertThat(socket.paused).isTrue();

    client.take(1); // exactly half
    assertThat(seqs(socket.events("r"))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(socket.frames("subscribed")).as("held: the queue is full again").isEmpty();
    assertThat(socket.paused).isTrue();

    client.takeAll();
    assertThat(socket.frames("subscribed")).singleElement()
      .satisfies(f -> assertThat(f.getInteger("replayed")).isEqualTo(6));
    assertThat(socket.paused).isFalse();
    assertThat(client.stats.queuedBytes()).isZero();
    assertThat(client.stats.dropped()).isZero();
  }

  @Test
  void shouldHandleTheFramesSentDuringAReplayAfterItInOrder() throws Exception {
    DebugStream stream = stream();
    int size = emitSameSize(stream, "a", 4, 1000);
    emitSameSize(stream, "b", 2, 10);
    Client client = new Client(stream, options(2 * size, 1000));
    FakeSocket socket = client.socket;
    socket.holdWrites = true;

    client.subscribe("a");
    int before = socket.written.size();
    client.subscribe("b");
    client.ping();
    stream.emit("a", "debug", "debug", "live during the replay", null);
    assertThat(socket.written).as("they wait for the replay").hasSize(before);

    client.takeAll();
    await().atMost(Duration.ofSeconds(10)).until(() -> socket.events("a").size() == 5);
    client.on(() -> null);
    List<String> order = client.writtenFrom(before).stream()
      .map(f -> f.containsKey("seq") ? f.getString("session") + f.getLong("seq") : f.getString("op") + " " + f.getString("session"))
      .toList();
    // the replay of a covers what was emitted before it began; the live event waits in the inbox for the
    // replays, then goes once
    assertThat(order).containsExactly("a3", "a4", "subscribed a", "b1", "b2", "subscribed b", "pong null", "a5");
  }

  @Test
  void shouldAnnounceWhatLeftTheHistoryDuringASlowReplayAndTakeLaterEventsLive() throws Exception {
    DebugStream stream = new DebugStream(null, 5, 100_000, 600_000, System::currentTimeMillis); // 5 a session
    int size = emitSameSize(stream, "s", 5, 1000);
    Client client = new Client(stream, options(2 * size, 1000));
    client.socket.holdWrites = true;
    client.subscribe("s");
    assertThat(seqs(client.socket.events("s"))).containsExactly(1L, 2L);
    for (int i = 0; i < 10; i++) {
      stream.emit("s", "debug", "debug", "live " + i, null); // 6-15: the history now holds 11-15 only
    }

    client.takeAll();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.events("s").size() == 12);
    client.on(() -> null);
    List<String> order = client.writtenFrom(1).stream()
      .map(f -> f.containsKey("seq") ? "s" + f.getLong("seq") : f.containsKey("op") ? f.getString("op")
        : f.getString("kind") + " " + f.getJsonObject("data").getLong("from") + "-" + f.getJsonObject("data").getLong("to"))
      .toList();
    assertThat(order).containsExactly("s1", "s2", "dropped 3-5", "subscribed", "s6", "s7", "s8", "s9", "s10", "s11",
      "s12", "s13", "s14", "s15");
    assertThat(client.stats.dropped()).isEqualTo(3);
  }

  @Test
  void shouldCloseAClientThatSendsMoreThanItCanBeAnsweredDuringAReplay() throws Exception {
    DebugStream stream = stream();
    int size = emitSameSize(stream, "a", 4, 1000);
    Client client = new Client(stream, options(2 * size, 1000));
    client.socket.holdWrites = true;
    client.subscribe("a");
    for (int i = 0; i < ConsoleConnection.MAX_HELD_REPLIES; i++) {
      client.ping();
    }
    assertThat(client.socket.closes).isEmpty();

    client.ping();
    assertThat(client.socket.closes).containsExactly("1008 too many frames sent during a replay");
  }

  /** A client that is not reading: its events are dropped, its replies held and merged, all told once it reads. */
  private static Client congested(int eventsTaken) throws Exception {
    DebugStream stream = stream();
    Client client = new Client(stream, options(2500, 1000));
    client.subscribe("s");
    client.socket.holdWrites = true;
    for (int i = 0; i < eventsTaken + 1; i++) {
      stream.emit("s", "debug", "debug", "x".repeat(1000), null);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> client.stats.dropped() == 1);
    return client;
  }

  /**
   * An event for a congested connection is dropped where it is emitted, counted and nothing else: it needs
   * no turn of the connection's event loop (held here) and waits in no queue, so clients slower than the
   * event rate cost the executions next to nothing. The client is told the count once it reads again.
   */
  @Test
  void shouldCountEventsForACongestedConnectionAsDroppedWhereTheyAreEmittedWithoutQueueingThem() throws Exception {
    Client client = congested(2);
    CountDownLatch release = client.block();
    for (int i = 0; i < 5; i++) {
      client.stream.emit("s", "debug", "debug", "shed " + i, null);
    }
    assertThat(client.stats.dropped()).as("counted at once, with the connection's event loop held").isEqualTo(6);
    release.countDown();
    int before = client.socket.written.size();
    client.takeAll();
    List<JsonObject> after = client.writtenFrom(before);
    assertThat(after).hasSize(1);
    assertThat(after.get(0).getString("kind")).isEqualTo(DebugEvent.DROPPED);
    assertThat(after.get(0).getJsonObject("data").getLong("count")).isEqualTo(6);
    assertThat(client.socket.written).noneMatch(f -> f.contains("shed "));

    client.stream.emit("s", "debug", "debug", "after the relief", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.written.stream().anyMatch(f -> f.contains("after the relief")));
    assertThat(client.stats.dropped()).isEqualTo(6);
  }

  @Test
  void shouldHoldOnePongAndTheFirstErrorForAClientThatDoesNotReadAndSendThemMergedOnceItDoes() throws Exception {
    Client client = congested(2);
    int before = client.socket.written.size();
    client.ping();
    client.ping();
    client.send("not json 1");
    client.send("not json 2");
    client.send("not json 3");
    client.send(new JsonObject().put("op", "unsubscribe").put("session", "other"));
    assertThat(client.socket.written).hasSize(before);

    client.takeAll();
    List<JsonObject> after = client.writtenFrom(before);
    assertThat(after).hasSize(4);
    assertThat(after.get(0).getString("kind")).isEqualTo(DebugEvent.DROPPED);
    assertThat(after.get(0).getString("text")).startsWith("1 events dropped");
    assertThat(after.get(1).getString("op")).isEqualTo("pong");
    assertThat(after.get(2).getString("op")).isEqualTo("error");
    assertThat(after.get(2).getString("message")).startsWith("the frame is not a JSON object: ")
      .endsWith(" (and 2 more refused frames while this connection was not reading)");
    assertThat(after.get(3).getString("op")).isEqualTo("unsubscribed");
    assertThat(client.stats.mergedReplies()).isEqualTo(3);
    assertThat(client.socket.paused).isFalse();

    client.send("not json 4");
    assertThat(client.errors().get(1)).as("merged errors are told once").doesNotContain("more refused frames");

    // a second time: what was sent on the first relief is not sent again, and the counts start over
    int second = client.socket.written.size();
    client.socket.holdWrites = true;
    for (int i = 0; i < 3; i++) {
      client.stream.emit("s", "debug", "debug", "x".repeat(1000), null);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> client.stats.dropped() == 2);
    client.ping();
    client.send("not json 5");
    client.takeAll();
    List<JsonObject> again = client.writtenFrom(second);
    assertThat(again).hasSize(5);
    assertThat(again.get(2).getJsonObject("data").getLong("count")).isEqualTo(1);
    assertThat(again.get(3).getString("op")).isEqualTo("pong");
    assertThat(again.get(4).getString("message")).startsWith("the frame is not a JSON object: ")
      .doesNotContain("more refused frames");
    assertThat(client.socket.frames("unsubscribed")).hasSize(1);
  }

  @Test
  void shouldKeepTheLatestReplyPerSubjectAndCloseAClientWithMoreThanItsBoundHeld() throws Exception {
    Client client = congested(2);
    int before = client.socket.written.size();
    for (int i = 0; i < ConsoleConnection.MAX_HELD_REPLIES; i++) {
      client.send(new JsonObject().put("op", "unsubscribe").put("session", "u" + i));
    }
    client.send(new JsonObject().put("op", "unsubscribe").put("session", "u0"));
    assertThat(client.socket.closes).as("%d replies held, one of them twice", ConsoleConnection.MAX_HELD_REPLIES).isEmpty();
    assertThat(client.stats.mergedReplies()).isEqualTo(1);

    client.send(new JsonObject().put("op", "unsubscribe").put("session", "one too many"));
    assertThat(client.socket.closes).containsExactly("1008 too many replies held (65) for a client that does not read");
    assertThat(client.socket.written).hasSize(before);
  }

  @Test
  void shouldTreatAPingArrivingOnAFullSocketAsCongestionUntilItDrains() throws Exception {
    Client client = new Client(stream(), options(1 << 20, 1000));
    FakeSocket socket = client.socket;
    socket.queueFull = true;
    client.on(() -> {
      socket.frame.handle(WebSocketFrame.textFrame("{\"op\":\"ping\"}", true));
      return null;
    });
    assertThat(client.stats.congestions()).as("a text frame is no sign of pongs piling up").isZero();
    client.on(() -> {
      socket.frame.handle(WebSocketFrame.pingFrame(Buffer.buffer("?")));
      return null;
    });
    assertThat(client.stats.congestions()).isEqualTo(1);
    assertThat(socket.paused).isTrue();
    client.ping();
    assertThat(socket.frames("pong")).as("held").isEmpty();

    client.on(() -> {
      socket.drain.handle(null); // still full
      return null;
    });
    assertThat(socket.paused).isTrue();
    assertThat(socket.frames("pong")).isEmpty();

    socket.queueFull = false;
    client.on(() -> {
      socket.drain.handle(null);
      return null;
    });
    assertThat(socket.frames("pong")).hasSize(1);
    assertThat(socket.paused).isFalse();
  }

  @Test
  void shouldPauseReadingForTheRestOfTheSecondAfterFramesPerSecondFrames() throws Exception {
    long began = System.nanoTime();
    Client client = new Client(stream(), new ConsoleOptions(5, 1 << 20, 60_000, 1000, ConsoleOptions.DEFAULT_INBOX,
      ConsoleOptions.DEFAULT_INBOX_BYTES, 3));
    FakeSocket socket = client.socket;
    Runnable frame = () -> socket.frame.handle(WebSocketFrame.textFrame("{\"op\":\"ping\"}", true));
    client.on(() -> {
      frame.run();
      frame.run();
      return null;
    });
    assertThat(socket.paused).isFalse();
    client.on(() -> {
      frame.run();
      return null;
    });
    assertThat(socket.paused).isTrue();

    await().atMost(Duration.ofSeconds(5)).until(() -> !socket.paused);
    long pausedUntilMs = (System.nanoTime() - began) / 1_000_000;
    // the window is a second from the connection's start (or later): reading resumes at its end, not before
    assertThat(pausedUntilMs).isBetween(990L, 2 * 1000L + 1000);

    client.on(() -> {
      frame.run();
      frame.run();
      return null;
    });
    assertThat(socket.paused).as("a new window").isFalse();
    long resumed = System.nanoTime();
    // a second later without reaching the rate: the count starts again
    await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - resumed > 1_100_000_000L);
    client.on(() -> {
      frame.run();
      frame.run();
      return null;
    });
    assertThat(socket.paused).as("a new second").isFalse();
    client.on(() -> {
      frame.run();
      return null;
    });
    assertThat(socket.paused).isTrue();
  }

  @Test
  void shouldCloseWithTheStatusABrokenFrameCallsForAndGoAtOnceOnShutdown() throws Exception {
    Client client = new Client(stream(), options(1 << 20, 1000));
    FakeSocket socket = client.socket;
    client.on(() -> {
      socket.exception.handle(new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG,
        "Max frame length of 100 has been exceeded."));
      socket.exception.handle(new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, "y".repeat(200)));
      socket.exception.handle(new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, (String) null));
      // (Netty gives a failure without a message the status's own reason)
      socket.exception.handle(new IllegalStateException("Cannot process text frame of size 10, it would cause message "
        + "buffer of size 110 to overflow max message size of 100"));
      socket.exception.handle(new IllegalStateException("something else"));
      socket.exception.handle(new java.io.IOException("Connection reset"));
      socket.shutdown.handle(null);
      return null;
    });
    assertThat(socket.closes).containsExactly(
      "1009 Max frame length of 100 has been exceeded.",
      "1002 " + "y".repeat(120),
      "1007 Invalid payload data",
      "1009 Cannot process text frame of size 10, it would cause message buffer of size 110 to overflow max message size of 100",
      "close",
      "close",
      "1001 the gateway is shutting down");
  }

  @Test
  void shouldWriteNothingToASocketThatIsClosed() throws Exception {
    DebugStream stream = stream();
    Client client = new Client(stream, options(1 << 20, 1000));
    client.subscribe("s");
    int before = client.socket.written.size();
    client.socket.closed = true;
    client.ping();
    stream.emit("s", "debug", "debug", "after the close", null);
    client.on(() -> null);
    assertThat(client.socket.written).hasSize(before);
    assertThat(client.socket.paused).isFalse();
    assertThat(client.stats.delivered()).as("nothing counted as delivered either").isZero();
  }

  @Test
  void shouldSendAFrameLargerThanTheWholeQueueWhenNothingElseIsQueued() throws Exception {
    DebugStream stream = stream();
    Client client = new Client(stream, options(500, 1000));
    client.subscribe("s");
    client.socket.holdWrites = true;
    stream.emit("s", "debug", "debug", "x".repeat(1000), null);
    stream.emit("s", "debug", "debug", "x".repeat(1000), null);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.stats.delivered() + client.stats.dropped() == 2);
    assertThat(seqs(client.socket.events("s"))).containsExactly(1L);
    assertThat(client.stats.dropped()).isEqualTo(1);

    client.takeAll();
    stream.emit("s", "debug", "debug", "x".repeat(1000), null);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.events("s").size() == 2);
    assertThat(seqs(client.socket.events("s"))).containsExactly(1L, 3L);
  }

  @Test
  void shouldHoldRepliesWhileTheSocketSaysItsQueueIsFull() throws Exception {
    Client client = new Client(stream(), options(1 << 20, 1000));
    client.socket.queueFull = true;
    client.ping();
    assertThat(client.socket.frames("pong")).isEmpty();
    assertThat(client.socket.paused).isTrue();
    assertThat(client.stats.congestions()).isEqualTo(1);

    client.socket.queueFull = false;
    client.on(() -> {
      client.socket.drain.handle(null);
      return null;
    });
    assertThat(client.socket.frames("pong")).hasSize(1);
    assertThat(client.socket.paused).isFalse();
  }

  @Test
  void shouldStopDeliveringAndBeatingOnceClosed() throws Exception {
    DebugStream stream = stream();
    Client client = new Client(stream, new ConsoleOptions(5, 1 << 20, 20, 1000, ConsoleOptions.DEFAULT_INBOX,
      ConsoleOptions.DEFAULT_INBOX_BYTES, 1000));
    FakeSocket socket = client.socket;
    await().atMost(Duration.ofSeconds(10)).until(() -> socket.frames("heartbeat").size() >= 2);
    assertThat(socket.frames("heartbeat").get(0).getString("ts")).isNotBlank();
    client.subscribe("s");

    int beats = client.on(() -> {
      socket.closeHandler.handle(null);
      return socket.frames("heartbeat").size();
    });
    assertThat(client.stats.connections()).isZero();
    stream.emit("s", "debug", "debug", "after the close", null);
    // ten heartbeat periods on the connection's own loop: a timer left running would have beaten meanwhile
    CompletableFuture<Void> later = new CompletableFuture<>();
    client.context.runOnContext(v -> vertx.setTimer(200, id -> later.complete(null)));
    later.get(30, TimeUnit.SECONDS);
    client.on(() -> null);
    assertThat(socket.frames("heartbeat")).hasSize(beats);
    assertThat(socket.events("s")).isEmpty();
  }

  @Test
  void shouldDropAndCountWhatDoesNotFitTheInboxWhileTheLoopIsBusyButAlwaysTakeOneEvent() throws Exception {
    DebugStream stream = stream();
    int size = new DebugStream(null, 10, 100, 60_000, System::currentTimeMillis)
      .emit("s", "debug", "debug", "event 0", null).utf8().length;
    // room for three events by count, and by bytes for three and a half
    Client client = new Client(stream, new ConsoleOptions(5, 1 << 20, 60_000, 1000, 3, 3 * size + size / 2, 1000));
    client.subscribe("s");
    CountDownLatch release = client.block();
    for (int i = 0; i < 5; i++) {
      stream.emit("s", "debug", "debug", "event " + i, null);
    }
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.stats.dropped() == 2);
    client.on(() -> null);
    assertThat(seqs(client.socket.events("s"))).containsExactly(1L, 2L, 3L);
    assertThat(client.socket.written.stream().map(JsonObject::new).filter(f -> DebugEvent.DROPPED.equals(f.getString("kind"))))
      .singleElement().satisfies(f -> assertThat(f.getJsonObject("data").getLong("count")).isEqualTo(2));

    // the room is given back: what was delivered and what was dropped no longer counts against the inbox
    for (int burst = 0; burst < 3; burst++) {
      CountDownLatch go = client.block();
      for (int i = 0; i < 3; i++) {
        stream.emit("s", "debug", "debug", "event " + i, null);
      }
      go.countDown();
      int expected = 6 + 3 * burst;
      await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.events("s").size() == expected);
    }
    assertThat(client.stats.dropped()).isEqualTo(2);

    // an inbox of fewer bytes than one event still takes one at a time
    Client small = new Client(stream, new ConsoleOptions(5, 1 << 20, 60_000, 1000, 100, 10, 1000));
    long last = stream.lastSeq("s");
    small.send(new JsonObject().put("op", "subscribe").put("session", "s").put("after", last));
    CountDownLatch go = small.block();
    stream.emit("s", "debug", "debug", "first", null);
    stream.emit("s", "debug", "debug", "second", null);
    go.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> small.stats.dropped() == 1);
    small.on(() -> null);
    assertThat(seqs(small.socket.events("s"))).containsExactly(last + 1);
  }

  @Test
  void shouldDeliverMoreThanABatchThatPiledUpWhileTheLoopWasBusy() throws Exception {
    DebugStream stream = stream();
    Client client = new Client(stream, options(1 << 20, 1000));
    client.subscribe("s");
    CountDownLatch release = client.block();
    int count = ConsoleConnection.DRAIN_BATCH + 100;
    for (int i = 0; i < count; i++) {
      stream.emit("s", "debug", "debug", "e", null);
    }
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.events("s").size() == count);
    assertThat(client.stats.dropped()).isZero();
  }

  @Test
  void shouldReplayEverySessionOfAStarSubscriptionAFewAtATurn() throws Exception {
    DebugStream stream = stream();
    int sessions = ConsoleConnection.SESSIONS_PER_TURN + 1;
    for (int i = 0; i < sessions; i++) {
      stream.emit("s" + i, "debug", "debug", "e", null);
    }
    Client client = new Client(stream, options(1 << 20, 1000));
    int inTheFirstTurn = client.on(() -> {
      int before = client.socket.written.size();
      client.socket.text.handle(new JsonObject().put("op", "subscribe").put("session", "*").encode());
      return client.socket.written.size() - before;
    });
    assertThat(inTheFirstTurn).isLessThan(sessions);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.frames("subscribed").size() == 1);
    assertThat(client.socket.frames("subscribed").get(0).getInteger("replayed")).isEqualTo(sessions);
  }

  @Test
  void shouldDeliverAnEventEmittedDuringACappedReplayOnceTheReplayEndsWithoutWaitingForAnother() throws Exception {
    DebugStream stream = stream();
    emitSameSize(stream, "s", 3, 10);
    Client client = new Client(stream, options(1 << 20, 3));
    client.socket.onPause = () -> {
      client.socket.onPause = () -> { };
      stream.emit("s", "debug", "debug", "during the replay", null); // past the 3 replayed: live
    };
    client.subscribe("s");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.socket.events("s").size() == 4);
    assertThat(seqs(client.socket.events("s"))).containsExactly(1L, 2L, 3L, 4L);
  }
}
