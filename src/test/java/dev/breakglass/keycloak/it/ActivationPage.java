package dev.breakglass.keycloak.it;

import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The break-glass activation form (break-glass-activate.ftl). */
public final class ActivationPage {

  private final Chromium chromium;

  public ActivationPage(Chromium chromium) {
    this.chromium = chromium;
  }

  public ActivationPage waitUntilShown() {
    chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("bg-activate-form")));
    return this;
  }

  private WebDriver driver() {
    return chromium.driver();
  }

  public WebElement banner() {
    return driver().findElement(By.id("bg-banner"));
  }

  public String title() {
    return driver().findElement(By.id("kc-page-title")).getText();
  }

  public String help(String field) {
    return driver().findElement(By.id(field + "-help")).getText();
  }

  public WebElement field(String id) {
    return driver().findElement(By.id(id));
  }

  public List<WebElement> roleBoxes() {
    return driver().findElements(By.name("roles"));
  }

  /** The error shown next to a field, or null when there is none. */
  public WebElement error(String field) {
    List<WebElement> errors = driver().findElements(By.id("input-error-" + field));
    return errors.isEmpty() ? null : errors.get(0);
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
    driver().findElement(By.id("bg-activate")).click();
  }

  private static void replace(WebElement input, String text) {
    input.clear();
    input.sendKeys(text);
  }
}
