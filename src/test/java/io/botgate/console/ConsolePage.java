package io.botgate.console;

import io.botgate.TestGateway;
import io.vertx.core.json.JsonObject;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static io.botgate.Await.result;

/**
 * The console page as the browser tests drive it: open it at a viewport size, feed its gateway, find rows
 * by their text (rows come and go as the virtualized list scrolls, so they are looked up when needed).
 */
final class ConsolePage {

  final ChromeDriver browser;
  final TestGateway gw;

  ConsolePage(ChromeDriver browser, TestGateway gw) {
    this.browser = browser;
    this.gw = gw;
  }

  String base() {
    return "http://127.0.0.1:" + gw.gateway.port();
  }

  void open(int width, String path) {
    Browser.viewport(browser, width, 900);
    browser.get(base() + path);
    waitUntil(() -> "live".equals(text("connection")));
  }

  void waitUntil(BooleanSupplier condition) {
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> condition.getAsBoolean());
  }

  /** As {@link #waitUntil(BooleanSupplier)}, saying what the page showed when the wait ran out. */
  void waitUntil(BooleanSupplier condition, Supplier<String> shown) {
    new WebDriverWait(browser, Duration.ofSeconds(30)).withMessage(shown).until(d -> condition.getAsBoolean());
  }

  String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  void script(String session, String code) {
    JsonObject answer = result(gw.http.post(gw.gateway.port(), "127.0.0.1", "/api/sessions/" + session + "/scripts")
      .sendJsonObject(new JsonObject().put("code", code))).bodyAsJsonObject();
    if (answer == null || answer.getValue("outcome") == null) {
      throw new IllegalStateException("script not run: " + answer);
    }
  }

  /** The row whose text is exactly this, if it is in the page. */
  WebElement row(String text) {
    return (WebElement) browser.executeScript("return [...document.querySelectorAll('#stream .row')]"
      + ".find(r => r.querySelector('.text').textContent === arguments[0]) || null", text);
  }

  /** The row whose text starts so, if it is in the page. */
  WebElement rowStarting(String prefix) {
    return (WebElement) browser.executeScript("return [...document.querySelectorAll('#stream .row')]"
      + ".find(r => r.querySelector('.text').textContent.startsWith(arguments[0])) || null", prefix);
  }

  /** Whether the row with this text is wholly inside the stream panel's visible area. */
  boolean onScreen(String text) {
    return Boolean.TRUE.equals(browser.executeScript("const row = [...document.querySelectorAll('#stream .row')]"
      + ".find(r => r.querySelector('.text').textContent === arguments[0]); if (!row) return false;"
      + "const r = row.querySelector('.line').getBoundingClientRect(), s = document.getElementById('stream').getBoundingClientRect();"
      + "return r.top >= s.top - 1 && r.bottom <= s.bottom + 1 && r.bottom <= innerHeight;", text));
  }

  /** Whether an element is wholly inside the viewport. */
  boolean inViewport(String css) {
    return Boolean.TRUE.equals(browser.executeScript("const r = document.querySelector(arguments[0]).getBoundingClientRect();"
      + "return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;", css));
  }

  /** Opens a row's details by clicking its line, and answers the details' text and right edge. */
  @SuppressWarnings("unchecked")
  Map<String, Object> expand(WebElement row) {
    row.findElement(By.className("line")).click();
    waitUntil(() -> Boolean.TRUE.equals(browser.executeScript("return !!arguments[0].querySelector('.details')", row)));
    return (Map<String, Object>) browser.executeScript("const d = arguments[0].querySelector('.details');"
      + "return {text: d.textContent, right: d.getBoundingClientRect().right, width: innerWidth,"
      + " scrollWidth: d.scrollWidth, clientWidth: d.clientWidth}", row);
  }
}
