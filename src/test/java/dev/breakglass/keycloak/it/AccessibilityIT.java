package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deque.html.axecore.results.CheckedNode;
import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Every login page of the product, in a real browser, through the axe-core engine (4.10, run in the
 * page by Selenium): no serious or critical violation on the sign-in page (break-glass theme and an
 * ordinary one), the one-time-code page, the activation's step-up, the activation form (clean and
 * with errors), the waiting page, the refusal, the limit refusal and the attestation (clean and
 * with errors). Errors must also be announced: the first invalid field has the focus, is marked
 * invalid and described by its error, and a live region says the form was refused.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class AccessibilityIT {

  private static final Logger LOG = Logger.getLogger(AccessibilityIT.class);
  private static final Set<String> BLOCKING = Set.of("serious", "critical");
  private static final String PLAIN_APP = "a11y-plain-app";
  private static final String PLAIN_APP_REDIRECT = "http://127.0.0.1:3999/callback";

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  private Chromium chromium;

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

  private Oidc opsConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private String accountRedirect() {
    return urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/";
  }

  private Oidc accountConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, "account-console", accountRedirect());
  }

  private WebDriver driver() {
    return chromium.driver();
  }

  /**
   * Runs axe-core on the page as it is now; fails on any serious or critical violation, naming the
   * rule and the elements. Minor and moderate findings are logged for the record.
   */
  private void assertAccessible(String page) {
    Results results = new AxeBuilder().analyze(driver());
    assertFalse(results.isErrored(), page + ": axe did not run: " + results.getErrorMessage());
    assertTrue(results.getPasses().size() > 10, page + ": axe checked almost nothing");
    List<Rule> blocking =
        results.getViolations().stream().filter(r -> BLOCKING.contains(r.getImpact())).toList();
    List<String> others =
        results.getViolations().stream()
            .filter(r -> !BLOCKING.contains(r.getImpact()))
            .map(r -> r.getImpact() + ":" + r.getId())
            .toList();
    LOG.infof(
        "axe on %s: %d rules passed, %d serious/critical, other findings %s",
        page, results.getPasses().size(), blocking.size(), others);
    assertTrue(
        blocking.isEmpty(), page + " has serious or critical violations:\n" + describe(blocking));
  }

  private static String describe(List<Rule> rules) {
    return rules.stream()
        .map(
            r ->
                r.getImpact()
                    + " "
                    + r.getId()
                    + " ("
                    + r.getHelp()
                    + "): "
                    + r.getNodes().stream()
                        .map(CheckedNode::getTarget)
                        .map(String::valueOf)
                        .collect(Collectors.joining(", ")))
        .collect(Collectors.joining("\n"));
  }

  private String activeElementId() {
    return driver().switchTo().activeElement().getAttribute("id");
  }

  /** Through the break-glass login, in a fresh browser, to a submitted valid activation form. */
  private void submitAValidForm(String user) {
    chromium = new Chromium(1280, 900);
    new LoginPage(chromium).open(opsConsole().authorizeUrl());
    signInWithPassword(user);
    enterOneTimeCode(user);
    new ActivationPage(chromium)
        .waitUntilShown()
        .fill(DemoRealm.GOOD_REASON, DemoRealm.GOOD_TICKET, DemoRealm.ROLE, 15)
        .submit();
  }

  private void signInWithPassword(String user) {
    driver().findElement(By.id("username")).sendKeys(user);
    driver().findElement(By.id("password")).sendKeys(user);
    WebElement submit = driver().findElement(By.id("kc-login"));
    submit.click();
    chromium.await().until(ExpectedConditions.stalenessOf(submit));
  }

  private void enterOneTimeCode(String user) {
    WebElement otp =
        chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("otp")));
    otp.sendKeys(Totp.next(user));
    WebElement submit = driver().findElement(By.id("kc-login"));
    submit.click();
    chromium.await().until(ExpectedConditions.stalenessOf(submit));
  }

  private void awaitUrl(String prefix) {
    chromium.await().until(d -> d.getCurrentUrl() != null && d.getCurrentUrl().startsWith(prefix));
  }

  @Test
  void signInCodeAndTheActivationFormCleanAndWithErrors() {
    String user = "a11y-activate";
    DemoRealm.createResponder(realm.admin(), user, 1);
    chromium = new Chromium(1280, 900);
    new LoginPage(chromium).open(opsConsole().authorizeUrl());
    assertAccessible("sign-in (break-glass theme)");

    signInWithPassword(user);
    assertAccessible("one-time code (the flow's OTP page)");
    enterOneTimeCode(user);

    ActivationPage form = new ActivationPage(chromium).waitUntilShown();
    assertAccessible("activation form");
    assertEquals("en", driver().findElement(By.tagName("html")).getAttribute("lang"));
    assertEquals(1, driver().findElements(By.tagName("h1")).size(), "one page heading");
    assertEquals("", form.field("bg-errors").getText(), "nothing announced on a clean form");

    form.fill("", "not a ticket", DemoRealm.ROLE, 15).submit();
    form = new ActivationPage(chromium).waitForError("reason");
    assertAccessible("activation form with errors");
    // Announced: a live region says so, the first faulty field has the focus, is marked invalid
    // and is described by its own error.
    WebElement live = form.field("bg-errors");
    assertEquals("alert", live.getAttribute("role"));
    assertEquals("assertive", live.getAttribute("aria-live"));
    assertTrue(
        ((String) chromium.js("return document.getElementById('bg-errors').textContent;"))
            .contains("not activated"),
        "the refusal is announced");
    assertEquals("reason", activeElementId(), "focus on the first error");
    for (String field : List.of("reason", "ticket")) {
      WebElement input = form.field(field);
      assertEquals("true", input.getAttribute("aria-invalid"), field);
      assertEquals("input-error-" + field, input.getAttribute("aria-describedby"), field);
      assertNotNull(form.error(field), field);
    }
    assertEquals("false", form.field("duration").getAttribute("aria-invalid"));

    form.fill(DemoRealm.GOOD_REASON, DemoRealm.GOOD_TICKET, DemoRealm.ROLE, 15).submit();
    awaitUrl(DemoRealm.REDIRECT);
  }

  /**
   * An ordinary application on the realm's own browser flow. Not the account console: its script
   * starts a sign-in of its own when it loads, and that redirect raced the test's next step.
   */
  private Oidc plainApp() {
    if (realm.admin().clients().findByClientId(PLAIN_APP).isEmpty()) {
      ClientRepresentation app = new ClientRepresentation();
      app.setClientId(PLAIN_APP);
      app.setPublicClient(true);
      app.setStandardFlowEnabled(true);
      app.setRedirectUris(List.of(PLAIN_APP_REDIRECT + "*"));
      realm.admin().clients().create(app).close();
    }
    return new Oidc(urls.getBase(), DemoRealm.REALM, PLAIN_APP, PLAIN_APP_REDIRECT);
  }

  @Test
  void theOrdinarySignInAndTheActivationsStepUp() {
    String user = "a11y-stepup";
    DemoRealm.createResponder(realm.admin(), user, 1);
    chromium = new Chromium(1280, 900);
    Oidc app = plainApp();
    new LoginPage(chromium).open(app.authorizeUrl());
    assertAccessible("sign-in (ordinary, keycloak.v2)");
    signInWithPassword(user);
    enterOneTimeCode(user);
    awaitUrl(PLAIN_APP_REDIRECT);

    // The application-initiated activation asks again for what this sign-in did not check itself.
    driver().get(app.authorizeUrl("break-glass-activate"));
    chromium.await().until(ExpectedConditions.presenceOfElementLocated(By.name("breakGlassStage")));
    assertAccessible("step-up (application-initiated activation)");
  }

  @Test
  void theRefusal() {
    chromium = new Chromium(1280, 900);
    new LoginPage(chromium).open(opsConsole().authorizeUrl());
    signInWithPassword("alice");
    new RefusalPage(chromium).waitUntilShown();
    assertAccessible("refusal (not eligible)");
  }

  @Test
  void theWaitingPage() {
    breakGlass.policy().set(Map.of("approval", "required", "approverGroup", "/approvers"));
    String user = "a11y-wait";
    DemoRealm.createResponder(realm.admin(), user, 1);
    submitAValidForm(user);
    chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("bg-wait")));
    // The page checks again by itself, and a person can pause that (a reload sends a screen
    // reader back to the top); no meta refresh for browsers with JavaScript.
    WebElement pause =
        chromium.await().until(ExpectedConditions.elementToBeClickable(By.id("bg-wait-pause")));
    pause.click();
    assertEquals("true", pause.getAttribute("aria-pressed"));
    assertAccessible("waiting for approval");
    assertEquals("true", pause.getAttribute("aria-pressed"), "paused: the page stayed put");
  }

  @Test
  void theLimitRefusal() {
    breakGlass.policy().set(Map.of("cooldownMinutes", "60"));
    String user = "a11y-limit";
    DemoRealm.createResponder(realm.admin(), user, 1);
    DemoRealm.activate(opsConsole(), user, 15);
    assertEquals(200, breakGlass.revoke(breakGlass.activeGrantId(user), "test").status());

    submitAValidForm(user);
    chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("bg-limit")));
    assertAccessible("limit refusal (cooldown)");
  }

  @Test
  void theAttestationCleanAndWithErrors() {
    String user = "a11y-attest";
    DemoRealm.createResponder(realm.admin(), user, 1);
    DemoRealm.activate(opsConsole(), user, 15);
    assertEquals(200, breakGlass.revoke(breakGlass.activeGrantId(user), "test").status());

    chromium = new Chromium(1280, 900);
    new LoginPage(chromium).open(accountConsole().authorizeUrl());
    signInWithPassword(user);
    enterOneTimeCode(user);
    WebElement submit =
        chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("bg-attest")));
    assertAccessible("attestation");
    String evidence = driver().findElement(By.id("bg-evidence")).getText();
    assertTrue(evidence.contains("UTC"), "times say their zone: " + evidence);
    assertFalse(evidence.matches("(?s).*\\d{4}-\\d\\d-\\d\\dT.*"), "no raw ISO time: " + evidence);
    assertTrue(evidence.contains("revoked by an administrator"), evidence);
    List<WebElement> uses = driver().findElements(By.cssSelector("#bg-evidence-actions li"));
    assertFalse(uses.isEmpty(), "the token exchange is listed as a use");
    for (WebElement use : uses) {
      assertFalse(use.getText().contains("CODE_TO_TOKEN"), use.getText());
    }
    assertTrue(
        uses.stream().anyMatch(u -> u.getText().contains("Tokens issued to ops-console")),
        uses.stream().map(WebElement::getText).toList().toString());

    // Submitted without answers: each question says so once, at the question, and nothing else.
    submit.click();
    chromium
        .await()
        .until(ExpectedConditions.visibilityOfElementLocated(By.id("input-error-necessary")));
    assertAccessible("attestation with errors");
    String page = driver().findElement(By.tagName("body")).getText();
    assertEquals(
        3,
        page.split("Answer yes or no\\.", -1).length - 1,
        "once per unanswered question, not again in an alert: " + page);
    assertTrue(
        driver()
            .findElements(By.cssSelector(".pf-v5-c-alert.pf-m-danger:not(#bg-attest-intro)"))
            .isEmpty(),
        "no page-level alert repeats the field errors");
    assertEquals("necessary-yes", activeElementId(), "focus on the first unanswered question");
    WebElement group =
        driver().findElement(By.cssSelector("[role=radiogroup][aria-labelledby=necessary-legend]"));
    assertEquals("input-error-necessary", group.getAttribute("aria-describedby"));
  }
}
