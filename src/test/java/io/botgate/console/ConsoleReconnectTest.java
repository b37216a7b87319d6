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
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console page's connection to a real gateway: what it asks to resume, how it backs off, how it notices a
 * dead link, and what it says when the gateway refuses it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsoleReconnectTest {

  static TestGateway gw;
  /** A gateway that takes console frames of 4 KiB at most, on a Vert.x of its own (one Vert.x shares port 0). */
  static TestGateway small;
  static ChromeDriver browser;
  static ConsolePage page;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
    small = result(TestGateway.start(Vertx.vertx(), new JsonObject().put("console.frame.bytes", 4096)));
    browser = Browser.start();
    page = new ConsolePage(browser, gw);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (small != null) {
      result(small.vertx.close());
    }
  }

  @AfterEach
  void noPageError() {
    assertThat(Browser.pageErrors(browser, Browser::gatewayAway)).isEmpty();
  }

  /** Closes the page's console socket as a network fault would; the page reconnects by itself. */
  static void dropTheConnection() {
    browser.executeScript("window.__statuses = [];"
      + "new MutationObserver(() => __statuses.push(document.getElementById('connection').textContent))"
      + ".observe(document.getElementById('connection'), {childList: true, characterData: true, subtree: true});"
      + "botgateConsole.connection.socket.close()");
    page.waitUntil(() -> statuses().stream().anyMatch(s -> s.startsWith("offline")));
  }

  @SuppressWarnings("unchecked")
  static List<String> statuses() {
    return (List<String>) browser.executeScript("return window.__statuses || []");
  }

  static String levelCount(String level) {
    return browser.findElement(By.cssSelector("[data-level=" + level + "] b")).getText();
  }

  @Test
  void shouldResumeEverySessionOfABusyGatewayAfterAReconnectWithoutLosingOrRepeatingAny() {
    // 1,400 sessions with 199-character ids: their last seqs alone take about 290 KB of JSON, over the
    // gateway's console.frame.bytes (256 KiB)
    String prefix = "busy-" + "x".repeat(190);
    for (int i = 0; i < 1_400; i++) {
      gw.gateway.stream().emit(prefix + String.format("%04d", i), "warning", "warn", "busy " + i, null);
    }
    page.open(1500, "/");
    page.waitUntil(() -> "1400".equals(levelCount("warn")), () -> "warn " + levelCount("warn"));

    dropTheConnection();
    gw.gateway.stream().emit(prefix + "0000", "warning", "warn", "after the reconnect, an old session", null);
    gw.gateway.stream().emit("busy-new", "warning", "warn", "after the reconnect, a new session", null);
    page.waitUntil(() -> "1402".equals(levelCount("warn")), () -> "warn " + levelCount("warn") + ", statuses " + statuses());
    browser.findElement(By.id("search")).sendKeys("after the reconnect");
    page.waitUntil(() -> page.row("after the reconnect, an old session") != null
      && page.row("after the reconnect, a new session") != null);
    browser.findElement(By.id("search")).clear();
    assertThat(page.text("connection")).isEqualTo("live");
    assertThat(statuses()).noneMatch(s -> s.startsWith("offline — reconnecting in 1 s"));
  }

  /**
   * Replay history asked while the page waits to reconnect (the link dropped, "offline — reconnecting in N s") makes
   * the connection at once: the reconnect that was waiting must not make a second one, which nothing would ever close
   * and which would hold one of the gateway's console.connections places.
   */
  @Test
  void shouldKeepOneConnectionWhenTheHistoryIsReplayedWhileAReconnectWaits() {
    page.open(1500, "/");
    browser.executeScript("window.__sockets = []; const Native = WebSocket;"
      + "window.WebSocket = class extends Native { constructor(...a) { super(...a); __sockets.push(this); } };"
      + "botgateConsole.connection.backoff = 3000"); // the reconnect waits 3 s: the replay comes before it
    dropTheConnection();
    // as the notice's Replay history does; then a timer due after the waiting reconnect's
    browser.executeScript("botgateConsole.view.reset(); botgateConsole.connection.reconnect();"
      + "window.__after = false; setTimeout(() => { window.__after = true; }, botgateConsole.connection.backoff)");
    page.waitUntil(() -> Boolean.TRUE.equals(browser.executeScript("return window.__after"))
      && "live".equals(page.text("connection")));
    assertThat(((Number) browser.executeScript("return __sockets.filter(s => s.readyState === WebSocket.CONNECTING"
      + " || s.readyState === WebSocket.OPEN).length")).intValue()).as("console sockets open").isEqualTo(1);
  }

  /**
   * The gateway merges the replies it holds for a page slow to read: one "subscribed s" stands for every subscription
   * of s then held. The page, counting one answer a subscription, kept waiting for the others for good and held every
   * later event back as part of a replay that had ended, showing nothing until it reconnected.
   */
  @Test
  void shouldShowLiveEventsAfterOneMergedAnswerToTwoSubscriptionsOfASession() {
    gw.gateway.stream().emit("merged", "debug", "debug", "merged one", null);
    page.open(1500, "/?session=merged");
    page.waitUntil(() -> page.row("merged one") != null && "live".equals(page.text("connection")));
    // two subscriptions of the session in flight, as a page re-following it during a replay sends, answered by the
    // one reply a congested connection's merge leaves (the frames themselves are held back from the gateway here)
    browser.executeScript("const c = botgateConsole.connection, send = c.send; c.send = () => {};"
      + "c.subscribe('merged'); c.subscribe('merged'); c.send = send;"
      + "c.receive(JSON.stringify({op: 'subscribed', session: 'merged', replayed: 0}))");
    gw.gateway.stream().emit("merged", "debug", "debug", "merged two", null);
    page.waitUntil(() -> page.row("merged two") != null);
  }

  @Test
  void shouldNotRepeatASessionNamedProtoAfterAReconnect() {
    gw.gateway.stream().emit("__proto__", "debug", "debug", "proto one", null);
    gw.gateway.stream().emit("__proto__", "debug", "debug", "proto two", null);
    page.open(1500, "/?session=__proto__");
    page.waitUntil(() -> page.row("proto two") != null);

    dropTheConnection();
    page.waitUntil(() -> "live".equals(page.text("connection")));
    gw.gateway.stream().emit("__proto__", "debug", "debug", "proto three", null);
    page.waitUntil(() -> page.row("proto three") != null);
    @SuppressWarnings("unchecked")
    List<String> texts = (List<String>) browser.executeScript("return [...document.querySelectorAll("
      + "`#stream .row[data-session='__proto__'] .text`)].map(t => t.textContent)");
    assertThat(texts).containsExactly("proto one", "proto two", "proto three");
  }

  @Test
  void shouldBackOffWhileTheGatewayRefusesTheSubscriptionAndThenAskForLess() {
    ConsolePage smallPage = new ConsolePage(browser, small);
    String prefix = "refused-" + "y".repeat(120);
    for (int i = 0; i < 100; i++) {
      small.gateway.stream().emit(prefix + String.format("%03d", i), "warning", "warn", "refused " + i, null);
    }
    smallPage.open(1500, "/");
    smallPage.waitUntil(() -> "100".equals(levelCount("warn")), () -> "warn " + levelCount("warn"));

    dropTheConnection(); // the next subscribe frame is over the gateway's 4,096 bytes: closed with 1009
    small.gateway.stream().emit(prefix + "000", "warning", "warn", "resumed at last", null);
    smallPage.waitUntil(() -> "101".equals(levelCount("warn")), () -> "warn " + levelCount("warn") + ", statuses " + statuses());
    assertThat(statuses()).as("a refused subscription does not bring the wait back to 0.5 s")
      .contains("offline — reconnecting in 1 s");
    browser.findElement(By.id("search")).sendKeys("resumed at last");
    smallPage.waitUntil(() -> smallPage.row("resumed at last") != null);
    browser.findElement(By.id("search")).clear();
  }

  @Test
  void shouldSayWhyTheGatewayRefusedTheSessionAsked() {
    page.open(1500, "/?session=" + "z".repeat(201));
    page.waitUntil(() -> browser.findElement(By.id("problem")).isDisplayed());
    assertThat(page.text("problem")).contains("refused").contains("200");

    page.open(1500, "/?session=a%09b");
    page.waitUntil(() -> browser.findElement(By.id("problem")).isDisplayed());
    assertThat(page.text("problem")).contains("refused").contains("session");

    page.open(1500, "/");
    page.waitUntil(() -> !browser.findElement(By.id("problem")).isDisplayed());
  }

  @Test
  void shouldSayWhyItCannotConnectWhenTheGatewayHasAllTheConsolesItTakes() {
    Vertx own = Vertx.vertx();
    try {
      TestGateway full = result(TestGateway.start(own, new JsonObject().put("console.connections", 1)));
      ConsoleClient first = result(ConsoleClient.connect(own, full.gateway.port()));
      first.awaitFrame(f -> "hello".equals(f.getString("op")));
      Browser.viewport(browser, 1500, 900);
      browser.get("http://127.0.0.1:" + full.gateway.port() + "/");
      // the page says offline between its attempts and connecting during each: wait for the one, not a moment of it
      page.waitUntil(() -> browser.findElement(By.id("problem")).isDisplayed() && page.text("connection").startsWith("offline"));
      assertThat(page.text("problem")).contains("too_many_consoles").contains("console.connections");
      first.close();
      page.waitUntil(() -> "live".equals(page.text("connection")) && !browser.findElement(By.id("problem")).isDisplayed());
    } finally {
      browser.get("about:blank");
      result(own.close());
    }
  }

  /**
   * A proxy in front that sets its own Host (the gateway's address): the page's Origin, the proxy's, is not the
   * gateway's own, and its handshake is refused 403. The browser hides that status; the page asks the gateway why.
   */
  @Test
  void shouldSayTheGatewayRefusesThePagesOriginBehindAProxyThatSetsItsOwnHost() {
    HostSettingProxy proxy = new HostSettingProxy(true);
    try {
      proxy.target = gw.gateway.port();
      Browser.viewport(browser, 1500, 900);
      browser.get("http://127.0.0.1:" + proxy.port + "/");
      page.waitUntil(() -> browser.findElement(By.id("problem")).isDisplayed());
      assertThat(page.text("problem")).contains("origin_not_allowed")
        .contains("a page from http://127.0.0.1:" + proxy.port + " may not open the console")
        .contains("http.allowedOrigins");
      assertThat(page.text("connection")).startsWith("offline");
    } finally {
      browser.get("about:blank");
      proxy.close();
    }
  }

  /** With the proxy's origin allowed, a proxy that does not pass WebSockets is what is left to say. */
  @Test
  void shouldSayAProxyMayNotPassWebSocketsWhenTheGatewayWouldTakeTheConsole() {
    HostSettingProxy proxy = new HostSettingProxy(false);
    Vertx own = Vertx.vertx();
    try {
      TestGateway behind = result(TestGateway.start(own, new JsonObject().put("http.allowedOrigins",
        new io.vertx.core.json.JsonArray().add("http://127.0.0.1:" + proxy.port))));
      proxy.target = behind.gateway.port();
      Browser.viewport(browser, 1500, 900);
      browser.get("http://127.0.0.1:" + proxy.port + "/");
      page.waitUntil(() -> browser.findElement(By.id("problem")).isDisplayed());
      assertThat(page.text("problem")).contains("would take the console").contains("WebSockets");
    } finally {
      browser.get("about:blank");
      proxy.close();
      result(own.close());
    }
  }

  /**
   * During a rolling upgrade the page's check may reach a node of an older build, which has no such route and answers
   * 404: that says nothing about the console, so the page shows no banner for it, only that it is reconnecting.
   */
  @Test
  void shouldShowNoProblemWhenTheCheckReachesANodeThatHasNone() {
    HostSettingProxy proxy = new HostSettingProxy(false);
    Vertx own = Vertx.vertx();
    try {
      TestGateway behind = result(TestGateway.start(own, new JsonObject().put("http.allowedOrigins",
        new io.vertx.core.json.JsonArray().add("http://127.0.0.1:" + proxy.port))));
      proxy.target = behind.gateway.port();
      proxy.olderBuild = true;
      Browser.viewport(browser, 1500, 900);
      browser.get("http://127.0.0.1:" + proxy.port + "/");
      // a check is made only after the answer to the one before was read: four made, three were answered 404. The
      // page says "connecting" from each attempt until its check is answered: waited for "offline", not read at once
      page.waitUntil(() -> proxy.checks.get() >= 4 && page.text("connection").startsWith("offline"),
        () -> "checks " + proxy.checks.get() + ", connection " + page.text("connection"));
      assertThat(browser.findElement(By.id("problem")).isDisplayed()).as(page.text("problem")).isFalse();
    } finally {
      browser.get("about:blank");
      proxy.close();
      result(own.close());
    }
    // the browser reports each 404 it met as an error of the page: these are the ones this test asked for
    assertThat(Browser.pageErrors(browser, m -> Browser.gatewayAway(m)
      || m.contains(ConsoleEndpoint.CHECK_PATH) && m.contains("status of 404"))).isEmpty();
  }

  /** An HTTP reverse proxy that sends the gateway's own address as Host, as one configured to set it does. */
  static final class HostSettingProxy {
    final Vertx vertx = Vertx.vertx(); // a Vert.x of its own: one Vert.x shares port 0 among its servers
    final io.vertx.core.http.HttpClient client = vertx.createHttpClient();
    final int port;
    volatile int target;
    /** Set: {@code POST /console/check} goes to a route the gateway lacks, as to a node of a build before it. */
    volatile boolean olderBuild;
    final java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();

    /** @param upgrades whether it passes a WebSocket handshake's headers on (it relays no frames either way) */
    HostSettingProxy(boolean upgrades) {
      port = result(vertx.createHttpServer().requestHandler(in -> {
        in.pause();
        boolean check = in.path().equals(ConsoleEndpoint.CHECK_PATH);
        if (check) {
          checks.incrementAndGet();
        }
        String uri = check && olderBuild ? "/console/check-of-a-later-build" : in.uri();
        client.request(new io.vertx.core.http.RequestOptions().setMethod(in.method()).setHost("127.0.0.1")
          .setPort(target).setURI(uri)).compose(out -> {
            in.headers().forEach((name, value) -> {
              boolean upgrade = name.equalsIgnoreCase("Connection") || name.equalsIgnoreCase("Upgrade")
                || name.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket");
              if (!name.equalsIgnoreCase("Host") && (upgrades || !upgrade)) {
                out.headers().add(name, value);
              }
            });
            boolean body = in.headers().contains("Content-Length") || in.headers().contains("Transfer-Encoding");
            if (!body) {
              in.resume();
              return out.send();
            }
            return out.send(in);
          }).onSuccess(answer -> {
            in.response().setStatusCode(answer.statusCode());
            answer.headers().forEach((name, value) -> {
              if (!name.equalsIgnoreCase("Transfer-Encoding") && !name.equalsIgnoreCase("Connection")) {
                in.response().headers().add(name, value);
              }
            });
            in.response().send(answer);
          }).onFailure(e -> in.response().setStatusCode(502).end());
      }).listen(0, "127.0.0.1")).actualPort();
    }

    void close() {
      result(vertx.close());
    }
  }

  @Test
  void shouldGoOfflineAndReconnectWhenTheLinkFallsSilent() {
    Relay relay = new Relay(gw.gateway.port());
    try {
      Browser.viewport(browser, 1500, 900);
      browser.get("http://127.0.0.1:" + relay.port + "/?session=silent");
      page.waitUntil(() -> "live".equals(page.text("connection")));
      // the same rule as the 20 s heartbeat and 45 s of silence, on a shorter clock
      browser.executeScript("Object.assign(botgateConsole.connection.limits, {probeMs: 300, deadMs: 1500})");
      relay.silent = true; // a network gone: nothing arrives, nothing is closed
      page.waitUntil(() -> page.text("connection").startsWith("offline"));
      relay.silent = false;
      page.waitUntil(() -> "live".equals(page.text("connection")));
      gw.gateway.stream().emit("silent", "debug", "debug", "after the silence", null);
      page.waitUntil(() -> page.row("after the silence") != null);
    } finally {
      browser.get("about:blank");
      relay.close();
    }
  }

  /** A TCP relay to the gateway that can fall silent: while it is, the bytes either way are dropped. */
  static final class Relay {
    final Vertx vertx = Vertx.vertx(); // a Vert.x of its own: one Vert.x shares port 0 among its servers
    final int port;
    volatile boolean silent;

    Relay(int target) {
      io.vertx.core.net.NetClient client = vertx.createNetClient();
      port = result(vertx.createNetServer().connectHandler(in -> {
        in.pause();
        client.connect(target, "127.0.0.1").onSuccess(out -> {
          in.handler(b -> {
            if (!silent) {
              out.write(b);
            }
          });
          out.handler(b -> {
            if (!silent) {
              in.write(b);
            }
          });
          in.closeHandler(v -> out.close());
          out.closeHandler(v -> in.close());
          in.resume();
        }).onFailure(e -> in.close());
      }).listen(0, "127.0.0.1")).actualPort();
    }

    void close() {
      result(vertx.close());
    }
  }
}
