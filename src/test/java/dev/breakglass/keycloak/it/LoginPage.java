package dev.breakglass.keycloak.it;

import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** Keycloak's own sign-in page (keycloak.v2), as a user types into it. */
public final class LoginPage {

  private final Chromium chromium;

  public LoginPage(Chromium chromium) {
    this.chromium = chromium;
  }

  public LoginPage open(String authorizeUrl) {
    chromium.driver().get(authorizeUrl);
    return waitUntilShown();
  }

  public LoginPage waitUntilShown() {
    chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    return this;
  }

  public void signIn(String username, String password) {
    WebDriver driver = chromium.driver();
    driver.findElement(By.id("username")).sendKeys(username);
    driver.findElement(By.id("password")).sendKeys(password);
    driver.findElement(By.id("kc-login")).click();
  }
}
