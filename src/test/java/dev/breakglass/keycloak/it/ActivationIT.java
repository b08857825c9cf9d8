package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/** A responder activates break-glass access through the real login pages of a real Keycloak. */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class ActivationIT {

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  private Oidc oidc() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  /**
   * Each test starts with no active grant and the demo policy, so tests cannot leak into each
   * other.
   */
  @AfterEach
  void reset() {
    TestReset.afterEach(breakGlass);
  }

  @Test
  void responderActivatesAndTheTokenCarriesTheEmergencyRole() {
    Browser browser = new Browser(DemoRealm.REDIRECT);
    Oidc oidc = oidc();
    ActivationPage.Http form =
        ActivationPage.http(browser, DemoRealm.signIn(browser, oidc, "responder"));
    assertEquals(200, form.page().status(), form.page().body());
    assertTrue(form.isShown(), "activation form shown");
    assertTrue(form.page().body().contains("EMERGENCY ACCESS"), "emergency banner shown");
    assertEquals("30", form.value("duration"), "default duration prefilled");
    assertEquals(List.of(DemoRealm.ROLE), form.roles());

    Instant before = Instant.now();
    int grantsBefore = breakGlass.grants("responder").size();
    Browser.Page back = form.submit(DemoRealm.validActivation());
    assertTrue(
        back.isRedirectToApp(DemoRealm.REDIRECT),
        "redirected to the app: " + back.status() + back.body());

    JsonNode tokens = oidc.exchange(Oidc.code(back));
    assertEquals(200, tokens.get("_status").asInt(), tokens.toString());
    JsonNode access = Oidc.claims(tokens.get("access_token").asText());
    assertTrue(Oidc.realmRoles(access).contains(DemoRealm.ROLE), "token roles: " + access);

    JsonNode grants = breakGlass.activeGrants("responder");
    assertEquals(1, grants.size(), grants.toString());
    JsonNode grant = grants.get(0);
    assertEquals("ACTIVE", grant.get("status").asText());
    assertEquals(DemoRealm.GOOD_REASON, grant.get("reason").asText());
    assertEquals(DemoRealm.GOOD_TICKET, grant.get("ticket").asText());
    assertEquals(DemoRealm.ROLE, grant.get("roles").get(0).asText());
    assertEquals("responder", grant.get("username").asText());
    Instant activatedAt = Instant.parse(grant.get("activatedAt").asText());
    Instant expiresAt = Instant.parse(grant.get("expiresAt").asText());
    assertFalse(activatedAt.isBefore(before.minusSeconds(5)), "activatedAt is now");
    assertEquals(Duration.ofMinutes(15), Duration.between(activatedAt, expiresAt));
    assertTrue(grant.get("endedAt").isNull());

    JsonNode single = breakGlass.grant(grant.get("id").asText());
    assertEquals(grant.get("id"), single.get("id"));

    JsonNode activated = firstAudit(grant.get("id").asText(), "BREAK_GLASS_ACTIVATED");
    assertNotNull(activated, "activation audited");
    assertEquals(DemoRealm.GOOD_TICKET, activated.get("details").get("ticket").asText());
    assertEquals(DemoRealm.GOOD_REASON, activated.get("details").get("reason").asText());
    assertEquals(
        grant.get("expiresAt").asText(), activated.get("details").get("expiresAt").asText());

    List<EventRepresentation> events =
        realm
            .admin()
            .getEvents(List.of("CUSTOM_REQUIRED_ACTION"), null, null, null, null, null, 0, 100);
    assertTrue(
        events.stream()
            .anyMatch(
                e ->
                    e.getDetails() != null
                        && grant
                            .get("id")
                            .asText()
                            .equals(e.getDetails().get("break_glass_grant_id"))),
        "Keycloak event names the grant: " + events);

    // The same form posted again (a replay) yields no second grant and no server error.
    Browser.Page replay = form.submit(DemoRealm.validActivation());
    assertTrue(replay.status() < 500, "replay status " + replay.status());
    assertEquals(grantsBefore + 1, breakGlass.grants("responder").size());
  }

  @Test
  void aliceIsRefusedAndGetsNoGrant() {
    Browser browser = new Browser(DemoRealm.REDIRECT);
    Browser.Page page = DemoRealm.signIn(browser, oidc(), "alice");
    assertEquals(403, page.status(), page.body());
    assertTrue(RefusalPage.http(page).isShown(), "the refusal page: " + page.body());
    assertTrue(page.body().contains("You are not eligible for emergency access"), page.body());
    assertFalse(page.body().contains(DemoRealm.ROLE), "refusal hints at no role");
    assertFalse(page.body().toLowerCase().contains("exception"), "no stack trace");
    assertFalse(ActivationPage.http(browser, page).isShown());
    assertEquals(0, breakGlass.grants("alice").size());

    JsonNode denied = null;
    for (JsonNode record : breakGlass.audit()) {
      if (record.get("type").asText().equals("BREAK_GLASS_DENIED")
          && "alice".equals(record.get("username").asText())) {
        denied = record;
      }
    }
    assertNotNull(denied, "denial audited");
    List<EventRepresentation> events =
        realm.admin().getEvents(List.of("LOGIN_ERROR"), null, null, null, null, null, 0, 100);
    assertTrue(
        events.stream().anyMatch(e -> "break_glass_not_eligible".equals(e.getError())),
        "error event: " + events);
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        bad("empty reason", "reason", f -> f.put("reason", List.of(""))),
        bad("short reason", "reason", f -> f.put("reason", List.of("db down"))),
        bad(
            "reason with CR/LF",
            "reason",
            f -> f.put("reason", List.of("Database is down\r\nFAKE LOG LINE injected here"))),
        bad(
            "reason with ANSI escape",
            "reason",
            f -> f.put("reason", List.of("Database is down \u001b[31mred alert\u001b[0m now"))),
        bad(
            "reason with markup",
            "reason",
            f -> f.put("reason", List.of("Database down <script>alert(1)</script> please"))),
        bad("10,000 character reason", "reason", f -> f.put("reason", List.of("x".repeat(10_000)))),
        bad("ticket not matching", "ticket", f -> f.put("ticket", List.of("JIRA-1"))),
        bad("missing ticket", "ticket", f -> f.remove("ticket")),
        bad("role not in policy", "roles", f -> f.put("roles", List.of("admin"))),
        bad("role that does not exist", "roles", f -> f.put("roles", List.of("no-such-role"))),
        bad(
            "one good and one forged role",
            "roles",
            f -> f.put("roles", List.of(DemoRealm.ROLE, "realm-management.realm-admin"))),
        bad("no role", "roles", f -> f.remove("roles")),
        bad("duration 0", "duration", f -> f.put("duration", List.of("0"))),
        bad("negative duration", "duration", f -> f.put("duration", List.of("-5"))),
        bad("duration above maximum", "duration", f -> f.put("duration", List.of("61"))),
        bad("duration not a number", "duration", f -> f.put("duration", List.of("ten"))),
        bad("huge duration", "duration", f -> f.put("duration", List.of("99999999999999999999"))));
  }

  private static Arguments bad(
      String name, String field, Consumer<Map<String, List<String>>> spoil) {
    return Arguments.of(name, field, spoil);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputIsRefusedOnTheFormAndWritesNothing(
      String name, String field, Consumer<Map<String, List<String>>> spoil) {
    int auditBefore = breakGlass.audit().size();
    int grantsBefore = breakGlass.grants("responder").size();
    Browser browser = new Browser(DemoRealm.REDIRECT);
    ActivationPage.Http form =
        ActivationPage.http(browser, DemoRealm.signIn(browser, oidc(), "responder"));
    Map<String, List<String>> fields = DemoRealm.validActivation();
    spoil.accept(fields);

    ActivationPage.Http again = form.submitExpectingForm(fields);
    assertEquals(200, again.page().status(), name + ": " + again.page().body());
    assertTrue(again.isShown(), name + ": form shown again");
    String error = again.error(field);
    assertNotNull(error, name + ": error shown next to " + field + "\n" + again.page().body());
    assertFalse(error.isBlank());
    if (!field.equals("ticket") && fields.containsKey("ticket")) {
      assertEquals(DemoRealm.GOOD_TICKET, again.value("ticket"), "typed ticket kept");
    }
    assertFalse(again.page().body().contains("<script>alert(1)</script>"), "markup echoed escaped");
    assertEquals(grantsBefore, breakGlass.grants("responder").size(), name + ": no grant");
    assertEquals(auditBefore, breakGlass.audit().size(), name + ": nothing audited");
    assertTrue(
        realm.admin().users().get(userId("responder")).roles().realmLevel().listEffective().stream()
            .noneMatch(r -> r.getName().equals(DemoRealm.ROLE)),
        name + ": no role mapping");
  }

  @Test
  void aForgedPostFromAnotherBrowserIsRefused() {
    int grantsBefore = breakGlass.grants("responder").size();
    Browser browser = new Browser(DemoRealm.REDIRECT);
    ActivationPage.Http form =
        ActivationPage.http(browser, DemoRealm.signIn(browser, oidc(), "responder"));
    // The forger posts the responder's form from a browser without the responder's cookies.
    Browser attacker = new Browser(DemoRealm.REDIRECT);
    Browser.Page forged = attacker.post(form.action(), DemoRealm.validActivation());
    assertTrue(forged.status() >= 200 && forged.status() < 500, "status " + forged.status());
    assertFalse(forged.isRedirectToApp(DemoRealm.REDIRECT), "no code for the forger");
    assertEquals(grantsBefore, breakGlass.grants("responder").size());

    // A stale execution id within the real session is refused as well.
    String stale = form.action().replaceAll("execution=[^&]+", "execution=break-glass-forged");
    Browser.Page wrongStep = browser.post(stale, DemoRealm.validActivation());
    assertTrue(wrongStep.status() < 500, "status " + wrongStep.status());
    assertEquals(grantsBefore, breakGlass.grants("responder").size());
  }

  @Test
  void applicationInitiatedActivationForALoggedInResponder() {
    Browser browser = new Browser(urls.getBase() + "/realms/" + DemoRealm.REALM + "/account");
    Oidc account =
        new Oidc(
            urls.getBase(),
            DemoRealm.REALM,
            "account-console",
            urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/");
    // A responder of its own: earlier tests leave "responder" with ended grants to attest first.
    DemoRealm.createResponder(realm.admin(), "aia-responder");
    // Ordinary login through the realm's normal browser flow: no break-glass yet.
    Browser.Page back = DemoRealm.signIn(browser, account.authorizeUrl(), "aia-responder");
    assertTrue(
        back.location() != null && back.location().contains("code="), back.status() + back.body());
    assertEquals(0, breakGlass.activeGrants("aia-responder").size());

    // The session alone does not reach the form: the action asks for password and code afresh.
    Browser.Page stepUp = browser.get(account.authorizeUrl("break-glass-activate"));
    assertTrue(DemoRealm.isStepUpPage(stepUp), stepUp.body());
    ActivationPage.Http form =
        ActivationPage.http(browser, DemoRealm.stepUp(browser, stepUp, "aia-responder"));
    assertEquals(200, form.page().status(), form.page().body());
    assertTrue(form.isShown());
    assertTrue(form.canCancel(), "an application-initiated action can be cancelled");
    Browser.Page done = form.submit(DemoRealm.validActivation());
    assertTrue(
        done.location() != null && done.location().contains("kc_action_status=success"),
        done.location() + done.body());
    assertEquals(1, breakGlass.activeGrants("aia-responder").size());
  }

  @Test
  void applicationInitiatedActivationRefusesAlice() {
    Browser browser = new Browser(urls.getBase() + "/realms/" + DemoRealm.REALM + "/account");
    Oidc account =
        new Oidc(
            urls.getBase(),
            DemoRealm.REALM,
            "account-console",
            urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/");
    LoginPage.open(browser, account.authorizeUrl()).signIn("alice", "alice");
    Browser.Page refused = browser.get(account.authorizeUrl("break-glass-activate"));
    assertEquals(403, refused.status(), refused.body());
    assertFalse(ActivationPage.http(browser, refused).isShown());
    assertEquals(0, breakGlass.grants("alice").size());
  }

  @Test
  void policyChangesThroughTheAdminApiChangeWhatIsAccepted() {
    // Put back by the reset after the test.
    breakGlass
        .policy()
        .set(
            Map.of(
                "maxDurationMinutes",
                "10",
                "defaultDurationMinutes",
                "5",
                "ticketPattern",
                "SEC-[0-9]+",
                "ticketExample",
                "SEC-1"));

    Browser browser = new Browser(DemoRealm.REDIRECT);
    ActivationPage.Http form =
        ActivationPage.http(browser, DemoRealm.signIn(browser, oidc(), "responder"));
    assertEquals("5", form.value("duration"));
    assertTrue(form.help("ticket").contains("SEC-1"), "ticket example shown");
    ActivationPage.Http refused = form.submitExpectingForm(DemoRealm.validActivation());
    assertTrue(refused.error("duration").contains("10"), refused.page().body());
    assertNotNull(refused.error("ticket"), "INC ticket no longer accepted");

    Map<String, List<String>> fields = DemoRealm.validActivation();
    fields.put("duration", List.of("10"));
    fields.put("ticket", List.of("SEC-42"));
    Browser.Page ok = refused.submit(fields);
    assertTrue(ok.isRedirectToApp(DemoRealm.REDIRECT), ok.body());
    assertEquals("SEC-42", breakGlass.activeGrants("responder").get(0).get("ticket").asText());
  }

  @Test
  void invalidPolicyIsRefusedWithTheFieldNamed() {
    JsonNode original = breakGlass.policy().current();
    AdminApi.Result refused =
        breakGlass
            .policy()
            .attempt(
                Map.of(
                    "maxDurationMinutes",
                    "5",
                    "defaultDurationMinutes",
                    "30",
                    "ticketPattern",
                    "INC-[0-9",
                    "grantableRoles",
                    "emergency-admin##no-such-role"));
    assertEquals(400, refused.status(), refused.body());
    assertTrue(refused.body().contains("defaultDurationMinutes"), refused.body());
    assertTrue(refused.body().contains("ticketPattern"), refused.body());
    assertTrue(refused.body().contains("grantableRoles"), refused.body());
    assertEquals(original, breakGlass.policy().current(), "nothing half-written");
  }

  @Test
  void removingAUserRemovesTheirGrantsButKeepsTheirAuditTrail() {
    DemoRealm.createResponder(realm.admin(), "temp-responder");

    Browser browser = new Browser(DemoRealm.REDIRECT);
    ActivationPage.Http form =
        ActivationPage.http(browser, DemoRealm.signIn(browser, oidc(), "temp-responder"));
    assertTrue(form.submit(DemoRealm.validActivation()).isRedirectToApp(DemoRealm.REDIRECT));
    String id = userId("temp-responder");
    String grantId = breakGlass.activeGrants("temp-responder").get(0).get("id").asText();

    realm.admin().users().delete(id).close();

    assertEquals(0, breakGlass.grants(id).size(), "grant rows removed with the user");
    assertNotNull(firstAudit(grantId, "BREAK_GLASS_ACTIVATED"), "activation record kept");
    JsonNode ended = firstAudit(grantId, "BREAK_GLASS_REVOKED");
    assertNotNull(ended, "the end of the grant is recorded");
    assertEquals("temp-responder", ended.get("username").asText());
    assertEquals("USER_DELETED", ended.get("details").get("endReason").asText());
  }

  private String userId(String username) {
    return realm.admin().users().searchByUsername(username, true).get(0).getId();
  }

  /** The grant's first audit record of this type, or null. */
  private JsonNode firstAudit(String grantId, String type) {
    List<JsonNode> records = breakGlass.auditOf(grantId, type);
    return records.isEmpty() ? null : records.get(0);
  }
}
