package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * Second-person approval with real login pages and real tokens: the requester waits on a page that
 * moves on by itself, an approver decides through the user API with the token of their ordinary
 * login, and nobody answering ends in the policy's fallback.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class ApprovalIT {

  private static final String APPROVERS = "/approvers";

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private static SmtpSink smtp;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  @BeforeAll
  static void startSmtp() throws IOException {
    smtp = SmtpSink.start();
  }

  @AfterAll
  static void stopSmtp() throws IOException {
    smtp.close();
  }

  /** No request outlives its test: open ones are rejected by the approver, then the usual reset. */
  @AfterEach
  void reset() {
    try {
      JsonNode pending =
          breakGlass.api().get(BreakGlassAdmin.BASE + "grants?status=PENDING").json();
      if (!pending.isEmpty()) {
        UserApi approver = userApi(tokenOf("approver"));
        for (JsonNode request : pending) {
          approver.post(
              "approvals/" + request.get("id").asText() + "/reject",
              "{\"comment\":\"test cleanup\"}");
        }
      }
    } finally {
      TestReset.afterEach(breakGlass);
    }
  }

  @Test
  void aSecondPersonApprovesAndTheWaitingRequesterGetsTheRoleFromThen() {
    requireApproval(Map.of());
    RealmRepresentation rep = realm.admin().toRepresentation();
    Map<String, String> originalSmtp = rep.getSmtpServer();
    rep.setSmtpServer(
        Map.of(
            "host", "127.0.0.1", "port", Integer.toString(smtp.port()), "from", "bg@example.org"));
    realm.admin().update(rep);
    try {
      Requester responder = request("responder", 20);
      WaitingPage waiting = responder.page();
      assertEquals(200, waiting.page().status(), waiting.page().body());
      assertEquals(WaitingPage.WAITING, waiting.state(), waiting.page().body());
      assertEquals(APPROVERS, waiting.text("bg-wait-approvers"));
      assertEquals(DemoRealm.ROLE, waiting.text("bg-wait-roles"));
      assertEquals(DemoRealm.GOOD_TICKET, waiting.text("bg-wait-ticket"));
      assertTrue(waiting.text("bg-wait-until").endsWith("UTC"), waiting.text("bg-wait-until"));
      assertTrue(waiting.text("bg-wait-then").contains("rejected"), waiting.text("bg-wait-then"));
      String id = waiting.requestId();

      JsonNode pending = breakGlass.grant(id);
      assertEquals("PENDING", pending.get("status").asText(), pending.toString());
      assertTrue(pending.get("activatedAt").isNull(), "no clock before the approval");
      assertTrue(pending.get("expiresAt").isNull());
      assertEquals(20, pending.get("durationMinutes").asInt());
      assertFalse(hasRole("responder"), "a request maps no role");
      JsonNode requested = breakGlass.auditOf(id, "BREAK_GLASS_REQUESTED").get(0).get("details");
      assertTrue(
          requested
              .get("decideApi")
              .asText()
              .endsWith("/realms/" + DemoRealm.REALM + "/break-glass/approvals/" + id),
          requested.toString());
      assertEquals(APPROVERS, requested.get("approverGroup").asText());

      // Refreshing before anyone decided: still waiting, still nothing mapped.
      waiting = waiting.refresh();
      assertEquals(WaitingPage.WAITING, waiting.state(), waiting.toString());
      assertFalse(hasRole("responder"));

      // The approvers themselves are told, by e-mail, with the link to decide.
      Poll.until(
          "the request mailed to the approver",
          Duration.ofSeconds(30),
          () ->
              smtp.mails().stream()
                  .filter(m -> m.recipients().contains("approver@example.org"))
                  .filter(m -> m.data().contains(id))
                  .toList(),
          mails -> !mails.isEmpty());

      UserApi approver = userApi(tokenOf("approver"));
      AdminApi.Result list = approver.get("approvals");
      assertEquals(200, list.status(), list.body());
      JsonNode listed = find(list.json(), id);
      assertNotNull(listed, "the approver sees the request: " + list.body());
      assertEquals("responder", listed.get("requester").asText());
      assertEquals(DemoRealm.GOOD_REASON, listed.get("reason").asText());
      assertEquals(DemoRealm.ROLE, listed.get("roles").get(0).asText());
      assertEquals(20, listed.get("durationMinutes").asInt());
      assertNotNull(listed.get("timesOutAt").textValue());

      Instant beforeApproval = Instant.now().minusSeconds(2);
      AdminApi.Result approved =
          approver.post("approvals/" + id + "/approve", "{\"comment\":\"Go ahead, INC-4711\"}");
      assertEquals(200, approved.status(), approved.body());
      JsonNode grant = approved.json();
      assertEquals("ACTIVE", grant.get("status").asText());
      assertEquals("approver", grant.get("approver").asText());
      assertEquals("Go ahead, INC-4711", grant.get("decisionComment").asText());
      Instant decidedAt = Instant.parse(grant.get("decidedAt").asText());
      Instant activatedAt = Instant.parse(grant.get("activatedAt").asText());
      Instant requestedAt = Instant.parse(grant.get("requestedAt").asText());
      assertFalse(activatedAt.isBefore(beforeApproval), "the clock starts at the approval");
      assertTrue(activatedAt.isAfter(requestedAt), "not at the request");
      assertTrue(Duration.between(decidedAt, activatedAt).abs().toMillis() < 2000);
      assertEquals(
          Duration.ofMinutes(20),
          Duration.between(activatedAt, Instant.parse(grant.get("expiresAt").asText())));

      // The requester's next refresh returns to the app, with a token that carries the role.
      WaitingPage back = waiting.refresh();
      assertTrue(back.page().isRedirectToApp(DemoRealm.REDIRECT), back.toString());
      JsonNode tokens = responder.oidc().exchange(Oidc.code(back.page()));
      assertEquals(200, tokens.get("_status").asInt(), tokens.toString());
      JsonNode access = Oidc.claims(tokens.get("access_token").asText());
      assertTrue(Oidc.realmRoles(access).contains(DemoRealm.ROLE), access.toString());
      assertTrue(
          access.get("exp").asLong() <= activatedAt.plus(Duration.ofMinutes(20)).getEpochSecond(),
          "the token ends with the grant");

      assertEquals(1, breakGlass.auditOf(id, "BREAK_GLASS_APPROVED").size());
      assertEquals(1, breakGlass.auditOf(id, "BREAK_GLASS_ACTIVATED").size());
      JsonNode approvedRecord = breakGlass.auditOf(id, "BREAK_GLASS_APPROVED").get(0);
      assertEquals("approver", approvedRecord.get("details").get("approver").asText());

      // A replayed approval, and a late rejection, are refused and write nothing.
      int records = breakGlass.auditOf(id).size();
      assertEquals(409, approver.post("approvals/" + id + "/approve", "{}").status());
      assertEquals(
          409, approver.post("approvals/" + id + "/reject", "{\"comment\":\"too late\"}").status());
      assertEquals(records, breakGlass.auditOf(id).size(), "no second record");
      assertEquals("approver", breakGlass.grant(id).get("approver").asText());
      assertTrue(find(approver.get("approvals").json(), id) == null, "no longer listed");
    } finally {
      RealmRepresentation restore = realm.admin().toRepresentation();
      restore.setSmtpServer(originalSmtp);
      realm.admin().update(restore);
    }
  }

  @Test
  void aRejectionIsShownToTheRequesterAndNoRoleIsEverMapped() {
    requireApproval(Map.of());
    Requester responder = request("responder", 15);
    String id = responder.page().requestId();
    UserApi approver = userApi(tokenOf("approver"));

    AdminApi.Result noComment = approver.post("approvals/" + id + "/reject", "{}");
    assertEquals(400, noComment.status(), "a rejection says why: " + noComment.body());
    assertEquals(
        400,
        approver
            .post("approvals/" + id + "/reject", "{\"comment\":\"\\u200b\\u200b\\u200b\"}")
            .status(),
        "invisible characters are no comment");
    assertEquals("PENDING", breakGlass.grant(id).get("status").asText());

    AdminApi.Result rejected =
        approver.post(
            "approvals/" + id + "/reject", "{\"comment\":\"Use the read-only runbook first\"}");
    assertEquals(200, rejected.status(), rejected.body());
    assertEquals("REJECTED", rejected.json().get("status").asText());
    assertEquals("REJECTED", rejected.json().get("endReason").asText());
    assertEquals("approver", rejected.json().get("approver").asText());
    assertTrue(rejected.json().get("activatedAt").isNull());

    WaitingPage outcome = responder.page().refresh();
    assertEquals(403, outcome.page().status(), outcome.toString());
    assertEquals(WaitingPage.REJECTED, outcome.state(), outcome.page().body());
    assertTrue(outcome.text("bg-wait-outcome").contains("approver"), outcome.page().body());
    assertTrue(
        outcome.text("bg-wait-comment").contains("Use the read-only runbook first"),
        outcome.page().body());
    assertFalse(outcome.page().isRedirectToApp(DemoRealm.REDIRECT));

    JsonNode record = breakGlass.auditOf(id, "BREAK_GLASS_REJECTED").get(0).get("details");
    assertEquals("approver", record.get("rejectedBy").asText());
    assertEquals("Use the read-only runbook first", record.get("comment").asText());
    assertTrue(breakGlass.auditOf(id, "BREAK_GLASS_ACTIVATED").isEmpty(), "never activated");
    assertFalse(hasRole("responder"), "no role was ever mapped");
    assertEquals(409, approver.post("approvals/" + id + "/approve", "{}").status());
    assertEquals("REJECTED", breakGlass.grant(id).get("status").asText());
  }

  @Test
  void nobodyDecidesWhatTheyMayNot() {
    requireApproval(Map.of());
    // A responder who is an approver too: still never of their own request.
    String both = DemoRealm.createResponder(realm.admin(), "responder-approver");
    realm.admin().users().get(both).joinGroup(realm.admin().getGroupByPath(APPROVERS).getId());
    Requester requester = request("responder-approver", 15);
    String id = requester.page().requestId();

    UserApi self = userApi(tokenOf("responder-approver"));
    AdminApi.Result own = self.post("approvals/" + id + "/approve", "{}");
    assertEquals(403, own.status(), own.body());
    assertTrue(own.body().contains("own request"), own.body());
    assertEquals(403, self.post("approvals/" + id + "/reject", "{\"comment\":\"x\"}").status());
    assertTrue(find(self.get("approvals").json(), id) == null, "not listed to its requester");

    UserApi alice = userApi(tokenOf("alice"));
    AdminApi.Result notApprover = alice.post("approvals/" + id + "/approve", "{}");
    assertEquals(403, notApprover.status(), notApprover.body());
    AdminApi.Result aliceList = alice.get("approvals");
    assertEquals(200, aliceList.status());
    assertEquals(0, aliceList.json().size(), "a non-approver sees nothing: " + aliceList.body());

    UserApi approver = userApi(tokenOf("approver"));
    assertEquals(400, approver.post("approvals/not%20an%20id!/approve", "{}").status());
    assertEquals(400, approver.post("approvals/" + "a".repeat(37) + "/approve", "{}").status());
    assertEquals(
        404,
        approver.post("approvals/00000000-0000-0000-0000-000000000000/approve", "{}").status());
    assertEquals(400, approver.post("approvals/" + id + "/approve", "not json").status());
    assertEquals(400, approver.post("approvals/" + id + "/approve", "{\"comment\":7}").status());
    assertEquals(
        400, approver.post("approvals/" + id + "/approve", "{\"approved\":true}").status());
    assertEquals(
        400,
        approver
            .post("approvals/" + id + "/approve", "{\"comment\":\"<img src=x onerror=alert(1)>\"}")
            .status());
    assertEquals(401, userApi(null).post("approvals/" + id + "/approve", "{}").status());
    assertEquals(401, userApi("forged.token.value").get("approvals").status());

    // Another realm's request is unknown there, even to that realm's administrator.
    UserApi masterAdmin =
        new UserApi(urls.getBase(), "master", admin.tokenManager().getAccessTokenString());
    AdminApi.Result elsewhere = masterAdmin.post("approvals/" + id + "/approve", "{}");
    assertEquals(404, elsewhere.status(), elsewhere.body());

    // None of it decided anything or wrote a decision.
    JsonNode request = breakGlass.grant(id);
    assertEquals("PENDING", request.get("status").asText(), request.toString());
    assertTrue(request.get("approver").isNull());
    assertTrue(breakGlass.auditOf(id, "BREAK_GLASS_APPROVED").isEmpty());
    assertTrue(breakGlass.auditOf(id, "BREAK_GLASS_REJECTED").isEmpty());
    assertFalse(hasRole("responder-approver"));

    // A second request while one is pending takes up the first, rather than doubling it.
    Requester again = request("responder-approver", 30);
    assertEquals(id, again.page().requestId(), again.page().toString());
    assertEquals(1, breakGlass.grants("responder-approver").size());
  }

  @Test
  void nobodyAnswersWithDenyTheRequestIsRejectedAlsoForARequesterWhoLeft() {
    requireApproval(Map.of("approvalTimeoutMinutes", "1", "noApproverFallback", "deny"));
    DemoRealm.createResponder(realm.admin(), "leaver-deny");
    Requester stays = request("responder", 15);
    Requester leaves = request("leaver-deny", 15);
    String staysId = stays.page().requestId();
    String leftId = leaves.page().requestId();

    // The requester who closed the browser: the sweeper ends the request at its timeout.
    JsonNode left =
        Poll.until(
            "the sweeper times out the abandoned request",
            Duration.ofSeconds(100),
            () -> breakGlass.grant(leftId),
            g -> !"PENDING".equals(g.get("status").asText()));
    assertEquals("REJECTED", left.get("status").asText(), left.toString());
    assertEquals("APPROVAL_TIMEOUT", left.get("endReason").asText());
    Instant requestedAt = Instant.parse(left.get("requestedAt").asText());
    assertFalse(
        Instant.parse(left.get("decidedAt").asText()).isBefore(requestedAt.plusSeconds(60)),
        "not before the timeout");

    // The one who stayed sees it on the page.
    WaitingPage outcome =
        Poll.until(
            "the waiting page shows the timeout",
            Duration.ofSeconds(30),
            () -> stays.page().refresh(),
            p -> !WaitingPage.WAITING.equals(p.state()));
    assertEquals(WaitingPage.TIMED_OUT, outcome.state(), outcome.page().body());
    assertEquals(403, outcome.page().status());
    JsonNode stayed = breakGlass.grant(staysId);
    assertEquals("APPROVAL_TIMEOUT", stayed.get("endReason").asText());

    UserApi approver = userApi(tokenOf("approver"));
    assertEquals(409, approver.post("approvals/" + staysId + "/approve", "{}").status());
    assertFalse(hasRole("responder"));
    assertFalse(hasRole("leaver-deny"));
    assertEquals(1, breakGlass.auditOf(leftId, "BREAK_GLASS_REJECTED").size());
    assertEquals(1, breakGlass.auditOf(staysId, "BREAK_GLASS_REJECTED").size());
  }

  @Test
  void nobodyAnswersWithSelfActivateTheWaitingRequesterActivatesAloneCappedAndOnRecord() {
    requireApproval(
        Map.of(
            "approvalTimeoutMinutes",
            "1",
            "noApproverFallback",
            "self-activate",
            "fallbackMaxDurationMinutes",
            "5"));
    DemoRealm.createResponder(realm.admin(), "override-1");
    DemoRealm.createResponder(realm.admin(), "leaver-self");
    Requester stays = request("override-1", 30);
    Requester leaves = request("leaver-self", 30);
    String id = stays.page().requestId();
    String leftId = leaves.page().requestId();
    assertTrue(
        stays.page().text("bg-wait-then").contains("at most 5 minutes"),
        stays.page().text("bg-wait-then"));

    WaitingPage back =
        Poll.until(
            "the fallback for the requester who waits",
            Duration.ofSeconds(100),
            () -> stays.page().refresh(),
            p -> !WaitingPage.WAITING.equals(p.state()));
    assertTrue(back.page().isRedirectToApp(DemoRealm.REDIRECT), back.toString());
    JsonNode tokens = stays.oidc().exchange(Oidc.code(back.page()));
    assertTrue(
        Oidc.realmRoles(Oidc.claims(tokens.get("access_token").asText())).contains(DemoRealm.ROLE));

    JsonNode grant = breakGlass.grant(id);
    assertEquals("ACTIVE", grant.get("status").asText(), grant.toString());
    assertTrue(grant.get("override").asBoolean());
    assertTrue(grant.get("approver").isNull(), "nobody approved it");
    assertEquals(5, grant.get("durationMinutes").asInt(), "capped at the fallback maximum");
    assertEquals(
        Duration.ofMinutes(5),
        Duration.between(
            Instant.parse(grant.get("activatedAt").asText()),
            Instant.parse(grant.get("expiresAt").asText())));
    JsonNode override = breakGlass.auditOf(id, "BREAK_GLASS_OVERRIDE").get(0).get("details");
    assertEquals(30, override.get("durationAskedMinutes").asInt());
    assertEquals(5, override.get("durationMinutes").asInt());
    assertEquals(1, breakGlass.auditOf(id, "BREAK_GLASS_ACTIVATED").size());

    // The requester who left gets no override: the request times out after the grace.
    JsonNode left =
        Poll.until(
            "the abandoned self-activate request times out",
            Duration.ofSeconds(60),
            () -> breakGlass.grant(leftId),
            g -> !"PENDING".equals(g.get("status").asText()));
    assertEquals("REJECTED", left.get("status").asText(), left.toString());
    assertEquals("APPROVAL_TIMEOUT", left.get("endReason").asText());
    assertFalse(hasRole("leaver-self"));
    assertTrue(breakGlass.auditOf(leftId, "BREAK_GLASS_OVERRIDE").isEmpty());

    // The override grant needs a second person after the fact, whatever the policy says.
    assertEquals(200, breakGlass.revoke(id, "incident over").status());
    attestOnThePage("override-1", id);
    assertEquals(
        "ENDED", breakGlass.grant(id).get("status").asText(), "the holder alone cannot close it");
    String token = Oidc.passwordToken(urls.getBase(), DemoRealm.REALM, "approver", "approver");
    AdminApi.Result second =
        new AdminApi(urls.getBase(), () -> token)
            .post(
                BreakGlassAdmin.BASE + "grants/" + id + "/attestation",
                "{\"necessary\":\"yes\",\"scopeCorrect\":\"yes\",\"allRemoved\":\"yes\"}");
    assertEquals(200, second.status(), second.body());
    assertEquals("CLOSED", second.json().get("status").asText());
  }

  @Test
  void theWaitingPageOutlivesTheLoginsActionLifespan() {
    requireApproval(Map.of());
    RealmRepresentation rep = realm.admin().toRepresentation();
    Integer original = rep.getAccessCodeLifespanUserAction();
    rep.setAccessCodeLifespanUserAction(5);
    realm.admin().update(rep);
    try {
      Requester responder = request("responder", 15);
      Instant start = Instant.now();
      // Refreshing as the page does, each time from the page before, for three lifespans of a
      // login step.
      WaitingPage[] current = {responder.page()};
      Poll.until(
          "15 s of refreshes",
          Duration.ofSeconds(60),
          () -> {
            current[0] = current[0].refresh();
            assertEquals(WaitingPage.WAITING, current[0].state(), current[0].page().body());
            return Instant.now();
          },
          now -> now.isAfter(start.plusSeconds(15)));
      WaitingPage last = current[0];
      String id = last.requestId();
      assertEquals(
          200, userApi(tokenOf("approver")).post("approvals/" + id + "/approve", "{}").status());
      assertTrue(last.refresh().page().isRedirectToApp(DemoRealm.REDIRECT), "the login goes on");
    } finally {
      RealmRepresentation restore = realm.admin().toRepresentation();
      restore.setAccessCodeLifespanUserAction(original);
      realm.admin().update(restore);
    }
  }

  @Test
  void anApproverWithASecondFactorDecidesOnlyFromASessionThatUsedIt() throws Exception {
    requireApproval(Map.of());
    String secret = "approver-otp-secret-0123";
    createApproverWithOtp("approver-otp", secret);
    Requester responder = request("responder", 15);
    String id = responder.page().requestId();

    // A client whose flow skips the second factor: a copy of the browser flow without OTP.
    AdminApi api = breakGlass.api();
    String flows = DemoRealm.REALM + "/authentication/flows/";
    assertEquals(
        201, api.post(flows + "browser/copy", "{\"newName\":\"no-otp-browser\"}").status());
    String flowId = null;
    for (JsonNode flow : api.get(DemoRealm.REALM + "/authentication/flows").json()) {
      if ("no-otp-browser".equals(flow.get("alias").asText())) {
        flowId = flow.get("id").asText();
      }
    }
    // Its conditional second-factor sub-flow ("Browser - Conditional OTP" or "... 2FA") goes.
    List<String> conditional = new ArrayList<>();
    for (JsonNode execution : api.get(flows + "no-otp-browser/executions").json()) {
      String name = execution.path("displayName").asText();
      if (execution.path("level").asInt() == 1
          && name.contains("Conditional")
          && (name.contains("OTP") || name.contains("2FA"))) {
        conditional.add(execution.get("id").asText());
      }
    }
    assertEquals(1, conditional.size(), "one conditional second-factor step in the copy");
    assertEquals(
        204,
        api.delete(DemoRealm.REALM + "/authentication/executions/" + conditional.get(0)).status());
    var accountConsole = realm.admin().clients().findByClientId("account-console").get(0);
    var client = realm.admin().clients().get(accountConsole.getId());
    var rep = client.toRepresentation();
    Map<String, String> bindings = rep.getAuthenticationFlowBindingOverrides();
    rep.setAuthenticationFlowBindingOverrides(Map.of("browser", flowId));
    client.update(rep);
    try {
      AdminApi.Result withoutOtp =
          userApi(tokenOf("approver-otp")).post("approvals/" + id + "/approve", "{}");
      assertEquals(403, withoutOtp.status(), withoutOtp.body());
      assertTrue(withoutOtp.body().contains("second factor"), withoutOtp.body());
      assertEquals("PENDING", breakGlass.grant(id).get("status").asText());
    } finally {
      var restore = client.toRepresentation();
      // An empty value removes the override (an empty map would leave it in place).
      String before = bindings == null ? null : bindings.get("browser");
      restore.setAuthenticationFlowBindingOverrides(
          Map.of("browser", before == null ? "" : before));
      client.update(restore);
      assertEquals(204, api.delete(DemoRealm.REALM + "/authentication/flows/" + flowId).status());
    }

    // The ordinary flow asks for the code; that session may decide.
    Browser browser = new Browser(accountRedirect());
    Oidc oidc = accountConsole();
    // Not the harness's sign-in: this user's code comes from the test's own authenticator.
    Browser.Page otpPage =
        LoginPage.open(browser, oidc.authorizeUrl()).signIn("approver-otp", "approver-otp");
    assertNotNull(otpPage.doc().getElementById("otp"), "the OTP step: " + otpPage.body());
    Browser.Page back =
        browser.post(otpPage.formAction(), Map.of("otp", List.of(Totp.now(secret))));
    assertTrue(back.isRedirectToApp(accountRedirect()), back.status() + " " + back.body());
    String token = oidc.exchange(Oidc.code(back)).get("access_token").asText();
    AdminApi.Result withOtp = userApi(token).post("approvals/" + id + "/approve", "{}");
    assertEquals(200, withOtp.status(), withOtp.body());
    assertEquals("approver-otp", withOtp.json().get("approver").asText());
  }

  /** An approver (member of /approvers) with a password and a TOTP credential of this secret. */
  private void createApproverWithOtp(String username, String secret) {
    UserRepresentation user = new UserRepresentation();
    user.setUsername(username);
    user.setEnabled(true);
    user.setEmail(username + "@example.org");
    user.setEmailVerified(true);
    user.setFirstName("Temp");
    user.setLastName("Approver");
    user.setGroups(List.of(APPROVERS));
    CredentialRepresentation password = new CredentialRepresentation();
    password.setType(CredentialRepresentation.PASSWORD);
    password.setValue(username);
    password.setTemporary(false);
    CredentialRepresentation otp = new CredentialRepresentation();
    otp.setType("otp");
    otp.setUserLabel("test device");
    otp.setSecretData("{\"value\":\"" + secret + "\"}");
    otp.setCredentialData(
        "{\"subType\":\"totp\",\"digits\":6,\"counter\":0,\"period\":30,"
            + "\"algorithm\":\"HmacSHA1\"}");
    user.setCredentials(List.of(password, otp));
    try (jakarta.ws.rs.core.Response response = realm.admin().users().create(user)) {
      assertEquals(201, response.getStatus());
    }
  }

  // --- helpers

  /** The requester's login, kept for the code exchange, and the page they are on. */
  private record Requester(Browser browser, Oidc oidc, WaitingPage page) {}

  /** Signs in through the break-glass flow and submits a valid form; fails unless it waits. */
  private Requester request(String user, int minutes) {
    Browser browser = new Browser(DemoRealm.REDIRECT);
    Oidc oidc = opsConsole();
    ActivationPage.Http form = ActivationPage.http(browser, DemoRealm.signIn(browser, oidc, user));
    Browser.Page page;
    if (form.isShown()) {
      Map<String, List<String>> fields = DemoRealm.validActivation();
      fields.put("duration", new ArrayList<>(List.of(Integer.toString(minutes))));
      page = form.submit(fields);
    } else {
      page = form.page();
    }
    WaitingPage waiting = WaitingPage.http(browser, page);
    assertTrue(waiting.isShown(), "waiting page for " + user + ": " + page.body());
    return new Requester(browser, oidc, waiting);
  }

  private void requireApproval(Map<String, String> more) {
    Map<String, String> changes = new java.util.HashMap<>(more);
    changes.put("approval", "required");
    changes.put("approverGroup", APPROVERS);
    breakGlass.policy().set(changes);
  }

  /** A bearer token from the user's ordinary login (the account console's browser flow). */
  private String tokenOf(String user) {
    Browser browser = new Browser(accountRedirect());
    Oidc oidc = accountConsole();
    Browser.Page back = DemoRealm.signIn(browser, oidc, user);
    assertTrue(back.isRedirectToApp(accountRedirect()), user + ": " + back.body());
    JsonNode tokens = oidc.exchange(Oidc.code(back));
    assertEquals(200, tokens.get("_status").asInt(), tokens.toString());
    return tokens.get("access_token").asText();
  }

  private void attestOnThePage(String user, String grantId) {
    Browser browser = new Browser(accountRedirect());
    AttestationPage page =
        AttestationPage.http(browser, DemoRealm.signIn(browser, accountConsole(), user));
    Browser.Page done = page.submit(AttestationPage.answers(grantId, "yes", "yes", "yes", "ok"));
    assertTrue(done.isRedirectToApp(accountRedirect()), done.status() + " " + done.body());
  }

  private boolean hasRole(String username) {
    String id = realm.admin().users().searchByUsername(username, true).get(0).getId();
    return realm.admin().users().get(id).roles().realmLevel().listAll().stream()
        .map(RoleRepresentation::getName)
        .anyMatch(DemoRealm.ROLE::equals);
  }

  private static JsonNode find(JsonNode list, String id) {
    for (JsonNode item : list) {
      if (id.equals(item.path("id").asText())) {
        return item;
      }
    }
    return null;
  }

  private UserApi userApi(String token) {
    return new UserApi(urls.getBase(), DemoRealm.REALM, token);
  }

  private Oidc opsConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private Oidc accountConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, "account-console", accountRedirect());
  }

  private String accountRedirect() {
    return urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/";
  }
}
