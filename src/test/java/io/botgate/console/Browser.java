package io.botgate.console;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

/** Headless Debian Chromium driven by its own ChromeDriver: no network, no Selenium Manager download. */
public final class Browser {

  private Browser() {
  }

  /** @param extraArguments further Chromium switches, such as {@code --host-resolver-rules=...} */
  public static ChromeDriver start(String... extraArguments) {
    try {
      ChromeOptions options = new ChromeOptions();
      options.setBinary(new File("/usr/bin/chromium"));
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1500,900", "--user-data-dir=" + Files.createTempDirectory("botgate-chrome"));
      options.addArguments(extraArguments);
      ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
      return new ChromeDriver(service, options);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
