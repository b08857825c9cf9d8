package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * The demo as run.sh sets it up: the demo realm's users reach the account console, the demo's own
 * alert receiver ({@code java demo/AlertReceiver.java}, as run.sh starts it, on a free port) shows
 * a drill's activation and the drill reports it alerted, and the admin console's "Clear" on the
 * policy fails closed and is on the record.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class DemoIT {

  private static Process receiver;
  private static int receiverPort;
  private static final List<String> receiverLines = new CopyOnWriteArrayList<>();

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  @BeforeAll
  static void startTheDemoReceiver() throws Exception {
    try (ServerSocket free = new ServerSocket(0)) {
      receiverPort = free.getLocalPort();
    }
    receiver =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "demo/AlertReceiver.java",
                Integer.toString(receiverPort))
            .redirectErrorStream(true)
            .start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  receiverLines.add(line);
                }
              } catch (IOException e) {
                receiverLines.add("read failed: " + e);
              }
            });
    reader.setDaemon(true);
    reader.start();
    Poll.until(
        "the demo receiver listening",
        Duration.ofSeconds(60),
        () -> List.copyOf(receiverLines),
        lines -> lines.stream().anyMatch(l -> l.contains("listening on")));
  }

  @AfterAll
  static void stopTheDemoReceiver() throws InterruptedException {
    receiver.destroy();
    receiver.waitFor(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void cleanUp() {
    TestReset.afterEach(breakGlass);
  }

  private Oidc opsConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  @Test
  void aDrillIsAlertedToTheDemoReceiverAndPassesActivationAlerted() {
    // What run.sh adds to the demo policy it imports, with the receiver's port.
    breakGlass
        .policy()
        .set(
            Map.of(
                "webhookUrl",
                "http://127.0.0.1:" + receiverPort + "/alerts",
                "webhookSecret",
                "demo-only-webhook-secret-not-for-production"));
    DemoRealm.createResponder(realm.admin(), "demo-drill");
    AdminApi.Result scheduled = breakGlass.post("drills", "{\"user\":\"demo-drill\"}");
    assertEquals(201, scheduled.status(), scheduled.body());
    String drillId = scheduled.json().get("id").asText();

    DemoRealm.activate(opsConsole(), "demo-drill", 15);
    String grantId = breakGlass.activeGrantId("demo-drill");
    String expected =
        "realm: [DRILL] BREAK_GLASS_ACTIVATED user=demo-drill ticket="
            + DemoRealm.GOOD_TICKET
            + " grant="
            + grantId
            + " signature ok";
    Poll.until(
        "the activation on the receiver's terminal",
        Duration.ofSeconds(30),
        () -> List.copyOf(receiverLines),
        lines -> lines.stream().anyMatch(l -> l.contains(expected)));
    assertEquals(200, breakGlass.revoke(grantId, "drill over").status());

    JsonNode report =
        Poll.until(
            "the drill's report",
            Duration.ofSeconds(30),
            () -> breakGlass.get("drills/" + drillId).json(),
            d -> d.hasNonNull("report"));
    JsonNode alerted = null;
    for (JsonNode check : report.get("report").get("checks")) {
      if (check.get("name").asText().equals("activationAlerted")) {
        alerted = check;
      }
    }
    assertTrue(
        alerted != null && alerted.get("passed").asBoolean(), "activationAlerted: " + report);
  }

  @Test
  void everyDemoUserHasTheDefaultRolesAndReachesTheAccountConsole() throws Exception {
    for (UserRepresentation user : realm.admin().users().list()) {
      if (!List.of("responder", "alice", "approver", "auditor").contains(user.getUsername())) {
        continue;
      }
      List<String> roles =
          realm.admin().users().get(user.getId()).roles().realmLevel().listAll().stream()
              .map(RoleRepresentation::getName)
              .toList();
      assertTrue(roles.contains("default-roles-" + DemoRealm.REALM), user.getUsername() + roles);
    }
    // The account console's own API: 403 without the default roles' manage-account/view-profile.
    for (String user : List.of("alice", "approver", "auditor")) {
      String token = Oidc.passwordToken(urls.getBase(), DemoRealm.REALM, user, user);
      HttpResponse<String> account =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/"))
                      .header("Accept", "application/json")
                      .header("Authorization", "Bearer " + token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, account.statusCode(), user + ": " + account.body());
      assertEquals(user, Oidc.JSON.readTree(account.body()).get("username").asText());
    }
  }

  /**
   * The admin console's "Clear" in the policy dialog deletes the whole config: recorded as a
   * governance change, and every activation refused as "policy unavailable" until it is back.
   */
  @Test
  void clearingThePolicyFailsClosedAndIsRecorded() {
    JsonNode before = breakGlass.policy().current();
    int changesBefore = breakGlass.auditOfType("BREAK_GLASS_GOVERNANCE_CHANGED").size();
    try {
      AdminApi.Result cleared = breakGlass.api().delete(PolicyChanges.CONFIG);
      assertEquals(204, cleared.status(), cleared.body());
      assertEquals(0, breakGlass.policy().current().size(), "the dialog's Clear empties it all");

      List<JsonNode> changes = breakGlass.auditOfType("BREAK_GLASS_GOVERNANCE_CHANGED");
      assertEquals(changesBefore + 1, changes.size());
      JsonNode details = changes.get(changes.size() - 1).get("details");
      assertEquals("policy", details.get("what").asText());
      assertEquals("DELETE", details.get("operation").asText());
      assertFalse(details.get("policyValid").asBoolean(), details.toString());
      assertEquals(
          "/responders", details.get("changes").get("eligibleGroup").get("before").asText());
      assertFalse(
          details.toString().contains("demo-only-webhook-secret"), "the secret stays masked");

      Browser browser = new Browser(DemoRealm.REDIRECT);
      Browser.Page page = DemoRealm.signIn(browser, opsConsole(), "responder");
      assertEquals(403, page.status(), page.body());
      assertTrue(RefusalPage.http(page).isShown(), page.body());
      assertTrue(page.body().contains("policy is not configured correctly"), page.body());
      assertTrue(breakGlass.activeGrants("responder").isEmpty(), "nothing granted");
      List<JsonNode> denials = breakGlass.auditOfType("BREAK_GLASS_DENIED");
      assertEquals(
          "policy_unavailable",
          denials.get(denials.size() - 1).get("details").get("why").asText(),
          "the refusal is on the record");
    } finally {
      ObjectNode body = Oidc.JSON.createObjectNode();
      body.set("config", before);
      assertEquals(204, breakGlass.api().put(PolicyChanges.CONFIG, body.toString()).status());
    }
  }
}
