import io.botgate.BotgateVerticle;
import io.botgate.GatewayConfig;
import io.botgate.events.DebugStream;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many events per second one console client receives before drops begin. The gateway runs in this
 * JVM; events are emitted straight into its debug stream at rising rates, each step for a few seconds, and
 * one real WebSocket client subscribed to the session counts what arrives and what the server reports
 * as dropped. Producer, gateway and client share the machine, so read the rates as this machine's.
 *   java -cp target/botgate.jar bench/ConsoleThroughput.java [seconds per step, default 3]
 */
public class ConsoleThroughput {

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Vertx vertx = Vertx.vertx();
    BotgateVerticle gateway = new BotgateVerticle(GatewayConfig.of(new JsonObject().put("http.port", 0)));
    vertx.deployVerticle(gateway).await();
    DebugStream stream = gateway.stream();

    AtomicLong received = new AtomicLong();
    AtomicLong dropped = new AtomicLong();
    WebSocketClient client = vertx.createWebSocketClient();
    var ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
      .setURI("/console")).await();
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if ("dropped".equals(frame.getString("kind"))) {
        dropped.addAndGet(frame.getJsonObject("data").getLong("count"));
      } else if (!frame.containsKey("op")) {
        received.incrementAndGet();
      }
    });
    ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("session", "bench").put("after", 0).encode());
    Thread.sleep(500);

    JsonObject data = new JsonObject().put("integration", "faqIntegration").put("statusCode", "200");
    String text = "faqIntegration → 200 in 4 ms (1 attempt): a typical line of about this length";
    System.out.printf("%12s %12s %14s %14s %10s%n", "target/s", "emitted/s", "received/s", "dropped/s", "drops");
    long bestClean = 0;
    for (int rate = 5_000; rate <= 640_000; rate *= 2) {
      long r0 = received.get(), d0 = dropped.get();
      long start = System.nanoTime();
      long emitted = 0;
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < end) {
        long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
        for (; emitted < due; emitted++) {
          stream.emit("bench", "integration", "info", text, data);
        }
        Thread.onSpinWait();
      }
      Thread.sleep(1500); // let the queue drain and the dropped count arrive
      double got = (received.get() - r0) / (double) seconds;
      double lost = (dropped.get() - d0) / (double) seconds;
      double offered = emitted / (double) seconds;
      System.out.printf("%,12d %,12.0f %,14.0f %,14.0f %10s%n", rate, offered, got, lost, lost > 0 ? "yes" : "no");
      if (lost == 0 && got >= offered * 0.99) {
        bestClean = Math.max(bestClean, (long) got);
      } else if (bestClean > 0 && lost > got) {
        break;
      }
    }
    System.out.printf("%none console client received every event, with no drop, up to %,d events/s%n", bestClean);
    vertx.close().await();
  }
}
