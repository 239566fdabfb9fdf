package dev.knoe.control.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium}, driven through its {@code chromium-driver};
 * .ci/run installs both), with waits and screenshots for the console's tests.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of(System.getProperty("chromium", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getProperty("chromedriver", "/usr/bin/chromedriver"));

  /**
   * Where screenshots go; README: pass -Dconsole.screenshots=$PWD/docs/console to refresh those.
   */
  static final Path SHOTS =
      Path.of(System.getProperty("console.screenshots", "target/console-screenshots"));

  static final int WIDTH = 1400;
  static final int HEIGHT = 1000;

  final ChromeDriver driver;

  Browser() {
    for (Path p : new Path[] {CHROMIUM, DRIVER}) {
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException(
            p + " is missing: install Debian's chromium and chromium-driver (as .ci/run does)");
      }
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=" + WIDTH + "," + HEIGHT,
        "--lang=en-US");
    // The browser's console, to find what the Content-Security-Policy refused.
    options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
    driver = new ChromeDriver(service, options);
  }

  WebElement find(String css) {
    return waitFor(d -> d.findElement(By.cssSelector(css)));
  }

  WebElement byId(String id) {
    return waitFor(d -> d.findElement(By.id(id)));
  }

  /** Answers yes to the page's confirmation question once it is asked. */
  void acceptConfirmation() {
    waitFor(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent()).accept();
  }

  void dismissAnyConfirmation() {
    try {
      driver.switchTo().alert().dismiss();
    } catch (org.openqa.selenium.NoAlertPresentException none) {
      // nothing asked
    }
  }

  /** An attribute of the element, read again if the page redrew it meanwhile (the charts do). */
  String attribute(String css, String name) {
    return waitFor(d -> d.findElement(By.cssSelector(css)).getAttribute(name));
  }

  /** Waits until the element's text holds {@code text}, and answers the whole text. */
  String textOf(String id, String text) {
    waitFor(
        d -> {
          var el = d.findElements(By.id(id));
          return !el.isEmpty() && el.get(0).getText().contains(text) ? true : null;
        });
    return driver.findElement(By.id(id)).getText();
  }

  <T> T waitFor(Function<WebDriver, T> condition) {
    return waitFor(Duration.ofSeconds(30), condition);
  }

  <T> T waitFor(Duration timeout, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
        .ignoring(org.openqa.selenium.NoSuchElementException.class)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(condition);
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  void open(String url) {
    driver.get(url);
  }

  /**
   * A screenshot of the whole page, below the window's height too, as {@code <name>.png}: through
   * the DevTools protocol, as resizing a headless window does not always lay the page out again.
   */
  @SuppressWarnings("unchecked")
  void screenshot(String name) throws IOException {
    Files.createDirectories(SHOTS);
    Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
    Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
    Map<String, Object> clip =
        Map.of(
            "x", 0,
            "y", 0,
            "width", WIDTH,
            "height", Math.min(((Number) size.get("height")).doubleValue(), 4000),
            "scale", 1);
    Map<String, Object> shot =
        driver.executeCdpCommand(
            "Page.captureScreenshot",
            Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
    Files.write(
        SHOTS.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
  }

  /**
   * What the page's Content-Security-Policy refused so far: a console that needed an inline script
   * or style, or another origin, would be broken for its users and show here.
   */
  java.util.List<String> refusedByPolicy() {
    return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
        .map(org.openqa.selenium.logging.LogEntry::getMessage)
        .filter(m -> m.contains("Content Security Policy") || m.contains("Refused to"))
        .toList();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
