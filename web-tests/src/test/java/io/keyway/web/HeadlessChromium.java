package io.keyway.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;

/**
 * Debian's Chromium driven by its chromedriver, headless, with the flags this sandbox needs (no network
 * beyond loopback, no GPU, root without sandbox). Page state comes back as JSON.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChromeDriver driver;
  private final Path profile;

  HeadlessChromium() {
    try {
      profile = Files.createTempDirectory("keyway-chromium");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(executable("/usr/bin/chromium", "/usr/lib/chromium/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1360,1000", "--hide-scrollbars", "--user-data-dir=" + profile);
    // the page's console, for consoleMessages(): a Content-Security-Policy violation is reported there
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(executable("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")))
        .usingAnyFreePort()
        .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
  }

  private static String executable(String... candidates) {
    for (String c : candidates) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    throw new IllegalStateException("not installed: " + String.join(" or ", candidates)
        + " (apt-get install chromium chromium-driver)");
  }

  void open(String url) {
    driver.get(url);
  }

  /** The element matching a CSS selector (which must be there already: {@link #await} it first). */
  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  /** The console messages logged since the last call (errors, CSP violations, warnings, logs). */
  List<String> consoleMessages() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .map(e -> e.getLevel() + " " + e.getMessage()).toList();
  }

  /** Writes what the window shows as a PNG. */
  void screenshot(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a script in the page and returns what it returns as JSON. */
  JsonNode eval(String script, Object... args) {
    return JSON.valueToTree(((JavascriptExecutor) driver).executeScript(script, args));
  }

  /** Runs a script that ends by calling {@code done(value)} (the last argument) and returns the value. */
  JsonNode evalAsync(String script, Object... args) {
    return JSON.valueToTree(((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1];\n" + script, args));
  }

  /** Whether the page opened an alert/confirm/prompt dialog (which would also block every further script). */
  boolean dialogOpen() {
    try {
      driver.switchTo().alert();
      return true;
    } catch (NoAlertPresentException e) {
      return false;
    }
  }

  /** Polls a script's result until it satisfies the condition, failing with the last result seen. */
  JsonNode await(String script, Predicate<JsonNode> condition, Duration timeout, Object... args) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = eval(script, args);
    while (!condition.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("page state did not reach the expected condition within " + timeout + ": " + last);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      last = eval(script, args);
    }
    return last;
  }

  @Override
  public void close() {
    driver.quit();
    profile.toFile().deleteOnExit();
  }
}
