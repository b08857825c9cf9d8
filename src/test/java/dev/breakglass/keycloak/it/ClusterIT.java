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
 * {@code kill -9} in the middle of activations, of delivering alerts and of a sweep; both realm
 * channels down through a long (compressed) outage; the database restarted under load. None loses
 * or half-writes anything, and none writes anything twice. Counts scale with {@code
 * -Dbreakglass.faults.scale} (or {@code BREAKGLASS_FAULTS_SCALE}); 1 (the default) is the issue's
 * full counts.
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
        // Retry delays 450 times shorter than the defaults (1 s doubling to 15 min): an outage
        // of hours in a minute. The claim stays at its default (30 s).
        "--spi-break-glass-alerts--default--retry-first-delay=100",
        "--spi-break-glass-alerts--default--retry-max-delay=2000",
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
    Map<String, String> keys = new HashMap<>();
    keys.put("webhookUrl", url);
    keys.put("webhookSecret", url == null ? null : "cluster-secret-0123456789");
    setPolicyKeys(keys);
  }

  /**
   * Sets these policy keys (a null value removes the key) through a node that runs: a case may have
   * killed one.
   */
  private static void setPolicyKeys(Map<String, String> keys) throws Exception {
    AdminApi api = api(nodeB.running() ? nodeB : nodeA);
    JsonNode policy = api.get(PolicyChanges.CONFIG).json();
    com.fasterxml.jackson.databind.node.ObjectNode config =
        (com.fasterxml.jackson.databind.node.ObjectNode) policy.get("config");
    keys.forEach(
        (key, value) -> {
          if (value == null) {
            config.remove(key);
          } else {
            config.put(key, value);
          }
        });
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

  // ---- Activations as users make them, for the cases that break something underneath ----------

  /**
   * What a user saw of one activation: back at the application (activated), or the page where it
   * stopped (an error page), or no answer at all ({@code error}: the connection failed).
   */
  private record Attempt(String user, boolean activated, int status, String page, String error) {

    /** What the user read: the page's error message (or heading), or why there was no page. */
    String seen() {
      if (error != null) {
        // The failed request's path, without the query's session codes.
        return "no answer (" + error.replaceAll("https?://[^/\\s]+(/[^?\\s]*)\\S*", "$1") + ")";
      }
      var doc = org.jsoup.Jsoup.parse(page);
      for (String css :
          List.of("#kc-error-message", "[id^=input-error]", ".pf-v5-c-alert__title", "h1")) {
        var element = doc.selectFirst(css);
        if (element != null && !element.text().isBlank()) {
          return status + " \"" + element.text() + "\"";
        }
      }
      String text = doc.text();
      return status + " \"" + (text.length() > 120 ? text.substring(0, 120) + "…" : text) + "\"";
    }

    /** Keycloak's error page, or a page with an error message on it. */
    boolean showsAnError() {
      var doc = org.jsoup.Jsoup.parse(page);
      return status >= 400
          || doc.selectFirst("#kc-error-message") != null
          || doc.selectFirst("[id^=input-error]") != null;
    }
  }

  /**
   * Signs in on {@code node} (password and one-time code) and submits a valid activation, step by
   * step as a browser does, stopping at the first page that is not the next expected one.
   */
  private static Attempt tryActivate(KeycloakProcess node, String user) {
    Oidc oidc = new Oidc(node.baseUrl(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
    Browser browser = new Browser(DemoRealm.REDIRECT);
    Browser.Page page = null;
    try {
      page = browser.get(oidc.authorizeUrl());
      if (page.status() != 200 || page.doc().getElementById("username") == null) {
        return new Attempt(user, false, page.status(), page.body(), null);
      }
      page =
          browser.post(
              page.formAction(), Map.of("username", List.of(user), "password", List.of(user)));
      page = DemoRealm.answerOtp(browser, page, user);
      ActivationPage.Http form = ActivationPage.http(browser, page);
      if (page.status() != 200 || !form.isShown()) {
        return new Attempt(user, false, page.status(), page.body(), null);
      }
      page = form.submit(DemoRealm.validActivation());
      return new Attempt(
          user, page.isRedirectToApp(DemoRealm.REDIRECT), page.status(), page.body(), null);
    } catch (RuntimeException | AssertionError e) {
      return new Attempt(
          user,
          false,
          page == null ? 0 : page.status(),
          page == null ? "" : page.body(),
          e.getClass().getSimpleName()
              + ": "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  private static List<String> createResponders(String prefix, int count) {
    List<String> users = new ArrayList<>();
    try (Keycloak admin =
        Keycloak.getInstance(nodeA.baseUrl(), "master", "admin", "admin", "admin-cli")) {
      for (int i = 1; i <= count; i++) {
        String user = String.format("%s-%03d", prefix, i);
        DemoRealm.createResponder(admin.realm(DemoRealm.REALM), user);
        users.add(user);
      }
    }
    return users;
  }

  /**
   * Invariant 1 (a grant exists exactly with its role mapping and its record) per user, read from
   * the database: one row per user of {@code users}, with the user's governed-role mappings, active
   * grants, all grants, ACTIVATED records of those grants, ACTIVATED records with no grant, and the
   * ACTIVATED alerts in the outbox for the webhook and the operator.
   */
  private static Map<String, long[]> activationRows(List<String> users) {
    String rows =
        sqlText(
            "select u.username,"
                + " (select count(*) from user_role_mapping m join keycloak_role r on r.id ="
                + " m.role_id where m.user_id = u.id and r.name = '"
                + DemoRealm.ROLE
                + "' and r.client_role = false),"
                + " (select count(*) from bg_grant g where g.user_id = u.id and g.status ="
                + " 'ACTIVE'),"
                + " (select count(*) from bg_grant g where g.user_id = u.id),"
                + " (select count(*) from bg_audit a join bg_grant g on g.id = a.grant_id where"
                + " g.user_id = u.id and a.type = 'BREAK_GLASS_ACTIVATED'),"
                + " (select count(*) from bg_audit a where a.user_id = u.id and a.type ="
                + " 'BREAK_GLASS_ACTIVATED' and not exists (select 1 from bg_grant g where g.id ="
                + " a.grant_id)),"
                + " (select count(*) from bg_alert al join bg_grant g on g.id = al.grant_id where"
                + " g.user_id = u.id and al.event_type = 'BREAK_GLASS_ACTIVATED' and al.channel ="
                + " 'webhook'),"
                + " (select count(*) from bg_alert al join bg_grant g on g.id = al.grant_id where"
                + " g.user_id = u.id and al.event_type = 'BREAK_GLASS_ACTIVATED' and al.channel ="
                + " 'operator')"
                + " from user_entity u join realm re on re.id = u.realm_id where re.name = '"
                + DemoRealm.REALM
                + "' and u.username in ("
                + sqlList(users)
                + ")");
    Map<String, long[]> byUser = new HashMap<>();
    for (String line : rows.lines().toList()) {
      String[] cells = line.split("\\|");
      long[] counts = new long[cells.length - 1];
      for (int i = 1; i < cells.length; i++) {
        counts[i - 1] = Long.parseLong(cells[i]);
      }
      byUser.put(cells[0], counts);
    }
    assertEquals(Set.copyOf(users), byUser.keySet(), "every user has a row");
    return byUser;
  }

  /**
   * Every user's activation is whole or absent: with a grant, its role mapping, its record and its
   * two outbox rows; without one, none of them. Returns how many users hold a grant.
   */
  private static int assertWholeOrAbsent(List<String> users, List<Attempt> attempts) {
    Map<String, long[]> rows = activationRows(users);
    int whole = 0;
    for (var entry : rows.entrySet()) {
      long[] c = entry.getValue();
      String what =
          entry.getKey()
              + ": mappings "
              + c[0]
              + ", active "
              + c[1]
              + ", grants "
              + c[2]
              + ", records "
              + c[3]
              + ", orphan records "
              + c[4]
              + ", webhook alerts "
              + c[5]
              + ", operator alerts "
              + c[6];
      assertEquals(0, c[4], "never a record without its grant: " + what);
      if (c[2] == 0) {
        assertEquals(0, c[0], "never a role mapping without a grant: " + what);
        assertEquals(0, c[3], what);
        assertEquals(0, c[5] + c[6], what);
      } else {
        assertEquals(1, c[2], "one activation, one grant: " + what);
        assertEquals(1, c[1], what);
        assertEquals(1, c[0], "the grant's role mapping: " + what);
        assertEquals(1, c[3], "never a grant without its record: " + what);
        assertEquals(1, c[5], "never a grant without its alert: " + what);
        assertEquals(1, c[6], what);
        whole++;
      }
    }
    for (Attempt attempt : attempts) {
      if (attempt.activated()) {
        assertEquals(1, rows.get(attempt.user())[2], "a user sent back to the app has a grant");
      }
    }
    return whole;
  }

  private static String sqlText(String query) {
    try {
      return postgres.sql(query);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Restarts a node a case killed, when the case failed before it did: cases stay apart. */
  private static void bothNodesUp() throws Exception {
    for (KeycloakProcess node : List.of(nodeA, nodeB)) {
      if (!node.running()) {
        node.start();
      }
    }
  }

  /** The chain verifies, asked of a node that runs. */
  private static void assertChainVerifies(KeycloakProcess node) {
    JsonNode chain = api(node).get(BASE + "audit/verify").json();
    assertTrue(chain.get("valid").asBoolean(), chain.toString());
  }

  /**
   * Invariant 1 through a crash: 50 activations through both nodes, one node killed with {@code
   * kill -9} while they run. Each activation is whole (grant, role mapping, record, alerts) or
   * absent: never a role mapping without a grant, never a grant without its record or its alert;
   * the chain verifies; every alert of a whole activation is delivered.
   */
  @Test
  @Order(2)
  void aNodeKilledMidActivationLeavesEachActivationWholeOrAbsent() throws Exception {
    int count = scaled(50, 12);
    List<String> users = createResponders("fault-act", count);
    java.util.concurrent.ConcurrentLinkedQueue<String> queue =
        new java.util.concurrent.ConcurrentLinkedQueue<>(users);
    List<Attempt> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean killed =
        new java.util.concurrent.atomic.AtomicBoolean();
    KeycloakProcess victim = nodeA;
    KeycloakProcess survivor = nodeB;
    // Three users at a time on each node; once the victim is dead, its workers go to the other node
    // (as a load balancer would send them), so every user tries once.
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < 6; w++) {
      KeycloakProcess own = w % 2 == 0 ? victim : survivor;
      Thread worker =
          new Thread(
              () -> {
                String user;
                while ((user = queue.poll()) != null) {
                  attempts.add(tryActivate(killed.get() ? survivor : own, user));
                }
              },
              "activation-" + w);
      workers.add(worker);
      worker.start();
    }
    Poll.until(
        "a third of the activations done",
        Duration.ofSeconds(120),
        () -> attempts.stream().filter(Attempt::activated).count(),
        n -> n >= count / 3);
    long doneAtKill = attempts.stream().filter(Attempt::activated).count();
    killed.set(true);
    long killedAt = System.nanoTime();
    victim.kill();
    for (Thread worker : workers) {
      worker.join(Duration.ofSeconds(180).toMillis());
      assertFalse(worker.isAlive(), "activations finished");
    }
    double finished = (System.nanoTime() - killedAt) / 1e9;
    assertEquals(count, attempts.size(), "every user tried once");
    long activated = attempts.stream().filter(Attempt::activated).count();
    List<Attempt> cut = attempts.stream().filter(a -> !a.activated()).toList();
    // The kill must have cut activations in flight on the victim, or the case proved nothing.
    assertFalse(cut.isEmpty(), "killed mid-activation: none was cut");

    int whole = assertWholeOrAbsent(users, attempts);
    assertTrue(whole >= activated, whole + " grants for " + activated + " users back at the app");
    assertChainVerifies(survivor);
    // Every whole activation's alerts reach the receiver, the dead node's claims included.
    String grantsOfUsers =
        "grant_id in (select g.id from bg_grant g join user_entity u on u.id = g.user_id where"
            + " u.username in ("
            + sqlList(users)
            + "))";
    Poll.until(
        "every activation alert delivered",
        Duration.ofSeconds(120),
        () ->
            sql(
                "select count(*) from bg_alert where event_type = 'BREAK_GLASS_ACTIVATED' and"
                    + " status <> 'DELIVERED' and "
                    + grantsOfUsers),
        n -> n == 0);
    double delivered = (System.nanoTime() - killedAt) / 1e9;
    figure(
        "mid-activation",
        count
            + " activations on two nodes, killed one after "
            + doneAtKill
            + "; "
            + activated
            + " users back at the app, "
            + whole
            + " whole grants, "
            + (count - whole)
            + " absent, 0 half-written; the cut users saw: "
            + cut.stream().map(Attempt::seen).distinct().limit(3).toList()
            + "; all done "
            + String.format("%.1f", finished)
            + " s and all alerts delivered "
            + String.format("%.1f", delivered)
            + " s after the kill");
    for (Attempt attempt : cut) {
      // A cut activation can be tried again on the surviving node, and then it is whole.
      if (activationRows(List.of(attempt.user())).get(attempt.user())[2] == 0) {
        Attempt again = tryActivate(survivor, attempt.user());
        assertTrue(again.activated(), attempt.user() + " again: " + again.seen());
        break;
      }
    }
    long restart = System.nanoTime();
    victim.start();
    figure(
        "mid-activation",
        "killed node back in " + String.format("%.1f", (System.nanoTime() - restart) / 1e9) + " s");
  }

  /**
   * Invariant 4 (at least once after commit) through a crash: 100 alerts in the outbox, a receiver
   * that takes 150 ms per alert, and the node that is delivering killed with {@code kill -9}. The
   * other node delivers every alert once the dead node's claim runs out; a duplicate is the same
   * request again (same id, same bytes), never a different one.
   */
  @Test
  @Order(3)
  void aNodeKilledMidDeliveryLosesNoAlert() throws Exception {
    bothNodesUp();
    int alerts = scaled(100, 20);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < alerts; i++) {
      ids.add(UUID.randomUUID().toString());
    }
    try (FaultWebhook slow = FaultWebhook.start(Duration.ofMillis(150))) {
      setWebhook(slow.url());
      int logA = nodeA.log().length();
      int logB = nodeB.log().length();
      int lagBefore = lagReports().size();
      seedAlerts(ids, "webhook", null);

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
          "every alert delivered by the surviving node (a dead claim lapses after 30 s)",
          Duration.ofSeconds(150),
          () -> sql("select count(*) from bg_alert where status = 'DELIVERED' and " + seeded),
          n -> n == alerts);
      double recovered = (System.nanoTime() - killedAt) / 1e9;
      // The dead node's claim holds back the alert it was sending: once that has waited past the
      // limit, the operator hears of it once across the cluster. (When the kill fell between two
      // alerts, nothing waits that long, and nothing is reported.)
      long longestWait =
          sql("select max(delivered_at - created_at) from bg_alert where " + seeded) / 1000;
      int lagReports = 0;
      if (longestWait > LAG_LIMIT_SECONDS + 2) {
        List<WebhookReceiver.Delivery> reports =
            Poll.until(
                "the delivery-lag report on the operator webhook",
                Duration.ofSeconds(30),
                () -> lagReports().subList(lagBefore, lagReports().size()),
                r -> !r.isEmpty());
        assertEquals(1, reports.size(), "one lag report: " + reports);
        JsonNode lagReport = reports.get(0).json();
        assertTrue(
            lagReport.get("oldestAgeSeconds").asLong() >= LAG_LIMIT_SECONDS, lagReport.toString());
        // One warning line (the alert logger) across the cluster; the audit logger has the JSON.
        int warnings =
            countSince(nodeA, logA, "WARN", "Break-glass alerts are late")
                + countSince(nodeB, logB, "WARN", "Break-glass alerts are late");
        assertEquals(1, warnings, "one warning line across the cluster");
        lagReports = reports.size();
      } else if (longestWait < LAG_LIMIT_SECONDS) {
        assertEquals(lagBefore, lagReports().size(), "no lag report for a short wait");
      }
      figure(
          "mid-delivery",
          "backlog gauge on the survivor "
              + (long) backlogSeen
              + " during the outage; longest wait "
              + longestWait
              + " s; "
              + lagReports
              + " delivery-lag report(s) (limit "
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
      bothNodesUp();
      setWebhook(receiver.url());
    }
  }

  /**
   * Invariant 4 through a long outage of both realm channels: the webhook refusing connections and
   * the SMTP server down for 30 s, with retry delays compressed 450 times (100 ms doubling to 2 s
   * instead of 1 s to 15 min, so the outage stands for about 4 hours). Nothing is lost or given up;
   * the backoff reaches its cap; the backlog shows in the metrics; the delivery-lag alert reaches
   * the log and the operator once; once the channels return, every alert is delivered once.
   */
  @Test
  @Order(4)
  void channelsDownForALongOutageLoseNoAlert() throws Exception {
    bothNodesUp();
    int perChannel = scaled(50, 10);
    int hookPort;
    int smtpPort;
    try (WebhookReceiver probe = WebhookReceiver.start();
        SmtpSink smtpProbe = SmtpSink.start()) {
      hookPort = java.net.URI.create(probe.url()).getPort();
      smtpPort = smtpProbe.port();
    }
    // Both ports now refuse connections: the channels are down.
    try (Keycloak admin =
        Keycloak.getInstance(nodeB.baseUrl(), "master", "admin", "admin", "admin-cli")) {
      var realm = admin.realm(DemoRealm.REALM);
      var representation = realm.toRepresentation();
      representation.setSmtpServer(
          Map.of(
              "host", "127.0.0.1", "port", Integer.toString(smtpPort), "from", "bg@example.org"));
      realm.update(representation);
    }
    String hookUrl = "http://127.0.0.1:" + hookPort + "/hook";
    setWebhook(hookUrl);
    setAlertEmails("soc@example.org");
    int operatorBefore = lagReports().size();
    int logA = nodeA.log().length();
    int logB = nodeB.log().length();
    List<String> hookIds = new ArrayList<>();
    List<String> mailIds = new ArrayList<>();
    for (int i = 0; i < perChannel; i++) {
      hookIds.add(UUID.randomUUID().toString());
      mailIds.add(UUID.randomUUID().toString());
    }
    seedAlerts(hookIds, "webhook", null);
    seedAlerts(mailIds, "email", "soc@example.org");
    List<String> all = new ArrayList<>(hookIds);
    all.addAll(mailIds);
    String seeded = "id in (" + sqlList(all) + ")";
    long outageStart = System.nanoTime();

    double backlogSeen =
        Poll.until(
            "the backlog on the metrics",
            Duration.ofSeconds(20),
            () ->
                Math.max(
                    metric(nodeA, "breakglass_alerts_backlog"),
                    metric(nodeB, "breakglass_alerts_backlog")),
            backlog -> backlog >= all.size());
    List<WebhookReceiver.Delivery> reports =
        Poll.until(
            "the delivery-lag report on the operator webhook",
            Duration.ofSeconds(40),
            ClusterIT::lagReports,
            r -> r.size() > operatorBefore);
    // The outage runs on for 30 s in all; the alerts keep being tried, further and further apart.
    Poll.until(
        "30 s of outage",
        Duration.ofSeconds(40),
        System::nanoTime,
        now -> now - outageStart >= 30_000_000_000L);
    long maxAttempts = sql("select max(attempts) from bg_alert where " + seeded);
    long minAttempts = sql("select min(attempts) from bg_alert where " + seeded);
    assertEquals(0, sql("select count(*) from bg_alert where status <> 'PENDING' and " + seeded));
    assertTrue(
        sqlText(
                "select last_error from bg_alert where channel = 'webhook' and "
                    + seeded
                    + " limit 1")
            .contains("unreachable"),
        "the webhook refused");
    // 100 ms doubling reaches the 2 s cap at the sixth attempt; 30 s at the cap is about 15 more.
    // Far more would be hammering the channel, far fewer would be no retrying.
    assertTrue(
        minAttempts >= 6 && maxAttempts <= 40, "attempts " + minAttempts + ".." + maxAttempts);

    // The channels come back where the policy and the realm expect them.
    long back = System.nanoTime();
    try (WebhookReceiver hook = WebhookReceiver.startOn(hookPort);
        SmtpSink smtp = SmtpSink.startOn(smtpPort)) {
      Poll.until(
          "every alert delivered",
          Duration.ofSeconds(60),
          () -> sql("select count(*) from bg_alert where status = 'DELIVERED' and " + seeded),
          n -> n == all.size());
      double recovered = (System.nanoTime() - back) / 1e9;
      Map<String, Long> hookById =
          hook.deliveries().stream()
              .map(d -> d.header("X-BreakGlass-Id"))
              .filter(hookIds::contains)
              .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
      assertEquals(Set.copyOf(hookIds), hookById.keySet(), "0 lost on the webhook");
      hookById.values().forEach(n -> assertEquals(1L, n, "each alert once: " + hookById));
      // Each mail names its alert ("Alert id"); other alerts of the realm may mail meanwhile.
      Map<String, Long> mailById =
          Poll.until(
              "every mail in the sink",
              Duration.ofSeconds(10),
              () ->
                  smtp.mails().stream()
                      .flatMap(
                          m ->
                              mailIds.stream()
                                  .filter(id -> m.data().replace("=\r\n", "").contains(id)))
                      .collect(Collectors.groupingBy(id -> id, Collectors.counting())),
              byId -> byId.size() == perChannel);
      mailById.values().forEach(n -> assertEquals(1L, n, "each mail once: " + mailById));
      smtp.mails().forEach(m -> assertEquals(List.of("soc@example.org"), m.recipients()));
      assertEquals(1, lagReports().size() - operatorBefore, "one lag report for the episode");
      int warnings =
          countSince(nodeA, logA, "WARN", "Break-glass alerts are late")
              + countSince(nodeB, logB, "WARN", "Break-glass alerts are late");
      assertEquals(1, warnings, "one warning line across the cluster");
      JsonNode report = reports.get(reports.size() - 1).json();
      figure(
          "channels-down",
          perChannel
              + " webhook + "
              + perChannel
              + " e-mail alerts through a 30 s outage of both (retry delays 100 ms..2 s, 450 times"
              + " compressed): 0 lost, 0 given up, 0 twice; "
              + minAttempts
              + ".."
              + maxAttempts
              + " attempts each; backlog gauge "
              + (long) backlogSeen
              + "; 1 delivery-lag report (oldest waited "
              + report.get("oldestAgeSeconds").asLong()
              + " s, limit "
              + LAG_LIMIT_SECONDS
              + " s); all delivered "
              + String.format("%.1f", recovered)
              + " s after the channels returned");
    } finally {
      setAlertEmails(null);
      setWebhook(receiver.url());
    }
  }

  private static List<WebhookReceiver.Delivery> lagReports() {
    return operatorHook.deliveries().stream()
        .filter(d -> "BREAK_GLASS_DELIVERY_LAG".equals(d.header("X-BreakGlass-Event")))
        .toList();
  }

  /**
   * Puts alerts in the outbox as copies of a delivered webhook alert, each with its own id (its
   * payload carries it), all due now, as after a burst of activations.
   */
  private static void seedAlerts(List<String> ids, String channel, String target) {
    sqlText(
        "insert into bg_alert (id, realm_id, channel, target, event_type, audit_seq, grant_id,"
            + " payload, status, attempts, created_at, next_attempt_at)"
            + " select n.id, a.realm_id, '"
            + channel
            + "', "
            + (target == null ? "null" : "'" + target + "'")
            + ", a.event_type, a.audit_seq,"
            + " a.grant_id, replace(a.payload, a.id, n.id), 'PENDING', 0, t.now, t.now"
            + " from (select * from bg_alert where channel = 'webhook' and status = 'DELIVERED'"
            + " limit 1) a, unnest(array["
            + sqlList(ids)
            + "]) as n(id), (select (extract(epoch from clock_timestamp()) * 1000)::bigint as"
            + " now) t");
    assertEquals(
        ids.size(), sql("select count(*) from bg_alert where id in (" + sqlList(ids) + ")"));
  }

  private static void setAlertEmails(String addresses) throws Exception {
    Map<String, String> keys = new HashMap<>();
    keys.put("alertEmails", addresses);
    setPolicyKeys(keys);
  }

  /**
   * Invariants 1 and 5 through a database restart: PostgreSQL stopped for 10 s (open sessions cut)
   * while responders activate on both nodes and a sweep ends due grants. Users get an error page,
   * never a grant; nothing is half-written; within 30 s of the database's return, without anyone
   * restarting anything, activations succeed on both nodes, the sweep finishes (each grant ended
   * once) and the alerts are delivered.
   */
  @Test
  @Order(5)
  void aDatabaseRestartHalfWritesNothingAndTheProductResumes() throws Exception {
    bothNodesUp();
    int grants = scaled(200, 40);
    List<String> users = createResponders("fault-db", 10);
    String seeded = seedDueGrants(grants, "FAULT-DB", RESPONDERS);
    java.util.concurrent.atomic.AtomicLong stoppedAt = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong returnedAt =
        new java.util.concurrent.atomic.AtomicLong();
    record Timed(Attempt attempt, KeycloakProcess node, long startedAt, long endedAt) {}
    List<Timed> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
    // Responders keep trying, one at a time on alternate nodes, until each holds a grant: the ones
    // that hit the outage try again after it, as a user would.
    Thread responders =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
              java.util.ArrayDeque<String> waiting = new java.util.ArrayDeque<>(users);
              int turn = 0;
              while (!waiting.isEmpty() && System.nanoTime() < deadline) {
                String user = waiting.poll();
                KeycloakProcess node = turn++ % 2 == 0 ? nodeA : nodeB;
                long start = System.nanoTime();
                Attempt attempt = tryActivate(node, user);
                attempts.add(new Timed(attempt, node, start, System.nanoTime()));
                if (!attempt.activated() && !holdsGrant(user)) {
                  waiting.add(user);
                }
              }
            },
            "responders");
    responders.start();
    Poll.until(
        "the sweep under way and a responder activated",
        Duration.ofSeconds(60),
        () ->
            sql("select count(*) from bg_grant where status = 'ENDED' and " + seeded) >= grants / 10
                && attempts.stream().anyMatch(t -> t.attempt().activated()),
        ready -> ready);
    long endedAtStop = sql("select count(*) from bg_grant where status = 'ENDED' and " + seeded);
    stoppedAt.set(System.nanoTime());
    postgres.pause();
    try {
      Poll.until(
          "10 s without the database",
          Duration.ofSeconds(15),
          System::nanoTime,
          now -> now - stoppedAt.get() >= 10_000_000_000L);
    } finally {
      postgres.resume();
      returnedAt.set(System.nanoTime());
    }

    Poll.until(
        "the sweep finished",
        Duration.ofSeconds(60),
        () -> sql("select count(*) from bg_grant where status = 'ACTIVE' and " + seeded),
        n -> n == 0);
    double sweepBack = (System.nanoTime() - returnedAt.get()) / 1e9;
    responders.join(Duration.ofSeconds(150).toMillis());
    assertFalse(responders.isAlive(), "the responders are done");
    String alertsOfCase =
        "(grant_id in (select id from bg_grant where "
            + seeded
            + ") or grant_id in (select g.id from bg_grant g join user_entity u on u.id ="
            + " g.user_id where u.username in ("
            + sqlList(users)
            + ")))";
    Poll.until(
        "every alert of the case delivered",
        Duration.ofSeconds(60),
        () -> sql("select count(*) from bg_alert where status <> 'DELIVERED' and " + alertsOfCase),
        n -> n == 0);
    double alertsBack = (System.nanoTime() - returnedAt.get()) / 1e9;

    // What users saw while the database was away: an error page or no answer, never a grant.
    List<Timed> during =
        attempts.stream()
            .filter(t -> t.endedAt() > stoppedAt.get() && t.startedAt() < returnedAt.get())
            .toList();
    assertFalse(during.isEmpty(), "activations were tried during the outage");
    for (Timed t : during) {
      Attempt a = t.attempt();
      if (t.startedAt() > stoppedAt.get() && t.endedAt() < returnedAt.get()) {
        assertFalse(a.activated(), "no activation without a database: " + a.seen());
      }
      if (!a.activated() && a.error() == null) {
        assertTrue(a.showsAnError(), "an error page: " + a.seen());
        assertFalse(
            a.page().contains("Exception")
                || a.page().contains("SQL")
                || a.page().contains("JDBC")
                || a.page().contains("15432"),
            "no stack trace or database detail shown to the user: " + a.seen());
      }
    }
    // After it: each node activates again by itself, and every user holds one whole grant.
    double activationBack = 0;
    for (KeycloakProcess node : List.of(nodeA, nodeB)) {
      Timed first =
          attempts.stream()
              .filter(t -> t.node() == node && t.startedAt() >= returnedAt.get())
              .filter(t -> t.attempt().activated())
              .findFirst()
              .orElseThrow(() -> new AssertionError(node.baseUrl() + " never activated again"));
      activationBack = Math.max(activationBack, (first.endedAt() - returnedAt.get()) / 1e9);
    }
    assertEquals(
        users.size(), assertWholeOrAbsent(users, attempts.stream().map(Timed::attempt).toList()));
    assertEquals(
        grants, sql("select count(*) from bg_grant where end_reason = 'EXPIRED' and " + seeded));
    assertEquals(
        0,
        sql(
            "select count(*) from (select g.id from bg_grant g left join bg_audit a on a.grant_id ="
                + " g.id and a.type = 'BREAK_GLASS_EXPIRED' where g."
                + seeded
                + " group by g.id having count(a.id) <> 1) not_once"));
    assertChainVerifies(nodeA);
    assertTrue(sweepBack <= 30, "sweep resumed " + sweepBack + " s after the database");
    assertTrue(activationBack <= 30, "activations resumed " + activationBack + " s after");
    assertTrue(alertsBack <= 30, "alerts delivered " + alertsBack + " s after");
    figure(
        "database-restart",
        "stopped 10 s with "
            + endedAtStop
            + " of "
            + grants
            + " due grants ended and "
            + attempts.size()
            + " activation attempts in all; during the outage users saw "
            + during.stream()
                .filter(t -> !t.attempt().activated())
                .map(t -> t.attempt().seen())
                .distinct()
                .limit(3)
                .toList()
            + "; after the return: activations on both nodes after "
            + String.format("%.1f", activationBack)
            + " s, sweep finished after "
            + String.format("%.1f", sweepBack)
            + " s, every alert delivered after "
            + String.format("%.1f", alertsBack)
            + " s; 0 half-written, each grant ended once");
  }

  /** Whether the user holds a grant; false when the database cannot tell (it is away). */
  private static boolean holdsGrant(String user) {
    try {
      return activationRows(List.of(user)).get(user)[2] > 0;
    } catch (AssertionError e) {
      return false;
    }
  }

  /**
   * Copies of one of the three responders' ended grants, active again, spread over {@code users}
   * and all due in 2 s by the database's clock (the sweeper's), marked by their ticket; returns the
   * SQL condition that selects them.
   */
  private static String seedDueGrants(int grants, String ticket, List<String> users) {
    String names = "(array[" + sqlList(users) + "])";
    sqlText(
        "create temp table seed as select g.*, n.n from (select * from bg_grant where status ="
            + " 'ENDED' and end_reason = 'EXPIRED' and ticket not like 'FAULT-%' and username in ("
            + sqlList(RESPONDERS)
            + ") limit 1) g, generate_series(1, "
            + grants
            + ") n;"
            + " update seed set id = gen_random_uuid()::text, status = 'ACTIVE', ticket = '"
            + ticket
            + "', ended_at = null, end_reason = null, ended_by = null,"
            + " roles_removed_at = null, closed_at = null,"
            + " username = "
            + names
            + "[1 + n % "
            + users.size()
            + "],"
            + " expires_at = (extract(epoch from clock_timestamp()) * 1000)::bigint + 2000;"
            + " update seed set user_id = u.id from user_entity u join realm r on r.id ="
            + " u.realm_id where r.name = '"
            + DemoRealm.REALM
            + "' and u.username = seed.username;"
            + " alter table seed drop column n;"
            + " insert into bg_grant select * from seed;");
    String seeded = "ticket = '" + ticket + "'";
    assertEquals(grants, sql("select count(*) from bg_grant where " + seeded));
    assertEquals(users.size(), sql("select count(distinct user_id) from bg_grant where " + seeded));
    return seeded;
  }

  /**
   * Invariant 5 (once per interval across the cluster) through a crash: 1,000 grants due at once,
   * the node sweeping them killed part-way; the other node takes the next interval's sweep and ends
   * the rest. Each grant ends exactly once (one EXPIRED record), none is left ACTIVE, the chain
   * verifies, and the users' sessions are gone.
   */
  @Test
  @Order(6)
  void aNodeKilledMidSweepEndsEachGrantOnce() throws Exception {
    int grants = scaled(1000, 60);
    // 1,000 expiry alerts would only measure the webhook here.
    bothNodesUp();
    setWebhook(null);
    AdminApi apiB = api(nodeB);
    // Three users with sessions to be ended, who owe no attestation (which would stop their
    // sign-in at the attestation page).
    List<String> holders = createResponders("fault-sweep", 3);
    Set<String> responders = new java.util.TreeSet<>();
    for (String user : holders) {
      responders.add(
          apiB.get(DemoRealm.REALM + "/users?exact=true&username=" + user)
              .json()
              .get(0)
              .get("id")
              .asText());
    }
    // Sessions to be ended: each responder signs in (password and one-time code) to the console,
    // whose ordinary login makes a session (the break-glass client's stops at the activation).
    int sessionsBefore = 0;
    String console = nodeA.baseUrl() + "/realms/" + DemoRealm.REALM + "/break-glass/console";
    for (String user : holders) {
      Browser.Page back =
          DemoRealm.signIn(
              new Browser(console),
              new Oidc(nodeA.baseUrl(), DemoRealm.REALM, "break-glass-console", console),
              user);
      assertTrue(back.isRedirectToApp(console), user + " signed in: " + back.status());
    }
    for (String userId : responders) {
      sessionsBefore += apiB.get(DemoRealm.REALM + "/users/" + userId + "/sessions").json().size();
    }
    assertTrue(sessionsBefore >= holders.size(), sessionsBefore + " sessions to end");
    int logA = nodeA.log().length();
    int logB = nodeB.log().length();
    String seeded = seedDueGrants(grants, "FAULT-SWEEP", holders);

    // Killed early in the sweep: a fast sweeper may end a thousand grants in a few seconds.
    Poll.until(
        "the sweep under way",
        Duration.ofSeconds(120),
        () -> sql("select count(*) from bg_grant where status = 'ENDED' and " + seeded),
        n -> n >= Math.min(20, grants / 10));
    // The sweeping node is the one whose audit logger writes the EXPIRED records (both nodes'
    // dispatchers deliver the operator's copies, so alert lines do not tell); its log may trail
    // the database by a moment.
    String expired = "\"type\":\"BREAK_GLASS_EXPIRED\"";
    int[] byNode =
        Poll.until(
            "the sweeping node's records in its log",
            Duration.ofSeconds(10),
            () -> {
              try {
                return new int[] {
                  countSince(nodeA, logA, expired), countSince(nodeB, logB, expired)
                };
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            },
            counts -> counts[0] + counts[1] > 0);
    int byA = byNode[0];
    int byB = byNode[1];
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
    for (String userId : responders) {
      JsonNode sessions = api.get(DemoRealm.REALM + "/users/" + userId + "/sessions").json();
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
