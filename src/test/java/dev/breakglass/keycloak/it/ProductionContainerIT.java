package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dasniko.testcontainers.keycloak.KeycloakContainer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The production topology of docker/docker-compose.yml: the project's image with its own command
 * ({@code start --optimized --import-realm}, the provider and PostgreSQL built in) and a PostgreSQL
 * container on one network, configured from the compose file's own environment. The Keycloak
 * container is restarted in the middle of a grant: the grant, the audit chain and the expiry
 * survive it.
 */
class ProductionContainerIT {

  private static final Logger LOG = Logger.getLogger(ProductionContainerIT.class);
  private static final int HTTP = 8080;
  private static final int MANAGEMENT = 9000;

  private static Network network;
  private static GenericContainer<?> postgres;
  private static KeycloakContainer keycloak;

  @BeforeAll
  static void start() throws Exception {
    if (!ContainerImages.engineAnswers()) {
      return; // each test then skips (or fails, in CI) in requireEngine()
    }
    JsonNode services =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of("docker", "docker-compose.yml").toFile())
            .path("services");
    network = Network.newNetwork();
    postgres =
        new GenericContainer<>(
                DockerImageName.parse(services.path("postgres").path("image").asText()))
            .withNetwork(network)
            .withNetworkAliases("postgres")
            .withEnv(strings(services.path("postgres").path("environment")))
            // The compose file's health check: ready when pg_isready says so.
            .waitingFor(
                Wait.forSuccessfulCommand("pg_isready -h 127.0.0.1 -U keycloak -d keycloak")
                    .withStartupTimeout(Duration.ofMinutes(2)));
    postgres.start();
    keycloak =
        new KeycloakContainer(ContainerImages.project())
            .withNetwork(network)
            .withNetworkAliases("keycloak")
            // start --optimized --import-realm: the image's CMD (DockerConsistencyTest checks it).
            .withOptimizedFlag()
            .withEnv(KeycloakEnv.read(KeycloakEnv.FILE))
            .withEnv(strings(services.path("keycloak").path("environment")))
            .withStartupTimeout(Duration.ofMinutes(4));
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
    if (postgres != null) {
      postgres.stop();
    }
    if (network != null) {
      network.close();
    }
  }

  @Test
  void aGrantTheAuditChainAndTheExpirySurviveARestartOfTheContainer() throws Exception {
    String base = url(HTTP);
    BreakGlassAdmin before = BreakGlassAdmin.over(ContainerImages.adminApi(base));
    before.policy().set(Map.of("maxDurationMinutes", "2", "defaultDurationMinutes", "2"));
    DemoRealm.activate(
        new Oidc(base, DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT), "responder", 2);
    JsonNode grant = before.activeGrants("responder").get(0);
    String grantId = grant.get("id").asText();
    Instant expiresAt = Instant.parse(grant.get("expiresAt").asText());
    JsonNode chainBefore = verifiedChain(before);
    // The grant lives in PostgreSQL, not in the container.
    assertEquals("ACTIVE", sql("select status from bg_grant where id = '" + grantId + "'"));

    long restart = System.nanoTime();
    DockerClientFactory.instance()
        .client()
        .restartContainerCmd(keycloak.getContainerId())
        .withTimeout(30)
        .exec();
    // Published ports may change on a restart: read them again.
    Poll.until(
        "Keycloak ready again after the restart",
        Duration.ofMinutes(3),
        () -> ContainerImages.get(url(MANAGEMENT) + "/health/ready").status(),
        status -> status == 200);
    LOG.infof(
        "Keycloak container restarted in %d s", (System.nanoTime() - restart) / 1_000_000_000);
    assertTrue(Instant.now().isBefore(expiresAt), "the restart ended before the grant");

    BreakGlassAdmin after = BreakGlassAdmin.over(ContainerImages.adminApi(url(HTTP)));
    JsonNode survived = after.grant(grantId);
    assertEquals("ACTIVE", survived.get("status").asText(), survived.toString());
    assertEquals(grant.get("expiresAt").asText(), survived.get("expiresAt").asText());
    assertTrue(holdsEmergencyRole(after, grant.get("userId").asText()), "role still held");
    JsonNode chainAfter = verifiedChain(after);
    assertEquals(chainBefore.get("headHash").asText(), chainAfter.get("headHash").asText());
    assertEquals(chainBefore.get("records").asLong(), chainAfter.get("records").asLong());

    JsonNode ended =
        Poll.until(
            "the grant to end on time after the restart",
            Duration.between(Instant.now(), expiresAt).plusSeconds(30),
            () -> after.grant(grantId),
            g -> "ENDED".equals(g.get("status").asText()));
    assertEquals("EXPIRED", ended.get("endReason").asText(), ended.toString());
    assertTrue(ended.get("expiryLagMillis").asLong() < 5_000, ended.toString());
    assertFalse(holdsEmergencyRole(after, grant.get("userId").asText()), "role removed");
    JsonNode chainEnd = verifiedChain(after);
    assertTrue(
        chainEnd.get("records").asLong() > chainAfter.get("records").asLong(),
        "the expiry is appended to the same chain: " + chainEnd);
    assertEquals(1, after.auditOf(grantId, "BREAK_GLASS_EXPIRED").size());
    assertEquals("ENDED", sql("select status from bg_grant where id = '" + grantId + "'"));
  }

  private static JsonNode verifiedChain(BreakGlassAdmin breakGlass) {
    AdminApi.Result result = breakGlass.get("audit/verify");
    assertEquals(200, result.status(), result.body());
    assertTrue(result.json().get("valid").asBoolean(), result.body());
    return result.json();
  }

  private static boolean holdsEmergencyRole(BreakGlassAdmin breakGlass, String userId) {
    JsonNode roles =
        breakGlass.api().get(DemoRealm.REALM + "/users/" + userId + "/role-mappings/realm").json();
    for (JsonNode role : roles) {
      if (DemoRealm.ROLE.equals(role.get("name").asText())) {
        return true;
      }
    }
    return false;
  }

  /** http://127.0.0.1:PORT for a port of the Keycloak container, as published right now. */
  private static String url(int containerPort) {
    Ports.Binding[] bindings =
        keycloak
            .getCurrentContainerInfo()
            .getNetworkSettings()
            .getPorts()
            .getBindings()
            .get(ExposedPort.tcp(containerPort));
    return "http://127.0.0.1:" + bindings[0].getHostPortSpec();
  }

  private static String sql(String query) throws Exception {
    var result =
        postgres.execInContainer("psql", "-U", "keycloak", "-d", "keycloak", "-tAc", query);
    assertEquals(0, result.getExitCode(), result.getStderr());
    return result.getStdout().strip();
  }

  private static Map<String, String> strings(JsonNode map) {
    Map<String, String> values = new HashMap<>();
    map.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
    return values;
  }
}
