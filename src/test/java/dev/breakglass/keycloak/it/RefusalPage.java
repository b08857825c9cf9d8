package dev.breakglass.keycloak.it;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** The gate's refusal (break-glass-denied.ftl). */
public final class RefusalPage {

  private final Chromium chromium;

  public RefusalPage(Chromium chromium) {
    this.chromium = chromium;
  }

  public RefusalPage waitUntilShown() {
    chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("bg-denied")));
    return this;
  }

  public String title() {
    return chromium.driver().findElement(By.id("kc-page-title")).getText();
  }

  /** The layout's alert that carries the reason for the refusal. */
  public WebElement alert() {
    return chromium.driver().findElement(By.cssSelector(".pf-v5-c-alert.pf-m-danger"));
  }

  public String text() {
    return chromium.driver().findElement(By.id("bg-denied")).getText();
  }

  public WebElement restart() {
    return chromium.driver().findElement(By.id("bg-restart"));
  }
}
