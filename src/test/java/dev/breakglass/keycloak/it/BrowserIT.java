package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The login pages in a real browser (headless Chromium): what a responder sees and taps, on a
 * 375-pixel-wide phone as well as on a desktop. Screenshots land in target/screenshots/.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class BrowserIT {

  private static final int PHONE_WIDTH = 375;
  private static final int PHONE_HEIGHT = 812;

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  private Chromium chromium;

  private Oidc oidc() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private boolean holdsEmergencyRole(String user) {
    String id = realm.admin().users().searchByUsername(user, true).get(0).getId();
    return realm.admin().users().get(id).roles().realmLevel().listEffective().stream()
        .anyMatch(r -> r.getName().equals(DemoRealm.ROLE));
  }

  @AfterEach
  void cleanUp() {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      TestReset.afterEach(breakGlass);
    }
  }

  @Test
  void responderActivatesOnAPhoneAndLandsOnTheAppWithACode() {
    chromium = new Chromium(PHONE_WIDTH, PHONE_HEIGHT);
    assertEquals(PHONE_WIDTH, chromium.viewportWidth(), "phone-sized viewport");
    Oidc oidc = oidc();
    new LoginPage(chromium).open(oidc.authorizeUrl()).signIn("responder", "responder");

    ActivationPage form = new ActivationPage(chromium).waitUntilShown();
    assertEquals("Activate emergency access", form.title());
    WebElement banner = form.banner();
    assertTrue(banner.isDisplayed());
    assertTrue(banner.getText().contains("EMERGENCY ACCESS"), banner.getText());
    // The product's stylesheet is served from the jar's theme-resources and applied.
    assertEquals("8px", banner.getCssValue("border-left-width"), "break-glass.css applied");
    // The policy's limits stand next to their fields.
    assertTrue(form.help("reason").contains("At least 20 characters"), form.help("reason"));
    assertTrue(form.help("ticket").contains("INC-12345"), form.help("ticket"));
    assertEquals("INC-12345", form.field("ticket").getAttribute("placeholder"));
    assertTrue(form.help("duration").contains("At most 60 minutes"), form.help("duration"));
    assertEquals("60", form.field("duration").getAttribute("max"));
    assertEquals("30", form.field("duration").getAttribute("value"), "default duration prefilled");
    assertNull(form.error("reason"), "no error before a submission");
    assertNull(form.drillNotice(), "no drill notice for a real activation");
    // The only role on offer comes ticked: a choice of one is no choice.
    assertEquals(1, form.roleBoxes().size());
    assertTrue(form.roleBoxes().get(0).isSelected(), "the only grantable role is pre-ticked");
    assertFalse(
        chromium.scrollsSideways(),
        "fits a 375-pixel-wide screen; too wide: " + chromium.overflowing());
    assertFitsViewport(form.field("reason"));
    assertFitsViewport(form.submitButton());
    chromium.screenshot("activation-form-375");

    form.fill(DemoRealm.GOOD_REASON, DemoRealm.GOOD_TICKET, DemoRealm.ROLE, 15);
    chromium.screenshot("activation-form-filled-375");
    form.submit();

    // Nothing listens on the app's redirect URI: the browser's address is what counts.
    String landed =
        chromium
            .await()
            .until(
                d -> {
                  String url = d.getCurrentUrl();
                  return url != null && url.startsWith(DemoRealm.REDIRECT) ? url : null;
                });
    String code = queryParameter(landed, "code");
    assertNotNull(code, "authorization code in " + landed);

    JsonNode tokens = oidc.exchange(code);
    assertEquals(200, tokens.get("_status").asInt(), tokens.toString());
    JsonNode access = Oidc.claims(tokens.get("access_token").asText());
    assertTrue(Oidc.realmRoles(access).contains(DemoRealm.ROLE), "token roles: " + access);

    JsonNode active = breakGlass.activeGrants("responder");
    assertEquals(1, active.size(), active.toString());
    assertEquals(DemoRealm.GOOD_TICKET, active.get(0).get("ticket").asText());
    assertEquals(DemoRealm.GOOD_REASON, active.get(0).get("reason").asText());
  }

  @Test
  void aTooShortReasonIsShownNextToTheFieldAndGrantsNothing() {
    chromium = new Chromium(1280, 900);
    int grantsBefore = breakGlass.grants("responder").size();
    new LoginPage(chromium).open(oidc().authorizeUrl()).signIn("responder", "responder");
    ActivationPage form = new ActivationPage(chromium).waitUntilShown();
    form.fill("db down", DemoRealm.GOOD_TICKET, DemoRealm.ROLE, 15).submit();

    form = new ActivationPage(chromium).waitForError("reason");
    WebElement error = form.error("reason");
    assertTrue(error.isDisplayed());
    assertEquals("The reason must have at least 20 characters.", error.getText());
    WebElement reason = form.field("reason");
    assertEquals("true", reason.getAttribute("aria-invalid"));
    assertTrue(
        reason.getAttribute("aria-describedby").contains("input-error-reason"),
        "error announced with the field");
    // Next to the field: in the reason's form group, just below the text area, before the ticket.
    assertTrue(form.errorInFieldGroup("reason"), "error inside the reason's group");
    Rectangle box = reason.getRect();
    Rectangle said = error.getRect();
    assertTrue(
        said.getY() >= box.getY() + box.getHeight()
            && said.getY() - (box.getY() + box.getHeight()) < 60,
        "error right below the field: field "
            + box.getY()
            + "+"
            + box.getHeight()
            + ", error at "
            + said.getY());
    assertTrue(said.getY() < form.field("ticket").getRect().getY(), "error above the next field");
    assertNull(form.error("ticket"), "only the faulty field complains");
    assertEquals("db down", reason.getAttribute("value"), "typed reason kept");
    assertEquals(
        DemoRealm.GOOD_TICKET, form.field("ticket").getAttribute("value"), "typed ticket kept");
    assertTrue(form.pageAlerts().isEmpty(), "field errors are not repeated as a page alert");
    chromium.screenshot("activation-error");

    assertEquals(grantsBefore, breakGlass.grants("responder").size(), "no grant");
    assertFalse(holdsEmergencyRole("responder"), "no role mapping");
    assertFalse(
        chromium.driver().getCurrentUrl().startsWith(DemoRealm.REDIRECT), "still on Keycloak");
  }

  @Test
  void aliceIsRefusedWithAPageThatSaysWhyAndWhatNext() {
    chromium = new Chromium(PHONE_WIDTH, PHONE_HEIGHT);
    new LoginPage(chromium).open(oidc().authorizeUrl()).signIn("alice", "alice");

    RefusalPage refusal = new RefusalPage(chromium).waitUntilShown();
    assertEquals("Emergency access refused", refusal.title());
    assertTrue(
        refusal.alert().getText().contains("You are not eligible for emergency access"),
        refusal.alert().getText());
    assertTrue(refusal.text().contains("No emergency role was granted"), refusal.text());
    assertFalse(
        chromium.driver().getPageSource().contains(DemoRealm.ROLE), "refusal names no role");
    assertFalse(new ActivationPage(chromium).isShown());
    chromium.screenshot("refusal-375");
    assertFalse(
        chromium.scrollsSideways(),
        "fits a 375-pixel-wide screen; too wide: " + chromium.overflowing());
    assertEquals(0, breakGlass.grants("alice").size());

    refusal.restart().click();
    new LoginPage(chromium).waitUntilShown();
  }

  @Test
  void theFormSpeaksGermanWhenAskedTo() {
    chromium = new Chromium(PHONE_WIDTH, PHONE_HEIGHT);
    new LoginPage(chromium)
        .open(oidc().authorizeUrl() + "&ui_locales=de")
        .signIn("responder", "responder");
    ActivationPage form = new ActivationPage(chromium).waitUntilShown();
    assertEquals("Notfallzugriff aktivieren", form.title());
    assertTrue(form.banner().getText().contains("NOTFALLZUGRIFF"), form.banner().getText());
    assertTrue(form.help("reason").contains("Mindestens 20 Zeichen"), form.help("reason"));
    assertEquals("de", chromium.driver().findElement(By.tagName("html")).getAttribute("lang"));
    chromium.screenshot("activation-form-de-375");
  }

  @Test
  void onALaptopTheWholeFormAndItsButtonFitWithoutScrolling() {
    chromium = new Chromium(1280, 900);
    new LoginPage(chromium).open(oidc().authorizeUrl()).signIn("responder", "responder");
    ActivationPage form = new ActivationPage(chromium).waitUntilShown();
    assertEquals(0L, ((Number) chromium.js("return window.scrollY;")).longValue());
    WebElement button = form.submitButton();
    long viewport = ((Number) chromium.js("return window.innerHeight;")).longValue();
    Rectangle r = button.getRect();
    chromium.screenshot("activation-form-1280");
    assertTrue(
        r.getY() + r.getHeight() <= viewport,
        "submit visible without scrolling at 1280x900: bottom at "
            + (r.getY() + r.getHeight())
            + ", viewport "
            + viewport);
  }

  @Test
  void theKeyboardAloneCompletesTheActivation() {
    String user = "keys-only";
    DemoRealm.createResponder(realm.admin(), user, 1);
    chromium = new Chromium(1280, 900);
    chromium.driver().get(oidc().authorizeUrl());
    new LoginPage(chromium).waitUntilShown();
    // Keycloak's sign-in focuses the user name; from there on only keys are sent.
    keys(user);
    tabTo("password");
    keys(user, Keys.ENTER);
    chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("otp")));
    tabTo("otp");
    keys(Totp.next(user), Keys.ENTER);

    ActivationPage form = new ActivationPage(chromium).waitUntilShown();
    tabTo("reason");
    keys(DemoRealm.GOOD_REASON, Keys.TAB, DemoRealm.GOOD_TICKET, Keys.TAB);
    assertEquals("duration", chromium.driver().switchTo().activeElement().getAttribute("id"));
    keys(Keys.chord(Keys.CONTROL, "a"), "15", Keys.TAB);
    WebElement role = form.roleBoxes().get(0);
    assertEquals(role, chromium.driver().switchTo().activeElement(), "Tab reaches the role");
    keys(Keys.SPACE);
    assertFalse(role.isSelected(), "Space unticks the role");
    keys(Keys.SPACE);
    assertTrue(role.isSelected(), "Space ticks it again");
    keys(Keys.TAB);
    assertEquals(
        form.submitButton(), chromium.driver().switchTo().activeElement(), "Tab reaches Activate");
    keys(Keys.ENTER);

    chromium
        .await()
        .until(d -> d.getCurrentUrl() != null && d.getCurrentUrl().startsWith(DemoRealm.REDIRECT));
    JsonNode grant = breakGlass.activeGrants(user).get(0);
    assertEquals(DemoRealm.GOOD_TICKET, grant.get("ticket").asText());
    assertEquals(
        15,
        Duration.between(
                Instant.parse(grant.get("activatedAt").asText()),
                Instant.parse(grant.get("expiresAt").asText()))
            .toMinutes());
  }

  @Test
  void aForgedRoleOutsideTheAllowListIsRefusedEvenWithTheOnlyRoleTicked() {
    // Its own responder: the demo responder's codes belong to the Chromium tests here.
    String user = "forger";
    DemoRealm.createResponder(realm.admin(), user, 1);
    Browser browser = new Browser(DemoRealm.REDIRECT);
    ActivationPage.Http form =
        ActivationPage.http(browser, DemoRealm.signIn(browser, oidc(), user));
    assertEquals(List.of(DemoRealm.ROLE), form.roles());
    for (List<String> forged :
        List.of(List.of("realm-admin"), List.of(DemoRealm.ROLE, "realm-admin"))) {
      Map<String, List<String>> fields = DemoRealm.validActivation();
      fields.put("roles", forged);
      form = form.submitExpectingForm(fields);
      assertEquals(
          "Choose only roles offered on this form.", form.error("roles"), form.page().body());
    }
    assertEquals(0, breakGlass.grants(user).size(), "nothing granted");
    assertFalse(holdsEmergencyRole(user));
  }

  @Test
  void theBreakGlassSignInIsMarkedFromTheFirstPageAndAnOrdinaryOneIsNot() {
    chromium = new Chromium(PHONE_WIDTH, PHONE_HEIGHT);
    LoginPage login = new LoginPage(chromium).open(oidc().authorizeUrl());
    WebElement banner = login.themeBanner();
    assertNotNull(banner, "break-glass theme banner on the ops-console sign-in");
    assertTrue(banner.isDisplayed());
    assertTrue(banner.getText().contains("EMERGENCY ACCESS"), banner.getText());
    assertEquals("Emergency sign-in", login.title());
    assertEquals(
        "rgba(163, 0, 0, 1)", banner.getCssValue("background-color"), "the theme's CSS applies");
    assertFalse(
        chromium.scrollsSideways(),
        "fits a 375-pixel-wide screen; too wide: " + chromium.overflowing());
    chromium.screenshot("login-page-375");

    chromium.driver().get(oidc().authorizeUrl() + "&ui_locales=de");
    login.waitUntilShown();
    assertTrue(login.themeBanner().getText().contains("NOTFALLZUGRIFF"));
    assertEquals("Notfallanmeldung", login.title());

    // The account console signs in through the realm's ordinary theme: no emergency banner.
    String accountRedirect = urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/";
    Oidc account = new Oidc(urls.getBase(), DemoRealm.REALM, "account-console", accountRedirect);
    chromium.driver().manage().deleteAllCookies();
    login.open(account.authorizeUrl() + "&ui_locales=en");
    assertNull(login.themeBanner(), "no emergency banner on an ordinary sign-in");
    assertFalse(chromium.driver().getPageSource().contains("EMERGENCY"));
  }

  private void keys(CharSequence... keys) {
    new Actions(chromium.driver()).sendKeys(keys).perform();
  }

  /** Presses Tab until the element with this id has the focus (at most 15 times). */
  private void tabTo(String id) {
    for (int i = 0; i < 15; i++) {
      if (id.equals(chromium.driver().switchTo().activeElement().getAttribute("id"))) {
        return;
      }
      keys(Keys.TAB);
    }
    throw new AssertionError("Tab never reached #" + id);
  }

  /**
   * Issue 13: re-opening the break-glass link while a grant is active must return a code at once,
   * never hold the responder up with an earlier grant's attestation; that attestation waits for an
   * ordinary login.
   */
  @Test
  void reopeningTheBreakGlassLinkDuringAGrantSkipsTheEarlierAttestation() {
    String user = "reopen-1";
    DemoRealm.createResponder(realm.admin(), user);
    Oidc ops = oidc();
    // An earlier grant, ended and not attested.
    DemoRealm.activate(ops, user, 15);
    String earlier = breakGlass.activeGrantId(user);
    assertEquals(200, breakGlass.revoke(earlier, "incident over").status());
    assertEquals("ENDED", breakGlass.grant(earlier).get("status").asText());

    // A new grant, activated in this browser: the form comes first, the token after it.
    Browser browser = new Browser(DemoRealm.REDIRECT);
    ActivationPage.Http form = ActivationPage.http(browser, DemoRealm.signIn(browser, ops, user));
    assertTrue(form.isShown(), "activation form first: " + form.page().body());
    Browser.Page back = form.submit(DemoRealm.validActivation());
    assertTrue(back.isRedirectToApp(DemoRealm.REDIRECT), back.status() + " " + back.body());
    String current = breakGlass.activeGrantId(user);

    // Re-opening the link in the same browser: the flow asks for the one-time code again, then
    // straight back with a code.
    Browser.Page again = DemoRealm.answerOtp(browser, browser.get(ops.authorizeUrl()), user);
    assertTrue(
        again.isRedirectToApp(DemoRealm.REDIRECT),
        "back to the app, no attestation: " + again.status() + " " + again.body());
    JsonNode tokens = ops.exchange(Oidc.code(again));
    assertEquals(200, tokens.get("_status").asInt(), tokens.toString());
    JsonNode claims = Oidc.claims(tokens.get("access_token").asText());
    assertTrue(Oidc.realmRoles(claims).contains(DemoRealm.ROLE), claims.toString());
    // And from another device (password and code again): the same.
    Browser other = new Browser(DemoRealm.REDIRECT);
    Browser.Page fresh = DemoRealm.signIn(other, ops, user);
    assertTrue(
        fresh.isRedirectToApp(DemoRealm.REDIRECT),
        "back to the app, no attestation: " + fresh.status() + " " + fresh.body());
    assertEquals("ACTIVE", breakGlass.grant(current).get("status").asText());
    assertEquals("ENDED", breakGlass.grant(earlier).get("status").asText(), "not attested");

    // An ordinary login (the account console) still asks for the earlier grant's attestation.
    String accountRedirect = urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/";
    Oidc account = new Oidc(urls.getBase(), DemoRealm.REALM, "account-console", accountRedirect);
    Browser console = new Browser(accountRedirect);
    AttestationPage attestation =
        AttestationPage.http(console, DemoRealm.signIn(console, account, user));
    assertTrue(attestation.isShown(), "attestation on an ordinary login");
    assertEquals(earlier, attestation.grantId());
  }

  private void assertFitsViewport(WebElement element) {
    Rectangle r = element.getRect();
    assertTrue(
        r.getX() >= 0 && r.getX() + r.getWidth() <= chromium.viewportWidth(),
        element.getAttribute("id")
            + " within the viewport: x="
            + r.getX()
            + " width="
            + r.getWidth());
  }

  private static String queryParameter(String url, String name) {
    String query = URI.create(url).getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      if (pair.startsWith(name + "=")) {
        return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
