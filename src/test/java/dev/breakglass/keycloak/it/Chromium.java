package dev.breakglass.keycloak.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium from the system's packages ({@code chromium}, {@code chromium-driver}), driven
 * through Selenium. The chromedriver path is given to the service, so Selenium Manager is never
 * asked to download a driver or a browser (and the build sets {@code SE_OFFLINE=true} as well).
 * Each instance is a fresh browser with a throw-away profile: no cookies carry over between tests.
 */
public final class Chromium implements AutoCloseable {

  public static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private static final String BROWSER =
      System.getProperty("breakglass.chromium", "/usr/bin/chromium");
  private static final String DRIVER =
      System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");

  private final Path profile;
  private final ChromeDriver driver;

  public Chromium(int width, int height) {
    for (String path : new String[] {BROWSER, DRIVER}) {
      if (!Files.isExecutable(Path.of(path))) {
        throw new IllegalStateException(
            path
                + " not found: install Debian's chromium and chromium-driver "
                + "(apt-get install -y chromium chromium-driver), as .ci/run does");
      }
    }
    try {
      profile = Files.createTempDirectory("bg-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--user-data-dir=" + profile.toAbsolutePath(),
        "--lang=en-US",
        "--window-size=" + width + "," + height);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER))
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    // The window size flag sets the outer size; make the page's viewport exactly what was asked.
    resizeViewport(width, height);
  }

  public WebDriver driver() {
    return driver;
  }

  /** Waits up to 15 s; a timeout says where the browser was, so a flake can be read afterwards. */
  public WebDriverWait await() {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    wait.withMessage(this::whereItIs);
    return wait;
  }

  /** The page's address, title and the start of its text, for a failure message. */
  public String whereItIs() {
    try {
      String text = String.valueOf(js("return document.body ? document.body.innerText : '';"));
      String excerpt = text.length() > 600 ? text.substring(0, 600) + "…" : text;
      return "browser at "
          + driver.getCurrentUrl()
          + " (title \""
          + driver.getTitle()
          + "\"), page text: "
          + excerpt.replaceAll("\\s+", " ");
    } catch (RuntimeException e) {
      return "browser state unreadable: " + e;
    }
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Sets the viewport (not the window) to width x height CSS pixels. */
  public void resizeViewport(int width, int height) {
    Dimension outer = driver.manage().window().getSize();
    long innerWidth = ((Number) js("return window.innerWidth;")).longValue();
    long innerHeight = ((Number) js("return window.innerHeight;")).longValue();
    driver
        .manage()
        .window()
        .setSize(
            new Dimension(
                outer.getWidth() + (int) (width - innerWidth),
                outer.getHeight() + (int) (height - innerHeight)));
  }

  public long viewportWidth() {
    return ((Number) js("return window.innerWidth;")).longValue();
  }

  /** True when the page is wider than the viewport, i.e. the user would have to scroll sideways. */
  public boolean scrollsSideways() {
    return (Boolean) js("return document.documentElement.scrollWidth > window.innerWidth;");
  }

  /** The elements that reach past the viewport's right edge, for a failure message. */
  public Object overflowing() {
    return js(
        "return Array.from(document.querySelectorAll('body *'))"
            + ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)"
            + ".slice(0, 10).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className"
            + " + ' right=' + Math.round(e.getBoundingClientRect().right));");
  }

  /**
   * Saves the whole page (not only the visible part) as target/screenshots/{name}.png: grows the
   * viewport to the page's height for the shot, then puts it back.
   */
  public Path screenshot(String name) {
    long width = viewportWidth();
    long height = ((Number) js("return window.innerHeight;")).longValue();
    long pageHeight =
        ((Number) js("return Math.ceil(document.documentElement.scrollHeight);")).longValue();
    try {
      if (pageHeight > height) {
        resizeViewport((int) width, (int) pageHeight);
      }
      File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
      Files.createDirectories(SCREENSHOTS);
      Path target = SCREENSHOTS.resolve(name + ".png");
      Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (pageHeight > height) {
        resizeViewport((int) width, (int) height);
      }
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // A leftover temp profile is harmless.
      }
    }
  }
}
