package io.botgate.console;

import io.botgate.TestGateway;
import io.botgate.events.DebugStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page falls behind for real: its main thread is held (Chromium then stops reading the WebSocket, and the
 * gateway's queue for it fills), so the gateway drops events for it and says so; the page's notice then offers to
 * replay the kept history, which brings the missed events back in place.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsoleDroppedPageTest {

  static final String SESSION = "drops";

  static Vertx vertx;
  static TestGateway gw;
  static ChromeDriver browser;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx(); // a gateway of its own: its drop count is this test's alone
    gw = result(TestGateway.start(vertx, new JsonObject().put("console.queue.bytes", 32768).put("history.size", 20000)));
    browser = Browser.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    result(vertx.close());
  }

  @Test
  void shouldReplayTheEventsTheGatewayDroppedForASlowPage() {
    ConsolePage page = new ConsolePage(browser, gw);
    page.open(1500, "/");
    DebugStream stream = gw.gateway.stream();
    stream.emit(SESSION, "debug", "debug", "before the flood", null);
    page.waitUntil(() -> page.row("before the flood") != null);

    // the page's main thread says it is held (a script run in another session), then waits, without reading its
    // socket, until the gateway has dropped events for it; ChromeDriver may answer only once the page is free again
    CompletableFuture<Object> held = CompletableFuture.supplyAsync(() -> browser.executeScript("setTimeout(() => {"
      + " const say = new XMLHttpRequest(); say.open('POST', '/api/sessions/page-held/scripts', false);"
      + " say.setRequestHeader('Content-Type', 'application/json');"
      + " say.send(JSON.stringify({code: \"botContext.printDebugMessage('held')\"}));"
      + " for (;;) {"
      + " const x = new XMLHttpRequest(); x.open('GET', '/metrics', false); x.send();"
      + " const m = /^botgate_console_events_dropped_total (\\S+)$/m.exec(x.responseText);"
      + " if (m && Number(m[1]) > 0) break;"
      + " const until = Date.now() + 20; while (Date.now() < until) { } } }, 0)"));
    page.waitUntil(() -> result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/page-held").send()).statusCode() == 200);
    String filler = "f".repeat(4096);
    int emitted = 0;
    while (metric("botgate_console_events_dropped_total") == 0) {
      assertThat(emitted).as("events emitted without the gateway dropping any for the page").isLessThan(19_000);
      for (int i = 0; i < 100; i++) {
        stream.emit(SESSION, "debug", "debug", "flood " + emitted++ + " " + filler, null);
      }
    }
    stream.emit(SESSION, "debug", "debug", "after the flood", null);
    long lastSeq = emitted + 2;

    held.exceptionally(e -> null).join(); // a script timeout of the driver's is no failure: the page is free again
    page.waitUntil(() -> browser.findElement(By.id("replay")).isDisplayed(), () -> page.text("notice"));
    assertThat(page.text("notice")).contains("events dropped");
    page.waitUntil(() -> held().contains(lastSeq));
    assertThat(held()).as("the page misses events before the replay").hasSizeLessThan((int) lastSeq);

    browser.findElement(By.id("replay")).click();
    page.waitUntil(() -> held().size() == lastSeq && held().contains(lastSeq), () -> held().size() + " held");
    assertThat(held()).containsExactlyElementsOf(LongStream.rangeClosed(1, lastSeq).boxed().toList());
    assertThat(browser.findElement(By.id("replay")).isDisplayed()).isFalse();
    assertThat(Browser.pageErrors(browser, m -> false)).isEmpty();
  }

  /** The seqs of the session's events the page holds, in the order held. */
  @SuppressWarnings("unchecked")
  private static List<Long> held() {
    return (List<Long>) browser.executeScript("return botgateConsole.view.events"
      + ".filter(e => e.session === arguments[0]).map(e => e.seq)", SESSION);
  }

  private static long metric(String name) {
    HttpResponse<Buffer> page = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/metrics").send());
    return page.bodyAsString().lines().filter(l -> l.startsWith(name + " "))
      .mapToLong(l -> (long) Double.parseDouble(l.substring(name.length() + 1).trim())).findFirst().orElseThrow();
  }
}
