package dev.breakglass.keycloak.it;

import java.util.List;
import java.util.Map;
import org.jsoup.nodes.Element;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Keycloak's own sign-in page (keycloak.v2): in Chromium as a user types into it, or over plain
 * HTTP ({@link #open(Browser, String)}) as the form post the browser would send.
 */
public final class LoginPage {

  private static final String USERNAME = "username";
  private static final String PASSWORD = "password";
  private static final String SUBMIT = "kc-login";

  private final Chromium chromium;

  public LoginPage(Chromium chromium) {
    this.chromium = chromium;
  }

  public LoginPage open(String authorizeUrl) {
    chromium.driver().get(authorizeUrl);
    return waitUntilShown();
  }

  public LoginPage waitUntilShown() {
    chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id(USERNAME)));
    return this;
  }

  /** The break-glass theme's emergency banner above the card, or null under another theme. */
  public WebElement themeBanner() {
    List<WebElement> banners = chromium.driver().findElements(By.cssSelector(".bg-theme-banner"));
    return banners.isEmpty() ? null : banners.get(0);
  }

  /** The page's heading. */
  public String title() {
    return chromium.driver().findElement(By.id("kc-page-title")).getText();
  }

  /**
   * Types the credentials and signs in; when Keycloak's one-time-code page follows, types the
   * user's next code from the demo authenticator ({@link Totp}) too.
   */
  public void signIn(String username, String password) {
    WebDriver driver = chromium.driver();
    driver.findElement(By.id(USERNAME)).sendKeys(username);
    driver.findElement(By.id(PASSWORD)).sendKeys(password);
    WebElement submit = driver.findElement(By.id(SUBMIT));
    submit.click();
    chromium.await().until(ExpectedConditions.stalenessOf(submit));
    List<WebElement> otp = driver.findElements(By.cssSelector("input[name=otp]"));
    if (!otp.isEmpty() && driver.findElements(By.name("breakGlassStage")).isEmpty()) {
      otp.get(0).sendKeys(Totp.next(username));
      WebElement login = driver.findElement(By.id(SUBMIT));
      login.click();
      chromium.await().until(ExpectedConditions.stalenessOf(login));
    }
  }

  /** Opens the authorization URL in {@code browser}; fails unless the sign-in form is shown. */
  public static Http open(Browser browser, String authorizeUrl) {
    Browser.Page page = browser.get(authorizeUrl);
    if (page.status() != 200 || page.doc().getElementById(USERNAME) == null) {
      throw new AssertionError("Login page not shown: " + page.status() + "\n" + page.body());
    }
    return new Http(browser, page);
  }

  /** The sign-in page as {@link Browser} fetched it. */
  public static final class Http {

    private final Browser browser;
    private final Browser.Page page;

    private Http(Browser browser, Browser.Page page) {
      this.browser = browser;
      this.page = page;
    }

    public Browser.Page page() {
      return page;
    }

    /** Posts the credentials as the sign-in form would; returns the page that follows. */
    public Browser.Page signIn(String username, String password) {
      Element form = page.doc().getElementById(USERNAME).closest("form");
      return browser.post(
          form.absUrl("action"), Map.of(USERNAME, List.of(username), PASSWORD, List.of(password)));
    }
  }
}
