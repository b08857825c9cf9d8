package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * Invariant 8 as attacks: a session (SSO cookie) alone never activates, on the dedicated flow and
 * on {@code kc_action}; wrong, reused and malformed step-ups are refused and recorded; a user
 * without a second factor is refused with what to do; the emergency token says {@code
 * acr=break-glass} and the grant records how and when its holder authenticated.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class StrongAuthIT {

  private static final String STAGE = "breakGlassStage";

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  @AfterEach
  void reset() {
    TestReset.afterEach(breakGlass);
  }

  private Oidc opsConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private String accountUrl() {
    return urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/";
  }

  private Oidc accountConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, "account-console", accountUrl());
  }

  /** A browser that stops at either client's redirect: one SSO session for both. */
  private Browser browser() {
    return new Browser(List.of(DemoRealm.REDIRECT, accountUrl()));
  }

  /** Signs in to the account console (the realm's ordinary browser flow): an SSO session. */
  private Browser.Page accountSession(Browser browser, String user) {
    Browser.Page back = DemoRealm.signIn(browser, accountConsole().authorizeUrl(), user);
    assertTrue(
        back.location() != null && back.location().startsWith(accountUrl()),
        "signed in to the account console: " + back.status() + " " + back.body());
    return back;
  }

  @Test
  void threeScreensEndInATokenWithTheEmergencyAcrAndTheGrantRecordsTheAuthentication() {
    String user = "sa-three";
    DemoRealm.createResponder(realm.admin(), user, 1);
    Browser browser = browser();
    Oidc oidc = opsConsole();

    // Screen 1: sign-in. Screen 2: Keycloak's one-time-code page. Screen 3: the form.
    LoginPage.Http login = LoginPage.open(browser, oidc.authorizeUrl());
    Browser.Page otpPage = login.signIn(user, user);
    assertTrue(DemoRealm.isOtpPage(otpPage), "one-time code asked: " + otpPage.body());
    Instant before = Instant.now().minusSeconds(5);
    Browser.Page formPage = DemoRealm.answerOtp(browser, otpPage, user);
    ActivationPage.Http form = ActivationPage.http(browser, formPage);
    assertTrue(form.isShown(), "activation form after password and code: " + formPage.body());
    Browser.Page back = form.submit(DemoRealm.validActivation());
    assertTrue(back.isRedirectToApp(DemoRealm.REDIRECT), back.status() + back.body());

    JsonNode tokens = oidc.exchange(Oidc.code(back));
    assertEquals(200, tokens.get("_status").asInt(), tokens.toString());
    JsonNode access = Oidc.claims(tokens.get("access_token").asText());
    assertEquals("break-glass", access.path("acr").asText(), "acr of the access token: " + access);
    assertEquals(
        "break-glass",
        Oidc.claims(tokens.get("id_token").asText()).path("acr").asText(),
        "acr of the ID token");
    assertTrue(Oidc.realmRoles(access).contains(DemoRealm.ROLE));
    // A refreshed token keeps it: the level belongs to the client session.
    JsonNode refreshed = opsConsole().refresh(tokens.get("refresh_token").asText());
    assertEquals(
        "break-glass",
        Oidc.claims(refreshed.get("access_token").asText()).path("acr").asText(),
        refreshed.toString());

    JsonNode grant = breakGlass.grant(breakGlass.activeGrantId(user));
    assertEquals(
        "password+otp", grant.path("authentication").path("method").asText(), grant.toString());
    Instant at = Instant.parse(grant.path("authentication").path("at").asText());
    assertFalse(at.isBefore(before), "authenticated at " + at);
    assertFalse(at.isAfter(Instant.parse(grant.get("activatedAt").asText())), "before activation");
    JsonNode activated =
        breakGlass.auditOf(grant.get("id").asText(), "BREAK_GLASS_ACTIVATED").get(0);
    assertEquals(
        "password+otp",
        activated.path("details").path("authentication").path("method").asText(),
        activated.toString());
  }

  @Test
  void anOrdinaryLoginCarriesNoEmergencyAcr() {
    String user = "sa-plain";
    DemoRealm.createResponder(realm.admin(), user, 1);
    Browser browser = browser();
    Oidc account = accountConsole();
    Browser.Page back = DemoRealm.signIn(browser, account.authorizeUrl(), user);
    JsonNode tokens = account.exchange(Oidc.code(back));
    JsonNode access = Oidc.claims(tokens.get("access_token").asText());
    assertFalse("break-glass".equals(access.path("acr").asText()), access.toString());
  }

  @Test
  void aSessionAloneNeverActivatesOnTheDedicatedFlow() {
    String user = "sa-cookie";
    DemoRealm.createResponder(realm.admin(), user, 1);
    Browser browser = browser();
    accountSession(browser, user);

    // The break-glass link with a live session: no sign-in page, but the code, then the password.
    Browser.Page page = browser.get(opsConsole().authorizeUrl());
    assertTrue(DemoRealm.isOtpPage(page), "the dedicated flow asks for a code: " + page.body());
    page = DemoRealm.answerOtp(browser, page, user);
    assertTrue(DemoRealm.isStepUpPage(page), "step-up after the cookie: " + page.body());
    assertNotNull(page.doc().selectFirst("input[name=password]"), "asks for the password");
    assertNull(page.doc().selectFirst("input[name=otp]"), "the code was just entered");
    assertFalse(ActivationPage.http(browser, page).isShown(), "no activation form yet");
    assertEquals(0, breakGlass.grants(user).size());

    // A forged activation post (the form's fields, no step-up) is refused and recorded.
    int deniedBefore = denied(user, "fresh_authentication_missing");
    Browser.Page forged = browser.post(page.formAction(), DemoRealm.validActivation());
    assertTrue(forged.status() < 500, "forged post: " + forged.status());
    assertTrue(DemoRealm.isStepUpPage(forged), forged.body());
    assertEquals(0, breakGlass.grants(user).size(), "no grant from a forged post");
    assertEquals(deniedBefore + 1, denied(user, "fresh_authentication_missing"));

    Browser.Page formPage = DemoRealm.stepUp(browser, forged, user);
    ActivationPage.Http form = ActivationPage.http(browser, formPage);
    assertTrue(form.isShown(), formPage.body());
    Browser.Page back = form.submit(DemoRealm.validActivation());
    assertTrue(back.isRedirectToApp(DemoRealm.REDIRECT), back.status() + back.body());
    JsonNode grant = breakGlass.grant(breakGlass.activeGrantId(user));
    assertEquals("password+otp", grant.path("authentication").path("method").asText());
  }

  @Test
  void kcActionFromTheAccountConsoleNeedsPasswordAndAFreshCode() {
    String user = "sa-kcaction";
    DemoRealm.createResponder(realm.admin(), user, 1);
    Browser browser = browser();
    accountSession(browser, user);
    Oidc account = accountConsole();

    Browser.Page page = browser.get(account.authorizeUrl("break-glass-activate"));
    assertEquals(200, page.status(), page.body());
    assertTrue(DemoRealm.isStepUpPage(page), "step-up, not the form: " + page.body());
    assertNotNull(page.doc().selectFirst("input[name=password]"));
    assertNotNull(page.doc().selectFirst("input[name=otp]"));
    assertFalse(ActivationPage.http(browser, page).isShown());
    assertEquals(0, breakGlass.grants(user).size());

    // A wrong code: refused, recorded in the audit trail and as Keycloak's own error event.
    Browser.Page wrong = postStepUp(browser, page, user, Totp.wrong());
    assertTrue(DemoRealm.isStepUpPage(wrong), wrong.body());
    assertTrue(wrong.body().contains("not correct"), wrong.body());
    assertEquals(1, denied(user, "stepup_wrong_otp"));
    assertTrue(
        keycloakErrors(user).stream()
            .anyMatch(
                e ->
                    "invalid_user_credentials".equals(e.getError())
                        && "break_glass_stepup_wrong_otp"
                            .equals(e.getDetails().get("break_glass_error"))),
        "Keycloak error event: " + keycloakErrors(user));
    assertEquals(0, breakGlass.grants(user).size());

    // The code used at the sign-in a moment ago, replayed: refused (codes are single-use).
    Map<String, List<String>> replay = new LinkedHashMap<>();
    replay.put(STAGE, List.of("stepup"));
    replay.put("otp", List.of(Totp.lastUsed(user)));
    if (wrong.doc().selectFirst("input[name=password]") != null) {
      replay.put("password", List.of(user));
    }
    Browser.Page replayed = browser.post(wrong.formAction(), replay);
    assertTrue(DemoRealm.isStepUpPage(replayed), replayed.body());
    assertEquals(2, denied(user, "stepup_wrong_otp"), "the replayed code is refused and recorded");
    assertEquals(0, breakGlass.grants(user).size());

    // The third attempt, right: the form, then the grant.
    Browser.Page formPage = DemoRealm.stepUp(browser, replayed, user);
    ActivationPage.Http form = ActivationPage.http(browser, formPage);
    assertTrue(form.isShown(), formPage.body());
    Browser.Page done = form.submit(DemoRealm.validActivation());
    assertTrue(
        done.location() != null && done.location().contains("kc_action_status=success"),
        done.status() + " " + done.location() + done.body());
    JsonNode grant = breakGlass.grant(breakGlass.activeGrantId(user));
    assertEquals("password+otp", grant.path("authentication").path("method").asText());
  }

  @Test
  void threeWrongStepUpsEndThisSignInEvenForTheRightCredentials() {
    String user = "sa-locked";
    DemoRealm.createResponder(realm.admin(), user, 1);
    Browser browser = browser();
    accountSession(browser, user);
    Browser.Page page = browser.get(accountConsole().authorizeUrl("break-glass-activate"));
    String action = null;
    for (int i = 0; i < 3; i++) {
      Map<String, List<String>> fields = new LinkedHashMap<>();
      fields.put(STAGE, List.of("stepup"));
      fields.put("password", List.of("not-the-password-" + i));
      fields.put("otp", List.of(Totp.wrong()));
      action = page.formAction();
      page = browser.post(action, fields);
      assertTrue(page.status() < 500, page.status() + page.body());
    }
    assertEquals(403, page.status(), page.body());
    assertTrue(RefusalPage.http(page).isShown(), page.body());
    assertTrue(page.body().contains("Too many wrong attempts"), page.body());
    assertEquals(3, denied(user, "stepup_wrong_password"));

    // Now even the right password and code are refused in this sign-in.
    Map<String, List<String>> right = new LinkedHashMap<>();
    right.put(STAGE, List.of("stepup"));
    right.put("password", List.of(user));
    right.put("otp", List.of(Totp.next(user)));
    Browser.Page after = browser.post(action, right);
    assertEquals(403, after.status(), after.body());
    assertFalse(ActivationPage.http(browser, after).isShown());
    assertTrue(denied(user, "stepup_attempts_exhausted") >= 1);
    assertEquals(0, breakGlass.grants(user).size());
  }

  @Test
  void malformedOrForgedStepUpPostsAreAClearPageNeverAGrant() {
    String user = "sa-forged";
    DemoRealm.createResponder(realm.admin(), user, 1);
    Browser browser = browser();
    accountSession(browser, user);
    Browser.Page page = browser.get(accountConsole().authorizeUrl("break-glass-activate"));
    assertTrue(DemoRealm.isStepUpPage(page), page.body());

    // Missing fields: the page again, with what is missing; not counted as an attempt.
    Browser.Page missing = browser.post(page.formAction(), Map.of(STAGE, List.of("stepup")));
    assertEquals(200, missing.status(), missing.body());
    assertTrue(DemoRealm.isStepUpPage(missing));
    assertNotNull(missing.doc().getElementById("input-error-password"), missing.body());
    assertNotNull(missing.doc().getElementById("input-error-otp"), missing.body());

    // A wrong stage with the activation's fields: no grant, the step-up again, recorded.
    Map<String, List<String>> wrongStage = new LinkedHashMap<>(DemoRealm.validActivation());
    wrongStage.put(STAGE, List.of("activate"));
    Browser.Page staged = browser.post(missing.formAction(), wrongStage);
    assertTrue(staged.status() < 500, staged.status() + staged.body());
    assertTrue(DemoRealm.isStepUpPage(staged), staged.body());
    assertEquals(1, denied(user, "fresh_authentication_missing"));

    // Huge values: a clear page, never a 500, counted as a failed attempt.
    Map<String, List<String>> huge = new LinkedHashMap<>();
    huge.put(STAGE, List.of("stepup"));
    huge.put("password", List.of("p".repeat(100_000)));
    huge.put("otp", List.of("1".repeat(5_000)));
    Browser.Page big = browser.post(staged.formAction(), huge);
    assertTrue(big.status() < 500, big.status() + big.body());
    assertFalse(big.body().contains("p".repeat(2_000)), "the value is not echoed");
    assertEquals(1, denied(user, "stepup_malformed"));

    // A code that is not digits.
    Map<String, List<String>> letters = new LinkedHashMap<>();
    letters.put(STAGE, List.of("stepup"));
    letters.put("password", List.of(user));
    letters.put("otp", List.of("<b id=bg-injected>1</b>"));
    Browser.Page bad = browser.post(big.formAction(), letters);
    assertTrue(bad.status() < 500, bad.status() + bad.body());
    assertNull(bad.doc().getElementById("bg-injected"), "input not echoed as markup");
    assertEquals(2, denied(user, "stepup_malformed"));
    assertEquals(0, breakGlass.grants(user).size());
  }

  @Test
  void aResponderWithoutASecondFactorIsRefusedWithWhatToDoAndNothingToEnrol() {
    String user = "sa-nofactor";
    createResponderWithoutSecondFactor(user);
    Browser browser = browser();
    Browser.Page refused = LoginPage.open(browser, opsConsole().authorizeUrl()).signIn(user, user);
    assertEquals(403, refused.status(), refused.body());
    assertTrue(RefusalPage.http(refused).isShown(), refused.body());
    assertTrue(refused.body().contains("account console"), "says what to do: " + refused.body());
    assertNull(refused.doc().selectFirst("input[name=otp]"), "no enrolment offered");
    assertFalse(refused.body().contains("totpSecret"), "no authenticator set-up");
    assertEquals(1, denied(user, "no_second_factor"));

    // The same through kc_action from the account console.
    Browser account = browser();
    Browser.Page back = DemoRealm.signIn(account, accountConsole().authorizeUrl(), user);
    assertTrue(back.location() != null, back.body());
    Browser.Page again = account.get(accountConsole().authorizeUrl("break-glass-activate"));
    assertEquals(403, again.status(), again.body());
    assertTrue(again.body().contains("account console"), again.body());
    assertEquals(2, denied(user, "no_second_factor"));
    assertEquals(0, breakGlass.grants(user).size());
  }

  @Test
  void withoutTheSecondFactorRuleThePasswordIsStillAskedAfresh() {
    breakGlass.policy().set(Map.of("requireSecondFactor", "false"));
    String user = "sa-pwonly";
    createResponderWithoutSecondFactor(user);
    Browser browser = browser();
    accountSession(browser, user);

    Browser.Page page = browser.get(accountConsole().authorizeUrl("break-glass-activate"));
    assertTrue(DemoRealm.isStepUpPage(page), "the session alone is not enough: " + page.body());
    assertNotNull(page.doc().selectFirst("input[name=password]"));
    assertNull(page.doc().selectFirst("input[name=otp]"), "no code asked of a user without one");
    Browser.Page forged = browser.post(page.formAction(), DemoRealm.validActivation());
    assertTrue(DemoRealm.isStepUpPage(forged), forged.body());
    assertEquals(0, breakGlass.grants(user).size(), "cookie alone never activates");

    Browser.Page formPage = DemoRealm.stepUp(browser, forged, user);
    ActivationPage.Http form = ActivationPage.http(browser, formPage);
    assertTrue(form.isShown(), formPage.body());
    form.submit(DemoRealm.validActivation());
    JsonNode grant = breakGlass.grant(breakGlass.activeGrantId(user));
    assertEquals("password", grant.path("authentication").path("method").asText());
  }

  @Test
  void aSecondFactorEnrolledWithOnlyThePasswordIsAGovernanceChangeBeforeAnyActivation() {
    // The attack: with a responder's password alone, enrol an authenticator of one's own in the
    // account console, to pass the second-factor rule afterwards. It must never be silent.
    String user = "sa-enrol";
    createResponderWithoutSecondFactor(user);
    int before = enrolments(user);
    Browser browser = browser();
    accountSession(browser, user);
    Browser.Page setup = browser.get(accountConsole().authorizeUrl("CONFIGURE_TOTP"));
    var secretField = setup.doc().selectFirst("input[name=totpSecret]");
    assertNotNull(secretField, "the authenticator set-up page: " + setup.body());
    String secret = secretField.attr("value");
    Map<String, List<String>> fields = new LinkedHashMap<>();
    fields.put("totp", List.of(Totp.now(secret)));
    fields.put("totpSecret", List.of(secret));
    fields.put("userLabel", List.of("attacker's phone"));
    Browser.Page back = browser.post(setup.formAction(), fields);
    assertTrue(
        back.location() != null && back.location().startsWith(accountUrl()),
        "enrolled: " + back.status() + " " + back.body());

    int after =
        Poll.until(
            "the enrolment's governance record",
            Duration.ofSeconds(10),
            () -> enrolments(user),
            count -> count > before);
    assertEquals(before + 1, after, "one governance record of the enrolment");
    JsonNode record =
        breakGlass.auditOfType("BREAK_GLASS_GOVERNANCE_CHANGED").stream()
            .filter(r -> user.equals(r.path("username").asText()))
            .reduce((a, b) -> b)
            .orElseThrow();
    assertEquals("otp", record.path("details").path("credentialType").asText(), record.toString());
    assertEquals("account-console", record.path("details").path("clientId").asText());
    assertEquals(0, breakGlass.grants(user).size(), "recorded before any activation");
  }

  /** Governance records of second factors this user enrolled. */
  private int enrolments(String user) {
    return (int)
        breakGlass.auditOfType("BREAK_GLASS_GOVERNANCE_CHANGED").stream()
            .filter(r -> user.equals(r.path("username").asText()))
            .filter(
                r ->
                    "second factor of an eligible user"
                        .equals(r.path("details").path("what").asText()))
            .count();
  }

  private void createResponderWithoutSecondFactor(String username) {
    DemoRealm.createResponder(realm.admin(), username, 0);
  }

  private Browser.Page postStepUp(Browser browser, Browser.Page page, String user, String code) {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    fields.put(STAGE, List.of("stepup"));
    if (page.doc().selectFirst("input[name=password]") != null) {
      fields.put("password", List.of(user));
    }
    fields.put("otp", List.of(code));
    return browser.post(page.formAction(), fields);
  }

  /** BREAK_GLASS_DENIED records of this user with this {@code why}. */
  private int denied(String user, String why) {
    return (int)
        breakGlass.auditOfType("BREAK_GLASS_DENIED").stream()
            .filter(r -> user.equals(r.path("username").asText()))
            .filter(r -> why.equals(r.path("details").path("why").asText()))
            .count();
  }

  private List<EventRepresentation> keycloakErrors(String user) {
    String userId = realm.admin().users().searchByUsername(user, true).get(0).getId();
    return Poll.until(
        "Keycloak's error event",
        Duration.ofSeconds(10),
        () ->
            realm
                .admin()
                .getEvents(
                    List.of("CUSTOM_REQUIRED_ACTION_ERROR"), null, userId, null, null, null, 0, 50),
        events -> !events.isEmpty());
  }
}
