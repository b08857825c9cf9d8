package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one reset between tests on the shared server, so no test leaks into the next: every ACTIVE
 * grant revoked, the policy put back as it was before the test changed it.
 */
final class TestReset {

  private TestReset() {}

  static void afterEach(BreakGlassAdmin breakGlass) {
    try {
      for (JsonNode grant : breakGlass.activeGrants()) {
        AdminApi.Result revoked = breakGlass.revoke(grant.get("id").asText(), "test cleanup");
        assertEquals(200, revoked.status(), revoked.body());
      }
    } finally {
      // A failed revocation must not leave a weakened policy to the next test as well.
      breakGlass.policy().restore();
    }
  }
}
