package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;

/**
 * Grants that expire while Keycloak is down end at start-up, before the first request is served,
 * together in one batch. Needs a server it can stop and start on a file database, so it runs its
 * own.
 */
class ExpiryAcrossRestartIT {

  @Test
  void aGrantThatExpiredWhileKeycloakWasDownEndsAtStartUp() throws Exception {
    try (KeycloakProcess kc = KeycloakProcess.install(Path.of("target/restart-it"), 8181)) {
      kc.start();
      // Two holders: their grants end together, in one batch of the start-up sweep.
      try (Keycloak admin =
          Keycloak.getInstance(kc.baseUrl(), "master", "admin", "admin", "admin-cli")) {
        DemoRealm.createResponder(admin.realm(DemoRealm.REALM), "responder-two");
      }
      List<JsonNode> grants = new ArrayList<>();
      Instant expiresAt = Instant.EPOCH;
      for (String user : List.of("responder", "responder-two")) {
        DemoRealm.activate(
            new Oidc(kc.baseUrl(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT), user, 1);
        JsonNode grant =
            adminApi(kc)
                .get(DemoRealm.REALM + "/break-glass/grants?status=ACTIVE&user=" + user)
                .json()
                .get(0);
        grants.add(grant);
        Instant end = Instant.parse(grant.get("expiresAt").asText());
        expiresAt = end.isAfter(expiresAt) ? end : expiresAt;
      }

      kc.stop();
      // Wait for the grants' ends to pass while nothing runs that could end them.
      Instant lastEnd = expiresAt;
      Poll.until(
          "the grants' ends to pass while Keycloak is down",
          Duration.ofMinutes(2),
          Instant::now,
          now -> now.isAfter(lastEnd.plusSeconds(1)));
      kc.start();

      // The very first request after start-up already sees the grants ended by the start-up sweep.
      AdminApi after = adminApi(kc);
      for (JsonNode grant : grants) {
        JsonNode ended =
            after.get(DemoRealm.REALM + "/break-glass/grants/" + grant.get("id").asText()).json();
        assertEquals("ENDED", ended.get("status").asText(), ended.toString());
        assertEquals("EXPIRED", ended.get("endReason").asText());
        String userId = grant.get("userId").asText();
        JsonNode roles =
            after.get(DemoRealm.REALM + "/users/" + userId + "/role-mappings/realm").json();
        for (JsonNode role : roles) {
          assertFalse(role.get("name").asText().equals(DemoRealm.ROLE), "role removed: " + roles);
        }
        JsonNode sessions = after.get(DemoRealm.REALM + "/users/" + userId + "/sessions").json();
        assertEquals(0, sessions.size(), "sessions ended: " + sessions);
        JsonNode user = after.get(DemoRealm.REALM + "/users/" + userId).json();
        assertTrue(
            user.get("requiredActions").toString().contains("break-glass-attest"),
            "attestation requested: " + user.get("requiredActions"));
      }
      JsonNode verified = after.get(DemoRealm.REALM + "/break-glass/audit/verify").json();
      assertTrue(verified.get("valid").asBoolean(), "chain intact: " + verified);
      assertTrue(
          kc.log().contains("start-up sweep ended 2 expired grant"), "start-up catch-up logged");
      assertAuditLogLinesAreJson(kc.log());
    }
  }

  /**
   * Every line of the audit logger is one JSON object a SIEM can parse, with no line of its own
   * forged.
   */
  private static void assertAuditLogLinesAreJson(String log) throws Exception {
    Set<String> types = new HashSet<>();
    for (String line : log.split("\n")) {
      if (!line.contains("[dev.breakglass.audit]")) {
        continue;
      }
      JsonNode record = Oidc.JSON.readTree(line.substring(line.indexOf('{')));
      assertTrue(record.get("type").asText().startsWith("BREAK_GLASS_"), line);
      assertTrue(record.has("hash") && record.has("seq") && record.has("realm"), line);
      assertTrue(
          line.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "pure printable ASCII: " + line);
      types.add(record.get("type").asText());
    }
    assertTrue(
        types.containsAll(Set.of("BREAK_GLASS_ACTIVATED", "BREAK_GLASS_EXPIRED")),
        types.toString());
  }

  private static AdminApi adminApi(KeycloakProcess kc) {
    String token = Oidc.passwordToken(kc.baseUrl(), "master", "admin", "admin");
    return new AdminApi(kc.baseUrl(), () -> token);
  }
}
