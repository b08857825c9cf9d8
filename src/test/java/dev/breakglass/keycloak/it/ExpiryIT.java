package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/** Grants end on time: expiry, token cap, session end, revocation. */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class ExpiryIT {

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  private Oidc oidc() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private boolean holdsEmergencyRole(String userId) {
    return realm.admin().users().get(userId).roles().realmLevel().listAll().stream()
        .anyMatch(r -> r.getName().equals(DemoRealm.ROLE));
  }

  @AfterEach
  void reset() {
    TestReset.afterEach(breakGlass);
  }

  @Test
  void grantsEndOnTimeWithTokensCappedAndSessionsEnded() {
    String responderId = realm.admin().users().searchByUsername("responder", true).get(0).getId();
    String secondId = DemoRealm.createResponder(realm.admin(), "responder-two");

    // Grant 1: one minute for responder.
    Oidc oidc = oidc();
    JsonNode tokens = DemoRealm.activate(oidc, "responder", 1);
    // The holder's try at keeping the power past the grant: an offline token, taken while it lasts.
    Oidc adminCli = new Oidc(urls.getBase(), DemoRealm.REALM, "admin-cli", DemoRealm.REDIRECT);
    JsonNode offline =
        Oidc.offlineTokens(urls.getBase(), DemoRealm.REALM, "responder", "responder");
    assertEquals("Offline", Oidc.claims(offline.get("refresh_token").asText()).get("typ").asText());
    String adminCliId = realm.admin().clients().findByClientId("admin-cli").get(0).getId();
    assertEquals(1, realm.admin().users().get(responderId).getOfflineSessions(adminCliId).size());
    JsonNode g1 = breakGlass.activeGrants("responder").get(0);
    long g1End = Instant.parse(g1.get("expiresAt").asText()).getEpochSecond();
    JsonNode access = Oidc.claims(tokens.get("access_token").asText());
    JsonNode id = Oidc.claims(tokens.get("id_token").asText());
    assertTrue(Oidc.realmRoles(access).contains(DemoRealm.ROLE));
    assertTrue(
        access.get("exp").asLong() <= g1End,
        "access token exp " + access.get("exp") + " > grant end " + g1End);
    assertTrue(id.get("exp").asLong() <= g1End, "id token exp capped");
    assertTrue(
        tokens.get("expires_in").asLong() <= 60,
        "expires_in follows the cap: " + tokens.get("expires_in"));
    assertEquals(g1.get("id").asText(), access.get("break_glass").get("grant_id").asText());
    assertEquals(
        g1.get("expiresAt").asText(), access.get("break_glass").get("expires_at").asText());

    // Grant 2 for a second responder, revoked early; grant 3 activated 10 s later, so grant 2's
    // original end falls inside grant 3's life.
    DemoRealm.activate(oidc(), "responder-two", 1);
    JsonNode g2 = breakGlass.activeGrants("responder-two").get(0);
    assertEquals(200, breakGlass.revoke(g2.get("id").asText(), "wrong scope").status());
    assertFalse(holdsEmergencyRole(secondId));
    Instant g2Start = Instant.parse(g2.get("activatedAt").asText());
    Poll.until(
        "a 10 s gap after grant 2",
        Duration.ofSeconds(20),
        Instant::now,
        now -> now.isAfter(g2Start.plusSeconds(10)));
    DemoRealm.activate(oidc(), "responder-two", 1);
    JsonNode g3 = breakGlass.activeGrants("responder-two").get(0);
    assertNotEquals(g2.get("id"), g3.get("id"));
    Instant g2OriginalEnd = Instant.parse(g2.get("expiresAt").asText());
    Instant g3End = Instant.parse(g3.get("expiresAt").asText());
    assertTrue(g3End.isAfter(g2OriginalEnd));

    // Grant 1 ends by itself, within a second of its end.
    JsonNode ended =
        Poll.until(
            "grant 1 to end",
            Duration.ofSeconds(90),
            () -> breakGlass.grant(g1.get("id").asText()),
            g -> "ENDED".equals(g.get("status").asText()));
    assertEquals("EXPIRED", ended.get("endReason").asText());
    assertTrue(
        ended.get("expiryLagMillis").asLong() <= 1000,
        "expiry lag " + ended.get("expiryLagMillis") + " ms");
    // Read through Keycloak's user cache, which held the responder since the login: the sweep
    // removes the mapping and asks for attestation in bulk statements and must make it forget.
    assertFalse(holdsEmergencyRole(responderId), "role mapping removed");
    assertTrue(
        realm
            .admin()
            .users()
            .get(responderId)
            .toRepresentation()
            .getRequiredActions()
            .contains("break-glass-attest"),
        "attestation asked");
    assertEquals(
        0, realm.admin().users().get(responderId).getUserSessions().size(), "sessions ended");
    assertEquals(
        0,
        realm.admin().users().get(responderId).getOfflineSessions(adminCliId).size(),
        "offline sessions ended");
    assertEquals(
        400,
        adminCli.refresh(offline.get("refresh_token").asText()).get("_status").asInt(),
        "the offline token is dead");
    assertTrue(
        realm.admin().users().get(responderId).toRepresentation().getNotBefore()
            >= Instant.parse(ended.get("endedAt").asText()).getEpochSecond() - 1,
        "not-before moved to the end");
    JsonNode refreshed = oidc.refresh(tokens.get("refresh_token").asText());
    assertTrue(
        refreshed.get("_status").asInt() == 400
            || !Oidc.realmRoles(Oidc.claims(refreshed.get("access_token").asText()))
                .contains(DemoRealm.ROLE),
        "a refresh after the end yields no emergency role: " + refreshed);

    // The revoked grant's original end has passed: it must not cut the later grant short.
    Poll.until(
        "grant 2's original end to pass",
        Duration.ofSeconds(30),
        Instant::now,
        now -> now.isAfter(g2OriginalEnd.plusSeconds(1)));
    assertEquals("ACTIVE", breakGlass.grant(g3.get("id").asText()).get("status").asText());
    assertTrue(holdsEmergencyRole(secondId), "the later grant keeps its role");

    JsonNode g3Ended =
        Poll.until(
            "grant 3 to end",
            Duration.ofSeconds(90),
            () -> breakGlass.grant(g3.get("id").asText()),
            g -> "ENDED".equals(g.get("status").asText()));
    assertEquals("EXPIRED", g3Ended.get("endReason").asText());
    assertTrue(
        g3Ended.get("expiryLagMillis").asLong() <= 1000,
        "expiry lag " + g3Ended.get("expiryLagMillis") + " ms");
    assertFalse(holdsEmergencyRole(secondId));
    assertFalse(Instant.parse(g3Ended.get("endedAt").asText()).isBefore(g3End), "not ended early");
  }

  @Test
  void revocationEndsAtOnceAndIsIdempotent() {
    String responderId = realm.admin().users().searchByUsername("responder", true).get(0).getId();
    Oidc oidc = oidc();
    JsonNode tokens = DemoRealm.activate(oidc, "responder", 30);
    String grantId = breakGlass.activeGrantId("responder");

    AdminApi.Result revoked = breakGlass.revoke(grantId, "incident closed");
    assertEquals(200, revoked.status(), revoked.body());
    JsonNode body = revoked.json();
    assertEquals("ENDED", body.get("status").asText());
    assertEquals("REVOKED", body.get("endReason").asText());
    assertFalse(body.get("endedBy").asText().isBlank(), "the revoking admin is recorded");
    assertNotEquals("system", body.get("endedBy").asText());
    assertFalse(holdsEmergencyRole(responderId));
    assertEquals(0, realm.admin().users().get(responderId).getUserSessions().size());
    assertEquals(
        400,
        oidc.refresh(tokens.get("refresh_token").asText()).get("_status").asInt(),
        "session gone");

    AdminApi.Result again = breakGlass.revoke(grantId, "twice");
    assertEquals(200, again.status());
    assertEquals(
        body.get("endedAt"), again.json().get("endedAt"), "the second revocation changes nothing");
    assertEquals(
        1, breakGlass.auditOf(grantId, "BREAK_GLASS_REVOKED").size(), "one revocation record");

    // A new grant after a revocation lives its full duration.
    DemoRealm.activate(oidc(), "responder", 20);
    JsonNode fresh = breakGlass.activeGrants("responder").get(0);
    assertEquals(
        Duration.ofMinutes(20),
        Duration.between(
            Instant.parse(fresh.get("activatedAt").asText()),
            Instant.parse(fresh.get("expiresAt").asText())));
  }

  @Test
  void aGrantWhoseRoleWasDeletedEndsCleanly() {
    RoleRepresentation extra = new RoleRepresentation();
    extra.setName("incident-reader");
    realm.admin().roles().create(extra);
    // Put back by the reset after the test.
    breakGlass.policy().set(Map.of("grantableRoles", DemoRealm.ROLE + "##incident-reader"));
    Browser browser = new Browser(DemoRealm.REDIRECT);
    ActivationPage.Http form =
        ActivationPage.http(browser, DemoRealm.signIn(browser, oidc(), "responder"));
    var fields = DemoRealm.validActivation();
    fields.put("roles", List.of(DemoRealm.ROLE, "incident-reader"));
    assertTrue(form.submit(fields).isRedirectToApp(DemoRealm.REDIRECT));
    String grantId = breakGlass.activeGrantId("responder");

    realm.admin().roles().deleteRole("incident-reader");
    AdminApi.Result revoked = breakGlass.revoke(grantId);
    assertEquals(200, revoked.status(), revoked.body());
    assertEquals("ENDED", revoked.json().get("status").asText());
  }
}
