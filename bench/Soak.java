import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak: drives a running gateway at a steady rate of mixed traffic for N minutes and prints, each minute,
 * what the gateway holds (heap after a full GC, threads, open files) and what went wrong. Traffic:
 * executions over 5,000 sessions, normal scripts, a hostile script every 10 s (infinite loop, huge
 * allocation, deep recursion, native loops over huge array-likes, secret fishing), and console clients
 * that read, that never read, that flood pings without reading, and that reconnect every minute.
 * <p>
 * An error is an answer that is not 2xx or a transport failure (a timeout included): a hostile script is
 * expected to be stopped and answered 200 with an error event, so one that hangs the script pool shows as
 * errors, by kind. "blocked" counts Vert.x's blocked-thread warnings in the gateway's log (event loops and
 * script workers). The gateway runs in its own JVM; {@code soak.sh} starts it and passes its pid.
 *   java -cp target/botgate.jar bench/Soak.java PORT PID MINUTES RATE|0 GATEWAY_LOG
 */
public class Soak {

  static final int SESSIONS = 5_000;
  static final long TIMEOUT_MS = 30_000;
  static final List<String> HOSTILE = List.of(
    "while (true) {}",
    "var a = []; for (;;) { a.push(new Array(1000000).join('x')); }",
    "function f(n) { return f(n + 1) + 1; } f(0);",
    "Array.prototype.includes.call({length: 1e15}, 1);",
    "new Array(1e9).map(function (x) { return x; });",
    "var s = []; try { s.push(java.lang.System.getenv()); } catch (e) {} try { s.push(Packages.java.lang.Runtime.getRuntime()); } catch (e) {}"
      + " try { s.push(this.constructor.constructor('return this')()); } catch (e) {}"
      + " botContext.printDebugMessage(String(botContext.getEnvVariable('FAQ_TOKEN')) + s.length);");
  static final String SCRIPT = "var n = 0; for (var i = 0; i < 200; i++) { n += i; }"
    + " botContext.setBotVariable('n', n, true, false); botContext.printDebugMessage('n=' + n);"
    + " if (botContext.getBotVariable('n') > 100) { botContext.sendMessage('ok ' + n); }";

  final Vertx vertx = Vertx.vertx();
  final WebClient http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
    new PoolOptions().setHttp1MaxSize(64));
  final WebSocketClient wsClient = vertx.createWebSocketClient();
  final int port;
  final long pid;
  final Path log;
  final AtomicLong inFlight = new AtomicLong();
  final LongAdder done = new LongAdder();
  final LongAdder skipped = new LongAdder();
  final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  final LongAdder hostileAnswered = new LongAdder();
  final LongAdder consoleFrames = new LongAdder();
  final List<WebSocket> reconnecting = new ArrayList<>();

  Soak(int port, long pid, Path log) {
    this.port = port;
    this.pid = pid;
    this.log = log;
  }

  public static void main(String[] args) throws Exception {
    Soak soak = new Soak(Integer.parseInt(args[0]), Long.parseLong(args[1]), Path.of(args[4]));
    int minutes = Integer.parseInt(args[2]);
    int rate = Integer.parseInt(args[3]);
    if (rate <= 0) {
      soak.peak(15); // warm-up: the JIT, the script engine's first compilations, the pools
      int peak = soak.peak(10);
      rate = Math.max(1, peak / 2);
      System.out.printf("peak: %,d requests/s (executions and scripts, 64 at a time, 10 s); driving half: %,d/s%n",
        peak, rate);
    }
    soak.errors.clear();
    soak.run(minutes, Math.max(1, rate));
    try {
      soak.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      System.exit(0); // clients that never read can hold Vert.x's close: the report is out, end here
    }
  }

  /** Closed loop at 64 concurrent requests of the benign mix: completions per second. */
  int peak(int seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    LongAdder completed = new LongAdder();
    for (int i = 0; i < 64; i++) {
      vertx.runOnContext(v -> loop(end, completed));
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) + 1_000);
    return (int) (completed.sum() / seconds);
  }

  private void loop(long end, LongAdder completed) {
    if (System.nanoTime() > end) {
      return;
    }
    benign().onComplete(ar -> {
      completed.increment();
      loop(end, completed);
    });
  }

  private io.vertx.core.Future<HttpResponse<Buffer>> benign() {
    String session = "soak-" + ThreadLocalRandom.current().nextInt(SESSIONS);
    if (ThreadLocalRandom.current().nextInt(10) < 7) {
      return send("execution", http.post(port, "127.0.0.1", "/api/sessions/" + session + "/integrations/soak"),
        new JsonObject().put("variables", new JsonObject().put("q", "soak")));
    }
    return send("script", http.post(port, "127.0.0.1", "/api/sessions/" + session + "/scripts"),
      new JsonObject().put("code", SCRIPT));
  }

  private io.vertx.core.Future<HttpResponse<Buffer>> send(String kind, HttpRequest<Buffer> request, JsonObject body) {
    inFlight.incrementAndGet();
    return request.timeout(TIMEOUT_MS).sendJsonObject(body).andThen(ar -> {
      inFlight.decrementAndGet();
      done.increment();
      if (ar.failed()) {
        error(kind + ": " + ar.cause().getClass().getSimpleName());
      } else if (ar.result().statusCode() / 100 != 2) {
        error(kind + ": HTTP " + ar.result().statusCode());
      }
    });
  }

  private void error(String what) {
    errors.computeIfAbsent(what, k -> new LongAdder()).increment();
  }

  void run(int minutes, int rate) throws Exception {
    startConsoles();
    long start = System.nanoTime();
    double[] owed = {0};
    List<Long> timers = new ArrayList<>();
    timers.add(vertx.setPeriodic(10, id -> {
      owed[0] += rate / 100.0;
      for (; owed[0] >= 1; owed[0]--) {
        if (inFlight.get() > 4 * 64) {
          skipped.increment(); // the gateway is not keeping up: not sent, counted
        } else {
          benign();
        }
      }
    }));
    int[] hostile = {0};
    timers.add(vertx.setPeriodic(10_000, id -> {
      String code = HOSTILE.get(hostile[0]++ % HOSTILE.size());
      send("hostile #" + (HOSTILE.indexOf(code) + 1), http.post(port, "127.0.0.1",
        "/api/sessions/hostile-" + hostile[0] + "/scripts"), new JsonObject().put("code", code))
        .onSuccess(r -> hostileAnswered.increment());
    }));
    timers.add(vertx.setPeriodic(60_000, id -> reconnectConsoles()));

    System.out.printf("%4s %12s %8s %6s %10s %8s %8s %8s %10s %4s %8s%n",
      "min", "heap MB", "threads", "fds", "requests", "req/s", "skipped", "errors", "console", "OOM", "blocked");
    Map<String, Long> reported = new java.util.HashMap<>();
    List<long[]> samples = new ArrayList<>();
    long lastDone = 0;
    for (int minute = 1; minute <= minutes; minute++) {
      long due = start + TimeUnit.MINUTES.toNanos(minute);
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime())));
      long heap = heapAfterGc();
      long threads = threads();
      long fds = fds();
      long requests = done.sum();
      long errorCount = errors.values().stream().mapToLong(LongAdder::sum).sum();
      long ooms = ooms();
      samples.add(new long[] {heap, threads, fds, skipped.sum()});
      System.out.printf("%4d %12.1f %8d %6d %,10d %8.0f %,8d %,8d %,10d %4d %8d%n", minute, heap / 1048576.0, threads, fds,
        requests, (requests - lastDone) / 60.0, skipped.sum(), errorCount, consoleFrames.sum(), ooms, logLines("blocked for"));
      lastDone = requests;
      StringBuilder fresh = new StringBuilder();
      errors.forEach((kind, count) -> {
        long now = count.sum();
        if (now > reported.getOrDefault(kind, 0L)) {
          fresh.append(fresh.length() == 0 ? "" : ", ").append(kind).append(" +").append(now - reported.getOrDefault(kind, 0L));
          reported.put(kind, now);
        }
      });
      if (fresh.length() > 0) {
        System.out.println("     errors this minute: " + fresh);
      }
    }
    timers.forEach(vertx::cancelTimer);
    verdict(samples);
  }

  private void verdict(List<long[]> samples) throws IOException {
    // Judge the second half: bounded structures fill up to their caps during the first (the event ring to a
    // quarter of the heap, Vert.x's worker pool to its 20 threads), which is growth by design, not a leak.
    int warmUp = samples.size() >= 10 ? samples.size() / 2 : 1;
    List<long[]> steady = samples.subList(Math.min(warmUp, samples.size() - 1), samples.size());
    int third = Math.max(1, steady.size() / 3);
    long[] first = mean(steady.subList(0, third));
    long[] last = mean(steady.subList(steady.size() - third, steady.size()));
    long errorCount = errors.values().stream().mapToLong(LongAdder::sum).sum();
    long ooms = ooms();
    List<String> problems = new ArrayList<>();
    // flat: the last minutes hold at most 20 % (and 16 MB) more heap, 4 more threads, 16 more files than the first
    if (last[0] > first[0] * 1.2 + (16 << 20)) {
      problems.add(String.format("heap grew %.1f -> %.1f MB", first[0] / 1048576.0, last[0] / 1048576.0));
    }
    if (last[1] > first[1] + 4) {
      problems.add("threads grew " + first[1] + " -> " + last[1]);
    }
    if (last[2] > first[2] + 16) {
      problems.add("fds grew " + first[2] + " -> " + last[2]);
    }
    if (errorCount > 0) {
      problems.add(errorCount + " errors " + errors);
    }
    if (ooms > 0) {
      problems.add(ooms + " OutOfMemoryError in the gateway's log");
    }
    // Unsent requests count from the judged half: in the first minute a cold JVM falls behind any rate.
    long unsent = skipped.sum() - samples.get(Math.max(0, Math.min(warmUp, samples.size() - 1) - 1))[3];
    if (unsent > 0) {
      problems.add(unsent + " requests not sent in the second half (more than 256 in flight: the gateway fell behind)");
    }
    System.out.printf("second half, its first third: heap %.1f MB, %d threads, %d fds; its last third: heap %.1f MB, %d threads, %d fds;"
        + " hostile scripts answered %d%n", first[0] / 1048576.0, first[1], first[2], last[0] / 1048576.0, last[1],
      last[2], hostileAnswered.sum());
    System.out.println(problems.isEmpty()
      ? "VERDICT: PASS (heap, threads and fds flat; zero errors; zero OutOfMemoryError)"
      : "VERDICT: FAIL (" + String.join("; ", problems) + ")");
  }

  private static long[] mean(List<long[]> rows) {
    long[] out = new long[4];
    for (long[] row : rows) {
      for (int i = 0; i < 4; i++) {
        out[i] += row[i] / rows.size();
      }
    }
    return out;
  }

  /** Four that read everything, two that never read, two that flood pings without reading, two that come and go. */
  private void startConsoles() {
    for (int i = 0; i < 4; i++) {
      console(true, false, null);
    }
    for (int i = 0; i < 2; i++) {
      console(false, false, null);
      console(false, true, null);
    }
    reconnectConsoles();
  }

  private void reconnectConsoles() {
    synchronized (reconnecting) {
      reconnecting.forEach(WebSocket::close);
      reconnecting.clear();
    }
    console(true, false, reconnecting);
    console(false, false, reconnecting);
  }

  private void console(boolean reads, boolean floods, List<WebSocket> keep) {
    wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/console"))
      .onFailure(e -> error("console connect: " + e.getClass().getSimpleName()))
      .onSuccess(ws -> {
        if (keep != null) {
          synchronized (keep) {
            keep.add(ws);
          }
        }
        ws.textMessageHandler(text -> consoleFrames.increment());
        ws.writeTextMessage(new JsonObject().put("op", "subscribe").put("session", "*").put("after", 0).encode());
        if (!reads) {
          ws.pause();
        }
        if (floods) {
          String ping = new JsonObject().put("op", "ping").encode();
          long timer = vertx.setPeriodic(5, id -> {
            for (int i = 0; i < 50 && !ws.writeQueueFull() && !ws.isClosed(); i++) {
              ws.writeTextMessage(ping);
            }
          });
          ws.closeHandler(v -> vertx.cancelTimer(timer));
        }
      });
  }

  private long heapAfterGc() throws Exception {
    jcmd("GC.run");
    Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd("GC.heap_info"));
    return used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
  }

  private String jcmd(String command) throws Exception {
    Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  private long threads() throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("Threads:"))
      .mapToLong(l -> Long.parseLong(l.substring(8).trim())).findFirst().orElse(-1);
  }

  private long fds() throws IOException {
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return fds.count();
    }
  }

  private long ooms() throws IOException {
    return logLines("OutOfMemoryError");
  }

  /** Lines of the gateway's log that contain the text ("blocked for": Vert.x's blocked-thread warnings). */
  private long logLines(String text) throws IOException {
    try (var lines = Files.lines(log)) {
      return lines.filter(l -> l.contains(text)).count();
    }
  }
}
