package dev.breakglass.keycloak.it;

import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The break-glass console and its activation landing page, in Chromium. */
public final class ConsolePage {

  private final Chromium chromium;

  public ConsolePage(Chromium chromium) {
    this.chromium = chromium;
  }

  public static String url(String base) {
    return base + "/realms/" + DemoRealm.REALM + "/break-glass/console";
  }

  public static String activateUrl(String base) {
    return url(base) + "/activate";
  }

  /** Waits until the element is visible and returns it. */
  public WebElement shown(String cssSelector) {
    return chromium
        .await()
        .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(cssSelector)));
  }

  public List<WebElement> all(String cssSelector) {
    return chromium.driver().findElements(By.cssSelector(cssSelector));
  }

  public String text(String cssSelector) {
    return shown(cssSelector).getText();
  }

  /** The polite announcement region's text once it says something. */
  public String announced() {
    return chromium
        .await()
        .until(
            d -> {
              String text = d.findElement(By.id("bg-live")).getText();
              return text.isBlank() ? null : text;
            });
  }

  /** The alert region's text once it says something. */
  public String error() {
    return chromium
        .await()
        .until(
            d -> {
              String text = d.findElement(By.id("bg-errors")).getText();
              return text.isBlank() ? null : text;
            });
  }

  /** The console's view of the signed-in user: waits for the responder section. */
  public ConsolePage waitUntilSignedIn() {
    shown("#bg-mine");
    chromium.await().until(d -> !d.findElements(By.cssSelector("#bg-activate-link")).isEmpty());
    return this;
  }

  /** The admin grant card of this grant id, once listed. */
  public WebElement grantCard(String grantId) {
    return shown(".bg-admin-grant[data-id='" + grantId + "']");
  }

  /** The approval card of this request id, once listed. */
  public WebElement requestCard(String requestId) {
    return shown(".bg-request[data-id='" + requestId + "']");
  }

  /** The access token the page keeps in sessionStorage (the console's own client). */
  public String accessToken() {
    Object json =
        chromium.js("return sessionStorage.getItem('bg-console.break-glass-console.tokens');");
    try {
      return Oidc.JSON.readTree((String) json).get("access_token").asText();
    } catch (Exception e) {
      throw new AssertionError("no console token in sessionStorage: " + json, e);
    }
  }
}
