package io.botgate.console;

import io.botgate.events.DebugStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A console connection on a fake socket, so that an interleaving the real network makes only now and then
 * happens every time: an event emitted after the subscription took effect and before its replay read the
 * history is both in the history and in the connection's inbox, and must reach the client once.
 */
@Timeout(90)
class ConsoleDeliveryTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A socket that takes every frame at once and runs {@code onPause} when the connection stops reading. */
  static final class FakeSocket {
    final List<String> written = new CopyOnWriteArrayList<>();
    Handler<String> text;
    Runnable onPause = () -> { };
    /** When set, writes stay queued in the socket until {@link #takeAll} (a client that does not read). */
    volatile boolean holdWrites;
    final List<Promise<Void>> unwritten = new CopyOnWriteArrayList<>();
    volatile Handler<Void> drain;
    volatile boolean paused;
    /** What {@code isClosed()} and {@code writeQueueFull()} answer. */
    volatile boolean closed;
    volatile boolean queueFull;
    /** Each close asked for: "status reason", or "close" for a plain close. */
    final List<String> closes = new CopyOnWriteArrayList<>();
    volatile int writeQueueMaxSize = -1;
    /** When set, the next write whose text contains it throws (a socket failing under the connection). */
    volatile String failWriteOf;
    Handler<io.vertx.core.http.WebSocketFrame> frame;
    Handler<io.vertx.core.buffer.Buffer> binary;
    Handler<Void> closeHandler;
    Handler<Void> shutdown;
    Handler<Throwable> exception;
    final ServerWebSocket ws = (ServerWebSocket) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {ServerWebSocket.class}, (proxy, method, args) -> {
        switch (method.getName()) {
          case "writeTextMessage", "writeFrame" -> {
            String text = args[0] instanceof io.vertx.core.http.WebSocketFrame f ? f.textData() : (String) args[0];
            String failing = failWriteOf;
            if (failing != null && text.contains(failing)) {
              failWriteOf = null;
              throw new IllegalStateException("the socket failed");
            }
            written.add(text);
            if (holdWrites) {
              Promise<Void> taken = Promise.promise();
              unwritten.add(taken);
              return taken.future();
            }
            return Future.succeededFuture();
          }
          case "textMessageHandler" -> text = castHandler(args[0]);
          case "drainHandler" -> drain = castHandler(args[0]);
          case "pause" -> {
            paused = true;
            onPause.run();
          }
          case "resume" -> paused = false;
          case "frameHandler" -> frame = castHandler(args[0]);
          case "binaryMessageHandler" -> binary = castHandler(args[0]);
          case "closeHandler" -> closeHandler = castHandler(args[0]);
          case "shutdownHandler" -> shutdown = castHandler(args[0]);
          case "exceptionHandler" -> exception = castHandler(args[0]);
          case "setWriteQueueMaxSize" -> writeQueueMaxSize = (Integer) args[0];
          case "close" -> {
            closes.add(args == null || args.length == 0 ? "close" : args[0] + " " + args[args.length - 1]);
            closed = true;
          }
          case "isClosed" -> {
            return closed;
          }
          case "writeQueueFull" -> {
            return queueFull;
          }
          case "hashCode" -> {
            return System.identityHashCode(proxy);
          }
          case "equals" -> {
            return proxy == args[0];
          }
          case "toString" -> {
            return "fake socket";
          }
          default -> { }
        }
        Class<?> type = method.getReturnType();
        if (type.isInstance(proxy)) {
          return proxy;
        }
        if (Future.class.isAssignableFrom(type)) {
          return Future.succeededFuture();
        }
        // one value per type: a ternary chain would unbox its null for an object type
        if (type == boolean.class) {
          return false;
        }
        if (type == int.class) {
          return 0;
        }
        if (type == long.class) {
          return 0L;
        }
        return type == short.class ? Short.valueOf((short) 0) : null;
      });

    @SuppressWarnings("unchecked")
    private static <T> Handler<T> castHandler(Object handler) {
      return (Handler<T>) handler;
    }

    /** The client reads everything queued, and the socket says it has room again. */
    void takeAll() {
      holdWrites = false;
      unwritten.forEach(Promise::complete);
      unwritten.clear();
      if (drain != null) {
        drain.handle(null);
      }
    }

    /** The client reads the {@code count} oldest frames still queued. */
    void take(int count) {
      for (int i = 0; i < count; i++) {
        unwritten.remove(0).complete();
      }
    }

    List<JsonObject> frames(String op) {
      return written.stream().map(JsonObject::new).filter(f -> op.equals(f.getString("op"))).toList();
    }

    List<JsonObject> events(String session) {
      return written.stream().map(JsonObject::new)
        .filter(f -> session.equals(f.getString("session")) && f.getLong("seq") != null).toList();
    }
  }

  private static <T> T onContext(Context context, java.util.concurrent.Callable<T> work) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        done.complete(work.call());
      } catch (Exception e) {
        done.completeExceptionally(e);
      }
    });
    return done.get(30, TimeUnit.SECONDS);
  }

  @Test
  void shouldDeliverAnEventEmittedDuringTheReplayOnceThoughItIsInHistoryAndInbox() throws Exception {
    DebugStream stream = new DebugStream(null, 100, 10_000, 60_000, System::currentTimeMillis);
    for (int i = 1; i <= 3; i++) {
      stream.emit("dup", "debug", "debug", "before " + i, null);
    }
    FakeSocket socket = new FakeSocket();
    Context context = vertx.getOrCreateContext();
    ConsoleConnection connection = new ConsoleConnection(socket.ws, context, stream,
      new ConsoleOptions(5, 1 << 20, 60_000, 1000, ConsoleOptions.DEFAULT_INBOX, ConsoleOptions.DEFAULT_INBOX_BYTES, 1000),
      new ConsoleStats());
    onContext(context, () -> {
      connection.start();
      return null;
    });
    // The connection pauses reading when its replay begins: the session is subscribed, the history not read.
    socket.onPause = () -> {
      socket.onPause = () -> { };
      stream.emit("dup", "debug", "debug", "during the replay", null);
    };
    onContext(context, () -> {
      socket.text.handle(new JsonObject().put("op", "subscribe").put("session", "dup").encode());
      return null;
    });
    stream.emit("dup", "debug", "debug", "live", null);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
      .until(() -> socket.events("dup").stream().anyMatch(e -> e.getString("text").equals("live")));
    // what was queued for the context before "live" has been handled: one more turn shows any late duplicate
    onContext(context, () -> null);
    assertThat(socket.events("dup")).extracting(e -> e.getLong("seq")).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(socket.events("dup").get(3).getString("text")).isEqualTo("during the replay");
  }

  private ConsoleConnection connect(FakeSocket socket, Context context, DebugStream stream, ConsoleOptions options,
                                    ConsoleStats stats) throws Exception {
    ConsoleConnection connection = new ConsoleConnection(socket.ws, context, stream, options, stats);
    onContext(context, () -> {
      connection.start();
      return null;
    });
    return connection;
  }

  private static void send(Context context, FakeSocket socket, JsonObject frame) throws Exception {
    onContext(context, () -> {
      socket.text.handle(frame.encode());
      return null;
    });
  }

  private static ConsoleOptions options(int maxSubscriptions, int queueBytes, int maxReplay) {
    return new ConsoleOptions(maxSubscriptions, queueBytes, 60_000, maxReplay, ConsoleOptions.DEFAULT_INBOX,
      ConsoleOptions.DEFAULT_INBOX_BYTES, 1000);
  }

  @Test
  void shouldTellAClientResumingEverySessionOfASessionWhoseEveryEventLeftTheHistory() throws Exception {
    DebugStream stream = new DebugStream(null, 50, 20, 60_000, System::currentTimeMillis); // 20 events kept in all
    for (int i = 1; i <= 10; i++) {
      stream.emit("gone", "debug", "debug", "g" + i, null);
    }
    for (int i = 1; i <= 30; i++) {
      stream.emit("busy", "debug", "debug", "b" + i, null); // pushes every event of "gone" out
    }
    FakeSocket socket = new FakeSocket();
    Context context = vertx.getOrCreateContext();
    connect(socket, context, stream, options(5, 1 << 20, 100), new ConsoleStats());
    send(context, socket, new JsonObject().put("op", "subscribe").put("session", "*")
      .put("after", new JsonObject().put("gone", 3).put("busy", 25).put("never-seen", 4)));

    List<JsonObject> gaps = socket.written.stream().map(JsonObject::new).filter(f -> "gap".equals(f.getString("kind")))
      .toList();
    assertThat(gaps).extracting(g -> g.getString("session")).containsExactly("gone");
    assertThat(gaps.get(0).getJsonObject("data")).isEqualTo(new JsonObject().put("from", 4).put("to", 10));
    assertThat(socket.written.stream().map(JsonObject::new).filter(f -> "busy".equals(f.getString("session"))
      && f.getLong("seq") != null)).extracting(e -> e.getLong("seq")).containsExactly(26L, 27L, 28L, 29L, 30L);
  }

  @Test
  void shouldTellAClientThatResumesAfterEventsNoLongerKeptWhichOnesItWillNotGet() throws Exception {
    DebugStream stream = new DebugStream(null, 5, 10_000, 60_000, System::currentTimeMillis);
    for (int i = 1; i <= 12; i++) {
      stream.emit("kept", "debug", "debug", "k" + i, null); // the history keeps the last five: 8-12
    }
    FakeSocket socket = new FakeSocket();
    Context context = vertx.getOrCreateContext();
    connect(socket, context, stream, options(5, 1 << 20, 100), new ConsoleStats());
    send(context, socket, new JsonObject().put("op", "subscribe").put("session", "kept").put("after", 3));
    List<JsonObject> told = socket.written.stream().map(JsonObject::new)
      .filter(f -> "kept".equals(f.getString("session")) && f.getString("op") == null).toList();
    assertThat(told.get(0).getString("kind")).isEqualTo("gap");
    assertThat(told.get(0).getJsonObject("data")).isEqualTo(new JsonObject().put("from", 4).put("to", 7));
    assertThat(told.get(0).getString("text")).contains("no longer kept");
    assertThat(told.subList(1, told.size())).extracting(e -> e.getLong("seq")).containsExactly(8L, 9L, 10L, 11L, 12L);

    FakeSocket fresh = new FakeSocket(); // a client with no place yet gets what is kept, nothing to be told
    connect(fresh, context, stream, options(5, 1 << 20, 100), new ConsoleStats());
    send(context, fresh, new JsonObject().put("op", "subscribe").put("session", "kept").put("after", 0));
    assertThat(fresh.written.stream().map(JsonObject::new).filter(f -> "gap".equals(f.getString("kind")))).isEmpty();
    assertThat(fresh.events("kept")).extracting(e -> e.getLong("seq")).containsExactly(8L, 9L, 10L, 11L, 12L);
  }

  @Test
  void shouldReplayAfterTheGivenSeqAtMostMaxReplayThenDeliverLiveEventsOfWantedSessionsOnly() throws Exception {
    DebugStream stream = new DebugStream(null, 100, 10_000, 60_000, System::currentTimeMillis);
    for (int i = 1; i <= 6; i++) {
      stream.emit("a", "debug", "debug", "a" + i, null);
    }
    stream.emit("b", "debug", "debug", "b1", null);
    FakeSocket socket = new FakeSocket();
    Context context = vertx.getOrCreateContext();
    ConsoleStats stats = new ConsoleStats();
    connect(socket, context, stream, options(5, 1 << 20, 3), stats);
    send(context, socket, new JsonObject().put("op", "subscribe").put("session", "a").put("after", 1));
    assertThat(socket.events("a")).extracting(e -> e.getLong("seq")).containsExactly(2L, 3L, 4L);
    assertThat(socket.frames("subscribed")).singleElement()
      .satisfies(f -> assertThat(f.getInteger("replayed")).isEqualTo(3));
    assertThat(socket.paused).as("reading resumes once the replay is done").isFalse();

    stream.emit("b", "debug", "debug", "b2", null);
    stream.emit("a", "debug", "debug", "a7", null);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
      .until(() -> socket.events("a").size() == 4);
    onContext(context, () -> null);
    assertThat(socket.events("a")).extracting(e -> e.getLong("seq")).containsExactly(2L, 3L, 4L, 7L);
    assertThat(socket.events("b")).isEmpty();
    assertThat(stats.delivered()).isEqualTo(4);

    send(context, socket, new JsonObject().put("op", "unsubscribe").put("session", "a"));
    assertThat(socket.frames("unsubscribed")).hasSize(1);
    stream.emit("a", "debug", "debug", "a8", null);
    onContext(context, () -> null);
    onContext(context, () -> null);
    assertThat(socket.events("a")).hasSize(4);
  }

  @Test
  void shouldReplayEverySessionForStarAndRefuseASubscriptionPastTheMaximum() throws Exception {
    DebugStream stream = new DebugStream(null, 100, 10_000, 60_000, System::currentTimeMillis);
    stream.emit("a", "debug", "debug", "a1", null);
    stream.emit("b", "debug", "debug", "b1", null);
    stream.emit("b", "debug", "debug", "b2", null);
    FakeSocket socket = new FakeSocket();
    Context context = vertx.getOrCreateContext();
    connect(socket, context, stream, options(2, 1 << 20, 1000), new ConsoleStats());
    send(context, socket, new JsonObject().put("op", "subscribe").put("session", "*"));
    assertThat(socket.events("a")).extracting(e -> e.getLong("seq")).containsExactly(1L);
    assertThat(socket.events("b")).extracting(e -> e.getLong("seq")).containsExactly(1L, 2L);
    assertThat(socket.frames("subscribed")).singleElement()
      .satisfies(f -> assertThat(f.getInteger("replayed")).isEqualTo(3));

    send(context, socket, new JsonObject().put("op", "subscribe").put("session", "a"));
    assertThat(socket.frames("error")).isEmpty();
    send(context, socket, new JsonObject().put("op", "subscribe").put("session", "a"));
    assertThat(socket.frames("error")).as("subscribing again to a subscribed session is no new subscription").isEmpty();
    send(context, socket, new JsonObject().put("op", "subscribe").put("session", "c"));
    assertThat(socket.frames("error")).singleElement().satisfies(f -> assertThat(f.getString("message"))
      .isEqualTo("at most 2 subscriptions per connection; unsubscribe first"));
  }

  @Test
  void shouldDropWhatDoesNotFitACongestedClientAndSayHowManyOnceItReadsAgain() throws Exception {
    DebugStream stream = new DebugStream(null, 100, 10_000, 60_000, System::currentTimeMillis);
    FakeSocket socket = new FakeSocket();
    Context context = vertx.getOrCreateContext();
    ConsoleStats stats = new ConsoleStats();
    connect(socket, context, stream, options(5, 2500, 1000), stats);
    send(context, socket, new JsonObject().put("op", "subscribe").put("session", "s"));
    socket.holdWrites = true;
    String text = "x".repeat(1000);
    for (int i = 1; i <= 5; i++) {
      stream.emit("s", "debug", "debug", text, null);
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
      .until(() -> stats.delivered() + stats.dropped() == 5);
    // each event is some 1100 bytes: the first two fit the 2500 of the queue, the rest is dropped and counted
    assertThat(socket.events("s")).extracting(e -> e.getLong("seq")).containsExactly(1L, 2L);
    assertThat(stats.dropped()).isEqualTo(3);
    assertThat(stats.congestions()).isEqualTo(1);
    assertThat(stats.queuedBytes()).isPositive();
    assertThat(socket.paused).as("a congested connection stops reading").isTrue();
    assertThat(socket.written).noneMatch(f -> f.contains("events dropped"));

    onContext(context, () -> {
      socket.takeAll();
      return null;
    });
    assertThat(stats.queuedBytes()).isZero();
    assertThat(socket.paused).isFalse();
    assertThat(socket.written.stream().map(JsonObject::new).filter(f -> "dropped".equals(f.getString("kind"))))
      .singleElement().satisfies(f -> {
        assertThat(f.getJsonObject("data").getLong("count")).isEqualTo(3);
        assertThat(f.getString("text")).startsWith("3 events dropped");
      });
    stream.emit("s", "debug", "debug", "after", null);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
      .until(() -> socket.events("s").size() == 3);
    assertThat(socket.events("s").get(2).getLong("seq")).isEqualTo(6);
  }
}
