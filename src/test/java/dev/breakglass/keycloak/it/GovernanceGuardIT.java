package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.AuthenticationExecutionInfoRepresentation;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ClientScopeRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * The holder of an active grant, realm-admin through the {@code emergency-admin} composite (as real
 * deployments set it up), tries to switch off what governs them, with the admin API as any script
 * would. Each attempt leaves nothing changed and a BREAK_GLASS_GOVERNANCE_CHANGED record saying
 * who, what, and that it was reverted.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class GovernanceGuardIT {

  private static int holders;

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  /**
   * A fresh eligible responder per test: an ended grant leaves its holder an attestation to give.
   */
  private String holder;

  @BeforeEach
  void newResponder() {
    holder = "holder-" + (++holders);
    DemoRealm.createResponder(realm.admin(), holder);
  }

  @AfterEach
  void cleanUp() {
    TestReset.afterEach(breakGlass);
  }

  private Oidc opsConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  /** The holder's own admin API, with a password-grant token of admin-cli as a script gets. */
  private AdminApi holderApi() {
    DemoRealm.activate(opsConsole(), holder, 10);
    String token = Oidc.passwordToken(urls.getBase(), DemoRealm.REALM, holder, holder);
    return new AdminApi(urls.getBase(), () -> token);
  }

  private List<JsonNode> governanceRecords() {
    return breakGlass.auditOfType("BREAK_GLASS_GOVERNANCE_CHANGED");
  }

  private JsonNode lastGovernanceRecord(int before, String what) {
    List<JsonNode> records = governanceRecords();
    assertTrue(records.size() > before, "a governance record was written");
    return records.subList(before, records.size()).stream()
        .filter(r -> what.equals(r.get("details").get("what").asText()))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no record of " + what + ": " + records));
  }

  private void assertRevertedByHolder(JsonNode record) {
    assertEquals(holder, record.get("username").asText(), record.toString());
    assertTrue(record.get("details").get("actorHoldsGrant").asBoolean(), record.toString());
    assertTrue(record.get("details").get("reverted").asBoolean(), record.toString());
  }

  @Test
  void theHoldersTokenFromAdminCliEndsWithTheGrant() {
    DemoRealm.activate(opsConsole(), holder, 10);
    JsonNode grant = breakGlass.activeGrants(holder).get(0);
    long expiresAt = Instant.parse(grant.get("expiresAt").asText()).getEpochSecond();
    for (String client : List.of("admin-cli")) {
      JsonNode claims =
          Oidc.claims(Oidc.passwordToken(urls.getBase(), DemoRealm.REALM, holder, holder));
      assertTrue(claims.get("exp").asLong() <= expiresAt, client + " token outlives the grant");
      assertEquals(grant.get("id").asText(), claims.path("break_glass").path("grant_id").asText());
    }
    ClientRepresentation created = new ClientRepresentation();
    created.setClientId("made-after-" + holder);
    created.setPublicClient(true);
    realm.admin().clients().create(created).close();
    for (String builtIn :
        List.of("admin-cli", "account-console", "security-admin-console", "made-after-" + holder)) {
      ClientRepresentation c = realm.admin().clients().findByClientId(builtIn).get(0);
      assertTrue(
          realm.admin().clients().get(c.getId()).getDefaultClientScopes().stream()
              .anyMatch(s -> s.getName().equals("break-glass")),
          builtIn + " has the token-cap scope");
    }
  }

  @Test
  void theHolderCannotLoosenThePolicy() {
    AdminApi attacker = holderApi();
    JsonNode before = breakGlass.policy().current();
    int records = governanceRecords().size();

    ObjectNode loosened = before.deepCopy();
    loosened.put("maxDurationMinutes", "1440");
    loosened.put("alertOnUse", "none");
    loosened.put("driftMode", "alert");
    ObjectNode body = Oidc.JSON.createObjectNode();
    body.set("config", loosened);
    AdminApi.Result answer = attacker.put(PolicyChanges.CONFIG, body.toString());

    assertTrue(answer.status() < 500, answer.body());
    assertEquals(before, breakGlass.policy().current(), "the policy is as it was");
    JsonNode record = lastGovernanceRecord(records, "policy");
    assertRevertedByHolder(record);
    assertTrue(record.get("details").get("changes").has("maxDurationMinutes"), record.toString());
  }

  @Test
  void theHolderCannotDisableTheActivationAction() {
    AdminApi attacker = holderApi();
    int records = governanceRecords().size();
    AdminApi.Result answer =
        attacker.put(
            DemoRealm.REALM + "/authentication/required-actions/break-glass-activate",
            "{\"alias\":\"break-glass-activate\",\"name\":\"Break-glass activation\","
                + "\"providerId\":\"break-glass-activate\",\"enabled\":false,\"priority\":5}");
    assertTrue(answer.status() < 500, answer.body());
    JsonNode action =
        breakGlass
            .api()
            .get(DemoRealm.REALM + "/authentication/required-actions/break-glass-activate")
            .json();
    assertTrue(action.get("enabled").asBoolean(), "still enabled");
    assertRevertedByHolder(lastGovernanceRecord(records, "policy"));
  }

  @Test
  void theHolderCannotDropTheListenerFromTheRealm() {
    AdminApi attacker = holderApi();
    int records = governanceRecords().size();
    JsonNode config = breakGlass.api().get(DemoRealm.REALM + "/events/config").json();
    ObjectNode without = config.deepCopy();
    without.putArray("eventsListeners").add("jboss-logging");
    without.put("adminEventsEnabled", false);
    AdminApi.Result answer = attacker.put(DemoRealm.REALM + "/events/config", without.toString());
    assertTrue(answer.status() < 500, answer.body());

    JsonNode after = breakGlass.api().get(DemoRealm.REALM + "/events/config").json();
    assertTrue(
        after.get("eventsListeners").toString().contains("\"break-glass\""), after.toString());
    assertTrue(after.get("adminEventsEnabled").asBoolean(), after.toString());
    assertRevertedByHolder(lastGovernanceRecord(records, "event settings"));
  }

  @Test
  void theHolderCannotMakeOneTimeCodesReusable() {
    AdminApi attacker = holderApi();
    int records = governanceRecords().size();
    ObjectNode weakened = breakGlass.api().get(DemoRealm.REALM).json().deepCopy();
    assertFalse(
        weakened.get("otpPolicyCodeReusable").asBoolean(), "the demo's codes are single-use");
    weakened.put("otpPolicyCodeReusable", true);
    AdminApi.Result answer = attacker.put(DemoRealm.REALM, weakened.toString());
    assertTrue(answer.status() < 500, answer.body());
    assertFalse(
        breakGlass.api().get(DemoRealm.REALM).json().get("otpPolicyCodeReusable").asBoolean(),
        "codes are single-use again");
    JsonNode record = lastGovernanceRecord(records, "OTP policy");
    assertRevertedByHolder(record);
  }

  @Test
  void theHolderCannotTakeTheTokenCapOffAClient() {
    AdminApi attacker = holderApi();
    int records = governanceRecords().size();
    ClientRepresentation ops = realm.admin().clients().findByClientId(DemoRealm.CLIENT).get(0);
    ClientScopeRepresentation scope =
        realm.admin().clientScopes().findAll().stream()
            .filter(s -> s.getName().equals("break-glass"))
            .findFirst()
            .orElseThrow();
    AdminApi.Result answer =
        attacker.delete(
            DemoRealm.REALM
                + "/clients/"
                + ops.getId()
                + "/default-client-scopes/"
                + scope.getId());
    assertTrue(answer.status() < 500, answer.body());
    assertTrue(
        realm.admin().clients().get(ops.getId()).getDefaultClientScopes().stream()
            .anyMatch(s -> s.getName().equals("break-glass")),
        "the scope is back on the client");
    JsonNode record = lastGovernanceRecord(records, "token cap");
    assertEquals(holder, record.get("username").asText());
  }

  @Test
  void theHolderCannotRenameTheGovernedRoleToKeepIt() {
    AdminApi attacker = holderApi();
    int records = governanceRecords().size();
    RoleRepresentation role = realm.admin().roles().get(DemoRealm.ROLE).toRepresentation();
    AdminApi.Result answer =
        attacker.put(
            DemoRealm.REALM + "/roles-by-id/" + role.getId(),
            "{\"id\":\"" + role.getId() + "\",\"name\":\"ops-superuser\"}");
    assertTrue(answer.status() < 500, answer.body());
    assertEquals(
        DemoRealm.ROLE,
        realm.admin().rolesById().getRole(role.getId()).getName(),
        "the rename was undone");
    assertRevertedByHolder(lastGovernanceRecord(records, "governed role renamed"));

    // And the grant still ends with its role, by id.
    String grantId = breakGlass.activeGrantId(holder);
    assertEquals(200, breakGlass.revoke(grantId).status());
    assertTrue(
        realm.admin().users().search(holder, true).stream()
            .flatMap(
                u -> realm.admin().users().get(u.getId()).roles().realmLevel().listAll().stream())
            .noneMatch(r -> r.getId().equals(role.getId())),
        "no mapping of the role is left");
  }

  @Test
  void theHolderCannotMakeSomeoneElseEligible() {
    AdminApi attacker = holderApi();
    int records = governanceRecords().size();
    String alice = realm.admin().users().searchByUsername("alice", true).get(0).getId();
    String responders = realm.admin().groups().groups("responders", 0, 1).get(0).getId();
    AdminApi.Result answer =
        attacker.put(DemoRealm.REALM + "/users/" + alice + "/groups/" + responders, "{}");
    assertTrue(answer.status() < 500, answer.body());
    assertTrue(
        realm.admin().users().get(alice).groups().stream()
            .noneMatch(g -> g.getName().equals("responders")),
        "alice is not eligible");
    assertRevertedByHolder(lastGovernanceRecord(records, "eligible group membership"));
  }

  @Test
  void aGovernedRoleMappedOutsideTheFlowIsGoneAtOnce() {
    String alice = realm.admin().users().searchByUsername("alice", true).get(0).getId();
    RoleRepresentation role = realm.admin().roles().get(DemoRealm.ROLE).toRepresentation();
    realm.admin().users().get(alice).roles().realmLevel().add(List.of(role));
    Poll.until(
        "drift removed",
        Duration.ofSeconds(1),
        () -> realm.admin().users().get(alice).roles().realmLevel().listAll(),
        roles -> roles.stream().noneMatch(r -> r.getName().equals(DemoRealm.ROLE)));
    JsonNode drift =
        breakGlass.auditOfType("BREAK_GLASS_DRIFT").stream().reduce((a, b) -> b).orElseThrow();
    assertTrue(drift.get("details").get("removed").asBoolean(), drift.toString());
  }

  @Test
  void unassigningAGrantedRoleEndsTheGrantOnTheRecord() {
    DemoRealm.activate(opsConsole(), holder, 10);
    String grantId = breakGlass.activeGrantId(holder);
    String holderId = breakGlass.grant(grantId).get("userId").asText();
    RoleRepresentation role = realm.admin().roles().get(DemoRealm.ROLE).toRepresentation();
    realm.admin().users().get(holderId).roles().realmLevel().remove(List.of(role));

    JsonNode grant = breakGlass.grant(grantId);
    assertEquals("ENDED", grant.get("status").asText());
    assertEquals("ROLE_REMOVED", grant.get("endReason").asText());
    assertFalse(grant.get("endedBy").isNull());
  }

  @Test
  void whatTheHolderCreatedIsListedAndCannotCloseTheGrant() {
    breakGlass
        .policy()
        .set(Map.of("attestation", "holder-and-second", "approverGroup", "/approvers"));
    AdminApi attacker = holderApi();
    String grantId = breakGlass.activeGrantId(holder);
    AdminApi.Result created =
        attacker.post(
            DemoRealm.REALM + "/users",
            "{\"username\":\"crony-"
                + holder
                + "\",\"enabled\":true,\"email\":\"crony-"
                + holder
                + "@example.org\",\"emailVerified\":true,\"firstName\":\"C\",\"lastName\":\"R\","
                + "\"credentials\":[{\"type\":\"password\",\"value\":\"crony\",\"temporary\":false}]}");
    assertEquals(201, created.status(), created.body());
    String crony = realm.admin().users().searchByUsername("crony-" + holder, true).get(0).getId();
    String approvers = realm.admin().groups().groups("approvers", 0, 1).get(0).getId();
    // An ordinary admin makes the crony an approver with manage-users, during the grant.
    realm.admin().users().get(crony).joinGroup(approvers);
    DemoRealm.grantManageUsers(realm.admin(), crony);
    assertEquals(200, breakGlass.revoke(grantId).status());

    JsonNode grant = breakGlass.grant(grantId);
    assertTrue(
        grant.get("residualPrivileges").toString().contains("crony-" + holder),
        "the user the holder created is listed: " + grant.get("residualPrivileges"));

    String answers = "{\"necessary\":\"yes\",\"scopeCorrect\":\"yes\",\"allRemoved\":\"yes\"}";
    String token = Oidc.passwordToken(urls.getBase(), DemoRealm.REALM, "crony-" + holder, "crony");
    AdminApi.Result byCrony =
        new AdminApi(urls.getBase(), () -> token)
            .post(BreakGlassAdmin.BASE + "grants/" + grantId + "/attestation", answers);
    assertEquals(403, byCrony.status(), byCrony.body());
    String approverToken =
        Oidc.passwordToken(urls.getBase(), DemoRealm.REALM, "approver", "approver");
    AdminApi.Result byApprover =
        new AdminApi(urls.getBase(), () -> approverToken)
            .post(BreakGlassAdmin.BASE + "grants/" + grantId + "/attestation", answers);
    assertEquals(200, byApprover.status(), byApprover.body());
  }

  @Test
  void aManageUsersAdminWhoMapsTheCompositeGainsNoAuthority() {
    String id = DemoRealm.createResponder(realm.admin(), "mu-" + holder);
    DemoRealm.grantManageUsers(realm.admin(), id);
    String token =
        Oidc.passwordToken(urls.getBase(), DemoRealm.REALM, "mu-" + holder, "mu-" + holder);
    AdminApi self = new AdminApi(urls.getBase(), () -> token);
    RoleRepresentation role = realm.admin().roles().get(DemoRealm.ROLE).toRepresentation();
    AdminApi.Result mapped =
        self.post(
            DemoRealm.REALM + "/users/" + id + "/role-mappings/realm",
            "[{\"id\":\"" + role.getId() + "\",\"name\":\"" + DemoRealm.ROLE + "\"}]");
    assertTrue(mapped.status() < 500, mapped.body());

    // A fresh token and the server-side check: no realm-admin power came with the mapping.
    String after =
        Oidc.passwordToken(urls.getBase(), DemoRealm.REALM, "mu-" + holder, "mu-" + holder);
    AdminApi.Result clients =
        new AdminApi(urls.getBase(), () -> after).get(DemoRealm.REALM + "/clients");
    assertEquals(403, clients.status(), clients.body());
    assertTrue(
        realm.admin().users().get(id).roles().realmLevel().listAll().stream()
            .noneMatch(r -> r.getName().equals(DemoRealm.ROLE)),
        "the mapping is gone");
    JsonNode drift =
        breakGlass.auditOfType("BREAK_GLASS_DRIFT").stream().reduce((a, b) -> b).orElseThrow();
    assertEquals("mu-" + holder, drift.get("username").asText());
  }

  @Test
  void aRenamedGovernedRoleStaysGovernedAndTheBrokenPolicyIsRecorded() {
    RoleRepresentation role = realm.admin().roles().get(DemoRealm.ROLE).toRepresentation();
    DemoRealm.activate(opsConsole(), holder, 10); // the governed roles are remembered by id
    String grantId = breakGlass.activeGrantId(holder);
    int records = governanceRecords().size();
    RoleRepresentation renamed = realm.admin().rolesById().getRole(role.getId());
    renamed.setName("renamed-by-admin");
    realm.admin().rolesById().updateRole(role.getId(), renamed);
    try {
      JsonNode record = lastGovernanceRecord(records, "governed role renamed");
      assertFalse(record.get("details").get("reverted").asBoolean(), "an admin may rename");

      // Mapped to alice under its new name: still governed, so removed (the policy is broken).
      String alice = realm.admin().users().searchByUsername("alice", true).get(0).getId();
      realm.admin().users().get(alice).roles().realmLevel().add(List.of(renamed));
      assertTrue(
          realm.admin().users().get(alice).roles().realmLevel().listAll().stream()
              .noneMatch(r -> r.getId().equals(role.getId())),
          "the renamed role is still governed");

      // The grant still ends with the role, found by id.
      assertEquals(200, breakGlass.revoke(grantId).status());
      String holderId = breakGlass.grant(grantId).get("userId").asText();
      assertTrue(
          realm.admin().users().get(holderId).roles().realmLevel().listAll().stream()
              .noneMatch(r -> r.getId().equals(role.getId())));
    } finally {
      renamed.setName(DemoRealm.ROLE);
      realm.admin().rolesById().updateRole(role.getId(), renamed);
    }
  }

  @Test
  void deletingAGrantedRoleEndsTheGrantOnTheRecord() {
    DemoRealm.activate(opsConsole(), holder, 10);
    String grantId = breakGlass.activeGrantId(holder);
    RoleRepresentation role = realm.admin().roles().get(DemoRealm.ROLE).toRepresentation();
    List<RoleRepresentation> composites =
        new ArrayList<>(realm.admin().roles().get(DemoRealm.ROLE).getRoleComposites());
    realm.admin().roles().deleteRole(DemoRealm.ROLE);
    try {
      JsonNode grant = breakGlass.grant(grantId);
      assertEquals("ENDED", grant.get("status").asText());
      assertEquals("ROLE_REMOVED", grant.get("endReason").asText());
      assertTrue(
          governanceRecords().stream()
              .anyMatch(
                  r -> r.get("details").get("what").asText().equals("governed role deleted")));
    } finally {
      // Put the demo role back for the other tests of this class.
      role.setId(null);
      realm.admin().roles().create(role);
      realm.admin().roles().get(DemoRealm.ROLE).addComposites(composites);
    }
  }

  @Test
  void theHolderCannotTakeTheAppOffTheBreakGlassFlow() throws Exception {
    AdminApi attacker = holderApi();
    int records = governanceRecords().size();
    ClientRepresentation ops = realm.admin().clients().findByClientId(DemoRealm.CLIENT).get(0);
    String boundFlow = ops.getAuthenticationFlowBindingOverrides().get("browser");
    // An empty value is how the admin API removes a binding (an absent key leaves it).
    ops.setAuthenticationFlowBindingOverrides(Map.of("browser", ""));
    AdminApi.Result answer =
        attacker.put(
            DemoRealm.REALM + "/clients/" + ops.getId(), Oidc.JSON.writeValueAsString(ops));
    assertTrue(answer.status() < 500, answer.body());
    assertEquals(
        boundFlow,
        realm
            .admin()
            .clients()
            .get(ops.getId())
            .toRepresentation()
            .getAuthenticationFlowBindingOverrides()
            .get("browser"),
        "the app logs in through the gate again");
    assertRevertedByHolder(lastGovernanceRecord(records, "clients bound to the break-glass flow"));
  }

  @Test
  void theHolderCannotAddPowerToTheGovernedRole() {
    AdminApi attacker = holderApi();
    int records = governanceRecords().size();
    RoleRepresentation role = realm.admin().roles().get(DemoRealm.ROLE).toRepresentation();
    RoleRepresentation extra = new RoleRepresentation();
    extra.setName("extra-power-" + holder);
    realm.admin().roles().create(extra);
    RoleRepresentation created = realm.admin().roles().get(extra.getName()).toRepresentation();
    AdminApi.Result answer =
        attacker.post(
            DemoRealm.REALM + "/roles-by-id/" + role.getId() + "/composites",
            "[{\"id\":\"" + created.getId() + "\",\"name\":\"" + created.getName() + "\"}]");
    assertTrue(answer.status() < 500, answer.body());
    assertTrue(
        realm.admin().roles().get(DemoRealm.ROLE).getRoleComposites().stream()
            .noneMatch(r -> r.getName().equals(extra.getName())),
        "the composite was taken back");
    assertRevertedByHolder(lastGovernanceRecord(records, "governed role composites"));
  }

  @Test
  void theHolderCannotSwitchTheGateOff() throws Exception {
    AdminApi attacker = holderApi();
    int records = governanceRecords().size();
    String flow = "break-glass browser";
    AuthenticationExecutionInfoRepresentation gate =
        realm.admin().flows().getExecutions(flow).stream()
            .filter(e -> "break-glass-authenticator".equals(e.getProviderId()))
            .findFirst()
            .orElseThrow();
    String required = gate.getRequirement();
    gate.setRequirement("DISABLED");
    AdminApi.Result answer =
        attacker.put(
            DemoRealm.REALM + "/authentication/flows/break-glass%20browser/executions",
            Oidc.JSON.writeValueAsString(gate));
    assertTrue(answer.status() < 500, answer.body());
    assertEquals(
        required,
        realm.admin().flows().getExecutions(flow).stream()
            .filter(e -> "break-glass-authenticator".equals(e.getProviderId()))
            .findFirst()
            .orElseThrow()
            .getRequirement(),
        "the gate is required again");
    // The periodic reconciliation may also record the flow it checked meanwhile ("system"): the
    // holder's attempt must be on the record, whatever comes after it.
    List<JsonNode> byHolder =
        governanceRecords().subList(records, governanceRecords().size()).stream()
            .filter(r -> "break-glass flow".equals(r.get("details").get("what").asText()))
            .filter(r -> holder.equals(r.get("username").asText()))
            .toList();
    assertFalse(byHolder.isEmpty(), "the holder's attempt is recorded");
    assertRevertedByHolder(byHolder.get(byHolder.size() - 1));
  }

  @Test
  void aRevokeReasonWithHiddenCharactersIsRefusedAndChangesNothing() {
    DemoRealm.activate(opsConsole(), holder, 10);
    String grantId = breakGlass.activeGrantId(holder);
    for (String hidden : List.of("\u202E", "\u2028", "\u200B", "\u001B[2J")) {
      AdminApi.Result refused =
          breakGlass.post(
              "grants/" + grantId + "/revoke",
              Oidc.JSON.createObjectNode().put("reason", "done" + hidden + "evil").toString());
      assertEquals(400, refused.status(), refused.body());
      assertEquals("ACTIVE", breakGlass.grant(grantId).get("status").asText(), "nothing ended");
    }
  }
}
