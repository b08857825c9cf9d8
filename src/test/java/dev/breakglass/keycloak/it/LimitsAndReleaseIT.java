package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.EventRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * Limits (cooldown, concurrency, frequency alert; drills) and early release through the user API
 * ({@code GET me}, {@code POST me/release}), through the real login pages and real tokens.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class LimitsAndReleaseIT {

  private static final String SECRET = "it-webhook-secret-0123456789";

  private static WebhookReceiver receiver;

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  @BeforeAll
  static void startReceiver() throws IOException {
    receiver = WebhookReceiver.start();
  }

  @AfterAll
  static void stopReceiver() {
    receiver.close();
  }

  @AfterEach
  void reset() {
    TestReset.afterEach(breakGlass);
  }

  private Oidc opsConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private Oidc accountConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, "account-console", accountRedirect());
  }

  private String accountRedirect() {
    return urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/";
  }

  private void policy(Map<String, String> changes) {
    breakGlass.policy().set(changes);
  }

  private void policyWithWebhook(String key, String value) {
    policy(Map.of(key, value, "webhookUrl", receiver.url(), "webhookSecret", SECRET));
  }

  // --- the user API, called as a user's own client would --------------------------------------

  private AdminApi.Result userApi(String method, String path, String bearer) {
    UserApi api = new UserApi(urls.getBase(), DemoRealm.REALM, bearer);
    return method.equals("POST") ? api.post(path) : api.get(path);
  }

  private static String access(JsonNode tokens) {
    assertEquals(200, tokens.get("_status").asInt(), tokens.toString());
    return tokens.get("access_token").asText();
  }

  /** An ordinary login (the account console: the realm's browser flow), no emergency access. */
  private String ordinaryToken(String user) {
    Oidc account = accountConsole();
    Browser browser = new Browser(accountRedirect());
    Browser.Page back = DemoRealm.signIn(browser, account, user);
    assertTrue(back.isRedirectToApp(accountRedirect()), back.status() + " " + back.body());
    return access(account.exchange(Oidc.code(back)));
  }

  /** The holder's attestation of an ended grant, given on the page at the next login. */
  private void attestOnThePage(String user, String grantId) {
    Browser browser = new Browser(accountRedirect());
    AttestationPage page =
        AttestationPage.http(browser, DemoRealm.signIn(browser, accountConsole(), user));
    assertTrue(page.isShown(), "the attestation is asked: " + page.page().body());
    Browser.Page done = page.submit(AttestationPage.answers(grantId, "yes", "yes", "yes", ""));
    assertTrue(done.isRedirectToApp(accountRedirect()), done.status() + " " + done.body());
  }

  /** Signs in on the break-glass flow and submits a valid activation; returns the next page. */
  private Browser.Page tryToActivate(String user) {
    Browser browser = new Browser(DemoRealm.REDIRECT);
    ActivationPage.Http form =
        ActivationPage.http(browser, DemoRealm.signIn(browser, opsConsole(), user));
    assertTrue(form.isShown(), "activation form: " + form.page().body());
    return form.submit(DemoRealm.validActivation());
  }

  private String release(String bearer) {
    AdminApi.Result released = userApi("POST", "me/release", bearer);
    assertEquals(200, released.status(), released.body());
    return released.json().get("id").asText();
  }

  private List<JsonNode> limitRecords(String user) {
    return breakGlass.auditOfType("BREAK_GLASS_LIMIT").stream()
        .filter(r -> user.equals(r.path("username").asText()))
        .toList();
  }

  private List<JsonNode> alerts(String type, String user) {
    return receiver.deliveries().stream()
        .map(WebhookReceiver.Delivery::json)
        .filter(b -> type.equals(b.path("type").asText()))
        .filter(b -> user.equals(b.path("username").asText()))
        .toList();
  }

  private List<EventRepresentation> limitEvents(String userId) {
    return realm
        .admin()
        .getEvents(List.of("CUSTOM_REQUIRED_ACTION_ERROR"), null, userId, null, null, null, 0, 100)
        .stream()
        .filter(e -> e.getError() != null && e.getError().startsWith("break_glass_limit_"))
        .toList();
  }

  // --- limits ------------------------------------------------------------------------------------

  @Test
  void aSecondActivationWithinTheCooldownIsRefusedWithTheTimeToTryAgain() {
    policy(Map.of("cooldownMinutes", "60"));
    String userId = DemoRealm.createResponder(realm.admin(), "cool-1");
    String first = release(access(DemoRealm.activate(opsConsole(), "cool-1", 15)));
    attestOnThePage("cool-1", first);
    Instant activatedAt = Instant.parse(breakGlass.grant(first).get("activatedAt").asText());

    Browser.Page refused = tryToActivate("cool-1");
    assertEquals(429, refused.status(), refused.body());
    var limit = refused.doc().getElementById("bg-limit");
    assertTrue(limit != null, "the limit page: " + refused.body());
    assertEquals("cooldown", limit.attr("data-kind"));
    Instant retryAt = Instant.parse(limit.attr("data-retry-at"));
    assertEquals(activatedAt.plus(Duration.ofMinutes(60)), retryAt, "60 minutes after the last");
    String text = refused.doc().text();
    assertTrue(text.contains("every 60 minutes"), text);
    assertTrue(text.contains("You can try again at "), text);
    assertTrue(text.contains("(UTC)"), text);
    assertTrue(text.contains("realm administrator"), "says who can help: " + text);
    assertFalse(text.toLowerCase().contains("exception"), text);

    JsonNode grants = breakGlass.grants("cool-1");
    assertEquals(1, grants.size(), "no second grant: " + grants);
    assertTrue(breakGlass.activeGrants("cool-1").isEmpty());
    List<JsonNode> records = limitRecords("cool-1");
    assertEquals(1, records.size(), records.toString());
    JsonNode details = records.get(0).get("details");
    assertEquals("cooldown", details.get("kind").asText());
    assertEquals(60, details.get("limit").asInt());
    assertEquals(retryAt.toString(), details.get("retryAt").asText());
    assertTrue(details.get("refused").asBoolean());
    JsonNode noGrant = records.get(0).path("grantId");
    assertTrue(noGrant.isNull() || noGrant.isMissingNode(), "no grant was made: " + noGrant);

    List<EventRepresentation> events = limitEvents(userId);
    assertEquals(1, events.size(), "one Keycloak error event: " + events);
    assertEquals("break_glass_limit_cooldown", events.get(0).getError());

    // With the cooldown off again the same responder activates: the limit was the only obstacle.
    breakGlass.policy().restore();
    assertTrue(tryToActivate("cool-1").isRedirectToApp(DemoRealm.REDIRECT), "activates without it");
  }

  @Test
  void maxActiveGrantsRefusesASecondResponderUntilAGrantEnds() {
    policy(Map.of("maxActiveGrants", "1"));
    DemoRealm.createResponder(realm.admin(), "conc-1");
    String secondId = DemoRealm.createResponder(realm.admin(), "conc-2");
    DemoRealm.activate(opsConsole(), "conc-1", 15);
    JsonNode holding = breakGlass.activeGrants("conc-1").get(0);

    Browser.Page refused = tryToActivate("conc-2");
    assertEquals(409, refused.status(), refused.body());
    var limit = refused.doc().getElementById("bg-limit");
    assertTrue(limit != null, "the limit page: " + refused.body());
    assertEquals("concurrency", limit.attr("data-kind"));
    // Nothing is pending, so the place frees at the latest when conc-1's grant expires.
    assertEquals(holding.get("expiresAt").asText(), limit.attr("data-retry-at"));
    String text = refused.doc().text();
    assertTrue(text.contains("already has 1 active or pending"), text);
    assertTrue(text.contains("revoke a grant"), text);

    assertEquals(0, breakGlass.grants("conc-2").size(), "no grant for conc-2");
    List<JsonNode> records = limitRecords("conc-2");
    assertEquals(1, records.size(), records.toString());
    assertEquals("concurrency", records.get(0).get("details").get("kind").asText());
    assertEquals(1, records.get(0).get("details").get("active").asInt());
    assertEquals(
        "break_glass_limit_concurrency", limitEvents(secondId).get(0).getError(), "event error");

    // The first grant ends: the place is free again.
    assertEquals(200, breakGlass.revoke(holding.get("id").asText(), "incident over").status());
    assertTrue(tryToActivate("conc-2").isRedirectToApp(DemoRealm.REDIRECT));
    assertEquals(1, breakGlass.activeGrants("conc-2").size());
  }

  @Test
  void twoRespondersRacingForTheLastPlaceGetOneGrant() throws Exception {
    policy(Map.of("maxActiveGrants", "1"));
    List<String> users = List.of("race-1", "race-2");
    List<ActivationPage.Http> forms = new ArrayList<>();
    for (String user : users) {
      DemoRealm.createResponder(realm.admin(), user);
      Browser browser = new Browser(DemoRealm.REDIRECT);
      ActivationPage.Http form =
          ActivationPage.http(browser, DemoRealm.signIn(browser, opsConsole(), user));
      assertTrue(form.isShown(), form.page().body());
      forms.add(form);
    }
    // Both forms are posted at the same moment; the chain lock lets only one through.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Browser.Page>> posted = new ArrayList<>();
      for (ActivationPage.Http form : forms) {
        posted.add(
            pool.submit(
                () -> {
                  start.await();
                  return form.submit(DemoRealm.validActivation());
                }));
      }
      start.countDown();
      List<Integer> statuses = new ArrayList<>();
      for (Future<Browser.Page> page : posted) {
        Browser.Page back = page.get(60, TimeUnit.SECONDS);
        statuses.add(back.isRedirectToApp(DemoRealm.REDIRECT) ? 302 : back.status());
      }
      assertTrue(
          statuses.containsAll(List.of(302, 409)), "one activated, one refused: " + statuses);
    } finally {
      pool.shutdownNow();
    }
    int active = 0;
    int refused = 0;
    for (String user : users) {
      active += breakGlass.activeGrants(user).size();
      refused += limitRecords(user).size();
    }
    assertEquals(1, active, "exactly one grant");
    assertEquals(1, refused, "exactly one refusal on the record");
    assertEquals(1, breakGlass.activeGrants().size());
  }

  @Test
  void exceedingTheFrequencyAlertsButNeverBlocks() {
    policyWithWebhook("frequencyAlertPerDay", "1");
    receiver.clear();
    DemoRealm.createResponder(realm.admin(), "freq-1");
    String first = release(access(DemoRealm.activate(opsConsole(), "freq-1", 15)));
    assertTrue(limitRecords("freq-1").isEmpty(), "the first activation is within the number");
    attestOnThePage("freq-1", first);

    DemoRealm.activate(opsConsole(), "freq-1", 15);
    String second = breakGlass.activeGrantId("freq-1");
    List<JsonNode> records = limitRecords("freq-1");
    assertEquals(1, records.size(), records.toString());
    assertEquals(second, records.get(0).get("grantId").asText());
    JsonNode details = records.get(0).get("details");
    assertEquals("frequency", details.get("kind").asText());
    assertEquals(1, details.get("limit").asInt());
    assertEquals(2, details.get("activationsIn24h").asInt());
    assertFalse(details.get("refused").asBoolean());

    JsonNode alert =
        Poll.until(
                "the frequency alert",
                Duration.ofSeconds(30),
                () -> alerts("BREAK_GLASS_LIMIT", "freq-1"),
                list -> !list.isEmpty())
            .get(0);
    assertEquals(second, alert.get("grantId").asText());
    assertEquals("frequency", alert.get("details").get("kind").asText());
    assertTrue(alert.get("text").asText().contains("frequency limit"), alert.toString());
  }

  @Test
  void drillsNeitherStartNorWaitForTheCooldown() {
    policy(Map.of("cooldownMinutes", "60"));
    DemoRealm.createResponder(realm.admin(), "drill-l1");

    // A drill first: it starts no cooldown, so the real activation right after it goes ahead.
    scheduleDrill("drill-l1");
    String drill = release(access(DemoRealm.activate(opsConsole(), "drill-l1", 15)));
    assertTrue(breakGlass.grant(drill).get("drill").asBoolean(), "the first one is the drill");
    attestOnThePage("drill-l1", drill);
    String real = release(access(DemoRealm.activate(opsConsole(), "drill-l1", 15)));
    assertFalse(breakGlass.grant(real).get("drill").asBoolean());
    attestOnThePage("drill-l1", real);

    // Inside the cooldown of that real activation, a drill still goes ahead.
    scheduleDrill("drill-l1");
    DemoRealm.activate(opsConsole(), "drill-l1", 15);
    assertTrue(breakGlass.activeGrants("drill-l1").get(0).get("drill").asBoolean());
    assertTrue(limitRecords("drill-l1").isEmpty(), "no limit was reached");
  }

  private void scheduleDrill(String user) {
    AdminApi.Result scheduled = breakGlass.post("drills", "{\"user\":\"" + user + "\"}");
    assertEquals(201, scheduled.status(), scheduled.body());
  }

  // --- early release and GET me ------------------------------------------------------------------

  @Test
  void releaseEndsRolesAndSessionsAtOnceAndAsksForTheAttestation() {
    policy(Map.of("webhookUrl", receiver.url(), "webhookSecret", SECRET));
    receiver.clear();
    String userId = DemoRealm.createResponder(realm.admin(), "rel-1");
    Oidc oidc = opsConsole();
    JsonNode tokens = DemoRealm.activate(oidc, "rel-1", 15);
    String bearer = access(tokens);
    String grantId = breakGlass.activeGrantId("rel-1");

    JsonNode me = userApi("GET", "me", bearer).json();
    assertEquals("rel-1", me.get("user").get("username").asText());
    assertEquals(userId, me.get("user").get("id").asText());
    assertEquals(grantId, me.get("active").get("id").asText());
    assertEquals("ACTIVE", me.get("active").get("status").asText());
    assertTrue(me.get("pending").isNull(), me.toString());
    assertEquals(1, me.get("grants").size());
    assertTrue(me.get("attestationsPending").isEmpty());

    AdminApi.Result released = userApi("POST", "me/release", bearer);
    assertEquals(200, released.status(), released.body());
    assertEquals(grantId, released.json().get("id").asText());
    assertEquals("ENDED", released.json().get("status").asText());
    assertEquals("RELEASED", released.json().get("endReason").asText());

    // At once, not at the next sweep: the grant, the role, the sessions, the refresh token.
    JsonNode grant = breakGlass.grant(grantId);
    assertEquals("ENDED", grant.get("status").asText());
    assertEquals("RELEASED", grant.get("endReason").asText());
    assertEquals("rel-1", grant.get("endedBy").asText());
    List<String> roles =
        realm.admin().users().get(userId).roles().realmLevel().listAll().stream()
            .map(RoleRepresentation::getName)
            .toList();
    assertFalse(roles.contains(DemoRealm.ROLE), "role mapping removed: " + roles);
    assertTrue(realm.admin().users().get(userId).getUserSessions().isEmpty(), "sessions ended");
    JsonNode refreshed = oidc.refresh(tokens.get("refresh_token").asText());
    assertEquals(400, refreshed.get("_status").asInt(), refreshed.toString());
    assertEquals(401, userApi("GET", "me", bearer).status(), "the old token's session is gone");

    List<JsonNode> records = breakGlass.auditOf(grantId, "BREAK_GLASS_RELEASED");
    assertEquals(1, records.size(), breakGlass.auditOf(grantId).toString());
    assertEquals("RELEASED", records.get(0).get("details").get("endReason").asText());
    assertEquals("user-api", records.get(0).get("details").get("releasedVia").asText());
    assertTrue(breakGlass.auditOf(grantId, "BREAK_GLASS_REVOKED").isEmpty());
    JsonNode alert =
        Poll.until(
                "the release alert",
                Duration.ofSeconds(30),
                () -> alerts("BREAK_GLASS_RELEASED", "rel-1"),
                list -> !list.isEmpty())
            .get(0);
    assertEquals(grantId, alert.get("grantId").asText());

    // The next login asks for the attestation; afterwards GET me shows the grant as history.
    attestOnThePage("rel-1", grantId);
    JsonNode after = userApi("GET", "me", ordinaryToken("rel-1")).json();
    assertTrue(after.get("active").isNull(), after.toString());
    assertEquals(grantId, after.get("grants").get(0).get("id").asText());
    assertTrue(after.get("attestationsPending").isEmpty(), after.toString());
  }

  @Test
  void onlyTheCallersOwnGrantIsEverTouched() {
    DemoRealm.createResponder(realm.admin(), "mine-1");
    DemoRealm.createResponder(realm.admin(), "other-1");
    String holderBearer = access(DemoRealm.activate(opsConsole(), "mine-1", 15));
    String grantId = breakGlass.activeGrantId("mine-1");
    String otherBearer = ordinaryToken("other-1");

    // Someone else holds no grant: their release is a 409 and mine stays ACTIVE.
    AdminApi.Result othersRelease = userApi("POST", "me/release", otherBearer);
    assertEquals(409, othersRelease.status(), othersRelease.body());
    assertTrue(othersRelease.json().get("error").asText().contains("no active"));
    assertEquals("ACTIVE", breakGlass.grant(grantId).get("status").asText());
    JsonNode othersView = userApi("GET", "me", otherBearer).json();
    assertTrue(othersView.get("active").isNull(), othersView.toString());
    assertTrue(othersView.get("grants").isEmpty(), "none of mine: " + othersView);
    assertFalse(othersView.toString().contains(grantId));

    // No token, a garbage token, a mangled copy of mine: 401, nothing ended.
    assertEquals(401, userApi("POST", "me/release", null).status());
    assertEquals(401, userApi("GET", "me", null).status());
    assertEquals(401, userApi("POST", "me/release", "not-a-token").status());
    String[] parts = holderBearer.split("\\.");
    String forged = parts[0] + "." + parts[1] + ".AAAA" + parts[2].substring(4);
    assertEquals(401, userApi("POST", "me/release", forged).status());
    assertEquals("ACTIVE", breakGlass.grant(grantId).get("status").asText());
    assertTrue(breakGlass.auditOf(grantId, "BREAK_GLASS_RELEASED").isEmpty());

    // Mine, released by me; the same token again is refused: release ended its session.
    assertEquals(grantId, release(holderBearer));
    assertEquals(401, userApi("POST", "me/release", holderBearer).status(), "session ended");
  }

  @Test
  void releaseWithoutAGrantIsAConflictAndGetMeIsEmpty() {
    DemoRealm.createResponder(realm.admin(), "idle-1");
    String bearer = ordinaryToken("idle-1");
    JsonNode me = userApi("GET", "me", bearer).json();
    assertTrue(me.get("active").isNull());
    assertTrue(me.get("pending").isNull());
    assertTrue(me.get("grants").isEmpty());
    AdminApi.Result none = userApi("POST", "me/release", bearer);
    assertEquals(409, none.status(), none.body());
    assertTrue(none.contentType().startsWith("application/json"), none.contentType());
    assertEquals(404, userApi("GET", "me/nothing-here", bearer).status());
    // A body is not needed; whatever is sent is ignored, never a server error.
    for (String[] body :
        new String[][] {
          {"application/json", "{not json"},
          {"application/xml", "<grant id=\"x\"/>"},
          {"text/plain", "release everything"}
        }) {
      AdminApi.Result odd =
          new UserApi(urls.getBase(), DemoRealm.REALM, bearer).post("me/release", body[0], body[1]);
      assertEquals(409, odd.status(), body[0] + ": " + odd.body());
    }
    assertEquals(200, userApi("GET", "me?user=responder&first=-1", bearer).status());
  }
}
