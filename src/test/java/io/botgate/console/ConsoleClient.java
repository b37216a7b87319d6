package io.botgate.console;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** A real WebSocket client of {@code /console} that records every frame it receives. */
final class ConsoleClient {

  final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  private final WebSocketClient client;
  WebSocket socket;

  private ConsoleClient(Vertx vertx) {
    this.client = vertx.createWebSocketClient();
  }

  static Future<ConsoleClient> connect(Vertx vertx, int port) {
    return connect(vertx, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/console"));
  }

  /**
   * The handler is set before connecting: the socket is resumed when the handshake completes, which may be
   * before a caller on another thread gets to add a handler to the returned future, and a frame that
   * arrives with no handler (the server's hello) is dropped.
   */
  static Future<ConsoleClient> connect(Vertx vertx, WebSocketConnectOptions options) {
    ConsoleClient c = new ConsoleClient(vertx);
    ClientWebSocket ws = c.client.webSocket();
    ws.textMessageHandler(text -> c.frames.add(new JsonObject(text)));
    c.socket = ws;
    return ws.connect(options).map(c);
  }

  void send(JsonObject frame) {
    socket.writeTextMessage(frame.encode());
  }

  void subscribe(String session, Object after) {
    send(new JsonObject().put("op", "subscribe").put("session", session).put("after", after));
  }

  List<JsonObject> events(String session) {
    return frames.stream().filter(f -> !f.containsKey("op") && session.equals(f.getString("session"))).toList();
  }

  List<JsonObject> ops(String op) {
    return frames.stream().filter(f -> op.equals(f.getString("op"))).toList();
  }

  JsonObject awaitFrame(Predicate<JsonObject> match) {
    await().until(() -> frames.stream().anyMatch(match));
    return frames.stream().filter(match).findFirst().orElseThrow();
  }

  void close() {
    socket.close();
  }
}
