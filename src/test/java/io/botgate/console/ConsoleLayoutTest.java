package io.botgate.console;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** The console at the window sizes people use, from a small laptop window to a wide screen. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsoleLayoutTest {

  static TestGateway gw;
  static ChromeDriver browser;
  static ConsolePage page;

  @BeforeAll
  static void start(Vertx vertx) {
    // Layout, not back-pressure, is under test: each page load replays the bursts before it, and a browser
    // slowed by a busy machine must not see events dropped at the default queue of 256 KiB
    gw = result(TestGateway.start(vertx, new JsonObject().put("console.queue.bytes", 16 << 20)));
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

  @ParameterizedTest
  @ValueSource(ints = {800, 1280, 1920})
  void shouldShowTheNewestOfAThousandEventsWithTheToolbarOnScreen(int width) {
    page.open(width, "/");
    page.script("burst-" + width, "for (var i = 1; i <= 1000; i++) botContext.printDebugMessage('burst " + width + " line ' + i);");
    page.waitUntil(() -> page.onScreen("burst " + width + " line 1000"));
    assertThat(page.inViewport("header.top")).isTrue();
    assertThat(page.inViewport("#toolbar")).isTrue();
    assertThat(page.inViewport("#search")).isTrue();
    // the page itself never scrolls: the stream scrolls inside its panel, and holds only the rows in view
    assertThat((Long) browser.executeScript("return document.scrollingElement.scrollHeight")).isLessThanOrEqualTo(900L);
    assertThat((Long) browser.executeScript("return document.querySelectorAll('#stream .row').length")).isLessThan(150L);
    assertThat(browser.findElement(By.id("jump")).isDisplayed()).isFalse();
  }

  /**
   * The toolbar on one line at 1280 px (the try-it panel a drawer there, the stream wide enough), its search box
   * showing its whole placeholder; at 800 px its actions go under it as one group, and everything stays on screen.
   */
  @ParameterizedTest
  @ValueSource(ints = {800, 1280, 1920})
  void shouldKeepTheToolbarOnOneLineFrom1280WithTheWholeSearchPlaceholder(int width) {
    page.open(width, "/?session=toolbar-" + width);
    page.script("toolbar-" + width, "for (var i = 1; i <= 1000; i++) botContext.printDebugMessage('toolbar line ' + i);");
    page.waitUntil(() -> page.onScreen("toolbar line 1000"));
    @SuppressWarnings("unchecked")
    List<Long> tops = (List<Long>) browser.executeScript("return [...document.querySelectorAll('#toolbar button, #search')]"
      + ".map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))");
    // controls whose middles lie within a few pixels of each other (a search box and a button differ in height) share a line
    List<Long> sorted = tops.stream().sorted().toList();
    long lines = 1 + java.util.stream.IntStream.range(1, sorted.size()).filter(i -> sorted.get(i) - sorted.get(i - 1) > 8).count();
    assertThat(lines).as("lines the toolbar takes at " + width + " px, by its controls' middles " + tops)
      .isEqualTo(width >= 1280 ? 1 : 2);
    assertThat(browser.executeScript("const s = document.getElementById('search'); s.value = s.placeholder;"
      + "const whole = s.scrollWidth <= s.clientWidth; s.value = ''; return whole")).as("the whole placeholder shows").isEqualTo(true);
    for (String control : List.of("#search", "#pause", "#download-events", "[data-level=error]", "#only-errors")) {
      assertThat(page.inViewport(control)).as(control).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {800, 1280, 1920})
  void shouldHoldTheViewWhenScrolledUpAndCountWhatArrives(int width) {
    String session = "hold-" + width;
    page.open(width, "/?session=" + session);
    page.script(session, "for (var i = 1; i <= 300; i++) botContext.printDebugMessage('hold line ' + i);");
    page.waitUntil(() -> page.onScreen("hold line 300"));
    // the script's finish event may reach the page a frame after its last line: counted after the scroll below,
    // it would make the count one more than this script's events
    page.waitUntil(() -> page.rowStarting("script finished in") != null);

    browser.executeScript("const s = document.getElementById('stream'); s.scrollTop = s.scrollHeight / 3;");
    page.waitUntil(() -> browser.findElement(By.id("jump")).isDisplayed());
    Map<?, ?> before = firstVisibleRow();

    page.script(session, "for (var i = 1; i <= 40; i++) botContext.printDebugMessage('more line ' + i);");
    // 40 debug lines between the script's start and finish events
    page.waitUntil(() -> page.text("jump").startsWith("42 new"), () -> "jump reads: " + page.text("jump"));
    assertThat(firstVisibleRow()).isEqualTo(before);

    browser.findElement(By.id("jump")).click();
    page.waitUntil(() -> page.onScreen("more line 40"));
    assertThat(browser.findElement(By.id("jump")).isDisplayed()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {800, 1280, 1920})
  void shouldExpandEveryKindOfRow(int width) {
    String session = "kinds-" + width;
    String longNote = "a long note that must be shown whole ".repeat(12).trim();
    result(gw.execute(session, "faqIntegration", new JsonObject().put("variables", new JsonObject().put("question", "roaming"))));
    page.script(session, "botContext.setBotVariable('profile', {name: 'Ana', note: '" + longNote + "'}, true, false);\n"
      + "botContext.sendMessageWithQuickReplies('Pick one', ['Roaming', 'Billing']);\n"
      + "botContext.printDebugMessage('plain debug');\n"
      + "var plan = null;\n"
      + "plan.name;\n"
      + "botContext.printDebugMessage('never');");
    page.open(width, "/?session=" + session);
    page.waitUntil(() -> page.row("plain debug") != null && page.rowStarting("faqIntegration -> 200") != null);

    assertExpands(page.rowStarting("faqIntegration -> 200"), width, "200 (success)", "HTTP 200", "Timings",
      "attempt 1", "\"results\"", "faqIntegration.title", "Copy curl");
    assertExpands(page.rowStarting("faqIntegration: GET"), width, "/demo/faq?q=roaming");
    assertExpands(page.rowStarting("profile = "), width, longNote, "Ana", "session");
    assertExpands(page.row("Pick one"), width, "Quick replies", "Roaming", "Billing");
    assertExpands(page.row("plain debug"), width, "plain debug", "Copy text");
    assertExpands(page.rowStarting("script: error at 5"), width, "line 5", "plan.name;", "var plan = null;", "Cannot read property");
  }

  @Test
  void shouldSayWhatAnUpstreamsRetryAfterAskedAndWhetherItWasWaitedFor(Vertx vertx) {
    // the first call to /busy/once is refused with Retry-After: 0, the next answered; /busy/long asks for two minutes
    AtomicInteger once = new AtomicInteger();
    int port = result(vertx.createHttpServer().requestHandler(req -> {
      if (req.path().endsWith("/once") && once.getAndIncrement() > 0) {
        req.response().putHeader("Content-Type", "application/json").end("{\"ok\": true}");
      } else {
        req.response().setStatusCode(503).putHeader("Retry-After", req.path().endsWith("/once") ? "0" : "120").end();
      }
    }).listen(0, "127.0.0.1")).actualPort();
    for (String name : List.of("once", "long")) {
      assertThat(result(gw.declare(new JsonObject().put("name", "busy" + name).put("method", "GET").put("retries", 2)
        .put("url", "http://127.0.0.1:" + port + "/busy/" + name))).statusCode()).isEqualTo(201);
    }
    String session = "retry-after";
    result(gw.execute(session, "busyonce", null));
    result(gw.execute(session, "busylong", null));
    page.open(1280, "/?session=" + session);
    page.waitUntil(() -> page.rowStarting("busyonce -> 200") != null && page.rowStarting("busylong -> 503") != null);
    assertExpands(page.rowStarting("busyonce -> 200"), 1280, "attempt 1 → 503", "Retry-After of the 503: 0 ms, waited",
      "attempt 2 → 200");
    assertExpands(page.rowStarting("busylong -> 503"), 1280, "attempt 1 → 503",
      "Retry-After of the 503: 120000 ms, past the deadline", "not retried");
  }

  private void assertExpands(WebElement row, int width, String... expected) {
    assertThat(row).as("row in the page").isNotNull();
    Map<String, Object> details = page.expand(row);
    assertThat((String) details.get("text")).contains(expected);
    // long values wrap inside the panel rather than running off the screen
    assertThat(((Number) details.get("right")).doubleValue()).isLessThanOrEqualTo(width);
    assertThat(((Number) details.get("scrollWidth")).longValue()).isLessThanOrEqualTo(((Number) details.get("clientWidth")).longValue());
  }

  /** The seq and position of the first row wholly in view. */
  private static Map<?, ?> firstVisibleRow() {
    return (Map<?, ?>) browser.executeScript("const s = document.getElementById('stream').getBoundingClientRect();"
      + "const row = [...document.querySelectorAll('#stream .row')].filter(r => r.getBoundingClientRect().top >= s.top)"
      + ".sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0];"
      + "return {seq: row.dataset.seq, top: Math.round(row.getBoundingClientRect().top)};");
  }
}
