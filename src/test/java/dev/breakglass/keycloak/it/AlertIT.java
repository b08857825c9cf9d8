package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * Every activation and use is evidenced and alerted: uses recorded on the grant, alerts signed and
 * delivered after commit, at least once, never on the login's path.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class AlertIT {

  private static final String SECRET = "it-webhook-secret-0123456789";

  private static WebhookReceiver receiver;
  private static SmtpSink smtp;

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  @BeforeAll
  static void startReceivers() throws Exception {
    receiver = WebhookReceiver.start();
    smtp = SmtpSink.start();
  }

  @AfterAll
  static void stopReceivers() throws Exception {
    receiver.close();
    smtp.close();
  }

  @AfterEach
  void cleanUp() {
    receiver.release();
    TestReset.afterEach(breakGlass);
  }

  private Oidc oidc() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private void useWebhook(String alertOnUse) {
    breakGlass
        .policy()
        .set(
            Map.of(
                "webhookUrl", receiver.url(), "webhookSecret", SECRET, "alertOnUse", alertOnUse));
  }

  private static List<JsonNode> bodiesFor(String grantId) {
    List<JsonNode> bodies = new ArrayList<>();
    for (WebhookReceiver.Delivery d : receiver.deliveries()) {
      JsonNode body = d.json();
      if (grantId.equals(body.path("grantId").asText())) {
        bodies.add(body);
      }
    }
    return bodies;
  }

  private static Set<String> typesFor(String grantId) {
    return bodiesFor(grantId).stream().map(b -> b.get("type").asText()).collect(Collectors.toSet());
  }

  private static String hmac(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void usesAreRecordedAndAlertsArriveSignedWithStableIdsAndText() throws Exception {
    useWebhook("first");
    Oidc oidc = oidc();
    JsonNode tokens = DemoRealm.activate(oidc, "responder", 15);
    String grantId = breakGlass.activeGrantId("responder");
    JsonNode refreshed = oidc.refresh(tokens.get("refresh_token").asText());
    assertEquals(200, refreshed.get("_status").asInt(), refreshed.toString());
    assertEquals(200, breakGlass.revoke(grantId, "incident resolved").status());

    // Every use is on the grant and in the audit trail; the activating login is not a use.
    JsonNode grant = breakGlass.grant(grantId);
    assertEquals(2, grant.get("uses").asLong(), grant.toString());
    assertNotNull(grant.get("lastUsedAt").textValue());
    List<String> uses =
        breakGlass.auditOf(grantId).stream()
            .filter(r -> r.get("type").asText().equals("BREAK_GLASS_USED"))
            .map(
                r ->
                    r.get("details").get("use").asText()
                        + "#"
                        + r.get("details").get("useNumber").asLong())
            .toList();
    assertEquals(List.of("CODE_TO_TOKEN#1", "REFRESH_TOKEN#2"), uses);

    Poll.until(
        "activation, first-use and revocation alerts",
        Duration.ofSeconds(30),
        () -> typesFor(grantId),
        types ->
            types.containsAll(
                Set.of("BREAK_GLASS_ACTIVATED", "BREAK_GLASS_USED", "BREAK_GLASS_REVOKED")));
    for (WebhookReceiver.Delivery d : receiver.deliveries()) {
      JsonNode body = d.json();
      if (!grantId.equals(body.path("grantId").asText())) {
        continue;
      }
      assertEquals(
          hmac(d.body()), d.header("X-BreakGlass-Signature"), "signature over the exact body");
      assertEquals(
          body.get("id").asText(), d.header("X-BreakGlass-Id"), "id header names the alert");
      assertEquals(body.get("type").asText(), d.header("X-BreakGlass-Event"));
      assertTrue(d.header("Content-Type").startsWith("application/json"), d.header("Content-Type"));
      assertFalse(body.get("text").asText().isBlank(), "a text field for Slack and Teams");
      assertEquals(DemoRealm.REALM, body.get("realm").asText());
    }
    JsonNode activated =
        bodiesFor(grantId).stream()
            .filter(b -> b.get("type").asText().equals("BREAK_GLASS_ACTIVATED"))
            .findFirst()
            .orElseThrow();
    assertEquals(DemoRealm.GOOD_TICKET, activated.get("details").get("ticket").asText());
    assertTrue(
        activated
            .get("text")
            .asText()
            .contains("ACTIVATED in " + DemoRealm.REALM + ": responder holds emergency-admin"),
        activated.get("text").asText());
    // "first": the refresh (use 2) is recorded but not alerted.
    List<JsonNode> useAlerts =
        bodiesFor(grantId).stream()
            .filter(b -> b.get("type").asText().equals("BREAK_GLASS_USED"))
            .toList();
    assertEquals(
        Set.of(1L),
        useAlerts.stream()
            .map(b -> b.get("details").get("useNumber").asLong())
            .collect(Collectors.toSet()));
  }

  @Test
  void aMalformedWebhookIsRefusedWhenThePolicyIsSaved() {
    JsonNode before = breakGlass.policy().current();
    for (Map<String, String> bad :
        List.of(
            Map.of("webhookUrl", "ftp://127.0.0.1/hook", "webhookSecret", SECRET),
            Map.of("webhookUrl", receiver.url(), "webhookSecret", "short"),
            Map.of("webhookUrl", receiver.url()))) {
      // Each over the unchanged policy: the previous attempt saved nothing (asserted below).
      AdminApi.Result refused = breakGlass.policy().attempt(bad);
      assertEquals(400, refused.status(), bad + ": " + refused.body());
      String field = bad.get("webhookUrl").startsWith("ftp") ? "webhookUrl" : "webhookSecret";
      assertTrue(refused.body().contains(field), refused.body());
      assertEquals(before, breakGlass.policy().current(), "nothing saved");
    }
  }

  @Test
  void aWebhookOutageDelaysAlertsButLosesNone() throws Exception {
    useWebhook("every");
    receiver.down();
    String grantId;
    try {
      Oidc oidc = oidc();
      JsonNode tokens = DemoRealm.activate(oidc, "responder", 15);
      grantId = breakGlass.activeGrantId("responder");
      assertEquals(200, oidc.refresh(tokens.get("refresh_token").asText()).get("_status").asInt());
      assertEquals(200, breakGlass.revoke(grantId).status());
      assertTrue(bodiesFor(grantId).isEmpty(), "nothing can arrive while the receiver is down");
    } finally {
      receiver.up();
    }
    // ACTIVATED, USED #1 (code), USED #2 (refresh), REVOKED: four alerts, each at least once.
    String id = grantId;
    List<JsonNode> got =
        Poll.until(
            "all four alerts after the outage",
            Duration.ofSeconds(60),
            () -> bodiesFor(id),
            bodies -> bodies.stream().map(b -> b.get("id").asText()).distinct().count() >= 4);
    assertEquals(
        Set.of("BREAK_GLASS_ACTIVATED", "BREAK_GLASS_USED", "BREAK_GLASS_REVOKED"),
        got.stream().map(b -> b.get("type").asText()).collect(Collectors.toSet()));
    Map<String, String> bodyById = new HashMap<>();
    for (WebhookReceiver.Delivery d : receiver.deliveries()) {
      JsonNode body = d.json();
      String previous = bodyById.putIfAbsent(body.get("id").asText(), d.body());
      assertTrue(
          previous == null || previous.equals(d.body()),
          "a duplicate is the same alert, byte for byte");
    }
  }

  @Test
  void aHungWebhookNeverSlowsALogin() throws Exception {
    useWebhook("every");
    receiver.hang();
    long started = System.nanoTime();
    DemoRealm.activate(oidc(), "responder", 15);
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    String grantId = breakGlass.activeGrantId("responder");
    // Two alerts (activation, first use) are due during the login; sent inline they would cost 2 x
    // 5 s.
    assertTrue(
        tookMillis < 4_000, "login and activation took " + tookMillis + " ms with a hung webhook");
    receiver.release();
    Poll.until(
        "the activation alert once the receiver answers again",
        Duration.ofSeconds(60),
        () -> typesFor(grantId),
        types -> types.contains("BREAK_GLASS_ACTIVATED"));
  }

  @Test
  void alertsAreMailedThroughTheRealmsSmtpServer() {
    RealmRepresentation rep = realm.admin().toRepresentation();
    Map<String, String> originalSmtp = rep.getSmtpServer();
    rep.setSmtpServer(
        Map.of(
            "host",
            "127.0.0.1",
            "port",
            Integer.toString(smtp.port()),
            "from",
            "breakglass@example.org"));
    realm.admin().update(rep);
    try {
      breakGlass
          .policy()
          .set(Map.of("alertEmails", "soc@example.org##oncall@example.org", "alertOnUse", "none"));
      DemoRealm.activate(oidc(), "responder", 15);
      String grantId = breakGlass.activeGrantId("responder");
      List<SmtpSink.Mail> mails =
          Poll.until(
              "an alert mail to each address",
              Duration.ofSeconds(30),
              () -> smtp.mails().stream().filter(m -> m.data().contains(grantId)).toList(),
              list ->
                  list.stream()
                      .flatMap(m -> m.recipients().stream())
                      .collect(Collectors.toSet())
                      .containsAll(Set.of("soc@example.org", "oncall@example.org")));
      SmtpSink.Mail mail = mails.get(0);
      assertTrue(
          mail.data()
              .contains("Subject: [Break-glass] Break-glass ACTIVATED in " + DemoRealm.REALM),
          mail.data());
      assertTrue(mail.data().contains(DemoRealm.GOOD_TICKET), "the ticket is in the mail");
      assertTrue(mail.data().contains("From: breakglass@example.org"), mail.data());
    } finally {
      RealmRepresentation restore = realm.admin().toRepresentation();
      restore.setSmtpServer(originalSmtp);
      realm.admin().update(restore);
    }
  }

  @Test
  void adminActionsTakenUnderAGrantAreItsEvidence() {
    ClientRepresentation management =
        realm.admin().clients().findByClientId("realm-management").get(0);
    RoleRepresentation manageUsers =
        realm
            .admin()
            .clients()
            .get(management.getId())
            .roles()
            .get("manage-users")
            .toRepresentation();
    realm.admin().roles().get(DemoRealm.ROLE).addComposites(List.of(manageUsers));
    try {
      JsonNode tokens = DemoRealm.activate(oidc(), "responder", 15);
      String grantId = breakGlass.activeGrantId("responder");
      String bearer = tokens.get("access_token").asText();
      AdminApi asResponder = new AdminApi(urls.getBase(), () -> bearer);
      AdminApi.Result created =
          asResponder.post(
              DemoRealm.REALM + "/users", "{\"username\":\"made-under-grant\",\"enabled\":true}");
      assertEquals(201, created.status(), created.body());

      JsonNode adminUse =
          breakGlass.auditOf(grantId).stream()
              .filter(
                  r ->
                      r.get("type").asText().equals("BREAK_GLASS_USED")
                          && r.get("details").get("use").asText().equals("ADMIN"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError("no admin use recorded: " + breakGlass.auditOf(grantId)));
      assertEquals("CREATE", adminUse.get("details").get("operation").asText());
      assertEquals("USER", adminUse.get("details").get("resourceType").asText());
      assertTrue(
          adminUse.get("details").get("resourcePath").asText().startsWith("users/"),
          adminUse.toString());
      assertEquals(DemoRealm.CLIENT, adminUse.get("details").get("clientId").asText());
    } finally {
      realm.admin().roles().get(DemoRealm.ROLE).deleteComposites(List.of(manageUsers));
      realm
          .admin()
          .users()
          .searchByUsername("made-under-grant", true)
          .forEach(u -> realm.admin().users().delete(u.getId()).close());
    }
  }
}
