package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

  private AdminApi api() {
    return new AdminApi(urls.getBase(), () -> admin.tokenManager().getAccessTokenString());
  }

  private Oidc oidc() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private JsonNode grantsOf(String user) {
    AdminApi.Result result = api().get(DemoRealm.REALM + "/break-glass/grants?user=" + user);
    assertEquals(200, result.status(), result.body());
    return result.json();
  }

  private JsonNode activeGrantsOf(String user) {
    AdminApi.Result result = api().get(DemoRealm.REALM + "/break-glass/grants?status=ACTIVE&user=" + user);
    assertEquals(200, result.status(), result.body());
    return result.json();
  }

  private JsonNode audit() {
    AdminApi.Result result = api().get(DemoRealm.REALM + "/break-glass/audit?max=1000");
    assertEquals(200, result.status(), result.body());
    return result.json();
  }

  /** Each test starts with no active grant, so tests cannot leak into each other. */
  @AfterEach
  void revokeActiveGrants() {
    for (JsonNode grant : api().get(DemoRealm.REALM + "/break-glass/grants?status=ACTIVE").json()) {
      AdminApi.Result revoked = api().post(DemoRealm.REALM + "/break-glass/grants/" + grant.get("id").asText() + "/revoke",
          "{\"reason\":\"test cleanup\"}");
      assertEquals(200, revoked.status(), revoked.body());
    }
  }

  @Test
  void responderActivatesAndTheTokenCarriesTheEmergencyRole() {
    Browser browser = new Browser(DemoRealm.REDIRECT);
    Oidc oidc = oidc();
    Browser.Page form = DemoRealm.signIn(browser, oidc, "responder");
    assertEquals(200, form.status(), form.body());
    assertNotNull(form.doc().selectFirst("#bg-activate-form"), "activation form shown");
    assertTrue(form.body().contains("EMERGENCY ACCESS"), "emergency banner shown");
    assertEquals("30", form.doc().selectFirst("#duration").val(), "default duration prefilled");
    assertEquals(List.of(DemoRealm.ROLE), form.doc().select("input[name=roles]").eachAttr("value"));

    Instant before = Instant.now();
    int grantsBefore = grantsOf("responder").size();
    Browser.Page back = browser.post(form.formAction(), DemoRealm.validActivation());
    assertTrue(back.isRedirectToApp(DemoRealm.REDIRECT), "redirected to the app: " + back.status() + back.body());

    JsonNode tokens = oidc.exchange(Oidc.code(back));
    assertEquals(200, tokens.get("_status").asInt(), tokens.toString());
    JsonNode access = Oidc.claims(tokens.get("access_token").asText());
    assertTrue(Oidc.realmRoles(access).contains(DemoRealm.ROLE), "token roles: " + access);

    JsonNode grants = activeGrantsOf("responder");
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

    JsonNode single = api().get(DemoRealm.REALM + "/break-glass/grants/" + grant.get("id").asText()).json();
    assertEquals(grant.get("id"), single.get("id"));

    JsonNode activated = findAudit(audit(), "BREAK_GLASS_ACTIVATED", grant.get("id").asText());
    assertNotNull(activated, "activation audited");
    assertEquals(DemoRealm.GOOD_TICKET, activated.get("details").get("ticket").asText());
    assertEquals(DemoRealm.GOOD_REASON, activated.get("details").get("reason").asText());
    assertEquals(grant.get("expiresAt").asText(), activated.get("details").get("expiresAt").asText());

    List<EventRepresentation> events = realm.admin().getEvents(List.of("CUSTOM_REQUIRED_ACTION"), null, null, null, null, null, 0, 100);
    assertTrue(events.stream().anyMatch(e -> e.getDetails() != null
            && grant.get("id").asText().equals(e.getDetails().get("break_glass_grant_id"))),
        "Keycloak event names the grant: " + events);

    // The same form posted again (a replay) yields no second grant and no server error.
    Browser.Page replay = browser.post(form.formAction(), DemoRealm.validActivation());
    assertTrue(replay.status() < 500, "replay status " + replay.status());
    assertEquals(grantsBefore + 1, grantsOf("responder").size());
  }

  @Test
  void aliceIsRefusedAndGetsNoGrant() {
    Browser.Page page = DemoRealm.signIn(new Browser(DemoRealm.REDIRECT), oidc(), "alice");
    assertEquals(403, page.status(), page.body());
    assertTrue(page.body().contains("You are not eligible for emergency access"), page.body());
    assertFalse(page.body().contains(DemoRealm.ROLE), "refusal hints at no role");
    assertFalse(page.body().toLowerCase().contains("exception"), "no stack trace");
    assertNull(page.doc().selectFirst("#bg-activate-form"));
    assertEquals(0, grantsOf("alice").size());

    JsonNode denied = null;
    for (JsonNode record : audit()) {
      if (record.get("type").asText().equals("BREAK_GLASS_DENIED") && "alice".equals(record.get("username").asText())) {
        denied = record;
      }
    }
    assertNotNull(denied, "denial audited");
    List<EventRepresentation> events = realm.admin().getEvents(List.of("LOGIN_ERROR"), null, null, null, null, null, 0, 100);
    assertTrue(events.stream().anyMatch(e -> "break_glass_not_eligible".equals(e.getError())), "error event: " + events);
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        bad("empty reason", "reason", f -> f.put("reason", List.of(""))),
        bad("short reason", "reason", f -> f.put("reason", List.of("db down"))),
        bad("reason with CR/LF", "reason", f -> f.put("reason", List.of("Database is down\r\nFAKE LOG LINE injected here"))),
        bad("reason with ANSI escape", "reason", f -> f.put("reason", List.of("Database is down \u001b[31mred alert\u001b[0m now"))),
        bad("reason with markup", "reason", f -> f.put("reason", List.of("Database down <script>alert(1)</script> please"))),
        bad("10,000 character reason", "reason", f -> f.put("reason", List.of("x".repeat(10_000)))),
        bad("ticket not matching", "ticket", f -> f.put("ticket", List.of("JIRA-1"))),
        bad("missing ticket", "ticket", f -> f.remove("ticket")),
        bad("role not in policy", "roles", f -> f.put("roles", List.of("admin"))),
        bad("role that does not exist", "roles", f -> f.put("roles", List.of("no-such-role"))),
        bad("one good and one forged role", "roles", f -> f.put("roles", List.of(DemoRealm.ROLE, "realm-management.realm-admin"))),
        bad("no role", "roles", f -> f.remove("roles")),
        bad("duration 0", "duration", f -> f.put("duration", List.of("0"))),
        bad("negative duration", "duration", f -> f.put("duration", List.of("-5"))),
        bad("duration above maximum", "duration", f -> f.put("duration", List.of("61"))),
        bad("duration not a number", "duration", f -> f.put("duration", List.of("ten"))),
        bad("huge duration", "duration", f -> f.put("duration", List.of("99999999999999999999"))));
  }

  private static Arguments bad(String name, String field, Consumer<Map<String, List<String>>> spoil) {
    return Arguments.of(name, field, spoil);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputIsRefusedOnTheFormAndWritesNothing(String name, String field, Consumer<Map<String, List<String>>> spoil) {
    int auditBefore = audit().size();
    int grantsBefore = grantsOf("responder").size();
    Browser browser = new Browser(DemoRealm.REDIRECT);
    Browser.Page form = DemoRealm.signIn(browser, oidc(), "responder");
    Map<String, List<String>> fields = DemoRealm.validActivation();
    spoil.accept(fields);

    Browser.Page again = browser.post(form.formAction(), fields);
    assertEquals(200, again.status(), name + ": " + again.body());
    assertNotNull(again.doc().selectFirst("#bg-activate-form"), name + ": form shown again");
    String error = again.text("#input-error-" + field);
    assertNotNull(error, name + ": error shown next to " + field + "\n" + again.body());
    assertFalse(error.isBlank());
    if (!field.equals("ticket") && fields.containsKey("ticket")) {
      assertEquals(DemoRealm.GOOD_TICKET, again.doc().selectFirst("#ticket").val(), "typed ticket kept");
    }
    assertFalse(again.body().contains("<script>alert(1)</script>"), "markup echoed escaped");
    assertEquals(grantsBefore, grantsOf("responder").size(), name + ": no grant");
    assertEquals(auditBefore, audit().size(), name + ": nothing audited");
    assertTrue(realm.admin().users().get(userId("responder")).roles().realmLevel().listEffective().stream()
        .noneMatch(r -> r.getName().equals(DemoRealm.ROLE)), name + ": no role mapping");
  }

  @Test
  void aForgedPostFromAnotherBrowserIsRefused() {
    int grantsBefore = grantsOf("responder").size();
    Browser browser = new Browser(DemoRealm.REDIRECT);
    Browser.Page form = DemoRealm.signIn(browser, oidc(), "responder");
    Browser attacker = new Browser(DemoRealm.REDIRECT);
    Browser.Page forged = attacker.post(form.formAction(), DemoRealm.validActivation());
    assertTrue(forged.status() >= 200 && forged.status() < 500, "status " + forged.status());
    assertFalse(forged.isRedirectToApp(DemoRealm.REDIRECT), "no code for the forger");
    assertEquals(grantsBefore, grantsOf("responder").size());

    // A stale execution id within the real session is refused as well.
    String stale = form.formAction().replaceAll("execution=[^&]+", "execution=break-glass-forged");
    Browser.Page wrongStep = browser.post(stale, DemoRealm.validActivation());
    assertTrue(wrongStep.status() < 500, "status " + wrongStep.status());
    assertEquals(grantsBefore, grantsOf("responder").size());
  }

  @Test
  void applicationInitiatedActivationForALoggedInResponder() {
    Browser browser = new Browser(urls.getBase() + "/realms/" + DemoRealm.REALM + "/account");
    Oidc account = new Oidc(urls.getBase(), DemoRealm.REALM, "account-console",
        urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/");
    // A responder of its own: earlier tests leave "responder" with ended grants to attest first.
    DemoRealm.createResponder(realm.admin(), "aia-responder");
    // Ordinary login through the realm's normal browser flow: no break-glass yet.
    Browser.Page login = browser.get(account.authorizeUrl());
    Browser.Page back = browser.post(login.formAction(), DemoRealm.credentials("aia-responder"));
    assertTrue(back.location() != null && back.location().contains("code="), back.status() + back.body());
    assertEquals(0, activeGrantsOf("aia-responder").size());

    Browser.Page form = browser.get(account.authorizeUrl("break-glass-activate"));
    assertEquals(200, form.status(), form.body());
    assertNotNull(form.doc().selectFirst("#bg-activate-form"));
    assertNotNull(form.doc().selectFirst("#bg-cancel"), "an application-initiated action can be cancelled");
    Browser.Page done = browser.post(form.formAction(), DemoRealm.validActivation());
    assertTrue(done.location() != null && done.location().contains("kc_action_status=success"), done.location() + done.body());
    assertEquals(1, activeGrantsOf("aia-responder").size());
  }

  @Test
  void applicationInitiatedActivationRefusesAlice() {
    Browser browser = new Browser(urls.getBase() + "/realms/" + DemoRealm.REALM + "/account");
    Oidc account = new Oidc(urls.getBase(), DemoRealm.REALM, "account-console",
        urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/");
    Browser.Page login = browser.get(account.authorizeUrl());
    browser.post(login.formAction(), DemoRealm.credentials("alice"));
    Browser.Page refused = browser.get(account.authorizeUrl("break-glass-activate"));
    assertEquals(403, refused.status(), refused.body());
    assertNull(refused.doc().selectFirst("#bg-activate-form"));
    assertEquals(0, grantsOf("alice").size());
  }

  @Test
  void policyChangesThroughTheAdminApiChangeWhatIsAccepted() throws Exception {
    String configPath = DemoRealm.REALM + "/authentication/required-actions/break-glass-activate/config";
    JsonNode original = api().get(configPath).json();
    try {
      var config = Oidc.JSON.createObjectNode();
      var values = ((com.fasterxml.jackson.databind.node.ObjectNode) original.get("config").deepCopy());
      values.put("maxDurationMinutes", "10");
      values.put("defaultDurationMinutes", "5");
      values.put("ticketPattern", "SEC-[0-9]+");
      values.put("ticketExample", "SEC-1");
      config.set("config", values);
      AdminApi.Result saved = api().put(configPath, config.toString());
      assertEquals(204, saved.status(), saved.body());

      Browser browser = new Browser(DemoRealm.REDIRECT);
      Browser.Page form = DemoRealm.signIn(browser, oidc(), "responder");
      assertEquals("5", form.doc().selectFirst("#duration").val());
      assertTrue(form.text("#ticket-help").contains("SEC-1"), "ticket example shown");
      Browser.Page refused = browser.post(form.formAction(), DemoRealm.validActivation());
      assertTrue(refused.text("#input-error-duration").contains("10"), refused.body());
      assertNotNull(refused.text("#input-error-ticket"), "INC ticket no longer accepted");

      Map<String, List<String>> fields = DemoRealm.validActivation();
      fields.put("duration", List.of("10"));
      fields.put("ticket", List.of("SEC-42"));
      Browser.Page ok = browser.post(refused.formAction(), fields);
      assertTrue(ok.isRedirectToApp(DemoRealm.REDIRECT), ok.body());
      assertEquals("SEC-42", activeGrantsOf("responder").get(0).get("ticket").asText());
    } finally {
      var restore = Oidc.JSON.createObjectNode();
      restore.set("config", original.get("config"));
      assertEquals(204, api().put(configPath, restore.toString()).status());
    }
  }

  @Test
  void invalidPolicyIsRefusedWithTheFieldNamed() {
    String configPath = DemoRealm.REALM + "/authentication/required-actions/break-glass-activate/config";
    JsonNode original = api().get(configPath).json();
    var values = ((com.fasterxml.jackson.databind.node.ObjectNode) original.get("config").deepCopy());
    values.put("maxDurationMinutes", "5");
    values.put("defaultDurationMinutes", "30");
    values.put("ticketPattern", "INC-[0-9");
    values.put("grantableRoles", "emergency-admin##no-such-role");
    var config = Oidc.JSON.createObjectNode();
    config.set("config", values);
    AdminApi.Result refused = api().put(configPath, config.toString());
    assertEquals(400, refused.status(), refused.body());
    assertTrue(refused.body().contains("defaultDurationMinutes"), refused.body());
    assertTrue(refused.body().contains("ticketPattern"), refused.body());
    assertTrue(refused.body().contains("grantableRoles"), refused.body());
    assertEquals(original.get("config"), api().get(configPath).json().get("config"), "nothing half-written");
  }

  @Test
  void removingAUserRemovesTheirGrantsButKeepsTheirAuditTrail() {
    DemoRealm.createResponder(realm.admin(), "temp-responder");

    Browser browser = new Browser(DemoRealm.REDIRECT);
    Browser.Page form = DemoRealm.signIn(browser, oidc(), "temp-responder");
    assertTrue(browser.post(form.formAction(), DemoRealm.validActivation()).isRedirectToApp(DemoRealm.REDIRECT));
    String id = userId("temp-responder");
    String grantId = activeGrantsOf("temp-responder").get(0).get("id").asText();

    realm.admin().users().delete(id).close();

    assertEquals(0, grantsOf(id).size(), "grant rows removed with the user");
    assertNotNull(findAudit(audit(), "BREAK_GLASS_ACTIVATED", grantId), "activation record kept");
    JsonNode ended = findAudit(audit(), "BREAK_GLASS_REVOKED", grantId);
    assertNotNull(ended, "the end of the grant is recorded");
    assertEquals("temp-responder", ended.get("username").asText());
    assertEquals("USER_DELETED", ended.get("details").get("endReason").asText());
  }

  private String userId(String username) {
    return realm.admin().users().searchByUsername(username, true).get(0).getId();
  }

  private static JsonNode findAudit(JsonNode records, String type, String grantId) {
    for (JsonNode record : records) {
      if (record.get("type").asText().equals(type) && grantId.equals(record.path("grantId").asText())) {
        return record;
      }
    }
    return null;
  }
}
