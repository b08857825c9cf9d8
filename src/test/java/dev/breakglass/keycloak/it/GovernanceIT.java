package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/** Closure and governance: attestation, overdue escalation, drills, metrics and the report. */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class GovernanceIT {

  private static final String BASE = BreakGlassAdmin.BASE;
  private static final String SECRET = "it-webhook-secret-0123456789";

  private static WebhookReceiver receiver;

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  @BeforeAll
  static void startReceiver() throws Exception {
    receiver = WebhookReceiver.start();
  }

  @AfterAll
  static void stopReceiver() {
    receiver.close();
  }

  @AfterEach
  void cleanUp() throws Exception {
    receiver.release();
    try {
      receiver.up();
    } catch (IOException alreadyUp) {
      // it was not down
    }
    TestReset.afterEach(breakGlass);
  }

  private AdminApi as(String user) {
    String token = Oidc.passwordToken(urls.getBase(), DemoRealm.REALM, user, user);
    return new AdminApi(urls.getBase(), () -> token);
  }

  private Oidc opsConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  /**
   * The account console's login: the realm's ordinary browser flow, where the attestation appears.
   */
  private Oidc accountConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, "account-console", accountRedirect());
  }

  private String accountRedirect() {
    return urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/";
  }

  /**
   * Activates for the user through the break-glass login, then revokes at once; returns the grant
   * id.
   */
  private String endedGrant(String user) {
    DemoRealm.activate(opsConsole(), user, 15);
    String id = breakGlass.activeGrantId(user);
    assertEquals(200, breakGlass.revoke(id, "incident over").status());
    return id;
  }

  private static Map<String, List<String>> answers(
      String necessary, String scope, String removed, String grantId) {
    return AttestationPage.answers(
        grantId, necessary, scope, removed, "Scope was broader than the task & needed");
  }

  @Test
  void theHolderAttestsOnTheRealPageAndTheGrantCloses() {
    breakGlass
        .policy()
        .set(
            Map.of("webhookUrl", receiver.url(), "webhookSecret", SECRET, "attestation", "holder"));
    DemoRealm.createResponder(realm.admin(), "holder-1");
    String grantId = endedGrant("holder-1");
    DemoRealm.createResponder(realm.admin(), "other-responder");
    String othersGrant = endedGrant("other-responder");
    assertEquals("ENDED", breakGlass.grant(grantId).get("status").asText());

    Browser browser = new Browser(accountRedirect());
    AttestationPage page =
        AttestationPage.http(browser, DemoRealm.signIn(browser, accountConsole(), "holder-1"));
    assertEquals(200, page.page().status(), page.page().body());
    assertTrue(page.isShown(), "the attestation form is shown on the next login");
    assertEquals(DemoRealm.GOOD_TICKET, page.evidenceTicket());
    assertEquals(DemoRealm.GOOD_REASON, page.evidenceReason());

    // Someone else's grant, a missing answer: refused on the page, nothing recorded.
    AttestationPage forged = page.submitExpectingForm(answers("yes", "yes", "yes", othersGrant));
    assertTrue(forged.page().body().contains("belongs to someone else"), forged.page().body());
    assertTrue(
        breakGlass.grant(othersGrant).path("attestation").path("holder").isMissingNode()
            || breakGlass.grant(othersGrant).path("attestation").path("holder").isNull(),
        "the other grant is not attested");
    Map<String, List<String>> incomplete = answers("yes", "yes", "yes", grantId);
    incomplete.remove(AttestationPage.ALL_REMOVED);
    AttestationPage missing = forged.submitExpectingForm(incomplete);
    assertNotNull(missing.error(AttestationPage.ALL_REMOVED), missing.page().body());
    assertEquals("ENDED", breakGlass.grant(grantId).get("status").asText());

    Browser.Page done = missing.submit(answers("yes", "no", "yes", grantId));
    assertTrue(done.isRedirectToApp(accountRedirect()), done.status() + " " + done.body());
    JsonNode closed = breakGlass.grant(grantId);
    assertEquals("CLOSED", closed.get("status").asText(), closed.toString());
    assertNotNull(closed.get("closedAt").textValue());
    JsonNode holder = closed.get("attestation").get("holder");
    assertEquals("no", holder.get("scopeCorrect").asText());
    assertEquals("Scope was broader than the task & needed", holder.get("notes").asText());

    // A "no" is news: the attestation is alerted, and audited.
    Poll.until(
        "the attestation alert",
        Duration.ofSeconds(30),
        receiver::deliveries,
        list ->
            list.stream()
                .map(WebhookReceiver.Delivery::json)
                .anyMatch(
                    b ->
                        b.get("type").asText().equals("BREAK_GLASS_ATTESTED")
                            && b.get("grantId").asText().equals(grantId)));
    JsonNode record = breakGlass.auditOf(grantId, "BREAK_GLASS_ATTESTED").get(0);
    assertTrue(record.get("details").get("anyNo").asBoolean());
    assertEquals("holder", record.get("details").get("attestedAs").asText());
  }

  @Test
  void aSecondPersonAttestsThroughTheApiButNeverTheHolder() {
    breakGlass.policy().set(Map.of("attestation", "holder-and-second"));
    DemoRealm.createResponder(realm.admin(), "second-1");
    String grantId = endedGrant("second-1");
    AdminApi approver = as("approver");
    String path = BASE + "grants/" + grantId + "/attestation";

    assertEquals(
        400,
        approver.post(path, "{\"necessary\":\"yes\",\"scopeCorrect\":\"yes\"}").status(),
        "missing answer");
    AdminApi.Result unknown =
        approver.post(
            path,
            "{\"necessary\":\"yes\",\"scopeCorrect\":\"yes\",\"allRemoved\":\"yes\",\"approved\":true}");
    assertEquals(400, unknown.status());
    assertTrue(unknown.body().contains("approved: unknown field"), unknown.body());
    assertEquals(400, approver.post(path, "not json").status());
    assertEquals(
        403,
        as("auditor")
            .post(path, "{\"necessary\":\"yes\",\"scopeCorrect\":\"yes\",\"allRemoved\":\"yes\"}")
            .status(),
        "view-users may not attest");

    AdminApi.Result second =
        approver.post(
            path,
            "{\"necessary\":\"yes\",\"scopeCorrect\":\"yes\",\"allRemoved\":\"yes\",\"notes\":\"ok\"}");
    assertEquals(200, second.status(), second.body());
    assertEquals("ENDED", second.json().get("status").asText(), "the holder has not attested yet");
    assertEquals("approver", second.json().get("attestation").get("second").get("by").asText());
    assertEquals(
        409,
        approver
            .post(path, "{\"necessary\":\"yes\",\"scopeCorrect\":\"yes\",\"allRemoved\":\"yes\"}")
            .status(),
        "one second attestation");

    attestOnThePage("second-1", grantId);
    assertEquals("CLOSED", breakGlass.grant(grantId).get("status").asText());
    assertEquals(2, breakGlass.auditOf(grantId, "BREAK_GLASS_ATTESTED").size());

    // The holder of a grant may not give its second attestation, even as an admin.
    String holderAdmin = DemoRealm.createResponder(realm.admin(), "responder-admin");
    DemoRealm.grantManageUsers(realm.admin(), holderAdmin);
    DemoRealm.activate(opsConsole(), "responder-admin", 15);
    String ownGrant = breakGlass.activeGrantId("responder-admin");
    String ownPath = BASE + "grants/" + ownGrant + "/attestation";
    assertEquals(
        409,
        approver
            .post(
                ownPath, "{\"necessary\":\"yes\",\"scopeCorrect\":\"yes\",\"allRemoved\":\"yes\"}")
            .status(),
        "an active grant cannot be attested");
    assertEquals(200, breakGlass.revoke(ownGrant).status());
    // The pending attestation refuses password logins until it is given on the page.
    attestOnThePage("responder-admin", ownGrant);
    AdminApi.Result own =
        as("responder-admin")
            .post(
                ownPath, "{\"necessary\":\"yes\",\"scopeCorrect\":\"yes\",\"allRemoved\":\"yes\"}");
    assertEquals(403, own.status(), own.body());
    assertTrue(own.body().contains("holder"), own.body());
  }

  @Test
  void anOverdueAttestationIsAlertedOnceAndCanBlockTheNextActivation() {
    breakGlass
        .policy()
        .set(
            Map.of(
                "webhookUrl",
                receiver.url(),
                "webhookSecret",
                SECRET,
                "attestationDeadlineHours",
                "0.01"));
    DemoRealm.createResponder(realm.admin(), "overdue-1");
    String grantId = endedGrant("overdue-1");
    JsonNode overdue =
        Poll.until(
                "the overdue alert (deadline 36 s)",
                Duration.ofSeconds(90),
                () -> bodies(grantId, "BREAK_GLASS_ATTESTATION_OVERDUE"),
                list -> !list.isEmpty())
            .get(0);
    assertEquals("overdue-1", overdue.get("username").asText());
    assertTrue(
        overdue.get("text").asText().contains("attestation OVERDUE"), overdue.get("text").asText());
    JsonNode g = breakGlass.grant(grantId);
    assertEquals(1, g.get("attestation").get("overdueAlerts").asInt());

    assertEquals(
        1,
        bodies(grantId, "BREAK_GLASS_ATTESTATION_OVERDUE").size(),
        "reminders wait for the reminder interval");

    // Blocking on: the break-glass login leads through the overdue attestation, then to the
    // activation.
    breakGlass.policy().set(Map.of("blockActivationWhenOverdue", "true"));
    Browser browser = new Browser(DemoRealm.REDIRECT);
    AttestationPage attestFirst =
        AttestationPage.http(browser, DemoRealm.signIn(browser, opsConsole(), "overdue-1"));
    assertTrue(attestFirst.isShown(), attestFirst.page().body());
    assertTrue(breakGlass.activeGrants("overdue-1").isEmpty(), "no grant before attesting");
    ActivationPage.Http activation =
        ActivationPage.http(browser, attestFirst.submit(answers("yes", "yes", "yes", grantId)));
    assertTrue(activation.isShown(), activation.page().body());
    assertEquals("CLOSED", breakGlass.grant(grantId).get("status").asText());
    assertTrue(activation.submit(DemoRealm.validActivation()).isRedirectToApp(DemoRealm.REDIRECT));
  }

  @Test
  void aDrillProducesAReportWithEveryCheckPassing() {
    breakGlass.policy().set(Map.of("webhookUrl", receiver.url(), "webhookSecret", SECRET));
    DemoRealm.createResponder(realm.admin(), "drill-1");
    JsonNode drill = scheduleDrill("drill-1");
    assertEquals(
        409, breakGlass.post("drills", "{\"user\":\"drill-1\"}").status(), "one drill at a time");
    assertEquals(
        400, breakGlass.post("drills", "{\"user\":\"alice\"}").status(), "alice is not eligible");
    assertEquals(400, breakGlass.post("drills", "{\"user\":\"nobody-here\"}").status());
    assertEquals(
        400, breakGlass.post("drills", "{\"user\":\"responder\",\"when\":\"now\"}").status());
    assertEquals(403, as("auditor").post(BASE + "drills", "{\"user\":\"responder\"}").status());

    String grantId = endedGrant("drill-1");
    assertTrue(
        breakGlass.grant(grantId).get("drill").asBoolean(), "the next activation is the drill");
    JsonNode activated =
        Poll.until(
                "the drill's activation alert",
                Duration.ofSeconds(30),
                () -> bodies(grantId, "BREAK_GLASS_ACTIVATED"),
                list -> !list.isEmpty())
            .get(0);
    assertTrue(activated.get("drill").asBoolean());
    assertTrue(
        activated.get("text").asText().startsWith("[DRILL] "), activated.get("text").asText());
    attestOnThePage("drill-1", grantId);

    JsonNode report = breakGlass.get("drills/" + drill.get("id").asText()).json();
    assertEquals("ENDED", report.get("status").asText());
    assertEquals(grantId, report.get("grantId").asText());
    assertTrue(report.get("report").get("passed").asBoolean(), report.toString());
    assertEquals(4, report.get("report").get("checks").size());
    JsonNode listed = breakGlass.get("drills").json();
    assertTrue(listed.toString().contains(drill.get("id").asText()));
    assertEquals(404, breakGlass.get("drills/00000000-0000-0000-0000-000000000000").status());
    assertEquals(400, breakGlass.get("drills/not%20an%20id").status());
  }

  @Test
  void aDrillWithTheReceiverDownReportsTheMissingAlert() {
    breakGlass.policy().set(Map.of("webhookUrl", receiver.url(), "webhookSecret", SECRET));
    DemoRealm.createResponder(realm.admin(), "drill-2");
    JsonNode drill = scheduleDrill("drill-2");
    receiver.down();
    String grantId = endedGrant("drill-2");
    attestOnThePage("drill-2", grantId);
    JsonNode report = breakGlass.get("drills/" + drill.get("id").asText()).json().get("report");
    assertFalse(report.get("passed").asBoolean(), report.toString());
    for (JsonNode check : report.get("checks")) {
      boolean alertCheck = check.get("name").asText().equals("activationAlerted");
      assertEquals(!alertCheck, check.get("passed").asBoolean(), check.toString());
      if (alertCheck) {
        assertTrue(check.get("detail").asText().contains("not delivered"), check.toString());
      }
    }
  }

  @Test
  void metricsFollowAScriptedSequence() {
    DemoRealm.createResponder(realm.admin(), "metrics-1");
    Map<String, Double> before = metrics();
    Browser browser = new Browser(DemoRealm.REDIRECT);
    assertEquals(403, DemoRealm.signIn(browser, opsConsole(), "alice").status());
    DemoRealm.activate(opsConsole(), "metrics-1", 15);
    Poll.until(
        "one active grant in the gauge",
        Duration.ofSeconds(10),
        this::metrics,
        m -> m.getOrDefault("breakglass_grants_active", -1.0) == 1.0);
    String id = breakGlass.activeGrantId("metrics-1");
    assertEquals(200, breakGlass.revoke(id).status());
    Map<String, Double> after =
        Poll.until(
            "the ended grant in the gauges",
            Duration.ofSeconds(10),
            this::metrics,
            m -> m.getOrDefault("breakglass_grants_active", -1.0) == 0.0);

    String realmTag = "{realm=\"" + DemoRealm.REALM + "\"}";
    assertEquals(
        before.getOrDefault("breakglass_activations_total" + realmTag, 0.0) + 1,
        after.get("breakglass_activations_total" + realmTag));
    assertEquals(
        before.getOrDefault("breakglass_denials_total" + realmTag, 0.0) + 1,
        after.get("breakglass_denials_total" + realmTag));
    assertEquals(
        before.getOrDefault("breakglass_expiry_lag_seconds_count" + realmTag, 0.0) + 1,
        after.get("breakglass_expiry_lag_seconds_count" + realmTag));
    assertTrue(after.get("breakglass_grants_unattested") >= 1, after.toString());
    assertNotNull(after.get("breakglass_grants_overdue"));
    assertNotNull(after.get("breakglass_alerts_backlog"));
    assertNotNull(after.get("breakglass_alerts_failed"));
  }

  @Test
  void theReportGivesAnAuditorTheFigures() {
    DemoRealm.createResponder(realm.admin(), "report-1");
    String grantId = endedGrant("report-1");
    attestOnThePage("report-1", grantId);
    JsonNode report = breakGlass.get("report").json();
    assertEquals(DemoRealm.REALM, report.get("realm").asText());
    assertTrue(report.get("grants").get("byStatus").get("CLOSED").asLong() >= 1, report.toString());
    assertTrue(report.get("attestation").get("attested").asLong() >= 1);
    assertTrue(report.get("expiryLagMillis").get("max").asLong() <= 1000, report.toString());
    assertNotNull(report.get("durationMinutes").get("median"));
    assertEquals(400, breakGlass.get("report?from=yesterday").status());
    assertEquals(
        400, breakGlass.get("report?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z").status());
    assertEquals(403, as("alice").get(BASE + "report").status());
  }

  private JsonNode scheduleDrill(String user) {
    AdminApi.Result scheduled = breakGlass.post("drills", "{\"user\":\"" + user + "\"}");
    assertEquals(201, scheduled.status(), scheduled.body());
    assertEquals("SCHEDULED", scheduled.json().get("status").asText());
    return scheduled.json();
  }

  private void attestOnThePage(String user, String grantId) {
    Browser browser = new Browser(accountRedirect());
    AttestationPage page =
        AttestationPage.http(browser, DemoRealm.signIn(browser, accountConsole(), user));
    Browser.Page done = page.submit(answers("yes", "yes", "yes", grantId));
    assertTrue(done.isRedirectToApp(accountRedirect()), done.status() + " " + done.body());
  }

  private static List<JsonNode> bodies(String grantId, String type) {
    List<JsonNode> out = new ArrayList<>();
    for (WebhookReceiver.Delivery d : receiver.deliveries()) {
      JsonNode b = d.json();
      if (grantId.equals(b.path("grantId").asText()) && type.equals(b.get("type").asText())) {
        out.add(b);
      }
    }
    return out;
  }

  private static final Pattern SAMPLE =
      Pattern.compile("^(breakglass_[a-z_]+(?:\\{[^}]*\\})?)\\s+(\\S+)$");

  /** The breakglass samples of the metrics endpoint, by name with labels. */
  private Map<String, Double> metrics() {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(urls.getMetric())).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      Map<String, Double> samples = new HashMap<>();
      for (String line : response.body().split("\n")) {
        Matcher m = SAMPLE.matcher(line.strip());
        if (m.matches()) {
          samples.put(m.group(1), Double.parseDouble(m.group(2)));
        }
      }
      return samples;
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
