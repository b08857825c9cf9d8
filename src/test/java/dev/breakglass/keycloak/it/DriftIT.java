package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.GroupRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * A governed role mapped any way but through a grant is drift: recorded at once, removed in remove
 * mode.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class DriftIT {

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  private RoleRepresentation emergencyRole() {
    return realm.admin().roles().get(DemoRealm.ROLE).toRepresentation();
  }

  private String aliceId() {
    return realm.admin().users().searchByUsername("alice", true).get(0).getId();
  }

  private List<JsonNode> driftRecords() {
    return breakGlass.auditOfType("BREAK_GLASS_DRIFT");
  }

  /** Back to the demo policy (drift mode "remove"), then alice without the role again. */
  @AfterEach
  void cleanUp() {
    TestReset.afterEach(breakGlass);
    realm.admin().users().get(aliceId()).roles().realmLevel().remove(List.of(emergencyRole()));
  }

  @Test
  void aDirectMappingIsRecordedAtOnceAndLeftInAlertMode() {
    // Alert mode only where the policy says so explicitly: the default removes.
    breakGlass.policy().set(Map.of("driftMode", "alert"));
    int before = driftRecords().size();
    realm.admin().users().get(aliceId()).roles().realmLevel().add(List.of(emergencyRole()));

    List<JsonNode> drift = driftRecords();
    assertEquals(
        before + 1, drift.size(), "one drift record, written before the admin call returned");
    JsonNode record = drift.get(drift.size() - 1);
    assertEquals("alice", record.get("username").asText());
    assertEquals("USER", record.get("details").get("kind").asText());
    assertEquals(DemoRealm.ROLE, record.get("details").get("role").asText());
    assertEquals("admin-event", record.get("details").get("trigger").asText());
    assertFalse(record.get("details").get("removed").asBoolean());
    assertTrue(
        realm.admin().users().get(aliceId()).roles().realmLevel().listAll().stream()
            .anyMatch(r -> r.getName().equals(DemoRealm.ROLE)),
        "alert mode leaves the mapping");

    // The same standing drift is not reported again by later admin changes.
    realm.admin().users().get(aliceId()).roles().realmLevel().add(List.of(emergencyRole()));
    assertEquals(before + 1, driftRecords().size());
  }

  @Test
  void removeModeRemovesDirectGroupAndCompositeMappings() {
    breakGlass.policy().set(Map.of("driftMode", "remove"));
    int before = driftRecords().size();

    realm.admin().users().get(aliceId()).roles().realmLevel().add(List.of(emergencyRole()));
    assertFalse(
        realm.admin().users().get(aliceId()).roles().realmLevel().listAll().stream()
            .anyMatch(r -> r.getName().equals(DemoRealm.ROLE)),
        "direct mapping removed");

    GroupRepresentation ops = new GroupRepresentation();
    ops.setName("ops-oncall");
    realm.admin().groups().add(ops).close();
    String groupId = realm.admin().groups().groups("ops-oncall", 0, 1).get(0).getId();
    realm.admin().groups().group(groupId).roles().realmLevel().add(List.of(emergencyRole()));
    assertTrue(
        realm.admin().groups().group(groupId).roles().realmLevel().listAll().isEmpty(),
        "group mapping removed");

    RoleRepresentation parent = new RoleRepresentation();
    parent.setName("sre-bundle");
    realm.admin().roles().create(parent);
    realm.admin().roles().get("sre-bundle").addComposites(List.of(emergencyRole()));
    assertTrue(
        realm.admin().roles().get("sre-bundle").getRoleComposites().isEmpty(), "composite removed");

    List<JsonNode> drift = driftRecords().subList(before, driftRecords().size());
    assertEquals(
        List.of("USER", "GROUP", "COMPOSITE"),
        drift.stream().map(r -> r.get("details").get("kind").asText()).toList());
    assertTrue(drift.stream().allMatch(r -> r.get("details").get("removed").asBoolean()));
    JsonNode group = drift.get(1);
    assertEquals("/ops-oncall", group.get("details").get("subjectName").asText());
    assertNotNull(drift.get(2).get("details").get("subjectName"));
  }

  @Test
  void aGrantHolderIsNotDrift() {
    int before = driftRecords().size();
    DemoRealm.activate(
        new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT),
        "responder",
        5);
    // Any role-bearing admin change triggers a check; the grant holder's mapping is legitimate.
    realm.admin().users().get(aliceId()).roles().realmLevel().remove(List.of(emergencyRole()));
    assertEquals(before, driftRecords().size());
    String grantId = breakGlass.activeGrantId("responder");
    assertEquals(200, breakGlass.revoke(grantId).status());
  }
}
