package io.botgate.console;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Headless Debian Chromium driven by its own ChromeDriver: no network, no Selenium Manager download. Every
 * page it opens records its uncaught errors, and its console log is kept, so a test can say "no page error".
 */
public final class Browser {

  /** Collects uncaught errors and unhandled promise rejections of every page, before the page's own scripts run. */
  private static final String ERROR_HOOK = "window.__pageErrors = [];"
    + "addEventListener('error', e => window.__pageErrors.push('error: ' + (e.message || e.type) + ' at ' + e.filename + ':' + e.lineno));"
    + "addEventListener('unhandledrejection', e => window.__pageErrors.push('unhandled rejection: '"
    + " + (e.reason && e.reason.stack || e.reason)));";

  private Browser() {
  }

  /** @param extraArguments further Chromium switches, such as {@code --host-resolver-rules=...} */
  public static ChromeDriver start(String... extraArguments) {
    try {
      ChromeOptions options = new ChromeOptions();
      options.setBinary(new File("/usr/bin/chromium"));
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1500,900", "--user-data-dir=" + removedAtExit(Files.createTempDirectory("botgate-chrome")));
      options.addArguments(extraArguments);
      options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
      ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", ERROR_HOOK));
      return driver;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A browser's profile (about 3 MB) or downloads are removed when the tests' JVM ends, not left in /tmp run after run. */
  private static Path removedAtExit(Path dir) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try (Stream<Path> tree = Files.walk(dir)) {
        tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // best effort: a file Chromium still holds stays behind
      }
    }));
    return dir;
  }

  /** Makes the page's viewport exactly this size, whatever the window around it. */
  static void viewport(ChromeDriver driver, int width, int height) {
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
      Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
  }

  /** Lets the page download files, into a fresh directory it returns. */
  static Path downloadsTo(ChromeDriver driver) {
    try {
      Path dir = removedAtExit(Files.createTempDirectory("botgate-downloads"));
      driver.executeCdpCommand("Browser.setDownloadBehavior",
        Map.of("behavior", "allow", "downloadPath", dir.toString(), "eventsEnabled", true));
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The uncaught errors of the current page and the console errors logged since the last call, except
   * those {@code expected} (a gateway that is down on purpose, a token refused on purpose).
   */
  @SuppressWarnings("unchecked")
  static List<String> pageErrors(ChromeDriver driver, Predicate<String> expected) {
    List<String> errors = new ArrayList<>();
    Object hooked = driver.executeScript("return window.__pageErrors || []");
    if (hooked instanceof List<?> list) {
      ((List<Object>) list).forEach(e -> errors.add(String.valueOf(e)));
    }
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue() && !expected.test(entry.getMessage())) {
        errors.add("console: " + entry.getMessage());
      }
    }
    return errors;
  }

  /**
   * Console errors a test provokes by stopping the gateway: connections refused while it is away; and a handshake it
   * refuses, with the page's question why ({@code /console/check}), answered with the same refusal.
   */
  /** The refusals the check answers as the handshake would (a 404 or a 500 from it is a failure of the test). */
  private static final Pattern CHECK_REFUSED = Pattern.compile("status of (401|403|503)\\b");

  static boolean gatewayAway(String message) {
    return message.contains("ERR_CONNECTION_REFUSED") || message.contains("WebSocket connection to")
      || message.contains("ERR_EMPTY_RESPONSE") || message.contains("ERR_CONNECTION_RESET")
      || message.contains("/console/check") && CHECK_REFUSED.matcher(message).find();
  }
}
