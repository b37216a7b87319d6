package io.botgate.api;

import io.botgate.session.LocalSessionStore;
import io.botgate.TestGateway;
import io.botgate.console.Browser;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page served from another loopback origin, in a real Chromium, tries every way a page can reach the
 * gateway without a token: a no-cors fetch with a JSON body labelled {@code text/plain;a=json} (a simple
 * request, no preflight), a CORS fetch, HTML form posts, a console WebSocket and the console page in a frame
 * (clickjacking). All fail, and on the
 * gateway nothing ran. The gateway's own page, under either loopback name, still drives it; a page on a
 * DNS name rebound to 127.0.0.1 does not.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class ForeignPageTest {

  static final String REBOUND = "rebound.example";
  static TestGateway gw;
  static HttpServer foreign;
  static ChromeDriver browser;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx));
    foreign = result(vertx.createHttpServer()
      .requestHandler(req -> req.response().putHeader("Content-Type", "text/html; charset=utf-8")
        .end(req.path().equals("/frame") ? framingPage("http://127.0.0.1:" + gw.gateway.port())
          : req.path().equals("/tool") ? "<!doctype html><html><head><title>a tool</title></head><body></body></html>"
          : attackPage("http://127.0.0.1:" + gw.gateway.port())))
      .listen(0, "127.0.0.1"));
    browser = Browser.start("--host-resolver-rules=MAP " + REBOUND + " 127.0.0.1", "--no-proxy-server");
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
  }

  /** Each attack reports how it ended in {@code #results}; none can tell whether the gateway refused it. */
  private static String attackPage(String gateway) {
    String script = "botContext.setBotVariable(botContext.getConversationId(), true, true, false);"
      + " botContext.sendMessage(botContext.getConversationId());";
    String json = "{\"code\": \"" + script + "\"}";
    return """
      <!doctype html><html><head><title>somewhere else</title></head><body>
      <pre id="results"></pre>
      <form id="form-text" method="POST" enctype="text/plain" target="sink-text"
            action="@GW@/api/sessions/page-form-text/scripts"><input name='{"x":"' value='", "code": "@SCRIPT@"}'></form>
      <form id="form-exec" method="POST" target="sink-exec"
            action="@GW@/api/sessions/page-form-exec/integrations/faqIntegration"></form>
      <script>
      const results = {};
      function report(name, value) {
        results[name] = String(value);
        document.getElementById('results').textContent = JSON.stringify(results);
      }
      fetch('@GW@/api/sessions/page-nocors/scripts', {method: 'POST', mode: 'no-cors',
          headers: {'Content-Type': 'text/plain;a=json'}, body: '@BODY@'})
        .then(r => report('nocors', 'answered ' + r.type), e => report('nocors', 'failed ' + e));
      fetch('@GW@/api/sessions/page-nocors-exec/integrations/faqIntegration', {method: 'POST', mode: 'no-cors'})
        .then(r => report('nocors-exec', 'answered ' + r.type), e => report('nocors-exec', 'failed ' + e));
      fetch('@GW@/api/sessions/page-cors/scripts', {method: 'POST',
          headers: {'Content-Type': 'application/json'}, body: '@BODY@'})
        .then(r => report('cors', 'answered ' + r.status), e => report('cors', 'failed ' + e));
      for (const id of ['form-text', 'form-exec']) {
        const sink = document.createElement('iframe');
        sink.name = id.replace('form', 'sink');
        document.body.appendChild(sink);
        sink.onload = () => report(id, 'loaded');
        document.getElementById(id).submit();
      }
      const socket = new WebSocket('@GW@'.replace('http', 'ws') + '/console');
      socket.onopen = () => {
        report('ws', 'open');
        socket.send(JSON.stringify({op: 'subscribe', session: '*', after: 0}));
      };
      socket.onclose = e => { if (!results.ws) report('ws', 'closed ' + e.code); };
      </script></body></html>
      """.replace("@GW@", gateway).replace("@SCRIPT@", script).replace("@BODY@", json);
  }

  /** A page that shows the console in a frame, where a click on it could be made on the console (clickjacking). */
  private static String framingPage(String gateway) {
    return """
      <!doctype html><html><head><title>somewhere else</title></head><body>
      <iframe id="console" src="@GW@/?session=page-framed" width="1400" height="800"
              onload="document.body.dataset.loaded = 'yes'"></iframe>
      </body></html>
      """.replace("@GW@", gateway);
  }

  private static boolean ran(String session) {
    return ((LocalSessionStore) gw.gateway.sessions()).find(session).isPresent() || gw.gateway.stream().lastSeq(session) > 0;
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(20));
  }

  /** Runs a fetch in the current page and answers its status, or the error it failed with. */
  private static String fetchFromPage(String url, String method, String body) {
    return String.valueOf(browser.executeAsyncScript("""
      const done = arguments[arguments.length - 1];
      fetch(arguments[0], {method: arguments[1], headers: {'Content-Type': 'application/json'}, body: arguments[2]})
        .then(r => done(r.status), e => done('failed ' + e));
      """, url, method, body));
  }

  @Test
  void shouldLetNoPageOfAnotherOriginRunAnything() {
    browser.get("http://127.0.0.1:" + foreign.actualPort() + "/");
    List<String> attacks = List.of("nocors", "nocors-exec", "cors", "form-text", "form-exec", "ws");
    waiting().withMessage(() -> "the page reported only " + browser.findElement(By.id("results")).getText())
      .until(d -> {
      String text = d.findElement(By.id("results")).getText();
      return attacks.stream().allMatch(a -> text.contains("\"" + a + "\""));
    });
    @SuppressWarnings("unchecked")
    Map<String, String> results = (Map<String, String>) browser.executeScript("return results;");
    SoftAssertions.assertSoftly(soft -> {
      soft.assertThat(results.get("ws")).as("the console WebSocket must not open").startsWith("closed");
      soft.assertThat(results.get("cors")).as("the preflight must fail").startsWith("failed");
      for (String session : List.of("page-nocors", "page-nocors-exec", "page-cors", "page-form-text", "page-form-exec")) {
        soft.assertThat(ran(session)).as(session + " must not have run").isFalse();
      }
    });
    assertThat(gw.gateway.stream().sessions()).toIterable().noneMatch(s -> s.startsWith("page-"));
  }

  @Test
  void shouldNotLetAPageOfAnotherOriginShowTheConsoleInAFrame() {
    browser.get("http://127.0.0.1:" + foreign.actualPort() + "/frame");
    waiting().until(d -> "yes".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
    browser.switchTo().frame("console");
    try {
      assertThat(browser.findElements(By.id("try-run"))).as("the framed console's Try it").isEmpty();
    } finally {
      browser.switchTo().defaultContent();
    }
  }

  @Test
  void shouldStillBeDrivenFromItsOwnPageUnderEitherLoopbackName() {
    for (String host : List.of("127.0.0.1", "localhost")) {
      String session = "own-" + host.charAt(0);
      browser.get("http://" + host + ":" + gw.gateway.port() + "/");
      waiting().until(d -> d.findElement(By.id("connection")).getText().equals("live"));
      String status = fetchFromPage("/api/sessions/" + session + "/scripts", "POST",
        "{\"code\": \"botContext.sendMessage('from my own page');\"}");
      assertThat(status).isEqualTo("200");
      assertThat(ran(session)).isTrue();
    }
  }

  /**
   * A tool of the user's own, served from an origin listed in http.allowedOrigins, as the README says to: its JSON
   * POST (preflighted) runs and its answer can be read, also with auth.token set; no other origin is answered so.
   */
  @Test
  void shouldLetAPageOfAListedOriginCallTheApiAndReadTheAnswer(Vertx vertx) {
    String tool = "http://127.0.0.1:" + foreign.actualPort();
    TestGateway listed = result(TestGateway.start(vertx, new JsonObject()
      .put("http.allowedOrigins", new JsonArray().add(tool)).put("auth.token", "tool-token")));
    browser.get(tool + "/tool");
    String answer = String.valueOf(browser.executeAsyncScript("""
      const done = arguments[arguments.length - 1];
      fetch(arguments[0], {method: 'POST', headers: {'Content-Type': 'application/json',
          'Authorization': 'Bearer tool-token'}, body: JSON.stringify({code: "botContext.sendMessage('from my tool');"})})
        .then(r => r.json().then(a => done(r.status + ' ' + a.messages[0].text)), e => done('failed ' + e));
      """, "http://127.0.0.1:" + listed.gateway.port() + "/api/sessions/tool-1/scripts"));
    assertThat(answer).isEqualTo("200 from my tool");

    HttpResponse<Buffer> preflight = result(listed.http.request(HttpMethod.OPTIONS, listed.gateway.port(), "127.0.0.1",
      "/api/sessions/tool-1/scripts").putHeader("Origin", "http://127.0.0.1:1").putHeader("Access-Control-Request-Method",
      "POST").send());
    assertThat(preflight.statusCode()).as("an origin not listed").isEqualTo(401);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void shouldRefuseAPageOnADnsNameReboundToLoopback() {
    String base = "http://" + REBOUND + ":" + gw.gateway.port();
    browser.get(base + "/");
    assertThat(browser.findElement(By.tagName("body")).getText()).contains("host_not_allowed");
    // The page is now same-origin with what it calls: only the Host check stands in its way.
    String status = fetchFromPage(base + "/api/sessions/page-rebound/scripts", "POST",
      "{\"code\": \"botContext.sendMessage('rebound');\"}");
    assertThat(status).isEqualTo("403");
    assertThat(ran("page-rebound")).isFalse();
  }
}
