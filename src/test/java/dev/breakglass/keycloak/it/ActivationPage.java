package dev.breakglass.keycloak.it;

import java.util.List;
import java.util.Map;
import org.jsoup.nodes.Element;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The break-glass activation form (break-glass-activate.ftl): in Chromium as a responder taps it,
 * or over plain HTTP ({@link #http(Browser, Browser.Page)}) for tests that post the form's fields
 * themselves, spoiled ones included.
 */
public final class ActivationPage {

  private static final String FORM = "bg-activate-form";
  private static final String BANNER = "bg-banner";
  private static final String DRILL = "bg-drill";
  private static final String TITLE = "kc-page-title";
  private static final String SUBMIT = "bg-activate";
  private static final String CANCEL = "bg-cancel";
  private static final String ROLES = "roles";

  private static String helpId(String field) {
    return field + "-help";
  }

  private static String errorId(String field) {
    return "input-error-" + field;
  }

  private final Chromium chromium;

  public ActivationPage(Chromium chromium) {
    this.chromium = chromium;
  }

  public ActivationPage waitUntilShown() {
    chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id(FORM)));
    return this;
  }

  private WebDriver driver() {
    return chromium.driver();
  }

  /** True when the form is on the page now (no waiting). */
  public boolean isShown() {
    return !driver().findElements(By.id(FORM)).isEmpty();
  }

  public WebElement banner() {
    return driver().findElement(By.id(BANNER));
  }

  /** The drill notice, or null when this is a real activation. */
  public WebElement drillNotice() {
    List<WebElement> notices = driver().findElements(By.id(DRILL));
    return notices.isEmpty() ? null : notices.get(0);
  }

  /** Danger alerts other than the banner: where a page-level error would show. */
  public List<WebElement> pageAlerts() {
    return driver().findElements(By.cssSelector(".pf-v5-c-alert.pf-m-danger:not(#" + BANNER + ")"));
  }

  public String title() {
    return driver().findElement(By.id(TITLE)).getText();
  }

  public String help(String field) {
    return driver().findElement(By.id(helpId(field))).getText();
  }

  public WebElement field(String id) {
    return driver().findElement(By.id(id));
  }

  public List<WebElement> roleBoxes() {
    return driver().findElements(By.name(ROLES));
  }

  /** The error shown next to a field, or null when there is none. */
  public WebElement error(String field) {
    List<WebElement> errors = driver().findElements(By.id(errorId(field)));
    return errors.isEmpty() ? null : errors.get(0);
  }

  /** Waits for the page that shows an error next to the field (after a submission). */
  public ActivationPage waitForError(String field) {
    chromium.await().until(d -> !d.findElements(By.id(errorId(field))).isEmpty());
    return waitUntilShown();
  }

  /** True when the field's error is inside the field's own form group. */
  public boolean errorInFieldGroup(String field) {
    WebElement group =
        field(field)
            .findElement(By.xpath("ancestor::div[contains(@class,'pf-v5-c-form__group')][1]"));
    return !group.findElements(By.id(errorId(field))).isEmpty();
  }

  public WebElement submitButton() {
    return driver().findElement(By.id(SUBMIT));
  }

  public ActivationPage fill(String reason, String ticket, String role, int minutes) {
    replace(field("reason"), reason);
    replace(field("ticket"), ticket);
    for (WebElement box : roleBoxes()) {
      if (box.getAttribute("value").equals(role) != box.isSelected()) {
        // The label is what a finger taps on a phone.
        driver().findElement(By.cssSelector("label[for='" + box.getAttribute("id") + "']")).click();
      }
    }
    replace(field("duration"), Integer.toString(minutes));
    return this;
  }

  public void submit() {
    submitButton().click();
  }

  private static void replace(WebElement input, String text) {
    input.clear();
    input.sendKeys(text);
  }

  /**
   * The page {@code browser} is on, read as the activation form (which it may turn out not to be).
   */
  public static Http http(Browser browser, Browser.Page page) {
    return new Http(browser, page);
  }

  /** The activation form as {@link Browser} fetched it. */
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

    public boolean isShown() {
      return form() != null;
    }

    public boolean canCancel() {
      return page.doc().getElementById(CANCEL) != null;
    }

    /** The banner's text, or null when there is no banner. */
    public String banner() {
      return text(BANNER);
    }

    /** The value a field shows (typed before, or prefilled). */
    public String value(String field) {
      Element input = page.doc().getElementById(field);
      return input == null ? null : input.val();
    }

    public String help(String field) {
      return text(helpId(field));
    }

    /** The error shown next to a field, or null when there is none. */
    public String error(String field) {
      return text(errorId(field));
    }

    /** The roles offered, as their check boxes' values. */
    public List<String> roles() {
      return page.doc().select("input[name=" + ROLES + "]").eachAttr("value");
    }

    /** The URL the form posts to. */
    public String action() {
      Element form = form();
      if (form == null) {
        throw new AssertionError(
            "No activation form on "
                + page.url()
                + " (status "
                + page.status()
                + "):\n"
                + page.body());
      }
      return form.absUrl("action");
    }

    /**
     * Posts these fields (as given: tests spoil them) to the form's action; returns the next page.
     */
    public Browser.Page submit(Map<String, List<String>> fields) {
      return browser.post(action(), fields);
    }

    /** The same post, read as the activation form again (shown again when a field was refused). */
    public Http submitExpectingForm(Map<String, List<String>> fields) {
      return new Http(browser, submit(fields));
    }

    private Element form() {
      return page.doc().getElementById(FORM);
    }

    private String text(String id) {
      Element element = page.doc().getElementById(id);
      return element == null ? null : element.text();
    }
  }
}
