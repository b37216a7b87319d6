package io.botgate.console;

import io.botgate.events.DebugStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
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
@Timeout(20)
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
    final ServerWebSocket ws = (ServerWebSocket) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {ServerWebSocket.class}, (proxy, method, args) -> {
        switch (method.getName()) {
          case "writeTextMessage" -> {
            written.add((String) args[0]);
            return Future.succeededFuture();
          }
          case "textMessageHandler" -> text = castHandler(args[0]);
          case "pause" -> onPause.run();
          case "isClosed", "writeQueueFull" -> {
            return false;
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
        return type == boolean.class ? false : type == int.class ? 0 : type == long.class ? 0L
          : type == short.class ? (short) 0 : null;
      });

    @SuppressWarnings("unchecked")
    private static Handler<String> castHandler(Object handler) {
      return (Handler<String>) handler;
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
    return done.get(10, TimeUnit.SECONDS);
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
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
      .until(() -> socket.events("dup").stream().anyMatch(e -> e.getString("text").equals("live")));
    // what was queued for the context before "live" has been handled: one more turn shows any late duplicate
    onContext(context, () -> null);
    assertThat(socket.events("dup")).extracting(e -> e.getLong("seq")).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(socket.events("dup").get(3).getString("text")).isEqualTo("during the replay");
  }
}
