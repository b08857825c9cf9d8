package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A grant that expires while Keycloak is down ends at start-up, before the first request is served.
 * Needs a server it can stop and start on a file database, so it runs its own.
 */
class ExpiryAcrossRestartIT {

  @Test
  void aGrantThatExpiredWhileKeycloakWasDownEndsAtStartUp() throws Exception {
    try (KeycloakProcess kc = KeycloakProcess.install(Path.of("target/restart-it"), 8181)) {
      kc.start();
      DemoRealm.activate(
          new Oidc(kc.baseUrl(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT),
          "responder",
          1);
      AdminApi api = adminApi(kc);
      JsonNode grant =
          api.get(DemoRealm.REALM + "/break-glass/grants?status=ACTIVE&user=responder")
              .json()
              .get(0);
      Instant expiresAt = Instant.parse(grant.get("expiresAt").asText());

      kc.stop();
      // Wait for the grant's end to pass while nothing runs that could end it.
      Poll.until(
          "the grant's end to pass while Keycloak is down",
          Duration.ofMinutes(2),
          Instant::now,
          now -> now.isAfter(expiresAt.plusSeconds(1)));
      kc.start();

      // The very first request after start-up already sees the grant ended by the start-up sweep.
      AdminApi after = adminApi(kc);
      JsonNode ended =
          after.get(DemoRealm.REALM + "/break-glass/grants/" + grant.get("id").asText()).json();
      assertEquals("ENDED", ended.get("status").asText(), ended.toString());
      assertEquals("EXPIRED", ended.get("endReason").asText());
      String responderId = grant.get("userId").asText();
      JsonNode roles =
          after.get(DemoRealm.REALM + "/users/" + responderId + "/role-mappings/realm").json();
      for (JsonNode role : roles) {
        assertFalse(role.get("name").asText().equals(DemoRealm.ROLE), "role removed: " + roles);
      }
      assertTrue(
          kc.log().contains("start-up sweep ended 1 expired grant"), "start-up catch-up logged");
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
