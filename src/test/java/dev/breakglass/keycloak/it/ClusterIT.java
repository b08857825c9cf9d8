package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;

/**
 * Two Keycloak nodes, one PostgreSQL database, Infinispan clustering over JDBC ping: the sweeper
 * runs once per interval across the cluster (not once per node), each grant ends exactly once, the
 * audit chain stays intact with both nodes writing, and each alert is delivered by exactly one
 * node.
 */
class ClusterIT {

  private static final String BASE = DemoRealm.REALM + "/break-glass/";
  private static final List<String> RESPONDERS =
      List.of("cluster-one", "cluster-two", "cluster-three");
  private static final Pattern SWEEP =
      Pattern.compile("Break-glass sweep (found nothing due|ended)");
  private static final Pattern SKIPPED = Pattern.compile("Break-glass sweep skipped");

  private static PostgresServer postgres;
  private static KeycloakProcess nodeA;
  private static KeycloakProcess nodeB;
  private static WebhookReceiver receiver;

  @BeforeAll
  static void startCluster() throws Exception {
    postgres = PostgresServer.start(15432);
    nodeA = node("target/cluster-it/a", 18081, 7800);
    nodeA.start();
    nodeB = node("target/cluster-it/b", 18082, 7801);
    nodeB.start();
    receiver = WebhookReceiver.start();
  }

  private static KeycloakProcess node(String dir, int port, int clusterPort) throws Exception {
    return KeycloakProcess.installNode(
        Path.of(dir),
        port,
        "--db=postgres",
        "--db-url=" + postgres.jdbcUrl(),
        "--db-username=keycloak",
        "--db-password=keycloak",
        "--http-enabled=true",
        "--hostname-strict=false",
        "--cache=ispn",
        "--cache-stack=jdbc-ping",
        "--cache-embedded-network-bind-address=127.0.0.1",
        "--cache-embedded-network-bind-port=" + clusterPort,
        "--log-level=INFO,dev.breakglass.keycloak.sweeper:TRACE");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (receiver != null) {
      receiver.close();
    }
    for (KeycloakProcess node : new KeycloakProcess[] {nodeB, nodeA}) {
      if (node != null) {
        node.stop();
      }
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  /**
   * The admin API of a node, as the master realm's admin: a token is only good on its own node (its
   * issuer names the node), and lives a minute, so each call gets a fresh one.
   */
  private static AdminApi api(KeycloakProcess node) {
    return new AdminApi(
        node.baseUrl(), () -> Oidc.passwordToken(node.baseUrl(), "master", "admin", "admin"));
  }

  /**
   * Sweeps each node has logged so far (TRACE for idle sweeps, INFO for sweeps that ended grants).
   */
  private static int sweeps(KeycloakProcess node) throws Exception {
    return count(SWEEP, node.log());
  }

  /** Sweeps and skipped sweeps: the node's timer is alive. */
  private static int timerTicks(KeycloakProcess node) throws Exception {
    String log = node.log();
    return count(SWEEP, log) + count(SKIPPED, log);
  }

  private static int count(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    int count = 0;
    while (m.find()) {
      count++;
    }
    return count;
  }

  @Test
  void theClusterSweepsOncePerIntervalAndEndsEachGrantOnce() throws Exception {
    // One interval is 500 ms. Both nodes' timers fire every 500 ms; a node that finds the cluster
    // swept within the interval skips. So a window of 10 s holds about 20 sweeps for the whole
    // cluster, where two nodes sweeping on their own would make about 40. Which node sweeps
    // depends on the timers' phases: one node may well do all of it.
    Poll.until(
        "both nodes' sweep timers running",
        Duration.ofSeconds(30),
        () -> {
          try {
            return timerTicks(nodeA) > 0 && timerTicks(nodeB) > 0;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        running -> running);
    int before = sweeps(nodeA) + sweeps(nodeB);
    long windowStart = System.nanoTime();
    Poll.until(
        "a 10 s window",
        Duration.ofSeconds(15),
        System::nanoTime,
        now -> now - windowStart >= 10_000_000_000L);
    int inWindow = sweeps(nodeA) + sweeps(nodeB) - before;
    assertTrue(
        inWindow >= 10 && inWindow <= 28,
        inWindow + " sweeps in 10 s across two nodes (one interval is 500 ms)");

    AdminApi apiA = api(nodeA);
    String config = PolicyChanges.CONFIG;
    JsonNode policy = apiA.get(config).json();
    ((com.fasterxml.jackson.databind.node.ObjectNode) policy.get("config"))
        .put("webhookUrl", receiver.url())
        .put("webhookSecret", "cluster-secret-0123456789")
        .put("alertOnUse", "every");
    assertEquals(204, apiA.put(config, policy.toString()).status());
    try (Keycloak admin =
        Keycloak.getInstance(nodeA.baseUrl(), "master", "admin", "admin", "admin-cli")) {
      for (String user : RESPONDERS) {
        DemoRealm.createResponder(admin.realm(DemoRealm.REALM), user);
      }
    }
    // Activations on both nodes, one minute each.
    DemoRealm.activate(
        new Oidc(nodeA.baseUrl(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT),
        RESPONDERS.get(0),
        1);
    DemoRealm.activate(
        new Oidc(nodeB.baseUrl(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT),
        RESPONDERS.get(1),
        1);
    DemoRealm.activate(
        new Oidc(nodeA.baseUrl(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT),
        RESPONDERS.get(2),
        1);

    AdminApi apiB = api(nodeB);
    JsonNode ended =
        Poll.until(
            "the three grants to end",
            Duration.ofSeconds(120),
            () -> apiB.get(BASE + "grants?status=ENDED").json(),
            grants -> grants.size() == RESPONDERS.size());
    for (JsonNode grant : ended) {
      assertEquals("EXPIRED", grant.get("endReason").asText(), grant.toString());
      // The promise on one node is a second; two nodes on two cores get some slack.
      assertTrue(
          grant.get("expiryLagMillis").asLong() <= 2000,
          "expiry lag " + grant.get("expiryLagMillis"));
      JsonNode roles =
          apiB.get(
                  DemoRealm.REALM
                      + "/users/"
                      + grant.get("userId").asText()
                      + "/role-mappings/realm")
              .json();
      roles.forEach(
          r ->
              assertFalse(r.get("name").asText().equals(DemoRealm.ROLE), "role removed: " + roles));
    }

    // Each grant ended once: one EXPIRED record each, in a chain both nodes wrote without a break.
    Map<String, Integer> expiredRecords = new HashMap<>();
    for (JsonNode record : apiB.get(BASE + "audit?max=1000").json()) {
      if (record.get("type").asText().equals("BREAK_GLASS_EXPIRED")) {
        expiredRecords.merge(record.get("grantId").asText(), 1, Integer::sum);
      }
    }
    assertEquals(RESPONDERS.size(), expiredRecords.size(), expiredRecords.toString());
    expiredRecords
        .values()
        .forEach(n -> assertEquals(1, n, "one end per grant: " + expiredRecords));
    JsonNode chain = apiA.get(BASE + "audit/verify").json();
    assertTrue(chain.get("valid").asBoolean(), chain.toString());

    // Activation, first use and expiry of each grant: nine alerts, each delivered by one node only
    // (the first activation's repair of the token cap is alerted as well, also once).
    Set<String> lifecycle =
        Set.of("BREAK_GLASS_ACTIVATED", "BREAK_GLASS_USED", "BREAK_GLASS_EXPIRED");
    Map<String, Integer> deliveries =
        Poll.until(
            "the nine alerts",
            Duration.ofSeconds(60),
            () -> {
              Map<String, Integer> byId = new HashMap<>();
              receiver
                  .deliveries()
                  .forEach(d -> byId.merge(d.header("X-BreakGlass-Id"), 1, Integer::sum));
              return byId;
            },
            byId ->
                receiver.deliveries().stream()
                        .filter(d -> lifecycle.contains(d.header("X-BreakGlass-Event")))
                        .map(d -> d.header("X-BreakGlass-Id"))
                        .distinct()
                        .count()
                    >= 9);
    long grantAlerts =
        receiver.deliveries().stream()
            .filter(d -> lifecycle.contains(d.header("X-BreakGlass-Event")))
            .map(d -> d.header("X-BreakGlass-Id"))
            .distinct()
            .count();
    assertEquals(9, grantAlerts, deliveries.toString());
    deliveries.values().forEach(n -> assertEquals(1, n, "each alert once: " + deliveries));
  }
}
