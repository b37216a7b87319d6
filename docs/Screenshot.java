import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
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

/** Opens the console in headless Chromium, waits for the stream, expands an integration row, saves a PNG. */
public class Screenshot {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    Path out = Path.of(args[1]);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(new File("/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--window-size=1500,860", "--user-data-dir=" + Files.createTempDirectory("botgate-shot"));
    ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
      .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
    try {
      browser.manage().window().setSize(new Dimension(1500, 900));
      browser.get(url);
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
      wait.until(d -> d.findElements(By.cssSelector("#stream .row")).size() >= 10);
      WebElement last = null;
      for (WebElement row : browser.findElements(By.cssSelector("#stream .row.kind-integration"))) {
        if (row.getText().contains("-> 200")) {
          last = row;
        }
      }
      if (last != null) {
        last.click();
      }
      browser.executeScript("const s = document.getElementById('stream'); s.scrollTop = s.scrollHeight;");
      Thread.sleep(500);
      Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), out, StandardCopyOption.REPLACE_EXISTING);
      System.out.println("wrote " + out);
    } finally {
      browser.quit();
    }
  }
}
