import io.botgate.BotgateVerticle;
import io.botgate.GatewayConfig;
import io.botgate.session.IntegrationResult;
import io.botgate.session.Session;
import io.botgate.session.LocalSessionStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap bytes per session, each holding a last result and 10 short variables, measured after GC at each
 * count given (default 100,000 and 1,000,000) in a real gateway's store; names and values are new
 * strings per session, as they arrive from parsed JSON. Then, at the largest count, how long
 * GET /api/sessions takes for one page and the slowest /health answer while pages are served.
 *   java -Xmx3g -cp target/botgate.jar bench/SessionMemory.java [count...]
 */
public class SessionMemory {

  public static void main(String[] args) throws Exception {
    int[] counts = args.length == 0 ? new int[] {100_000, 1_000_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    int most = Arrays.stream(counts).max().orElseThrow();
    Vertx vertx = Vertx.vertx();
    BotgateVerticle gateway = new BotgateVerticle(GatewayConfig.of(new JsonObject().put("http.port", 0)
      .put("demo.enabled", false).put("session.max", most)
      // A session is charged about what it takes in the heap (about 1.2 KB each here), past the default bound
      // of all sessions together (a quarter of the heap) at a million: raised, as such a deployment would.
      .put("session.total.mb", 2048)));
    vertx.deployVerticle(gateway).await();
    LocalSessionStore store = (LocalSessionStore) gateway.sessions();
    long base = heapAfterGc();
    int filled = 0;
    for (int n : counts) {
      fill(store, filled, n);
      filled = n;
      long used = heapAfterGc() - base;
      System.out.printf("%,10d sessions: %,6d heap bytes each, %,6d MB in all (target: 1M in 2,048 MB)%n",
        store.size(), used / n, used >> 20);
    }
    cpuPerPage(store);
    timePages(vertx, gateway.port(), store.size());
    vertx.close().await();
  }

  static void fill(LocalSessionStore store, int from, int to) {
    String integration = "faqIntegration";
    for (int i = from; i < to; i++) {
      Session s = store.open("session-" + i);
      s.record(new IntegrationResult(s.id(), integration, true, "200", System.currentTimeMillis(), 12, 1, "node-1"));
      for (int v = 0; v < 10; v++) {
        s.setVariable(new String("var" + v), "value " + v + "-" + (i % 1000));
      }
    }
  }

  /** CPU time of selecting one page in the store (what the worker spends), robust to a busy machine. */
  static void cpuPerPage(LocalSessionStore store) {
    var threads = ManagementFactory.getThreadMXBean();
    for (int limit : new int[] {100, 1000}) {
      long best = Long.MAX_VALUE;
      var next = (io.botgate.session.SessionCursor) null;
      for (int round = 0; round < 5; round++) {
        long start = threads.getCurrentThreadCpuTime();
        next = store.list(next, limit).next();
        best = Math.min(best, threads.getCurrentThreadCpuTime() - start);
      }
      System.out.printf("selecting a page of %d at %,d sessions: %.0f ms of CPU (best of 5 consecutive pages)%n",
        limit, store.size(), best / 1e6);
    }
  }

  /** Pages of 100 and 1000 over HTTP, five consecutive each, while /health is asked again 10 ms after each answer. */
  static void timePages(Vertx vertx, int port, int sessions) {
    WebClient http = WebClient.create(vertx);
    AtomicLong slowestHealth = new AtomicLong();
    AtomicLong healthAnswers = new AtomicLong();
    AtomicBoolean polling = new AtomicBoolean(true);
    for (int i = 0; i < 20; i++) { // warm: the first answers load classes and open the connection
      http.get(port, "127.0.0.1", "/health").send().await();
      http.get(port, "127.0.0.1", "/api/sessions?limit=1").send().await();
    }
    // The baseline: /health alone for a few seconds, to tell the machine's own stalls from the list's.
    pollHealth(vertx, http, port, polling, slowestHealth, healthAnswers);
    sleep(5_000);
    System.out.printf("slowest of %d /health answers with no list request: %.1f ms%n", healthAnswers.get(),
      slowestHealth.get() / 1e6);
    slowestHealth.set(0);
    healthAnswers.set(0);
    for (int limit : new int[] {100, 1000}) {
      long best = Long.MAX_VALUE;
      long worst = 0;
      String cursor = null;
      for (int round = 0; round < 5; round++) {
        long start = System.nanoTime();
        JsonObject page = http.get(port, "127.0.0.1", "/api/sessions?limit=" + limit
          + (cursor == null ? "" : "&cursor=" + cursor)).send().await().bodyAsJsonObject();
        long took = System.nanoTime() - start;
        best = Math.min(best, took);
        worst = Math.max(worst, took);
        cursor = page.getString("next");
      }
      System.out.printf("GET /api/sessions?limit=%d at %,d sessions: %.0f ms to %.0f ms (5 consecutive pages)%n",
        limit, sessions, best / 1e6, worst / 1e6);
    }
    polling.set(false);
    System.out.printf("slowest of %d /health answers meanwhile: %.1f ms%n", healthAnswers.get(), slowestHealth.get() / 1e6);
  }

  static void pollHealth(Vertx vertx, WebClient http, int port, AtomicBoolean polling, AtomicLong slowest,
                         AtomicLong answers) {
    if (!polling.get()) {
      return;
    }
    long start = System.nanoTime();
    http.get(port, "127.0.0.1", "/health").send().onComplete(done -> {
      slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
      answers.incrementAndGet();
      vertx.setTimer(10, id -> pollHealth(vertx, http, port, polling, slowest, answers));
    });
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
