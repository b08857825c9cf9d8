package dev.breakglass.keycloak.it;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The gate's refusal (break-glass-denied.ftl): in Chromium, or over plain HTTP ({@link
 * #http(Browser.Page)}).
 */
public final class RefusalPage {

  private static final String DENIED = "bg-denied";
  private static final String TITLE = "kc-page-title";
  private static final String RESTART = "bg-restart";

  /** The layout's alert that carries the reason for the refusal. */
  private static final String ALERT = ".pf-v5-c-alert.pf-m-danger";

  private final Chromium chromium;

  public RefusalPage(Chromium chromium) {
    this.chromium = chromium;
  }

  public RefusalPage waitUntilShown() {
    chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id(DENIED)));
    return this;
  }

  public String title() {
    return chromium.driver().findElement(By.id(TITLE)).getText();
  }

  public WebElement alert() {
    return chromium.driver().findElement(By.cssSelector(ALERT));
  }

  public String text() {
    return chromium.driver().findElement(By.id(DENIED)).getText();
  }

  public WebElement restart() {
    return chromium.driver().findElement(By.id(RESTART));
  }

  /**
   * A page as {@link Browser} fetched it, read as the refusal (which it may turn out not to be).
   */
  public static Http http(Browser.Page page) {
    return new Http(page);
  }

  /** The refusal as {@link Browser} fetched it: nothing on it to post. */
  public static final class Http {

    private final Browser.Page page;

    private Http(Browser.Page page) {
      this.page = page;
    }

    public Browser.Page page() {
      return page;
    }

    public boolean isShown() {
      return page.doc().getElementById(DENIED) != null;
    }
  }
}
