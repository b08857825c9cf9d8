package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/** Who may read and change grants: view-users reads, manage-users changes, of this realm only. */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class AdminAccessIT {

  private static final String BASE = BreakGlassAdmin.BASE;
  private static final String OTHER_REALM = "breakglass-other";

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  private AdminApi as(Supplier<String> token) {
    return new AdminApi(urls.getBase(), token);
  }

  private AdminApi asUser(String realmName, String user) {
    String token = Oidc.passwordToken(urls.getBase(), realmName, user, user);
    return as(() -> token);
  }

  private String activeGrantId() {
    if (breakGlass.activeGrants("responder").isEmpty()) {
      DemoRealm.activate(
          new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT),
          "responder",
          30);
    }
    return breakGlass.activeGrantId("responder");
  }

  @Test
  void readingAndRevokingNeedTheRightRoleInThisRealm() {
    createOtherRealmAdmin();
    try {
      String grantId = activeGrantId();
      AdminApi anonymous = as(() -> null);
      AdminApi alice = asUser(DemoRealm.REALM, "alice");
      AdminApi auditor = asUser(DemoRealm.REALM, "auditor");
      AdminApi otherRealmAdmin = asUser(OTHER_REALM, "other-admin");
      AdminApi approver = asUser(DemoRealm.REALM, "approver");

      for (String path : List.of("grants", "grants/" + grantId, "audit")) {
        assertEquals(401, anonymous.get(BASE + path).status(), path);
        assertEquals(403, alice.get(BASE + path).status(), path);
        assertEquals(403, otherRealmAdmin.get(BASE + path).status(), path);
        assertEquals(200, auditor.get(BASE + path).status(), path);
      }
      String revoke = BASE + "grants/" + grantId + "/revoke";
      assertEquals(401, anonymous.post(revoke, "{}").status());
      assertEquals(403, alice.post(revoke, "{}").status());
      assertEquals(403, auditor.post(revoke, "{}").status(), "view-users cannot revoke");
      assertEquals(
          403, otherRealmAdmin.post(revoke, "{}").status(), "another realm's admin cannot revoke");
      assertEquals("ACTIVE", breakGlass.grant(grantId).get("status").asText());

      AdminApi.Result byApprover = approver.post(revoke, "{\"reason\":\"done\"}");
      assertEquals(200, byApprover.status(), byApprover.body());
      assertEquals("approver", byApprover.json().get("endedBy").asText());
    } finally {
      admin.realm(OTHER_REALM).remove();
    }
  }

  /** One endpoint of the break-glass admin API, and what a view-users caller gets from it. */
  private record Endpoint(String method, String path, String body, int forViewer) {}

  /**
   * The whole matrix: every endpoint against every caller who must be refused. Anonymous callers
   * get 401; a user without admin roles and an admin of another realm get 403; a view-users auditor
   * reads but is refused every change (403, before anything happens).
   */
  @Test
  void everyEndpointRefusesEveryCallerWithoutTheRightRole() {
    createOtherRealmAdmin();
    try {
      String grantId = activeGrantId();
      String unknownDrill = "00000000-0000-0000-0000-000000000000";
      String answers = "{\"necessary\":\"yes\",\"scopeCorrect\":\"yes\",\"allRemoved\":\"yes\"}";
      List<Endpoint> endpoints =
          List.of(
              new Endpoint("GET", "grants", null, 200),
              new Endpoint("GET", "grants/" + grantId, null, 200),
              new Endpoint("GET", "grants/" + grantId + "/evidence", null, 200),
              new Endpoint("GET", "audit", null, 200),
              new Endpoint("GET", "audit?format=csv", null, 200),
              new Endpoint("GET", "audit/verify", null, 200),
              new Endpoint("GET", "drills", null, 200),
              new Endpoint("GET", "drills/" + unknownDrill, null, 404),
              new Endpoint("GET", "report", null, 200),
              new Endpoint("GET", "policy", null, 200),
              new Endpoint("POST", "grants/" + grantId + "/revoke", "{}", 403),
              new Endpoint("POST", "grants/" + grantId + "/attestation", answers, 403),
              new Endpoint("POST", "drills", "{\"user\":\"responder\"}", 403));
      Map<String, AdminApi> refused =
          Map.of(
              "anonymous", as(() -> null),
              "alice", asUser(DemoRealm.REALM, "alice"),
              "other realm's admin", asUser(OTHER_REALM, "other-admin"));
      AdminApi auditor = asUser(DemoRealm.REALM, "auditor");
      List<Executable> checks = new ArrayList<>();
      for (Endpoint e : endpoints) {
        refused.forEach(
            (who, api) ->
                checks.add(
                    () ->
                        assertEquals(
                            who.equals("anonymous") ? 401 : 403,
                            call(api, e).status(),
                            who + " " + e.method() + " " + e.path())));
        checks.add(
            () ->
                assertEquals(
                    e.forViewer(),
                    call(auditor, e).status(),
                    "auditor " + e.method() + " " + e.path()));
      }
      assertAll(checks);
      assertEquals(
          "ACTIVE", breakGlass.grant(grantId).get("status").asText(), "nothing was changed");
      assertTrue(breakGlass.get("drills").json().isEmpty(), "no drill was scheduled");
    } finally {
      admin.realm(OTHER_REALM).remove();
    }
  }

  private static AdminApi.Result call(AdminApi api, Endpoint e) {
    return e.method().equals("GET")
        ? api.get(BASE + e.path())
        : api.post(BASE + e.path(), e.body());
  }

  @Test
  void badIdsAndParametersGetAClearClientError() {
    AdminApi api = breakGlass.api();
    Map<String, Integer> cases =
        Map.of(
            "grants/00000000-0000-0000-0000-000000000000",
            404,
            "grants/not%20an%20id!",
            400,
            "grants/nope",
            400,
            "grants/" + "a".repeat(80),
            400,
            "grants?status=LOST",
            400,
            "grants?max=0",
            400,
            "grants?max=100000",
            400,
            "grants?first=-1",
            400,
            "grants?first=abc",
            400,
            "audit?max=x",
            400);
    cases.forEach(
        (path, status) -> {
          AdminApi.Result result = api.get(BASE + path);
          assertEquals(status, result.status(), path + ": " + result.body());
          JsonNode body = result.json();
          assertTrue(body.has("errorMessage"), path + " explains itself: " + result.body());
        });
    assertEquals(
        404, api.post(BASE + "grants/00000000-0000-0000-0000-000000000000/revoke", "{}").status());
    assertEquals(
        400,
        api.post(BASE + "grants/" + activeGrantId() + "/revoke", "{\"reason\":\"a\\nb\"}")
            .status());
    assertEquals(
        400, api.post(BASE + "grants/" + activeGrantId() + "/revoke", "{\"reason\":42}").status());
    assertEquals(
        "ACTIVE",
        api.get(BASE + "grants/" + activeGrantId()).json().get("status").asText(),
        "nothing revoked");
    AdminApi.Result revoked = api.post(BASE + "grants/" + activeGrantId() + "/revoke", "{}");
    assertEquals(200, revoked.status());
  }

  private void createOtherRealmAdmin() {
    RealmRepresentation other = new RealmRepresentation();
    other.setRealm(OTHER_REALM);
    other.setEnabled(true);
    admin.realms().create(other);
    UserRepresentation user = new UserRepresentation();
    user.setUsername("other-admin");
    user.setEnabled(true);
    user.setEmail("other-admin@example.org");
    user.setEmailVerified(true);
    user.setFirstName("Other");
    user.setLastName("Admin");
    CredentialRepresentation password = new CredentialRepresentation();
    password.setType(CredentialRepresentation.PASSWORD);
    password.setValue("other-admin");
    password.setTemporary(false);
    user.setCredentials(List.of(password));
    user.setClientRoles(Map.of("realm-management", List.of("view-users", "manage-users")));
    admin.realm(OTHER_REALM).users().create(user).close();
    String userId =
        admin.realm(OTHER_REALM).users().searchByUsername("other-admin", true).get(0).getId();
    ClientRepresentation realmManagement =
        admin.realm(OTHER_REALM).clients().findByClientId("realm-management").get(0);
    var roles =
        List.of(
            admin
                .realm(OTHER_REALM)
                .clients()
                .get(realmManagement.getId())
                .roles()
                .get("view-users")
                .toRepresentation(),
            admin
                .realm(OTHER_REALM)
                .clients()
                .get(realmManagement.getId())
                .roles()
                .get("manage-users")
                .toRepresentation());
    admin
        .realm(OTHER_REALM)
        .users()
        .get(userId)
        .roles()
        .clientLevel(realmManagement.getId())
        .add(roles);
  }
}
