package io.botgate.console;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.List;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** The console page in a real headless Chromium against the real gateway. */
@ExtendWith(VertxExtension.class)
class ConsolePageTest {

  static TestGateway gw;
  static ChromeDriver browser;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
    browser = Browser.start();
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

  @BeforeEach
  void open() {
    Browser.viewport(browser, 1920, 900); // the try-it panel docked beside the stream, as on a wide screen
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/");
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
  }

  /**
   * A download's text once it is whole: the file can be there before Chromium has written all of it (CI read a HAR
   * that did not parse yet), so it is read until it parses (a HAR as one JSON object, event lines each).
   */
  private static String downloaded(java.nio.file.Path file) {
    String[] whole = new String[1];
    waitUntil(() -> {
      try {
        String text = java.nio.file.Files.readString(file);
        if (file.toString().endsWith(".jsonl")) {
          text.lines().forEach(JsonObject::new);
          if (!text.endsWith("\n")) {
            return false; // the page ends every line, the last one too, and a session's events are never none
          }
        } else {
          new JsonObject(text);
        }
        whole[0] = text;
        return true;
      } catch (java.io.IOException | io.vertx.core.json.DecodeException e) {
        return false;
      }
    });
    return whole[0];
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) {
    new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> condition.getAsBoolean());
  }

  private static List<WebElement> rows(String session) {
    return browser.findElements(By.cssSelector("#stream .row[data-session='" + session + "']"));
  }

  /** The texts of a session's rows in view, top to bottom, read in one go (rows come and go as the list scrolls). */
  @SuppressWarnings("unchecked")
  private static List<String> texts(String session) {
    return (List<String>) browser.executeScript("return [...document.querySelectorAll("
      + "`#stream .row[data-session='${arguments[0]}'] .text`)].map(t => t.textContent)", session);
  }

  private static void script(String session, String code) {
    result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", code)));
  }

  @Test
  void shouldShowAnExecutionAndAScriptLive() {
    result(gw.execute("live-1", "faqIntegration", new JsonObject().put("variables", new JsonObject().put("question", "roaming"))));
    waitUntil(() -> texts("live-1").stream().anyMatch(t -> t.startsWith("faqIntegration -> 200")));
    script("live-1", "botContext.printDebugMessage('hello from a script');");
    waitUntil(() -> texts("live-1").contains("hello from a script"));
    WebElement item = browser.findElement(By.cssSelector("#session-list li[data-session='live-1'] .badge"));
    assertThat(item.getText()).isEqualTo("200");
  }

  @Test
  void shouldShowACbInteractionRunAsOneGroup() throws Exception {
    JsonObject export = new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/cb/greeter.json")));
    result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/import/cb").sendJsonObject(new JsonObject().put("export", export)));
    result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/cb-1/bots/Greeter/interactions/dialog_starter")
      .sendJsonObject(new JsonObject().put("context", new JsonObject().put("customerInfo", new JsonObject().put("firstName", "Ada")))));
    script("cb-1", "botContext.printDebugMessage('after the interaction');");

    waitUntil(() -> texts("cb-1").contains("after the interaction"));
    @SuppressWarnings("unchecked")
    List<String> grouped = (List<String>) browser.executeScript("return [...document.querySelectorAll("
      + "`#stream .row[data-session='cb-1']`)].map(r => (r.classList.contains('in-group') ? 'G ' : '- ') + "
      + "r.querySelector('.text').textContent)");
    assertThat(grouped).contains("G greeter says the greeter to Ada", "- after the interaction");
    assertThat(grouped.get(0)).startsWith("G interaction 'dialog_starter' of bot 'Greeter' started");
    assertThat(grouped.stream().filter(t -> t.startsWith("G interaction 'dialog_starter' of bot 'Greeter' finished"))).hasSize(1);
    assertThat(browser.findElements(By.cssSelector("#stream .row.group-start[data-session='cb-1']"))).hasSize(1);
  }

  @Test
  void shouldFilterByLevelAndSearch() {
    script("filters", "botContext.printDebugMessage('a needle in debug'); botContext.printDebugMessage('hay');"
      + " botContext.sendMessage('a needle in a message'); null.boom();");
    waitUntil(() -> rows("filters").size() == 5);
    assertThat(browser.findElement(By.cssSelector("[data-level=error] b")).getText()).isNotEqualTo("0");

    browser.findElement(By.cssSelector("[data-level=debug]")).click();
    // waited for whole: an empty list of rows (none drawn yet where the view scrolled) also holds no "hay"
    waitUntil(() -> {
      List<String> shown = texts("filters");
      return shown.contains("a needle in a message") && !shown.contains("hay") && !shown.contains("a needle in debug");
    });
    browser.findElement(By.cssSelector("[data-level=debug]")).click();

    browser.findElement(By.id("search")).sendKeys("needle");
    waitUntil(() -> texts("filters").size() == 2);
    assertThat(texts("filters")).containsExactly("a needle in debug", "a needle in a message");
    assertThat(browser.findElements(By.cssSelector("#stream .row.level-error"))).isEmpty();
    browser.findElement(By.id("search")).clear();
    browser.findElement(By.id("search")).sendKeys(" ");
    waitUntil(() -> rows("filters").size() == 5);
    assertThat(browser.findElements(By.cssSelector("#stream .row.level-error[data-session='filters']"))).hasSize(1);
  }

  /**
   * A filter that shortens the list shows its newest rows in the same task as the click, not a frame later: the rows
   * drawn for the longer list, still placed far below the new end, must not count in where the end is (CI read no
   * row of the session right after a level or Only errors click, and the rows a moment later).
   */
  @Test
  void shouldShowTheNewestRowsInTheClicksOwnTaskWhenAFilterShortensTheList() {
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=shorter");
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    browser.executeScript("const v = botgateConsole.view, ts = new Date().toISOString();"
      + "for (let i = 1; i <= 500; i++) v.add({seq: i, session: 'shorter', ts, kind: 'debug', level: 'debug', text: 'debug ' + i});"
      + "for (let i = 1; i <= 3; i++) v.add({seq: 500 + i, session: 'shorter', ts, kind: 'error', level: 'error', text: 'error ' + i});");
    waitUntil(() -> texts("shorter").contains("error 3"));

    for (String button : List.of("[data-level=debug]", "#only-errors")) {
      // the click and the read in one script: no frame, no scroll event, can come between them
      @SuppressWarnings("unchecked")
      List<String> shown = (List<String>) browser.executeScript("document.querySelector(arguments[0]).click();"
        + "return [...document.querySelectorAll(`#stream .row[data-session='shorter'] .text`)].map(t => t.textContent)", button);
      assertThat(shown).as("right after a click on " + button).containsExactly("error 1", "error 2", "error 3");
      browser.executeScript("document.querySelector(arguments[0]).click()", button);
      waitUntil(() -> texts("shorter").contains("debug 500"));
    }
  }

  @Test
  void shouldResumeAfterAReloadWithoutDuplicates() {
    script("reload", "for (var i = 0; i < 5; i++) botContext.printDebugMessage('line ' + i);");
    waitUntil(() -> held("reload", "seq").size() == 7);
    browser.navigate().refresh();
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    waitUntil(() -> held("reload", "seq").size() == 7);
    script("reload", "botContext.printDebugMessage('after reload');");
    waitUntil(() -> held("reload", "seq").size() == 10);
    assertThat(held("reload", "seq")).doesNotHaveDuplicates().hasSize(10);
    assertThat(held("reload", "text").stream().filter(t -> t.equals("line 0"))).hasSize(1);
  }

  /**
   * A member of every event the page holds of a session, in the order held: the replay after a reload puts a
   * session's events where the gateway replays them, not necessarily among the rows in view.
   */
  @SuppressWarnings("unchecked")
  private static List<Object> held(String session, String member) {
    return (List<Object>) browser.executeScript("return botgateConsole.view.events"
      + ".filter(e => e.session === arguments[0]).map(e => e[arguments[1]])", session, member);
  }

  @Test
  void shouldRenderHtmlAsText() {
    String payload = "<img src=x onerror=\"document.title='pwned'\"><b>bold</b><script>document.title='pwned'</script>";
    script("html", "botContext.printDebugMessage(" + new io.vertx.core.json.JsonArray().add(payload).encode()
      .replaceAll("^\\[|\\]$", "") + ");");
    waitUntil(() -> texts("html").contains(payload));
    assertThat(browser.findElements(By.cssSelector("#stream b, #stream img, #stream script"))).isEmpty();
    assertThat(browser.getTitle()).isEqualTo("botgate console");
  }

  /**
   * The page renders every text as text; should one ever reach it as HTML (a future change, an extension), its
   * inline handlers must not run: the page allows only its own files as scripts.
   */
  @Test
  void shouldNotRunAnInlineHandlerEvenIfHtmlReachedThePage() {
    browser.executeScript("const box = document.createElement('div');"
      + "box.innerHTML = '<img src=\"/no-such-image\" onerror=\"window.__ran = true\">';"
      + "box.querySelector('img').addEventListener('error', () => { window.__failed = true; });"
      + "document.body.append(box)");
    waitUntil(() -> Boolean.TRUE.equals(browser.executeScript("return window.__failed === true")));
    assertThat(browser.executeScript("return window.__ran === true")).isEqualTo(false);
    Browser.pageErrors(browser, message -> message.contains("Content Security Policy") || message.contains("no-such-image"));
  }

  /**
   * A right-to-left override (U+202E) turns what follows it around ("gnp.exe" reads "exe.png"), and a
   * zero-width space makes a session pass for another: both show as marked code points, in the row, the session
   * list, the header and the details.
   */
  @Test
  void shouldMarkCharactersThatHideOrReorderText() {
    script("look%E2%80%8Balike", "botContext.printDebugMessage('invoice\\u202Egnp.exe');");
    waitUntil(() -> rows("look\u200Balike").size() == 3);
    assertThat(texts("look\u200Balike")).contains("invoiceU+202Egnp.exe");
    WebElement item = browser.findElement(By.cssSelector("#session-list li[data-session='look\u200Balike'] .name"));
    assertThat(item.getText()).isEqualTo("lookU+200Balike");
    assertThat(item.getAttribute("title")).isEqualTo("look[U+200B]alike");

    item.click();
    waitUntil(() -> browser.findElement(By.id("viewing")).getText().equals("Session lookU+200Balike"));
    WebElement row = (WebElement) browser.executeScript("return [...document.querySelectorAll('#stream .row')]"
      + ".find(r => r.querySelector('.text').textContent.startsWith('invoice'))");
    assertThat(row.findElements(By.cssSelector(".line .text .hidden-char"))).hasSize(1);
    assertThat(row.findElement(By.cssSelector(".line .session")).getText()).isEqualTo("lookU+200Balike");
    row.findElement(By.className("line")).click();
    waitUntil(() -> !row.findElements(By.cssSelector(".details pre .hidden-char")).isEmpty());
    assertThat(row.findElement(By.cssSelector(".details pre")).getText()).isEqualTo("invoiceU+202Egnp.exe");
  }

  @Test
  void shouldPauseKeepBufferingAndShowHowManyAreNew() {
    browser.findElement(By.id("pause")).click();
    script("paused", "botContext.printDebugMessage('one'); botContext.printDebugMessage('two');");
    waitUntil(() -> browser.findElement(By.id("pause")).getText().equals("Resume (4 new)"));
    assertThat(rows("paused")).isEmpty();
    browser.findElement(By.id("pause")).click();
    waitUntil(() -> rows("paused").size() == 4);
    assertThat(browser.findElement(By.id("pause")).getText()).isEqualTo("Pause");
  }

  @Test
  void shouldKeepThePausedViewWhenAFilterChangesAndCountAfreshAfterClear() {
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=pause-f");
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    script("pause-f", "botContext.printDebugMessage('zebra held');");
    waitUntil(() -> texts("pause-f").contains("zebra held"));
    WebElement pause = browser.findElement(By.id("pause"));
    pause.click();
    script("pause-f", "botContext.printDebugMessage('zebra later');");
    waitUntil(() -> pause.getText().equals("Resume (3 new)"));

    browser.findElement(By.id("search")).sendKeys("zebra");
    waitUntil(() -> pause.getText().equals("Resume (1 new)"));
    assertThat(texts("pause-f")).containsExactly("zebra held");
    browser.findElement(By.cssSelector("[data-level=debug]")).click();
    waitUntil(() -> pause.getText().equals("Resume (0 new)"));
    assertThat(texts("pause-f")).isEmpty();
    browser.findElement(By.cssSelector("[data-level=debug]")).click();
    waitUntil(() -> pause.getText().equals("Resume (1 new)"));
    assertThat(texts("pause-f")).containsExactly("zebra held");

    browser.findElement(By.id("clear")).click();
    waitUntil(() -> pause.getText().equals("Resume (0 new)"));
    assertThat(texts("pause-f")).isEmpty();
    script("pause-f", "botContext.printDebugMessage('zebra after clear');");
    waitUntil(() -> pause.getText().equals("Resume (1 new)"));
    assertThat(texts("pause-f")).isEmpty();
    pause.click();
    waitUntil(() -> texts("pause-f").contains("zebra after clear"));
    assertThat(texts("pause-f")).containsExactly("zebra after clear");
    assertThat(pause.getText()).isEqualTo("Pause");
  }

  /**
   * Clear empties the view of everything that arrived before it, also what waits for the next frame (a tab that was
   * hidden, or fell behind, holds a backlog): nothing that came before the click shows after it, and a reconnect does
   * not bring it back.
   */
  @Test
  void shouldClearWhatArrivedBeforeTheClickEvenIfNotYetShown() {
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=backlog");
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    script("backlog", "for (var i = 0; i < 3; i++) botContext.printDebugMessage('old ' + i);");
    waitUntil(() -> held("backlog", "seq").size() == 5);
    // as the page takes them from the socket, then the click, before any frame could show them
    browser.executeScript("const v = botgateConsole.view, ts = new Date().toISOString();"
      + "for (let i = 1; i <= 3; i++) v.add({seq: i, session: 'backlog-q', ts, kind: 'debug', level: 'debug', text: 'queued ' + i});"
      + "document.getElementById('clear').click()");
    script("backlog", "botContext.printDebugMessage('after clear');");
    // the script's finish event may come a frame after its line: waited for, it is the last the session holds
    waitUntil(() -> held("backlog", "text").stream().anyMatch(t -> String.valueOf(t).startsWith("script finished")));
    List<Object> kept = held("backlog", "text");
    assertThat(kept).hasSize(3).startsWith("script started", "after clear");
    assertThat((String) kept.get(2)).startsWith("script finished");
    assertThat(held("backlog-q", "text")).isEmpty();
    assertThat(browser.executeScript("return botgateConsole.view.resume.get('backlog-q')")).isEqualTo(3L);
  }

  /**
   * Events of the gateway's earlier run can still wait for a frame when the page learns of a restart (a hidden tab,
   * a page behind by a backlog): their seqs must not count as seen in the new run, whose numbering starts again.
   * The restart is what the connection reports when the gateway's hello brings another stream id.
   */
  @Test
  void shouldShowTheNewRunsEventsWhenTheOldRunsWereStillQueuedAtTheRestart() {
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=rerun");
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    browser.executeScript("const v = botgateConsole.view, ts = new Date().toISOString();"
      + "for (let i = 1; i <= 9; i++) v.add({seq: i, session: 'rerun', ts, kind: 'debug', level: 'debug', text: 'old run ' + i});"
      + "v.restarted()");
    script("rerun", "botContext.printDebugMessage('new run');");
    waitUntil(() -> held("rerun", "text").contains("new run"));
    assertThat(held("rerun", "seq")).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 1L, 2L, 3L);
    assertThat(browser.executeScript("return botgateConsole.view.resume.get('rerun')")).isEqualTo(3L);
  }

  @Test
  void shouldListSessionsByTheirLatestActivityAfterTheHistoryReplays() {
    List<String> sessions = java.util.stream.IntStream.rangeClosed(1, 20).mapToObj(i -> String.format("order-%02d", i)).toList();
    for (String session : sessions) {
      script(session, "botContext.printDebugMessage('active');");
    }
    long before = lastActivity("order-20");
    waitUntil(() -> System.currentTimeMillis() > before); // so that order-01 is active strictly last
    script("order-01", "botContext.printDebugMessage('active again');");
    long events = sessions.stream().mapToLong(s -> result(gw.http.get(gw.gateway.port(), "127.0.0.1",
      "/api/sessions/" + s + "/events").send()).bodyAsJsonObject().getLong("lastSeq")).sum();

    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/");
    waitUntil(() -> ((Number) browser.executeScript("return botgateConsole.view.events"
      + ".filter(e => e.session.startsWith('order-')).length")).longValue() == events);
    @SuppressWarnings("unchecked")
    List<String> listed = (List<String>) browser.executeScript("return [...document.querySelectorAll("
      + "'#session-list li')].map(li => li.dataset.session).filter(s => s !== '*')");
    assertThat(listed.get(0)).isEqualTo("order-01");
    List<Long> activity = listed.stream().filter(sessions::contains).map(ConsolePageTest::lastActivity).toList();
    assertThat(activity).hasSize(20).isSortedAccordingTo(java.util.Comparator.reverseOrder());
  }

  /**
   * The gateway replays its history session by session; the all-sessions view shows it as it happened, the sessions'
   * events interleaved by time and the newest at the end, and what happens live after it.
   */
  @Test
  void shouldShowAReplayedHistoryInTimeOrderWithTheNewestAtTheEnd() {
    List<String> runs = List.of("when-a", "when-b", "when-a", "when-b");
    for (int i = 0; i < runs.size(); i++) {
      if (i > 0) {
        long before = lastActivity(runs.get(i - 1));
        waitUntil(() -> System.currentTimeMillis() > before); // each run strictly after the one before
      }
      script(runs.get(i), "botContext.printDebugMessage('run " + (i + 1) + "');");
    }
    long events = List.of("when-a", "when-b").stream().mapToLong(s -> result(gw.http.get(gw.gateway.port(), "127.0.0.1",
      "/api/sessions/" + s + "/events").send()).bodyAsJsonObject().getLong("lastSeq")).sum();

    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/");
    waitUntil(() -> ((Number) browser.executeScript("return botgateConsole.view.events"
      + ".filter(e => e.session.startsWith('when-')).length")).longValue() == events);
    assertThat(debugLines("when-")).containsExactly("run 1", "run 2", "run 3", "run 4");
    assertThat(browser.executeScript("return botgateConsole.view.events.filter(e => e.seq !== undefined)"
      + ".every((e, i, all) => i === 0 || Date.parse(all[i - 1].ts) <= Date.parse(e.ts))"))
      .as("every replayed event after the one before it in time").isEqualTo(true);
    assertThat(texts("when-b")).as("the newest event at the bottom of the view").anyMatch(t -> t.startsWith("script finished"));

    script("when-a", "botContext.printDebugMessage('live after');");
    waitUntil(() -> debugLines("when-").contains("live after"));
    assertThat(debugLines("when-")).containsExactly("run 1", "run 2", "run 3", "run 4", "live after");
  }

  /** Clear during a replay lets go of what the replay brought so far; what it brings after the click shows. */
  @Test
  void shouldClearWhatAReplayBroughtBeforeTheClick() {
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=mid-replay");
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    browser.executeScript("const v = botgateConsole.view, t = Date.now();"
      + "const e = (i) => ({seq: i, session: 'mid-replay', ts: new Date(t + i).toISOString(), kind: 'debug', level: 'debug', text: 'replayed ' + i});"
      + "v.replaying(true); v.add(e(1)); v.add(e(2));"
      + "document.getElementById('clear').click();"
      + "v.add(e(3)); v.replaying(false)");
    waitUntil(() -> held("mid-replay", "text").contains("replayed 3"));
    assertThat(held("mid-replay", "text")).containsExactly("replayed 3");
    assertThat(texts("mid-replay")).containsExactly("replayed 3");
    assertThat(browser.executeScript("return botgateConsole.view.resume.get('mid-replay')")).isEqualTo(3L);
  }

  /** The texts of the debug lines the page holds of sessions whose names start so, in the order held. */
  @SuppressWarnings("unchecked")
  private static List<String> debugLines(String prefix) {
    return (List<String>) browser.executeScript("return botgateConsole.view.events"
      + ".filter(e => e.kind === 'debug' && e.session.startsWith(arguments[0])).map(e => e.text)", prefix);
  }

  /** When the session's latest kept event happened, in ms. */
  private static long lastActivity(String session) {
    io.vertx.core.json.JsonArray events = result(gw.http.get(gw.gateway.port(), "127.0.0.1",
      "/api/sessions/" + session + "/events").send()).bodyAsJsonObject().getJsonArray("events");
    return java.time.Instant.parse(events.getJsonObject(events.size() - 1).getString("ts")).toEpochMilli();
  }

  /**
   * Past the sessions the list holds, the least recent leave it: the count then says how many the gateway has, and a
   * session no longer listed opens by its whole name typed in the filter.
   */
  @Test
  void shouldCountTheSessionsNoLongerListedAndOpenOneByName() {
    browser.executeScript("botgateConsole.sessions.maxItems = 3");
    for (int i = 0; i < 5; i++) {
      script("many-" + i, "botContext.printDebugMessage('hello ' + botContext.getConversationId());");
    }
    waitUntil(() -> !browser.findElements(By.cssSelector("#session-list li[data-session='many-4']")).isEmpty());
    assertThat(browser.findElements(By.cssSelector("#session-list li[data-session='many-0']"))).isEmpty();
    long total = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions?limit=1").send())
      .bodyAsJsonObject().getLong("total");
    waitUntil(() -> ("(3 of " + total + ")").equals(browser.findElement(By.id("session-count")).getAttribute("textContent")));
    assertThat(browser.findElement(By.id("session-more")).isDisplayed()).isTrue();

    WebElement filter = browser.findElement(By.id("session-filter"));
    filter.sendKeys("many-0");
    filter.sendKeys(org.openqa.selenium.Keys.ENTER);
    waitUntil(() -> browser.findElement(By.id("viewing")).getText().equals("Session many-0"));
    waitUntil(() -> texts("many-0").contains("hello many-0"));
    assertThat(browser.findElement(By.cssSelector("#session-list li.selected")).getAttribute("data-session")).isEqualTo("many-0");
    assertThat(browser.getCurrentUrl()).endsWith("/?session=many-0");
  }

  @Test
  void shouldShowOneSessionWhenPicked() {
    script("pick-a", "botContext.printDebugMessage('in a');");
    script("pick-b", "botContext.printDebugMessage('in b');");
    waitUntil(() -> !rows("pick-a").isEmpty() && !rows("pick-b").isEmpty());
    browser.findElement(By.cssSelector("#session-list li[data-session='pick-a']")).click();
    waitUntil(() -> rows("pick-b").isEmpty());
    assertThat(texts("pick-a")).contains("in a");
    assertThat(browser.findElement(By.id("viewing")).getText()).isEqualTo("Session pick-a");
    script("pick-a", "botContext.printDebugMessage('still live in a');");
    waitUntil(() -> texts("pick-a").contains("still live in a"));
  }

  @Test
  void shouldKeepTheOtherSessionsUpToDateWhileOneIsViewed() {
    script("viewed", "botContext.printDebugMessage('in view');");
    waitUntil(() -> !rows("viewed").isEmpty());
    browser.executeScript("botgateConsole.sessions.refreshMs = 500");
    browser.findElement(By.cssSelector("#session-list li[data-session='viewed']")).click();
    waitUntil(() -> browser.findElement(By.id("viewing")).getText().equals("Session viewed"));

    result(gw.execute("elsewhere", "faqIntegration", new JsonObject().put("variables", new JsonObject().put("question", "roaming"))));
    waitUntil(() -> !browser.findElements(By.cssSelector("#session-list li[data-session='elsewhere'] .badge.success")).isEmpty());
    assertThat(browser.findElement(By.cssSelector("#session-list li[data-session='elsewhere'] .badge")).getText()).isEqualTo("200");
    assertThat(rows("elsewhere")).as("another session's events are not shown in this one's view").isEmpty();
    assertThat(browser.executeScript("return botgateConsole.view.events.filter(e => e.session === 'elsewhere').length"))
      .as("nor taken: the page follows the session in view only, and asks the gateway for the list").isEqualTo(0L);

    browser.findElement(By.cssSelector("#session-list li[data-session='*']")).click();
    waitUntil(() -> !rows("elsewhere").isEmpty());
  }

  @Test
  void shouldShowOnlyErrorsWhenAsked() {
    result(gw.declare(new JsonObject().put("name", "missingPage").put("method", "GET").put("url", "stub:/no-such-page")
      .put("retries", 0)));
    script("errs", "botContext.printDebugMessage('all fine here');");
    result(gw.execute("errs", "missingPage", null));
    result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/errs/integrations/noSuchIntegration")
      .sendJsonObject(new JsonObject()));
    script("errs", "null.boom();");
    waitUntil(() -> texts("errs").stream().anyMatch(t -> t.contains("noSuchIntegration"))
      && texts("errs").stream().anyMatch(t -> t.contains("boom")));

    browser.findElement(By.id("only-errors")).click();
    // waited for whole, as the level filter's test: right after the click CI once read no row of the session at all
    waitUntil(() -> {
      List<String> shown = texts("errs");
      return shown.stream().noneMatch(t -> t.equals("all fine here")) && shown.stream().anyMatch(t -> t.contains("boom"));
    });
    List<String> errors = texts("errs");
    assertThat(errors).as("a failed call (404, a warning by level), the refusal and the script error")
      .anyMatch(t -> t.startsWith("missingPage -> 404"))
      .anyMatch(t -> t.contains("no integration named 'noSuchIntegration'"))
      .anyMatch(t -> t.contains("boom"))
      .noneMatch(t -> t.contains("started"));
    assertThat(browser.findElement(By.id("only-errors")).getAttribute("aria-pressed")).isEqualTo("true");

    browser.findElement(By.id("only-errors")).click();
    waitUntil(() -> texts("errs").contains("all fine here"));
  }

  @Test
  void shouldFindAMarkedCharacterByItsCodePoint() {
    script("marked", "botContext.printDebugMessage('invoice\\u202Egnp.exe'); botContext.printDebugMessage('plain text');");
    waitUntil(() -> texts("marked").contains("plain text"));
    browser.findElement(By.id("search")).sendKeys("U+202E");
    waitUntil(() -> texts("marked").size() == 1);
    assertThat(texts("marked")).containsExactly("invoiceU+202Egnp.exe");
    browser.findElement(By.id("search")).clear();
    browser.findElement(By.id("search")).sendKeys(" ");
    waitUntil(() -> texts("marked").contains("plain text"));
    browser.findElement(By.id("search")).sendKeys("invoiceU+202Egnp");
    waitUntil(() -> texts("marked").size() == 1);
    browser.findElement(By.id("search")).clear();
    browser.findElement(By.id("search")).sendKeys(" ");
  }

  /**
   * A CB interaction's finish can miss the page (a slow console's dropped events, a history cut before it, a node
   * gone): the run it started must neither claim the session's events for ever nor stay in the page's map.
   */
  @Test
  void shouldLetGoOfInteractionRunsThatNeverFinished() {
    browser.executeScript("const v = botgateConsole.view, ts = new Date().toISOString();"
      + "for (let i = 0; i < 5000; i++) v.add({seq: 1, session: 'unfinished-' + i, ts, kind: 'script', level: 'info',"
      + " text: 'interaction started', data: {phase: 'start', bot: 'B', interaction: 'i'}});");
    waitUntil(() -> ((Number) browser.executeScript("return botgateConsole.view.queue.length")).longValue() == 0);
    assertThat(((Number) browser.executeScript("return botgateConsole.view.running.size")).longValue()).isLessThanOrEqualTo(1000);

    browser.executeScript("const v = botgateConsole.view, t = Date.now();"
      + "v.add({seq: 1, session: 'stale-run', ts: new Date(t).toISOString(), kind: 'script', level: 'info',"
      + " text: 'stale run started', data: {phase: 'start', bot: 'B', interaction: 'i'}});"
      + "v.add({seq: 2, session: 'stale-run', ts: new Date(t + 11 * 60000).toISOString(), kind: 'debug', level: 'debug',"
      + " text: 'long after the run', data: {}});");
    waitUntil(() -> texts("stale-run").contains("long after the run"));
    assertThat(browser.executeScript("return [...document.querySelectorAll(`#stream .row[data-session='stale-run']`)]"
      + ".find(r => r.querySelector('.text').textContent === 'long after the run').classList.contains('in-group')"))
      .isEqualTo(false);
    assertThat(browser.executeScript("return botgateConsole.view.running.has('stale-run')")).isEqualTo(false);
  }

  @Test
  void shouldSayWhyTheViewIsEmpty() {
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=nothing-yet");
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    waitUntil(() -> browser.findElement(By.id("empty")).isDisplayed());
    assertThat(browser.findElement(By.id("empty")).getText()).startsWith("No events yet.");

    script("nothing-yet", "botContext.printDebugMessage('here now');");
    waitUntil(() -> texts("nothing-yet").contains("here now"));
    assertThat(browser.findElement(By.id("empty")).isDisplayed()).isFalse();

    browser.findElement(By.id("search")).sendKeys("no such text anywhere");
    waitUntil(() -> browser.findElement(By.id("empty")).isDisplayed());
    assertThat(browser.findElement(By.id("empty")).getText()).startsWith("No event here passes the filters");
  }

  @Test
  void shouldExpandAnIntegrationRow() {
    result(gw.execute("expand", "faqIntegration", new JsonObject().put("variables", new JsonObject().put("question", "voicemail"))));
    waitUntil(() -> texts("expand").stream().anyMatch(t -> t.startsWith("faqIntegration -> 200")));
    WebElement finish = rows("expand").stream()
      .filter(r -> r.findElement(By.className("text")).getText().startsWith("faqIntegration -> 200")).findFirst().orElseThrow();
    finish.findElement(By.className("line")).click();
    String details = finish.findElement(By.className("details")).getText();
    assertThat(details).contains("200 (success)").contains("HTTP 200").contains("attempt 1")
      .contains("How do I set up voicemail?");
  }

  @Test
  void shouldKeepTheFocusOnARowOpenedAndClosedWithTheKeyboard() {
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=keys");
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    script("keys", "botContext.printDebugMessage('press enter');");
    waitUntil(() -> texts("keys").contains("press enter"));
    browser.executeScript("[...document.querySelectorAll('#stream .row')]"
      + ".find(r => r.querySelector('.text').textContent === 'press enter').querySelector('.line').focus()");
    assertThat(focusedRow()).isEqualTo("press enter");

    browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ENTER);
    waitUntil(() -> !browser.findElements(By.cssSelector("#stream .row .details")).isEmpty());
    assertThat(focusedRow()).isEqualTo("press enter");
    browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ENTER);
    waitUntil(() -> browser.findElements(By.cssSelector("#stream .row .details")).isEmpty());
    assertThat(focusedRow()).isEqualTo("press enter");
    browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ENTER);
    waitUntil(() -> !browser.findElements(By.cssSelector("#stream .row .details")).isEmpty());
    assertThat(focusedRow()).isEqualTo("press enter");
  }

  /** The text of the row whose line has the keyboard focus, or null. */
  private static String focusedRow() {
    return (String) browser.executeScript("const a = document.activeElement;"
      + "return a && a.classList.contains('line') ? a.querySelector('.text').textContent : null");
  }

  @Test
  void shouldRunTheSeedExampleFromTheTryItPanel() {
    WebElement session = browser.findElement(By.id("try-session"));
    session.clear();
    session.sendKeys("tryit");
    waitUntil(() -> !browser.findElements(By.cssSelector("#try-integration option")).isEmpty());
    browser.findElement(By.id("try-execute")).click();
    waitUntil(() -> browser.findElement(By.id("try-answer")).getText().contains("\"outcome\": \"success\""));
    browser.findElement(By.id("try-run")).click();
    waitUntil(() -> texts("tryit").contains("All is well."));
    assertThat(texts("tryit")).contains("API Execution Successful with Status Code: 200");
    // the answer comes over HTTP, the events over the console's WebSocket: either may be first
    waitUntil(() -> browser.findElement(By.id("try-answer")).getText().contains("\"outcome\": \"ok\""));
  }

  @Test
  void shouldReconnectWithBackoffAndPickUpTheNewRun() {
    script("restart", "botContext.printDebugMessage('before the restart');");
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=restart"); // the notice shows in one session's view too
    waitUntil(() -> texts("restart").contains("before the restart"));
    io.vertx.core.Promise<Void> startAgain = io.vertx.core.Promise.promise();
    var restarted = gw.restart(startAgain.future());
    try {
      waitUntil(() -> browser.findElement(By.id("connection")).getText().startsWith("offline"));
    } finally {
      // whatever failed above, the gateway starts again: the tests after this one need it
      startAgain.tryComplete();
      result(restarted);
    }
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    script("restart", "botContext.printDebugMessage('after the restart');");
    waitUntil(() -> texts("restart").contains("after the restart"));
    assertThat(texts("restart").stream().filter(t -> t.equals("before the restart"))).hasSize(1);
    assertThat(texts("")).anyMatch(t -> t.contains("The gateway restarted"));
    assertThat(browser.findElement(By.id("notice")).getText()).contains("The gateway restarted");
  }

  @Test
  void shouldDownloadTheSessionsCallsAsHarAndItsEventsAsJsonLines() throws Exception {
    java.nio.file.Path downloads = Browser.downloadsTo(browser);
    result(gw.declare(new JsonObject().put("name", "harCall").put("method", "GET").put("url", "stub:/status/200")
      .put("headers", new JsonObject().put("Authorization", "Bearer very-secret"))));
    result(gw.execute("har", "harCall", null));
    result(gw.execute("har", "faqIntegration", new JsonObject().put("variables", new JsonObject().put("question", "roaming"))));
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=har");
    waitUntil(() -> texts("har").stream().anyMatch(t -> t.startsWith("faqIntegration -> 200")));

    browser.findElement(By.id("download-har")).click();
    java.nio.file.Path harFile = downloads.resolve("botgate-har.har");
    String text = downloaded(harFile);
    assertThat(text).doesNotContain("very-secret");
    JsonObject log = new JsonObject(text).getJsonObject("log");
    assertThat(log.getString("version")).isEqualTo("1.2");
    assertThat(log.getJsonObject("creator").getString("name")).isNotBlank();
    assertThat(log.getJsonArray("entries")).hasSize(2);
    JsonObject first = log.getJsonArray("entries").getJsonObject(0);
    assertThat(java.time.Instant.parse(first.getString("startedDateTime"))).isNotNull();
    assertThat(first.getDouble("time")).isNotNegative();
    JsonObject request = first.getJsonObject("request");
    assertThat(request.getString("method")).isEqualTo("GET");
    assertThat(request.getString("url")).endsWith("/status/200");
    assertThat(request.getString("httpVersion")).isNotBlank();
    assertThat(request.getJsonArray("headers").stream().map(h -> (JsonObject) h)
      .filter(h -> h.getString("name").equals("Authorization")).map(h -> h.getString("value"))).containsExactly("****");
    JsonObject response = first.getJsonObject("response");
    assertThat(response.getInteger("status")).isEqualTo(200);
    assertThat(response.getJsonObject("content").getString("text")).contains("only one");
    assertThat(response.getJsonObject("content").getString("mimeType")).startsWith("application/json");
    for (String field : List.of("cookies", "headers")) {
      assertThat(response.getJsonArray(field)).isNotNull();
    }
    assertThat(response.getInteger("headersSize")).isEqualTo(-1);
    assertThat(first.getJsonObject("cache")).isNotNull();
    assertThat(first.getJsonObject("timings").getDouble("wait")).isNotNegative();
    assertThat(log.getJsonArray("entries").getJsonObject(1).getJsonObject("request").getJsonArray("queryString")
      .getJsonObject(0).getString("value")).isEqualTo("roaming");

    browser.findElement(By.id("download-events")).click();
    java.nio.file.Path lines = downloads.resolve("botgate-har.jsonl");
    List<JsonObject> events = downloaded(lines).lines().map(JsonObject::new).toList();
    long lastSeq = result(gw.http.get(gw.gateway.port(), "127.0.0.1", "/api/sessions/har/events").send())
      .bodyAsJsonObject().getLong("lastSeq");
    assertThat(events).hasSize((int) lastSeq);
    assertThat(events.stream().map(e -> e.getLong("seq")).toList()).isSorted().doesNotHaveDuplicates();
    assertThat(events).allMatch(e -> "har".equals(e.getString("session")) && !e.containsKey("_n"));
  }

  @Test
  void shouldShowAPassThroughCallsStatusAndHeadersAndReplayItWithCurl() throws Exception {
    java.nio.file.Path downloads = Browser.downloadsTo(browser);
    result(gw.declare(new JsonObject().put("name", "passEcho").put("method", "POST").put("url", "stub:/echo")));
    var answer = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/proxy/passEcho/a?x=1")
      .putHeader("X-Botgate-Session", "pass").putHeader("X-Custom", "yes").putHeader("Content-Type", "application/json")
      .sendBuffer(io.vertx.core.buffer.Buffer.buffer("{\"q\": 1}")));
    assertThat(answer.statusCode()).isEqualTo(200);
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=pass");
    waitUntil(() -> texts("pass").stream().anyMatch(t -> t.startsWith("passEcho -> 200")));
    browser.executeScript("navigator.clipboard.writeText = (text) => { window.__copied = text; return Promise.resolve(); }");

    WebElement finish = rows("pass").stream()
      .filter(r -> r.findElement(By.className("text")).getText().startsWith("passEcho -> 200")).findFirst().orElseThrow();
    finish.findElement(By.className("line")).click();
    WebElement details = finish.findElement(By.className("details"));
    assertThat(details.getText()).contains("HTTP 200 — the body streamed to the caller, not kept")
      .doesNotContain("no response").containsIgnoringCase("x-custom");
    details.findElements(By.tagName("button")).stream().filter(b -> b.getText().equals("Copy curl")).findFirst().orElseThrow().click();
    waitUntil(() -> browser.executeScript("return window.__copied") != null);
    String command = (String) browser.executeScript("return window.__copied");
    assertThat(command).startsWith("curl -X POST '").contains("/echo/a?x=1'").containsIgnoringCase("x-custom: yes")
      .containsIgnoringCase("content-type: application/json").doesNotContainIgnoringCase("'host:")
      .doesNotContainIgnoringCase("content-length").contains("not kept");

    browser.findElement(By.id("download-har")).click();
    java.nio.file.Path harFile = downloads.resolve("botgate-pass.har");
    JsonObject entry = new JsonObject(downloaded(harFile)).getJsonObject("log").getJsonArray("entries").getJsonObject(0);
    assertThat(entry.getJsonObject("response").getInteger("status")).isEqualTo(200);
    assertThat(entry.getJsonObject("request").getJsonArray("headers").stream().map(h -> ((JsonObject) h).getString("name")))
      .anyMatch(name -> name.equalsIgnoreCase("X-Custom"));
  }

  /**
   * A pass-through call's method is whatever token its caller sent, and HTTP's tokens may hold shell syntax: the
   * curl command copied from the console quotes it, so pasting the command runs curl and nothing else.
   */
  @Test
  void shouldQuoteAPassThroughCallsMethodInItsCurlCommand() {
    result(gw.declare(new JsonObject().put("name", "passOdd").put("method", "GET").put("url", "stub:/echo")));
    String method = "GET&id&";
    result(gw.http.request(io.vertx.core.http.HttpMethod.valueOf(method), gw.gateway.port(), "127.0.0.1", "/proxy/passOdd/a")
      .putHeader("X-Botgate-Session", "odd").send());
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=odd");
    waitUntil(() -> texts("odd").stream().anyMatch(t -> t.startsWith("passOdd -> ")));
    browser.executeScript("window.__copied = []; navigator.clipboard.writeText = (text) => {"
      + " window.__copied.push(text); return Promise.resolve(); }");
    for (String start : List.of("passOdd: ", "passOdd -> ")) { // the start event's row and the finish event's
      WebElement row = rows("odd").stream()
        .filter(r -> r.findElement(By.className("text")).getText().startsWith(start)).findFirst().orElseThrow();
      row.findElement(By.className("line")).click();
      row.findElement(By.className("details")).findElements(By.tagName("button")).stream()
        .filter(b -> b.getText().equals("Copy curl")).findFirst().orElseThrow().click();
    }
    waitUntil(() -> ((List<?>) browser.executeScript("return window.__copied")).size() == 2);
    @SuppressWarnings("unchecked")
    List<String> commands = (List<String>) browser.executeScript("return window.__copied");
    assertThat(commands).allSatisfy(command -> assertThat(command).startsWith("curl -X 'GET&id&' '")
      .doesNotContain(" GET&id& "));
  }

  @Test
  void shouldTryTheSessionInViewAndRememberWhatWasUsed() {
    browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=r1");
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    assertThat(browser.findElement(By.id("try-session")).getAttribute("value")).isEqualTo("r1");
    WebElement variables = browser.findElement(By.id("try-variables"));
    variables.clear();
    variables.sendKeys("{\"question\": \"voicemail\"}");
    browser.findElement(By.id("try-execute")).click();
    waitUntil(() -> browser.findElement(By.id("try-answer")).getText().startsWith("HTTP 200 · success · status 200"));
    assertThat(browser.findElement(By.id("try-answer")).getText()).contains("\"outcome\": \"success\"");
    waitUntil(() -> texts("r1").stream().anyMatch(t -> t.startsWith("faqIntegration -> 200")));

    browser.navigate().refresh();
    waitUntil(() -> browser.findElement(By.id("connection")).getText().equals("live"));
    waitUntil(() -> browser.findElement(By.id("try-variables")).getAttribute("value").contains("voicemail"));
    assertThat(browser.findElement(By.id("try-integration")).getAttribute("value")).isEqualTo("faqIntegration");
  }

  @Test
  void shouldStartTheTryItPanelOnTheDemoIntegrationItsVariablesAreFor() {
    String before = "aaa-" + System.nanoTime(); // listed before faqIntegration
    assertThat(result(gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/integrations/" + before)
      .sendJsonObject(new JsonObject().put("name", before).put("method", "GET").put("url", "/demo/faq")))
      .statusCode()).isEqualTo(201);
    try {
      browser.executeScript("sessionStorage.clear()");
      browser.get("http://127.0.0.1:" + gw.gateway.port() + "/?session=fresh-tab");
      waitUntil(() -> browser.findElements(By.cssSelector("#try-integration option")).size() >= 2);
      assertThat(browser.findElement(By.cssSelector("#try-integration option")).getAttribute("value")).isEqualTo(before);
      assertThat(browser.findElement(By.id("try-integration")).getAttribute("value")).isEqualTo("faqIntegration");
    } finally {
      result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/integrations/" + before).send());
    }
  }

  @Test
  void shouldListAnIntegrationDeclaredAfterThePageLoadedWhenTheListIsUsed() {
    String later = "later-" + System.nanoTime();
    waitUntil(() -> !browser.findElements(By.cssSelector("#try-integration option")).isEmpty());
    new Select(browser.findElement(By.id("try-integration"))).selectByValue("faqIntegration");
    assertThat(result(gw.http.put(gw.gateway.port(), "127.0.0.1", "/api/integrations/" + later)
      .sendJsonObject(new JsonObject().put("name", later).put("method", "GET").put("url", "/demo/faq")))
      .statusCode()).isEqualTo(201);
    try {
      browser.executeScript("document.getElementById('try-integration').blur()");
      browser.executeScript("document.getElementById('try-integration').focus()");
      waitUntil(() -> browser.findElements(By.cssSelector("#try-integration option[value='" + later + "']")).size() == 1);
      assertThat(browser.findElement(By.id("try-integration")).getAttribute("value")).as("the choice kept")
        .isEqualTo("faqIntegration");
    } finally {
      result(gw.http.delete(gw.gateway.port(), "127.0.0.1", "/api/integrations/" + later).send());
    }
  }
}
