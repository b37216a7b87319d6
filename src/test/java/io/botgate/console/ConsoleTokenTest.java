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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

import java.util.concurrent.TimeUnit;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/** The console of a gateway that requires a token: asked for once, kept out of the address bar. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsoleTokenTest {

  static final String TOKEN = "console-test-token";
  static TestGateway gw;
  static ChromeDriver browser;
  static ConsolePage page;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("auth.token", TOKEN)));
    browser = Browser.start();
    page = new ConsolePage(browser, gw);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
  }

  @BeforeEach
  void forgetTheToken() {
    browser.get(page.base() + "/favicon.svg");
    browser.executeScript("sessionStorage.clear()");
  }

  /** Refusals are the point here: the 401 answers and the refused WebSocket handshakes are expected. */
  @AfterEach
  void noPageError() {
    assertThat(Browser.pageErrors(browser, m -> m.contains("401") || Browser.gatewayAway(m))).isEmpty();
  }

  @Test
  void shouldAskForTheTokenOnceAndSayWhenItIsWrong() {
    Browser.viewport(browser, 1280, 900);
    browser.get(page.base() + "/");
    page.waitUntil(() -> browser.findElement(By.id("token-dialog")).isDisplayed());
    assertThat(page.text("token-message")).contains("requires");

    browser.findElement(By.id("token-input")).sendKeys("not-the-token");
    browser.findElement(By.id("token-submit")).click();
    page.waitUntil(() -> page.text("token-message").contains("refused"));

    browser.findElement(By.id("token-input")).sendKeys(TOKEN);
    browser.findElement(By.id("token-submit")).click();
    page.waitUntil(() -> "live".equals(page.text("connection")));
    assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
    assertThat(browser.getCurrentUrl()).doesNotContain(TOKEN);
    assertThat(browser.findElements(By.cssSelector("#try-integration option"))).isNotEmpty();

    browser.findElement(By.id("toggle-tryit")).click(); // a drawer at 1280 px
    page.waitUntil(() -> page.inViewport("#try-run"));
    browser.findElement(By.id("try-run")).click();
    page.waitUntil(() -> page.row("All is well.") != null || page.rowStarting("API Execution") != null
      || page.rowStarting("script finished") != null);

    browser.navigate().refresh(); // kept for the tab: no second prompt
    page.waitUntil(() -> "live".equals(page.text("connection")));
    assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
  }

  @Test
  void shouldTakeALegacyTokenFromTheAddressAndRemoveIt() {
    browser.get(page.base() + "/?session=legacy&token=" + TOKEN);
    page.waitUntil(() -> "live".equals(page.text("connection")));
    assertThat(browser.getCurrentUrl()).doesNotContain("token").contains("session=legacy");
    assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
    assertThat(page.text("viewing")).isEqualTo("Session legacy");
  }
}
