package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.keycloak.admin.client.Keycloak;

/**
 * Two Keycloak nodes, one PostgreSQL database, Infinispan clustering over JDBC ping: the sweeper
 * runs once per interval across the cluster (not once per node), each grant ends exactly once, the
 * audit chain stays intact with both nodes writing, and each alert is delivered by exactly one
 * node. Then the fault suite on the same cluster (one start for all cases): a node killed with
 * {@code kill -9} in the middle of delivering alerts and in the middle of a sweep loses nothing and
 * writes nothing twice. Counts scale with {@code -Dbreakglass.faults.scale} (or {@code
 * BREAKGLASS_FAULTS_SCALE}); 1 (the default) is the full counts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
  private static WebhookReceiver operatorHook;

  /** Alerts waiting longer than this are reported (the delivery-lag alert). */
  private static final int LAG_LIMIT_SECONDS = 20;

  @BeforeAll
  static void startCluster() throws Exception {
    postgres = PostgresServer.start(15432);
    operatorHook = WebhookReceiver.start();
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
        "--metrics-enabled=true",
        "--spi-break-glass-alerts--default--operator-webhook-url=" + operatorHook.url(),
        "--spi-break-glass-alerts--default--operator-webhook-secret=cluster-operator-0123456789",
        "--spi-break-glass-alerts--default--delivery-lag-alert-seconds=" + LAG_LIMIT_SECONDS,
        "--log-level=INFO,dev.breakglass.keycloak.sweeper:TRACE,"
            + "dev.breakglass.keycloak.alert.AlertDispatcher:DEBUG");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (receiver != null) {
      receiver.close();
    }
    if (operatorHook != null) {
      operatorHook.close();
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
  @Order(1)
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

  // ---- The fault suite -------------------------------------------------------------------------

  /** A count of the issue's, times the scale factor (CI may run fewer), at least {@code min}. */
  static int scaled(int full, int min) {
    String value =
        System.getProperty("breakglass.faults.scale", System.getenv("BREAKGLASS_FAULTS_SCALE"));
    double scale = value == null || value.isBlank() ? 1.0 : Double.parseDouble(value);
    return Math.max(min, (int) Math.round(full * scale));
  }

  /** One line per figure, for the results file: grep the failsafe output for "FAULT ". */
  private static void figure(String fault, String text) {
    System.out.println("FAULT " + fault + ": " + text);
  }

  private static void setWebhook(String url) throws Exception {
    // Through a node that runs: a case may have killed one.
    AdminApi api = api(nodeB.running() ? nodeB : nodeA);
    JsonNode policy = api.get(PolicyChanges.CONFIG).json();
    com.fasterxml.jackson.databind.node.ObjectNode config =
        (com.fasterxml.jackson.databind.node.ObjectNode) policy.get("config");
    if (url == null) {
      config.remove("webhookUrl");
      config.remove("webhookSecret");
    } else {
      config.put("webhookUrl", url).put("webhookSecret", "cluster-secret-0123456789");
    }
    assertEquals(204, api.put(PolicyChanges.CONFIG, policy.toString()).status());
  }

  private static String sqlList(List<String> ids) {
    return ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
  }

  private static int countSince(KeycloakProcess node, int offset, String needle) throws Exception {
    String log = node.log();
    return count(
        Pattern.compile(Pattern.quote(needle)), log.substring(Math.min(offset, log.length())));
  }

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-z_]+)(?:\\{[^}]*\\})? ([0-9.eE+-]+)$", Pattern.MULTILINE);

  /** A sample of a node's metrics (management port), summed over its labels; 0 when absent. */
  private static double metric(KeycloakProcess node, String name) {
    try {
      String url = node.baseUrl().replaceFirst(":(\\d+)$", "") + ":" + (port(node) + 1000);
      String body =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/metrics"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      double sum = 0;
      Matcher m = SAMPLE.matcher(body);
      while (m.find()) {
        if (m.group(1).equals(name)) {
          sum += Double.parseDouble(m.group(2));
        }
      }
      return sum;
    } catch (Exception e) {
      return -1;
    }
  }

  private static int port(KeycloakProcess node) {
    return Integer.parseInt(node.baseUrl().substring(node.baseUrl().lastIndexOf(':') + 1));
  }

  /** Lines written since {@code offset} that contain both {@code level} and {@code text}. */
  private static int countSince(KeycloakProcess node, int offset, String level, String text)
      throws Exception {
    String log = node.log();
    return (int)
        log.substring(Math.min(offset, log.length()))
            .lines()
            .filter(line -> line.contains(" " + level + " ") && line.contains(text))
            .count();
  }

  private static long sql(String query) {
    try {
      return postgres.count(query);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Invariant 4 (at least once after commit) through a crash: 100 alerts in the outbox, a receiver
   * that takes 150 ms per alert, and the node that is delivering killed with {@code kill -9}. The
   * other node delivers every alert once the dead node's claim runs out; a duplicate is the same
   * request again (same id, same bytes), never a different one.
   */
  @Test
  @Order(2)
  void aNodeKilledMidDeliveryLosesNoAlert() throws Exception {
    int alerts = scaled(100, 20);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < alerts; i++) {
      ids.add(UUID.randomUUID().toString());
    }
    try (FaultWebhook slow = FaultWebhook.start(Duration.ofMillis(150))) {
      setWebhook(slow.url());
      int logA = nodeA.log().length();
      int logB = nodeB.log().length();
      // Seeded as copies of a delivered alert (its payload carries its id: each copy its own), all
      // due at once, as after a burst of activations.
      postgres.sql(
          "insert into bg_alert (id, realm_id, channel, target, event_type, audit_seq, grant_id,"
              + " payload, status, attempts, created_at, next_attempt_at)"
              + " select n.id, a.realm_id, a.channel, a.target, a.event_type, a.audit_seq,"
              + " a.grant_id, replace(a.payload, a.id, n.id), 'PENDING', 0, t.now, t.now"
              + " from (select * from bg_alert where channel = 'webhook' and status = 'DELIVERED'"
              + " limit 1) a, unnest(array["
              + sqlList(ids)
              + "]) as n(id), (select (extract(epoch from clock_timestamp()) * 1000)::bigint as"
              + " now) t");
      assertEquals(alerts, sql("select count(*) from bg_alert where id in (" + sqlList(ids) + ")"));

      // Both nodes deliver; kill the one that has delivered more, a quarter of the way in.
      Poll.until(
          "a quarter of the alerts delivered",
          Duration.ofSeconds(60),
          () -> slow.received().size(),
          n -> n >= alerts / 4);
      int byA = countSince(nodeA, logA, "delivered by webhook");
      int byB = countSince(nodeB, logB, "delivered by webhook");
      KeycloakProcess victim = byA >= byB ? nodeA : nodeB;
      KeycloakProcess survivor = victim == nodeA ? nodeB : nodeA;
      assertTrue(Math.max(byA, byB) > 0, "the killed node was delivering: " + byA + "/" + byB);
      int inFlightAtKill = slow.received().size();
      long killedAt = System.nanoTime();
      victim.kill();
      figure(
          "mid-delivery",
          "killed the node that had delivered "
              + Math.max(byA, byB)
              + " (other "
              + Math.min(byA, byB)
              + "), receiver had "
              + inFlightAtKill
              + " requests");

      String seeded = "id in (" + sqlList(ids) + ")";
      // While the dead node's claim holds its alert back, the backlog shows on the survivor's
      // metrics, and once that alert has waited past the limit, the operator hears of it once.
      double backlogSeen =
          Poll.until(
              "the backlog on the survivor's metrics",
              Duration.ofSeconds(60),
              () -> metric(survivor, "breakglass_alerts_backlog"),
              backlog -> backlog >= 1);
      Poll.until(
          "every alert delivered by the surviving node (a dead claim lapses after 60 s)",
          Duration.ofSeconds(150),
          () -> sql("select count(*) from bg_alert where status = 'DELIVERED' and " + seeded),
          n -> n == alerts);
      double recovered = (System.nanoTime() - killedAt) / 1e9;
      List<WebhookReceiver.Delivery> lagReports =
          Poll.until(
              "the delivery-lag report on the operator webhook",
              Duration.ofSeconds(30),
              () ->
                  operatorHook.deliveries().stream()
                      .filter(
                          d -> "BREAK_GLASS_DELIVERY_LAG".equals(d.header("X-BreakGlass-Event")))
                      .toList(),
              reports -> !reports.isEmpty());
      // Once per episode across the cluster: the episode lasted about 40 s of looks every second.
      assertEquals(1, lagReports.size(), "one lag report: " + lagReports);
      JsonNode lagReport = lagReports.get(0).json();
      assertTrue(
          lagReport.get("oldestAgeSeconds").asLong() >= LAG_LIMIT_SECONDS, lagReport.toString());
      // One warning line (the alert logger) across the cluster; the audit logger has the JSON.
      int warnings =
          countSince(nodeA, logA, "WARN", "Break-glass alerts are late")
              + countSince(nodeB, logB, "WARN", "Break-glass alerts are late");
      assertEquals(1, warnings, "one warning line across the cluster");
      figure(
          "mid-delivery",
          "backlog gauge on the survivor "
              + (long) backlogSeen
              + " during the outage; 1 delivery-lag"
              + " report (oldest waited "
              + lagReport.get("oldestAgeSeconds").asLong()
              + " s, limit "
              + LAG_LIMIT_SECONDS
              + " s)");

      // The outbox: all delivered, none failed or pending. The receiver: every id, and for an id
      // received twice, the same bytes both times.
      assertEquals(
          0, sql("select count(*) from bg_alert where status <> 'DELIVERED' and " + seeded));
      Map<String, List<WebhookReceiver.Delivery>> byId =
          slow.received().stream()
              .filter(d -> ids.contains(d.header("X-BreakGlass-Id")))
              .collect(Collectors.groupingBy(d -> d.header("X-BreakGlass-Id")));
      assertEquals(Set.copyOf(ids), byId.keySet(), "0 lost");
      int duplicates = 0;
      for (var entry : byId.entrySet()) {
        List<WebhookReceiver.Delivery> copies = entry.getValue();
        assertEquals(entry.getKey(), copies.get(0).json().get("id").asText(), "the body's own id");
        for (WebhookReceiver.Delivery copy : copies) {
          assertEquals(copies.get(0).body(), copy.body(), "a duplicate is byte-identical");
          assertEquals(
              copies.get(0).header("X-BreakGlass-Signature"),
              copy.header("X-BreakGlass-Signature"));
        }
        duplicates += copies.size() - 1;
      }
      // Only the alerts in flight at the kill can come twice (one per dispatcher thread).
      assertTrue(duplicates <= 1, duplicates + " duplicates");
      figure(
          "mid-delivery",
          alerts
              + " alerts, 0 lost, "
              + duplicates
              + " duplicate(s), all delivered "
              + String.format("%.1f", recovered)
              + " s after the kill");
      // Back to two nodes for the next case: only the killed node restarts.
      long restart = System.nanoTime();
      victim.start();
      figure(
          "mid-delivery",
          "killed node back in "
              + String.format("%.1f", (System.nanoTime() - restart) / 1e9)
              + " s");
    } finally {
      setWebhook(receiver.url());
    }
  }

  /**
   * Invariant 5 (once per interval across the cluster) through a crash: 1,000 grants due at once,
   * the node sweeping them killed part-way; the other node takes the next interval's sweep and ends
   * the rest. Each grant ends exactly once (one EXPIRED record), none is left ACTIVE, the chain
   * verifies, and the users' sessions are gone.
   */
  @Test
  @Order(3)
  void aNodeKilledMidSweepEndsEachGrantOnce() throws Exception {
    int grants = scaled(1000, 60);
    // 1,000 expiry alerts would only measure the webhook here.
    for (KeycloakProcess node : List.of(nodeA, nodeB)) {
      if (!node.running()) {
        node.start(); // the previous case failed before restarting the node it killed
      }
    }
    setWebhook(null);
    AdminApi apiB = api(nodeB);
    JsonNode responders = apiB.get(BASE + "grants?status=ENDED").json();
    // Sessions to be ended: each responder signs in (password and one-time code).
    int sessionsBefore = 0;
    for (String user : RESPONDERS) {
      DemoRealm.signIn(
          new Browser(DemoRealm.REDIRECT),
          new Oidc(nodeA.baseUrl(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT),
          user);
    }
    for (JsonNode grant : responders) {
      sessionsBefore +=
          apiB.get(DemoRealm.REALM + "/users/" + grant.get("userId").asText() + "/sessions")
              .json()
              .size();
    }
    int logA = nodeA.log().length();
    int logB = nodeB.log().length();
    // Copies of the responders' ended grants, active again and all due in 2 s by the database's
    // clock (the sweeper's), marked by their ticket.
    postgres.sql(
        "create temp table seed as select g.* from bg_grant g, generate_series(1, "
            + (grants + RESPONDERS.size() - 1) / RESPONDERS.size()
            + ") where g.status = 'ENDED' and g.end_reason = 'EXPIRED';"
            + " update seed set id = gen_random_uuid()::text, status = 'ACTIVE',"
            + " ticket = 'FAULT-SWEEP', ended_at = null, end_reason = null, ended_by = null,"
            + " roles_removed_at = null, closed_at = null,"
            + " expires_at = (extract(epoch from clock_timestamp()) * 1000)::bigint + 2000;"
            + " delete from seed where id not in (select id from seed limit "
            + grants
            + ");"
            + " insert into bg_grant select * from seed;");
    String seeded = "ticket = 'FAULT-SWEEP'";
    assertEquals(grants, sql("select count(*) from bg_grant where " + seeded));

    // Killed early in the sweep: a fast sweeper may end a thousand grants in a few seconds.
    Poll.until(
        "the sweep under way",
        Duration.ofSeconds(120),
        () -> sql("select count(*) from bg_grant where status = 'ENDED' and " + seeded),
        n -> n >= Math.min(20, grants / 10));
    // The sweeping node is the one whose audit logger writes the EXPIRED records (both nodes'
    // dispatchers deliver the operator's copies, so alert lines do not tell).
    int byA = countSince(nodeA, logA, "\"type\":\"BREAK_GLASS_EXPIRED\"");
    int byB = countSince(nodeB, logB, "\"type\":\"BREAK_GLASS_EXPIRED\"");
    KeycloakProcess victim = byA >= byB ? nodeA : nodeB;
    KeycloakProcess survivor = victim == nodeA ? nodeB : nodeA;
    long endedAtKill = sql("select count(*) from bg_grant where status = 'ENDED' and " + seeded);
    long killedAt = System.nanoTime();
    victim.kill();
    long endedAfterKill = sql("select count(*) from bg_grant where status = 'ENDED' and " + seeded);
    assertTrue(endedAfterKill < grants, "killed mid-sweep: " + endedAfterKill + " of " + grants);

    // The survivor's next interval (500 ms) takes over; failure detection of the dead member takes
    // about 2 s of it.
    Poll.until(
        "the surviving node to resume the sweep",
        Duration.ofSeconds(15),
        () -> sql("select count(*) from bg_grant where status = 'ENDED' and " + seeded),
        n -> n > endedAfterKill);
    double resumed = (System.nanoTime() - killedAt) / 1e9;
    Poll.until(
        "every grant ended",
        Duration.ofSeconds(180),
        () -> sql("select count(*) from bg_grant where status = 'ACTIVE' and " + seeded),
        n -> n == 0);
    double finished = (System.nanoTime() - killedAt) / 1e9;

    // Exactly once: every grant EXPIRED, with exactly one EXPIRED record, and no record without
    // its grant's end (nothing half-written by the killed node).
    assertEquals(
        grants, sql("select count(*) from bg_grant where end_reason = 'EXPIRED' and " + seeded));
    assertEquals(
        grants,
        sql(
            "select count(*) from bg_audit a join bg_grant g on g.id = a.grant_id"
                + " where a.type = 'BREAK_GLASS_EXPIRED' and g."
                + seeded));
    assertEquals(
        0,
        sql(
            "select count(*) from (select a.grant_id from bg_audit a join bg_grant g on g.id ="
                + " a.grant_id where a.type = 'BREAK_GLASS_EXPIRED' and g."
                + seeded
                + " group by a.grant_id having count(*) <> 1) twice"));
    AdminApi api = api(survivor);
    JsonNode chain = api.get(BASE + "audit/verify").json();
    assertTrue(chain.get("valid").asBoolean(), chain.toString());
    for (JsonNode grant : responders) {
      JsonNode sessions =
          api.get(DemoRealm.REALM + "/users/" + grant.get("userId").asText() + "/sessions").json();
      assertEquals(0, sessions.size(), "sessions ended: " + sessions);
    }
    figure(
        "mid-sweep",
        grants
            + " grants; killed the sweeping node ("
            + Math.max(byA, byB)
            + " records by it, "
            + endedAtKill
            + " ended) ; survivor resumed after "
            + String.format("%.1f", resumed)
            + " s, all ended "
            + String.format("%.1f", finished)
            + " s after the kill; 0 ended"
            + " twice, 0 left; sessions "
            + sessionsBefore
            + " before, 0 after");
  }
}
