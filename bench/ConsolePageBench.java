import org.openqa.selenium.By;
import org.openqa.selenium.devtools.Command;
import org.openqa.selenium.devtools.DevTools;
import org.openqa.selenium.devtools.Event;
import org.openqa.selenium.json.Json;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the console page keeps up with real traffic. A headless Chromium shows the console subscribed to
 * every session ("*") while scripts run through the gateway print debug lines at rising rates; for each
 * rate the page reports how many events it added to its list per second, the longest main-thread task
 * (PerformanceObserver "longtask", which only sees tasks over 50 ms), the animation frames it missed, and
 * the CPU time its main thread used per second. Task durations are wall-clock times: on a machine whose
 * cores are shared they include the time the page waited for a core; the CPU time does not. So each step is
 * also traced (Chromium's "toplevel" trace category: every task of the page's main thread with its wall
 * and CPU time): "task cpu ms" is the most CPU time one task took, and "its cpu" the CPU time of the task
 * that took the longest wall-clock time: far below it, that task mostly waited for a core.
 *   java -cp <test class path> bench/ConsolePageBench.java <gateway base URL> [seconds per rate, default 5]
 */
public class ConsolePageBench {

  static final int LINES = 500;            // debug lines per script run
  static final int EVENTS_PER_RUN = LINES + 2; // and its start and finish events
  static final int SESSIONS = 8;           // a session runs one script at a time: spread over a few
  static final int IN_FLIGHT = 16;

  static final String PROBE = """
    window.__bench = { longest: 0, longtasks: 0, frames: 0, dropped: 0, last: performance.now() };
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) { __bench.longest = Math.max(__bench.longest, e.duration); __bench.longtasks++; }
    }).observe({ type: 'longtask', buffered: false });
    const frame = 1000 / 60;
    function tick(t) {
      const gap = t - __bench.last;
      __bench.last = t;
      __bench.frames++;
      if (gap > frame * 1.5) __bench.dropped += Math.round(gap / frame) - 1;
      requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
    """;

  /** Feeds the page's stream directly, as if from the socket: the page's own cost, without the gateway's. */
  static final String INJECT = """
    const [rate, seconds, done] = arguments;
    const view = window.botgateConsole.view;
    const perTick = rate / 100;
    let owed = 0, seq = 0, ticks = 0;
    const timer = setInterval(() => {
      owed += perTick;
      for (; owed >= 1; owed--) {
        seq++;
        view.add(JSON.parse(JSON.stringify({ seq, session: 'injected-' + rate, ts: new Date().toISOString(),
          kind: 'debug', level: 'debug', text: 'injected line ' + seq + ' of a run, about as long as a real debug message' })));
      }
      if (++ticks >= seconds * 100) { clearInterval(timer); setTimeout(done, 1000); }
    }, 10);
    """;

  static final String READ = """
    const b = window.__bench, s = window.botgateConsole.view.stats;
    const out = { longest: b.longest, longtasks: b.longtasks, frames: b.frames, dropped: b.dropped,
      shown: s.shown, received: s.received, kept: window.botgateConsole.view.events.length };
    b.longest = 0; b.longtasks = 0; b.frames = 0; b.dropped = 0;
    return out;
    """;

  public static void main(String[] args) throws Exception {
    String base = args[0];
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    ChromeDriver browser = browser();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      browser.get(base + "/");
      new WebDriverWait(browser, Duration.ofSeconds(30))
        .until(d -> "live".equals(d.findElement(By.id("connection")).getText()));
      browser.executeScript(PROBE);
      Thread.sleep(1000);
      browser.executeCdpCommand("Performance.enable", Map.of());
      Trace trace = Trace.open(browser);
      shownBefore = ((Number) read(browser).get("shown")).longValue();
      cpu(browser);
      System.out.printf("%10s %10s %10s %12s %10s %8s %8s %10s %10s %12s %8s%n", "offered/s", "sent/s", "shown/s",
        "longest ms", "longtasks", "frames", "dropped", "srv-drops", "cpu ms/s", "task cpu ms", "its cpu");
      System.out.println("through the gateway (scripts printing " + LINES + " lines each, " + SESSIONS + " sessions):");
      for (int rate : new int[] {1_000, 2_000, 5_000, 10_000, 20_000}) {
        if (trace != null) {
          trace.start();
        }
        long sent = drive(http, base, rate, seconds);
        Thread.sleep(1000); // what is still on its way arrives
        Map<?, ?> m = read(browser);
        double cpu = cpu(browser);
        Trace.Tasks tasks = trace == null ? Trace.Tasks.NONE : trace.stop();
        long serverDrops = ((Number) browser.executeScript("return window.botgateConsole.view.events"
          + ".filter(e => e.kind === 'dropped').reduce((n, e) => n + e.data.count, 0)")).longValue();
        System.out.printf("%,10d %,10.0f %,10.0f %12.0f %10d %8d %8d %,10d %10.0f %12.1f %8.1f%n", rate,
          sent / (double) seconds, (((Number) m.get("shown")).longValue() - shownBefore) / (double) seconds,
          ((Number) m.get("longest")).doubleValue(), ((Number) m.get("longtasks")).longValue(),
          ((Number) m.get("frames")).longValue(), ((Number) m.get("dropped")).longValue(), serverDrops, cpu,
          tasks.longestCpu(), tasks.cpuOfLongest());
        shownBefore = ((Number) m.get("shown")).longValue();
      }
      System.out.println("injected in the page (the page's own cost; the same fields):");
      browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(seconds + 30));
      for (int rate : new int[] {1_000, 2_000, 5_000, 10_000, 20_000}) {
        read(browser);
        cpu(browser);
        if (trace != null) {
          trace.start();
        }
        browser.executeAsyncScript(INJECT, rate, seconds);
        Map<?, ?> m = read(browser);
        double cpu = cpu(browser);
        Trace.Tasks tasks = trace == null ? Trace.Tasks.NONE : trace.stop();
        System.out.printf("%,10d %,10.0f %,10.0f %12.0f %10d %8d %8d %10s %10.0f %12.1f %8.1f%n", rate, (double) rate,
          (((Number) m.get("shown")).longValue() - shownBefore) / (double) seconds,
          ((Number) m.get("longest")).doubleValue(), ((Number) m.get("longtasks")).longValue(),
          ((Number) m.get("frames")).longValue(), ((Number) m.get("dropped")).longValue(), "-", cpu,
          tasks.longestCpu(), tasks.cpuOfLongest());
        shownBefore = ((Number) m.get("shown")).longValue();
      }
    } finally {
      browser.quit();
    }
  }

  /**
   * Chromium's trace of the tasks its threads run ("toplevel": one event per task, with wall and thread
   * time), for one step at a time. Raw DevTools commands, so that it does not depend on the browser's version.
   */
  static final class Trace {
    private final DevTools devTools;
    private final List<Map<String, Object>> events = new ArrayList<>();
    private CountDownLatch complete;

    record Tasks(double longestCpu, double cpuOfLongest) {
      /** No trace (NaN prints as such): Selenium's DevTools has no implementation for this browser's version. */
      static final Tasks NONE = new Tasks(Double.NaN, Double.NaN);
    }

    /**
     * A trace of the page, or null when Selenium's DevTools cannot attach to this browser (it needs an
     * implementation of the browser's CDP version on the class path, even for raw commands): the other columns
     * are measured without it.
     */
    static Trace open(ChromeDriver browser) {
      try {
        return new Trace(browser);
      } catch (org.openqa.selenium.devtools.DevToolsException e) {
        System.out.println("(no trace: " + e.getMessage().lines().findFirst().orElse("") + ")");
        return null;
      }
    }

    Trace(ChromeDriver browser) {
      devTools = browser.getDevTools();
      devTools.createSession();
      devTools.addListener(new Event<List<Map<String, Object>>>("Tracing.dataCollected", input -> {
        Map<String, Object> params = input.read(Json.MAP_TYPE);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> value = (List<Map<String, Object>>) params.get("value");
        return value;
      }), batch -> {
        synchronized (events) {
          events.addAll(batch);
        }
      });
      devTools.addListener(new Event<Object>("Tracing.tracingComplete", input -> input.read(Json.MAP_TYPE)),
        done -> complete.countDown());
    }

    void start() {
      synchronized (events) {
        events.clear();
      }
      complete = new CountDownLatch(1);
      devTools.send(new Command<Void>("Tracing.start", Map.of("categories", "toplevel", "transferMode", "ReportEvents")));
    }

    /** The longest task of the page's main thread by CPU time, and the CPU time of the longest by wall time (ms). */
    Tasks stop() throws InterruptedException {
      devTools.send(new Command<Void>("Tracing.end", Map.of()));
      complete.await(60, TimeUnit.SECONDS);
      List<Map<String, Object>> all;
      synchronized (events) {
        all = new ArrayList<>(events);
      }
      Map<String, Integer> tasksByThread = new HashMap<>();
      List<String> rendererMains = new ArrayList<>();
      for (Map<String, Object> e : all) {
        String thread = e.get("pid") + "/" + e.get("tid");
        if ("M".equals(e.get("ph")) && "thread_name".equals(e.get("name"))
          && "CrRendererMain".equals(((Map<?, ?>) e.get("args")).get("name"))) {
          rendererMains.add(thread);
        } else if ("X".equals(e.get("ph")) && e.get("tdur") != null) {
          tasksByThread.merge(thread, 1, Integer::sum);
        }
      }
      // the page's renderer is the busiest one (a spare renderer may be waiting idle)
      String main = rendererMains.stream().max((a, b) -> tasksByThread.getOrDefault(a, 0)
        - tasksByThread.getOrDefault(b, 0)).orElse("");
      double longestCpu = 0;
      double longestWall = 0;
      double cpuOfLongest = 0;
      for (Map<String, Object> e : all) {
        if (!"X".equals(e.get("ph")) || e.get("tdur") == null || !main.equals(e.get("pid") + "/" + e.get("tid"))) {
          continue;
        }
        double wall = ((Number) e.get("dur")).doubleValue() / 1000;
        double cpu = ((Number) e.get("tdur")).doubleValue() / 1000;
        longestCpu = Math.max(longestCpu, cpu);
        if (wall > longestWall) {
          longestWall = wall;
          cpuOfLongest = cpu;
        }
      }
      return new Tasks(longestCpu, cpuOfLongest);
    }
  }

  static long shownBefore;
  static double threadTime;
  static double timestamp;

  /**
   * CPU milliseconds the page's main thread used per second since the last call (Chromium's ThreadTime):
   * unlike task durations, not stretched when other processes hold the cores.
   */
  static double cpu(ChromeDriver browser) {
    Map<String, Object> answer = browser.executeCdpCommand("Performance.getMetrics", Map.of());
    double thread = 0;
    double now = 0;
    for (Object o : (java.util.List<?>) answer.get("metrics")) {
      Map<?, ?> metric = (Map<?, ?>) o;
      if ("ThreadTime".equals(metric.get("name"))) {
        thread = ((Number) metric.get("value")).doubleValue();
      } else if ("Timestamp".equals(metric.get("name"))) {
        now = ((Number) metric.get("value")).doubleValue();
      }
    }
    double perSecond = timestamp == 0 ? 0 : (thread - threadTime) * 1000 / (now - timestamp);
    threadTime = thread;
    timestamp = now;
    return perSecond;
  }

  static Map<?, ?> read(ChromeDriver browser) {
    return (Map<?, ?>) browser.executeScript(READ);
  }

  /** Offers about {@code rate} events a second for {@code seconds}; answers how many were emitted. */
  static long drive(HttpClient http, String base, int rate, int seconds) throws InterruptedException {
    Semaphore slots = new Semaphore(IN_FLIGHT);
    AtomicLong events = new AtomicLong();
    String code = "for (var i = 1; i <= " + LINES + "; i++) botContext.printDebugMessage('bench line ' + i"
      + " + ' of a run, about as long as a real debug message');";
    String body = "{\"code\": \"" + code.replace("\"", "\\\"") + "\"}";
    double runsPerSecond = rate / (double) EVENTS_PER_RUN;
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    long runs = 0;
    while (System.nanoTime() < end) {
      long due = (long) ((System.nanoTime() - start) / 1e9 * runsPerSecond);
      if (runs >= due) {
        Thread.sleep(1);
        continue;
      }
      slots.acquire();
      runs++;
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/sessions/bench-" + (runs % SESSIONS) + "/scripts"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
        if (e == null && r.statusCode() == 200) {
          events.addAndGet(EVENTS_PER_RUN);
        }
        slots.release();
      });
    }
    slots.acquire(IN_FLIGHT);
    return events.get();
  }

  static ChromeDriver browser() throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(new File("/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--window-size=1280,900", "--user-data-dir=" + Files.createTempDirectory("botgate-bench"));
    return new ChromeDriver(new ChromeDriverService.Builder()
      .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
  }
}
