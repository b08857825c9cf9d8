package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * A realm admin edits the policy in Keycloak's own admin console, without any JSON: the break-glass
 * activation required action has a configure button, and its dialog shows every policy field with
 * its label. Its screenshot (target/screenshots) is the README's picture.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class AdminConsoleIT {

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private Chromium chromium;

  @AfterEach
  void closeBrowser() {
    if (chromium != null) {
      chromium.close();
    }
  }

  @Test
  void thePolicyIsConfiguredInTheAdminConsole() throws Exception {
    chromium = new Chromium(1280, 1000);
    // The console sends the browser to the master realm's sign-in page first.
    new LoginPage(chromium)
        .open(
            urls.getBase()
                + "/admin/master/console/#/"
                + DemoRealm.REALM
                + "/authentication/required-actions")
        .signIn("admin", "admin");

    // The required actions table, with a configure button on the break-glass activation's row.
    WebElement settings =
        chromium
            .await()
            .until(
                ExpectedConditions.elementToBeClickable(
                    By.xpath(
                        "//tr[.//td[normalize-space()='Break-glass"
                            + " activation']]//button[@aria-label='Settings']")));
    assertTrue(
        chromium
                .driver()
                .findElements(By.xpath("//td[normalize-space()='Break-glass attestation']"))
                .size()
            == 1,
        "the attestation action is registered too");
    settings.click();

    WebElement dialog =
        chromium
            .await()
            .until(
                ExpectedConditions.visibilityOfElementLocated(
                    By.xpath(
                        "//*[@role='dialog'][.//*[contains(normalize-space(), 'Eligible"
                            + " group')]]")));
    for (String label :
        List.of(
            "Eligible group",
            "Grantable roles",
            "Maximum duration (minutes)",
            "Ticket pattern",
            "Drift mode",
            "Alert webhook URL",
            "Alert e-mail addresses",
            "Attestation",
            "Attestation deadline (hours)")) {
      assertTrue(
          !dialog.findElements(By.xpath(".//*[normalize-space()=\"" + label + "\"]")).isEmpty(),
          "the dialog shows " + label);
    }
    // The saved policy is in the form: the demo's ticket pattern is prefilled.
    chromium
        .await()
        .until(d -> !dialog.findElements(By.xpath(".//input[@value='INC-[0-9]{3,10}']")).isEmpty());

    // docs/admin-console-policy.png is a copy of this screenshot.
    assertTrue(Files.size(chromium.screenshot("admin-console-policy")) > 0);
  }
}
