package io.botgate.console;

import io.botgate.TestGateway;
import io.botgate.events.DebugStream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.text.NumberFormat;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the console page holds of large events, in a real Chromium against the real gateway: each cut at 16 KiB
 * with a visible marker, all of them within a character budget, the whole event fetched when its row opens.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsoleHeldSizeTest {

  static final int CUT = 16 * 1024;
  /** Keeps 50 events a session: an event can leave the history while the page still holds it. */
  static TestGateway gw;
  static ChromeDriver browser;
  static ConsolePage page;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("history.size", 50)));
    browser = Browser.start();
    page = new ConsolePage(browser, gw);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
  }

  @AfterEach
  void noPageError() {
    assertThat(Browser.pageErrors(browser, Browser::gatewayAway)).isEmpty();
  }

  static long number(String script, Object... args) {
    return ((Number) browser.executeScript(script, args)).longValue();
  }

  @Test
  void shouldCutALargeEventInThePageAndShowItWholeWhenItsRowOpens() {
    String text = "x".repeat(65_536) + " THE END";
    gw.gateway.stream().emit("large", "debug", "debug", text, null);
    page.open(1500, "/?session=large");
    page.waitUntil(() -> page.rowStarting("xxxx") != null);

    String marker = "… (cut: " + NumberFormat.getIntegerInstance(Locale.US).format(text.length() - CUT) + " characters)";
    assertThat(number("return botgateConsole.view.events.find(e => e.session === 'large').text.length"))
      .isEqualTo(CUT + marker.length());
    WebElement row = page.rowStarting("xxxx");
    assertThat(browser.executeScript("return arguments[0].querySelector('.text').textContent.endsWith(arguments[1])", row, marker))
      .isEqualTo(true);

    page.expand(row);
    page.waitUntil(() -> Boolean.TRUE.equals(browser.executeScript(
      "const d = arguments[0].querySelector('.details'); return !!d && d.textContent.includes(' THE END')", row)));
    assertThat(browser.executeScript("return arguments[0].querySelector('.details').textContent.includes('Cut in the page')", row))
      .isEqualTo(false);
  }

  @Test
  void shouldSaySoWhenTheGatewayNoLongerKeepsTheWholeEvent() {
    page.open(1500, "/?session=forgotten");
    DebugStream stream = gw.gateway.stream();
    stream.emit("forgotten", "debug", "debug", "z".repeat(20_000), null);
    for (int i = 0; i < 60; i++) {
      stream.emit("forgotten", "debug", "debug", "after " + i, null);
    }
    page.waitUntil(() -> page.row("after 59") != null);
    browser.executeScript("document.getElementById('stream').scrollTop = 0");
    page.waitUntil(() -> page.rowStarting("zzzz") != null);
    WebElement row = page.rowStarting("zzzz");
    page.expand(row);
    page.waitUntil(() -> Boolean.TRUE.equals(browser.executeScript("const d = arguments[0].querySelector('.details');"
      + "return !!d && d.textContent.includes('the gateway no longer keeps the whole event')", row)));
  }

  @Test
  void shouldTrimTheOldestEventsWhenWhatThePageHoldsPassesItsCharacterBudget() {
    page.open(1500, "/?session=budget");
    browser.executeScript("botgateConsole.view.maxChars = 200000");
    emitLarge("budget", 30, i -> "event " + i + " " + "b".repeat(65_536));
    long held = number("return botgateConsole.view.events.filter(e => e.session === 'budget').length");
    assertThat(held).isBetween(5L, 12L); // about 16.4 K characters each, 200 K in all
    assertThat(number("return botgateConsole.view.heldChars")).isLessThanOrEqualTo(200_000);
    assertThat(browser.executeScript("return botgateConsole.view.events.filter(e => e.session === 'budget')[0].text.split(' ', 2).join(' ')"))
      .isEqualTo("event " + (30 - held));
    assertThat(page.text("notice")).contains("older events were trimmed");
  }

  @Test
  void shouldSearchTheHeldTextsWithoutACopyOfThem() {
    page.open(1500, "/?session=search");
    emitLarge("search", 200, i -> "Upper Case " + i + " " + "Q".repeat(65_536));
    long texts = number("return botgateConsole.view.events.reduce((n, e) => n + e.text.length, 0)");
    long before = heapAfterCollection();
    browser.findElement(By.id("search")).sendKeys("upper case 199");
    page.waitUntil(() -> number("return botgateConsole.view.shown.length") == 1);
    long grown = heapAfterCollection() - before;
    assertThat(grown).as("heap grown by a search over %d characters", texts).isLessThan(texts / 4);
  }

  /**
   * A hidden tab gets no animation frames and its timers run once a second, then once a minute, while it still
   * reads every message: what it queued for the next frame must stay within a bound, not grow for as long as it
   * is hidden. The events are added in one task, as a tab that gets no frame takes them, so the test does not
   * depend on how fast the gateway sends.
   */
  @Test
  void shouldHoldABoundedQueueWhileTheTabGetsNoFrames() {
    page.open(1500, "/?session=flood");
    long queued = number("const v = botgateConsole.view, ts = new Date().toISOString();"
      + "for (let i = 1; i <= 300000; i++) v.add({seq: i, session: 'flood', ts, kind: 'debug', level: 'debug', text: 'flood ' + i});"
      + "return v.queue.length");
    assertThat(queued).isLessThanOrEqualTo(125_000);

    page.waitUntil(() -> number("return botgateConsole.view.queue.length") == 0);
    assertThat(number("return botgateConsole.view.events.length")).isEqualTo(100_000);
    assertThat(browser.executeScript("const e = botgateConsole.view.events; return e[0].text + ' .. ' + e[e.length - 1].text"))
      .isEqualTo("flood 200001 .. flood 300000");
    assertThat(number("return botgateConsole.view.resume.get('flood')")).isEqualTo(300_000);
    assertThat(page.text("notice")).contains("200000 older events were trimmed");
    assertThat(number("return botgateConsole.view.total.debug")).isEqualTo(100_000);
  }

  /**
   * A replay shows once it is done, in time order (the gateway sends it session by session): what it holds until
   * then is bounded as the queue is, and what it lets go of past the bound is the oldest by time, of every session.
   */
  @Test
  void shouldHoldABoundedReplayAndKeepItsNewestEventsByTime() {
    page.open(1500, "/?session=flood");
    long held = number("const v = botgateConsole.view, t = Date.now() - 3600000;"
      + "v.replaying(true); let most = 0;"
      + "for (const [s, k] of [['replay-a', 0], ['replay-b', 1]]) for (let i = 1; i <= 150000; i++) {"
      + "  v.add({seq: i, session: s, ts: new Date(t + 2 * i + k).toISOString(), kind: 'debug', level: 'debug', text: s + ' ' + i});"
      + "  most = Math.max(most, v.fromReplay.length); }"
      + "v.replaying(false); return most");
    assertThat(held).isLessThanOrEqualTo(125_000);

    page.waitUntil(() -> number("return botgateConsole.view.queue.length") == 0);
    assertThat(number("return botgateConsole.view.events.length")).isEqualTo(100_000);
    assertThat(browser.executeScript("const e = botgateConsole.view.events; return e[0].text + ' .. ' + e[e.length - 1].text"))
      .isEqualTo("replay-a 100001 .. replay-b 150000");
    assertThat(browser.executeScript("return botgateConsole.view.events"
      + ".every((e, i, all) => i === 0 || all[i - 1].ts < e.ts)")).isEqualTo(true);
    assertThat(number("return botgateConsole.view.resume.get('replay-a')")).isEqualTo(150_000);
    assertThat(number("return botgateConsole.view.resume.get('replay-b')")).isEqualTo(150_000);
    assertThat(page.text("notice")).contains("200000 older events were trimmed");
  }

  /**
   * Emits large events a few at a time, each lot once the page has taken the one before: sent at once, they
   * would overflow what the gateway queues for a console, and be dropped.
   */
  static void emitLarge(String session, int count, java.util.function.IntFunction<String> text) {
    long start = number("return botgateConsole.view.arrived");
    for (int i = 0; i < count; i++) {
      gw.gateway.stream().emit(session, "debug", "debug", text.apply(i), null);
      if (i % 2 == 1 || i == count - 1) {
        long taken = start + i + 1;
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> number("return botgateConsole.view.arrived") >= taken);
      }
    }
  }

  /** The page's heap in use once a full collection ran. */
  @SuppressWarnings("unchecked")
  static long heapAfterCollection() {
    browser.executeCdpCommand("HeapProfiler.collectGarbage", Map.of());
    Map<String, Object> usage = browser.executeCdpCommand("Runtime.getHeapUsage", Map.of());
    return ((Number) usage.get("usedSize")).longValue();
  }
}
