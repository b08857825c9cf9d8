package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dasniko.testcontainers.keycloak.KeycloakContainer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.utility.MountableFile;

/**
 * The project's image (docker/Dockerfile) as a developer tries it, {@code start-dev} through
 * testcontainers-keycloak: the demo realm the image carries is imported, a responder activates
 * through the real pages, the grant ends on time, and health and metrics answer on the management
 * port. Ports are mapped at random and reached through 127.0.0.1 only.
 */
class ImageContainerIT {

  private static KeycloakContainer keycloak;

  @BeforeAll
  static void start() throws Exception {
    if (!ContainerImages.engineAnswers()) {
      return; // each test then skips (or fails, in CI) in requireEngine()
    }
    // No realm file added here: the one in the image (data/import) is what --import-realm reads.
    keycloak =
        new KeycloakContainer(ContainerImages.project())
            .withEnabledMetrics()
            // start-dev builds the server again first: ~50 s alone on 2 cores, more when busy.
            .withStartupTimeout(Duration.ofMinutes(5))
            .withCopyFileToContainer(
                MountableFile.forHostPath(Path.of("docker", "demo-mail.sh")), "/opt/demo-mail.sh");
    keycloak.start();
  }

  @BeforeEach
  void engine() {
    ContainerImages.requireEngine();
  }

  @AfterAll
  static void stop() {
    if (keycloak != null) {
      keycloak.stop();
    }
  }

  @Test
  void aResponderActivatesThroughThePagesAndTheGrantEndsOnTime() {
    String base = keycloak.getAuthServerUrl();
    assertTrue(base.startsWith("http://localhost:") || base.startsWith("http://127.0.0.1:"), base);
    BreakGlassAdmin breakGlass = BreakGlassAdmin.over(ContainerImages.adminApi(base));

    // A short grant by policy, as an admin would set it.
    breakGlass.policy().set(Map.of("maxDurationMinutes", "1", "defaultDurationMinutes", "1"));
    JsonNode tokens =
        DemoRealm.activate(
            new Oidc(base, DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT), "responder", 1);
    assertTrue(
        Oidc.realmRoles(Oidc.claims(tokens.get("access_token").asText())).contains(DemoRealm.ROLE),
        "the token carries the emergency role");
    JsonNode grant = breakGlass.activeGrants("responder").get(0);
    Instant expiresAt = Instant.parse(grant.get("expiresAt").asText());
    assertTrue(
        expiresAt.isBefore(Instant.now().plusSeconds(61)), "one minute at most: " + expiresAt);

    JsonNode ended =
        Poll.until(
            "the grant to end",
            Duration.between(Instant.now(), expiresAt).plusSeconds(30),
            () -> breakGlass.grant(grant.get("id").asText()),
            g -> "ENDED".equals(g.get("status").asText()));
    assertEquals("EXPIRED", ended.get("endReason").asText(), ended.toString());
    // The sweeper runs every 500 ms: the end follows the deadline within a few seconds.
    assertTrue(ended.get("expiryLagMillis").asLong() < 5_000, ended.toString());
    JsonNode roles =
        breakGlass
            .api()
            .get(
                DemoRealm.REALM + "/users/" + grant.get("userId").asText() + "/role-mappings/realm")
            .json();
    roles.forEach(r -> assertFalse(DemoRealm.ROLE.equals(r.get("name").asText()), "role removed"));

    // Management port (9000, mapped): readiness and the break-glass meters.
    AdminApi.Result ready = ContainerImages.get(keycloak.getMgmtServerUrl() + "/health/ready");
    assertEquals(200, ready.status(), ready.body());
    assertTrue(ready.body().contains("\"UP\""), ready.body());
    AdminApi.Result metrics = ContainerImages.get(keycloak.getMgmtServerUrl() + "/metrics");
    assertEquals(200, metrics.status());
    assertTrue(
        metrics.body().contains("breakglass_activations_total{realm=\"breakglass-demo\"} 1.0"),
        "the activation is counted");
    assertTrue(metrics.body().contains("breakglass_expiry_lag_seconds_count"), "expiry measured");
  }

  @Test
  void composesMailSetUpGivesTheRealmAnSmtpServerAndThePolicyItsAddresses() throws Exception {
    // docker/demo-mail.sh as compose's demo-mail service runs it, here inside this container.
    ExecResult run =
        keycloak.execInContainer(
            "env",
            "KEYCLOAK_URL=http://localhost:8080",
            "SMTP_HOST=mail.example.org",
            "SMTP_PORT=1025",
            "ALERT_EMAILS=security-team@example.org",
            "bash",
            "/opt/demo-mail.sh");
    assertEquals(0, run.getExitCode(), run.getStdout() + run.getStderr());

    AdminApi api = ContainerImages.adminApi(keycloak.getAuthServerUrl());
    JsonNode smtp = api.get(DemoRealm.REALM).json().get("smtpServer");
    assertEquals("mail.example.org", smtp.get("host").asText(), smtp.toString());
    assertEquals("1025", smtp.get("port").asText());
    JsonNode policy = api.get(PolicyChanges.CONFIG).json().get("config");
    assertEquals("security-team@example.org", policy.get("alertEmails").asText());
    // Only that key changed: the rest of the realm file's policy is still there.
    assertEquals("INC-[0-9]{3,10}", policy.get("ticketPattern").asText(), policy.toString());
  }
}
