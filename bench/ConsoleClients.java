import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Console clients for bench/console-cost.sh: {@code count} WebSocket connections to {@code /console}, each
 * subscribed to one session (or "*") for live events only, each reading like a browser page: every frame
 * parsed as JSON as it comes, nothing skipped. A client slower than the event rate has events dropped by
 * the gateway, which tells it with a {@code dropped} frame. Per client it checks the stream: a session's
 * seq only ever increases (no duplicate, no reordering), and the seqs missing between two events of a
 * session (holes) add up to no more than the dropped frames announced.
 * Prints "ready" once every client is subscribed, then after {@code seconds}, or when stopped (SIGTERM),
 * one line per client:
 *   client <i> events <n> dropped <n> holes <n> disorder <n> sessions <n>
 * With DEFLATE=1 in the environment the clients offer permessage-deflate, as browsers do.
 *   java -cp target/botgate.jar bench/ConsoleClients.java <port> <count> <session|*> <seconds>
 */
public class ConsoleClients {

  static final class Client {
    final Map<String, Long> last = new HashMap<>();
    long events, dropped, holes, disorder;

    synchronized void onText(String text) {
      JsonObject frame = new JsonObject(text); // what a page does with each frame
      if ("dropped".equals(frame.getString("kind"))) {
        dropped += frame.getJsonObject("data").getLong("count");
        return;
      }
      Long seq = frame.getLong("seq");
      String session = frame.getString("session");
      if (seq == null || session == null) {
        return; // hello, subscribed, heartbeat
      }
      events++;
      Long before = last.put(session, seq);
      if (before != null) {
        if (seq <= before) {
          disorder++;
        } else {
          holes += seq - before - 1;
        }
      }
    }
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int count = Integer.parseInt(args[1]);
    String session = args[2];
    int seconds = Integer.parseInt(args[3]);
    Vertx vertx = Vertx.vertx();
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
      .setMaxMessageSize(1 << 20).setTryUsePerMessageCompression("1".equals(System.getenv("DEFLATE"))));
    List<Client> clients = new ArrayList<>();
    CountDownLatch subscribed = new CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      Client client = new Client();
      clients.add(client);
      WebSocket socket = ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/console")).await();
      socket.textMessageHandler(text -> {
        if (text.startsWith("{\"op\":\"subscribed\"")) {
          subscribed.countDown();
        }
        client.onText(text);
      });
      // live events only: after a seq no session has reached, nothing is replayed
      socket.writeTextMessage(new JsonObject().put("op", "subscribe").put("session", session)
        .put("after", 1L << 50).encode());
    }
    if (!subscribed.await(30, TimeUnit.SECONDS)) {
      System.out.println("not subscribed after 30 s");
      System.exit(1);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> report(clients)));
    System.out.println("ready");
    Thread.sleep(seconds * 1000L);
    System.exit(0);
  }

  private static void report(List<Client> clients) {
    for (int i = 0; i < clients.size(); i++) {
      Client c = clients.get(i);
      synchronized (c) { // the counts are written on the clients' event loops
        System.out.printf("client %d events %d dropped %d holes %d disorder %d sessions %d%n", i, c.events,
          c.dropped, c.holes, c.disorder, c.last.size());
      }
    }
    System.out.flush();
  }
}
