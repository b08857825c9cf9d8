package dev.breakglass.keycloak.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyResourceTest {

  @Test
  void secretsAreShownOnlyAsSet() {
    Map<String, String> shown =
        PolicyResource.masked(
            Map.of(
                "webhookSecret", "s3cr3t-s3cr3t-s3cr3t",
                "incidentWebhookSecret", "another-secret-value",
                "grantableRoles", "emergency-admin",
                "webhookUrl", ""));
    assertEquals(PolicyResource.SECRET_SET, shown.get("webhookSecret"));
    assertEquals(PolicyResource.SECRET_SET, shown.get("incidentWebhookSecret"));
    assertEquals("emergency-admin", shown.get("grantableRoles"));
    assertEquals("", shown.get("webhookUrl"));
  }
}
