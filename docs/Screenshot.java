import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Opens the console in headless Chromium at a given viewport, waits for the stream, opens the last
 * successful integration call so its exchange and waterfall show, and saves a PNG.
 *   java -cp <test class path> docs/Screenshot.java <url> <out.png> [width, default 1500] [height, default 900]
 */
public class Screenshot {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    Path out = Path.of(args[1]);
    int width = args.length > 2 ? Integer.parseInt(args[2]) : 1500;
    int height = args.length > 3 ? Integer.parseInt(args[3]) : 900;
    ChromeOptions options = new ChromeOptions();
    options.setBinary(new File("/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--hide-scrollbars", "--user-data-dir=" + Files.createTempDirectory("botgate-shot"));
    ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
      .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
    try {
      browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
      browser.get(url);
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
      wait.until(d -> d.findElements(By.cssSelector("#stream .row")).size() >= 10);
      Thread.sleep(500); // let the replay settle
      List<WebElement> calls = browser.findElements(By.cssSelector("#stream .row.kind-integration"));
      WebElement last = null;
      for (WebElement row : calls) {
        if (row.getText().contains("-> 200")) {
          last = row;
        }
      }
      if (last != null) {
        last.findElement(By.className("line")).click();
        Thread.sleep(300);
        // the opened call a little below the top, the rows before it above
        browser.executeScript("const row = arguments[0], s = document.getElementById('stream');"
          + "s.scrollTop = Math.max(0, row.offsetTop - s.clientHeight * 0.12);", last);
      }
      Thread.sleep(500);
      Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), out, StandardCopyOption.REPLACE_EXISTING);
      System.out.println("wrote " + out);
    } finally {
      browser.quit();
    }
  }
}
