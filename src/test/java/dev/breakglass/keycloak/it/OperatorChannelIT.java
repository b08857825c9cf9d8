package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * The operator channel (server options, out of every realm admin's reach): activations and ends
 * reach it signed with the operator's secret whatever the realm's policy says; periodic checkpoints
 * anchor each realm's chain head outside the database; a removed realm's whole trail goes to it and
 * to the audit log before the realm's rows are gone.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class OperatorChannelIT {

  private static final String REALM_SECRET = "it-realm-webhook-secret-0123456789";

  private static WebhookReceiver operator;
  private static WebhookReceiver realmHook;

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  @BeforeAll
  static void startReceivers() throws Exception {
    operator = WebhookReceiver.startOn(BreakGlassServerConfig.OPERATOR_PORT);
    realmHook = WebhookReceiver.start();
  }

  @AfterAll
  static void stopReceivers() {
    operator.close();
    realmHook.close();
  }

  @AfterEach
  void cleanUp() {
    TestReset.afterEach(breakGlass);
  }

  @Test
  void theRealmsPolicyCannotSilenceTheOperator() throws Exception {
    breakGlass.policy().set(Map.of("webhookUrl", realmHook.url(), "webhookSecret", REALM_SECRET));
    // A realm admin turns every channel of the realm off.
    breakGlass.policy().set(Map.of("webhookUrl", "", "webhookSecret", "", "alertOnUse", "none"));

    DemoRealm.activate(oidc(DemoRealm.REALM), "responder", 15);
    String grantId = breakGlass.activeGrantId("responder");
    assertEquals(200, breakGlass.revoke(grantId, "operator channel test").status());

    List<WebhookReceiver.Delivery> got =
        Poll.until(
            "activation and revocation on the operator channel",
            Duration.ofSeconds(30),
            () -> deliveries(b -> grantId.equals(b.path("grantId").asText())),
            list ->
                types(list).containsAll(Set.of("BREAK_GLASS_ACTIVATED", "BREAK_GLASS_REVOKED")));
    Map<Long, JsonNode> records = new LinkedHashMap<>();
    breakGlass.auditOf(grantId).forEach(r -> records.put(r.get("seq").asLong(), r));
    for (WebhookReceiver.Delivery d : got) {
      JsonNode body = d.json();
      assertSignedByTheOperator(d);
      assertEquals(DemoRealm.REALM, body.get("realm").asText());
      // Uses are the realm's business (and alertOnUse is none): not the operator's.
      assertFalse(body.get("type").asText().equals("BREAK_GLASS_USED"), body.toString());
      // The chain head after the record is the record's own seq and hash, as exported.
      JsonNode record = records.get(body.get("chain").get("seq").asLong());
      assertEquals(record.get("hash").asText(), body.get("chain").get("hash").asText());
      assertEquals(record.get("type").asText(), body.get("type").asText());
    }
    assertTrue(
        realmHook.deliveries().stream().noneMatch(d -> d.body().contains(grantId)),
        "the realm's own webhook was switched off");
  }

  @Test
  void aCheckpointAnchorsTheChainHeadTheExportAgreesWith() throws Exception {
    DemoRealm.activate(oidc(DemoRealm.REALM), "responder", 15);
    String grantId = breakGlass.activeGrantId("responder");
    assertEquals(200, breakGlass.revoke(grantId).status());
    List<JsonNode> trail = breakGlass.auditOf(grantId);
    long seqAfterRevoke = trail.get(trail.size() - 1).get("seq").asLong();
    // Checkpoints of earlier demo realms (same name, since removed) may still arrive from the
    // outbox: only one taken after this revocation speaks for this realm.
    Instant revokedAt = Instant.parse(trail.get(trail.size() - 1).get("time").asText());

    WebhookReceiver.Delivery checkpoint =
        Poll.until(
                "a checkpoint of the demo realm at or past seq " + seqAfterRevoke,
                Duration.ofSeconds(30),
                () ->
                    deliveries(
                        b ->
                            b.path("type").asText().equals("BREAK_GLASS_CHECKPOINT")
                                && b.path("realm").asText().equals(DemoRealm.REALM)
                                && !Instant.parse(b.path("time").asText()).isBefore(revokedAt)
                                && b.path("chain").path("seq").asLong() >= seqAfterRevoke),
                list -> !list.isEmpty())
            .get(0);
    assertSignedByTheOperator(checkpoint);
    JsonNode head = checkpoint.json().get("chain");
    // The auditor's check: the exported record with the checkpoint's seq has its hash.
    AdminApi.Result page =
        breakGlass.get("audit?first=" + (head.get("seq").asLong() - 1) + "&max=1");
    assertEquals(200, page.status(), page.body());
    JsonNode record = page.json().get(0);
    assertEquals(head.get("seq").asLong(), record.get("seq").asLong());
    assertEquals(head.get("hash").asText(), record.get("hash").asText());
    assertTrue(breakGlass.get("audit/verify").json().get("valid").asBoolean());
  }

  @Test
  void aRemovedRealmsTrailOutlivesIt() throws Exception {
    String name = "operator-it-" + UUID.randomUUID().toString().substring(0, 8);
    admin.realms().create(demoRealmCopy(name));
    DemoRealm.activate(oidc(name), "responder", 15);
    AdminApi api = breakGlass.api();
    String grantId =
        api.get(name + "/break-glass/grants?status=ACTIVE").json().get(0).get("id").asText();
    assertEquals(200, api.post(name + "/break-glass/grants/" + grantId + "/revoke", "{}").status());
    JsonNode exported = api.get(name + "/break-glass/audit?max=1000").json();
    assertTrue(exported.size() >= 3, exported.toString());
    Map<Long, String> hashBySeq = new LinkedHashMap<>();
    exported.forEach(r -> hashBySeq.put(r.get("seq").asLong(), r.get("hash").asText()));
    long lastSeq = exported.get(exported.size() - 1).get("seq").asLong();

    admin.realms().realm(name).remove();

    // The operator channel: the trail in parts, then the last head; delivered after the realm is
    // gone, with the server's URL and secret.
    List<WebhookReceiver.Delivery> got =
        Poll.until(
            "the removed realm's trail and last head on the operator channel",
            Duration.ofSeconds(30),
            () -> deliveries(b -> name.equals(b.path("realm").asText())),
            list -> {
              Set<String> types = types(list);
              return types.contains("BREAK_GLASS_REALM_REMOVED")
                  && types.contains("BREAK_GLASS_REALM_TRAIL");
            });
    Map<Long, String> sent = new LinkedHashMap<>();
    JsonNode removed = null;
    for (WebhookReceiver.Delivery d : got) {
      assertSignedByTheOperator(d);
      JsonNode body = d.json();
      switch (body.get("type").asText()) {
        case "BREAK_GLASS_REALM_TRAIL" ->
            body.get("records")
                .forEach(r -> sent.put(r.get("seq").asLong(), r.get("hash").asText()));
        case "BREAK_GLASS_REALM_REMOVED" -> removed = body;
        default -> {
          // activation and revocation alerts of this realm, sent before
        }
      }
    }
    hashBySeq.forEach(
        (seq, hash) -> assertEquals(hash, sent.get(seq), "record " + seq + " sent, with its hash"));
    assertEquals(lastSeq, removed.get("chain").get("seq").asLong());
    assertEquals(hashBySeq.get(lastSeq), removed.get("chain").get("hash").asText());
    assertEquals(hashBySeq.size(), removed.get("records").asLong());
    assertTrue(removed.get("chainValid").asBoolean(), removed.toString());

    // The audit log: one final line per record, and the removal with the last head.
    List<JsonNode> lines =
        Poll.until(
            "the removed realm's final lines in the audit log",
            Duration.ofSeconds(10),
            () -> auditLogLines(name),
            l ->
                l.stream()
                    .anyMatch(j -> j.get("type").asText().equals("BREAK_GLASS_REALM_REMOVED")));
    Map<Long, String> logged = new LinkedHashMap<>();
    for (JsonNode line : lines) {
      if (line.path("final").asBoolean()) {
        logged.put(line.get("seq").asLong(), line.get("hash").asText());
        assertEquals(line.get("seq").asLong(), line.get("chain").get("seq").asLong());
      }
    }
    assertEquals(hashBySeq, logged, "the whole trail as final log lines");
  }

  private Oidc oidc(String realmName) {
    return new Oidc(urls.getBase(), realmName, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  /** The demo realm under another name, with fresh ids for what the JSON fixes. */
  private static RealmRepresentation demoRealmCopy(String name) throws IOException {
    String json;
    try (InputStream in = OperatorChannelIT.class.getResourceAsStream(DemoRealm.JSON)) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String idPrefix = UUID.randomUUID().toString().substring(0, 24);
    json = json.replace("9f3c2a10-b7e1-4c8e-9d0a-", idPrefix);
    RealmRepresentation rep = Oidc.JSON.readValue(json, RealmRepresentation.class);
    rep.setRealm(name);
    rep.setId(null);
    return rep;
  }

  private static List<WebhookReceiver.Delivery> deliveries(Predicate<JsonNode> which) {
    return operator.deliveries().stream().filter(d -> which.test(d.json())).toList();
  }

  private static Set<String> types(List<WebhookReceiver.Delivery> list) {
    return list.stream().map(d -> d.json().get("type").asText()).collect(Collectors.toSet());
  }

  private static List<JsonNode> auditLogLines(String realmName) {
    List<JsonNode> lines = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(BreakGlassServerConfig.LOG_FILE)) {
        if (!line.contains("[dev.breakglass.audit]") || line.indexOf('{') < 0) {
          continue;
        }
        JsonNode json = Oidc.JSON.readTree(line.substring(line.indexOf('{')));
        if (realmName.equals(json.path("realm").asText())) {
          lines.add(json);
        }
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return lines;
  }

  private static void assertSignedByTheOperator(WebhookReceiver.Delivery d) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            BreakGlassServerConfig.OPERATOR_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected =
        "sha256="
            + HexFormat.of().formatHex(mac.doFinal(d.body().getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, d.header("X-BreakGlass-Signature"), "signed with the operator secret");
    assertEquals(d.json().get("id").asText(), d.header("X-BreakGlass-Id"));
    assertEquals(d.json().get("type").asText(), d.header("X-BreakGlass-Event"));
  }
}
