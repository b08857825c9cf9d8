package dev.breakglass.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.breakglass.keycloak.alert.AlertPayload;
import dev.breakglass.keycloak.domain.AlertPolicy;
import dev.breakglass.keycloak.domain.PolicyKeys;
import dev.breakglass.keycloak.domain.PolicyParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What run.sh, the demo realm and the demo's alert receiver promise a stranger, checked without a
 * Keycloak: every demo user has the realm's default roles, the policy alerts to the receiver under
 * the secret the receiver checks, the receiver accepts our signature and refuses any other, and
 * run.sh parses.
 */
class DemoScriptTest {

  private static final Path REALM = Path.of("realm-config", "breakglass-demo-realm.json");
  private static final Path RECEIVER = Path.of("demo", "AlertReceiver.java");
  private static final Path RUN_SH = Path.of("run.sh");

  /** The anchor run.sh's sed appends the webhook to, in the activation action's config. */
  private static final String ANCHOR = "\"blockActivationWhenOverdue\": \"false\"";

  private static String runShValue(String name) throws IOException {
    Matcher m = Pattern.compile("(?m)^" + name + "=(\\S+)$").matcher(Files.readString(RUN_SH));
    assertTrue(m.find(), name + " in run.sh");
    return m.group(1);
  }

  private static JsonNode realm() throws IOException {
    return new ObjectMapper().readTree(Files.readString(REALM));
  }

  /** The realm file as run.sh imports it: the same text appended after the same anchor. */
  private static JsonNode realmAsRunShImportsIt() throws IOException {
    String text = Files.readString(REALM);
    assertEquals(text.indexOf(ANCHOR), text.lastIndexOf(ANCHOR), "one anchor for run.sh's sed");
    String added =
        ", \"webhookUrl\": \"http://127.0.0.1:8089/alerts\", \"webhookSecret\": \""
            + runShValue("DEMO_WEBHOOK_SECRET")
            + "\"";
    return new ObjectMapper().readTree(text.replace(ANCHOR, ANCHOR + added));
  }

  private static Map<String, String> policy(JsonNode realm) {
    for (JsonNode action : realm.get("requiredActions")) {
      if (action.get("alias").asText().equals("break-glass-activate")) {
        Map<String, String> config = new HashMap<>();
        action
            .get("config")
            .fields()
            .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        return config;
      }
    }
    throw new AssertionError("no break-glass-activate required action in " + REALM);
  }

  @Test
  void everyDemoUserHasTheRealmsDefaultRoles() throws IOException {
    JsonNode users = realm().get("users");
    assertTrue(users.size() >= 4, "the demo's users");
    for (JsonNode user : users) {
      List<String> roles = new ArrayList<>();
      user.path("realmRoles").forEach(r -> roles.add(r.asText()));
      assertTrue(
          roles.contains("default-roles-breakglass-demo"),
          user.get("username").asText() + " lacks the default roles (account console breaks)");
    }
  }

  @Test
  void runShAddsTheWebhookToTheReceiverUnderTheSecretItChecks() throws IOException {
    assertFalse(
        PolicyParser.alertsOf(policy(realm())).hasWebhook(),
        "the realm file alerts nowhere: the integration tests import it");
    String runSh = Files.readString(RUN_SH);
    assertTrue(
        runSh.contains(
            "s#\\\"blockActivationWhenOverdue\\\": \\\"false\\\"#&, \\\"webhookUrl\\\":"
                + " \\\"http://127.0.0.1:$ALERT_PORT/alerts\\\", \\\"webhookSecret\\\":"
                + " \\\"$DEMO_WEBHOOK_SECRET\\\"#"),
        "run.sh appends the webhook after the anchor this test uses");
    assertTrue(runSh.contains("ALERT_PORT=\"${ALERT_PORT:-8089}\""), "run.sh's default port");

    Map<String, String> policy = policy(realmAsRunShImportsIt());
    AlertPolicy alerts = PolicyParser.alertsOf(policy);
    assertTrue(alerts.hasWebhook(), "the parser accepts the demo webhook: " + policy);
    assertEquals("http://127.0.0.1:8089/alerts", alerts.webhookUrl());
    assertTrue(PolicyParser.parse(policy).errors().isEmpty(), "the whole demo policy is valid");

    String receiver = Files.readString(RECEIVER);
    assertTrue(receiver.contains("\"8089\""), "the receiver's default port is run.sh's");
    assertTrue(
        receiver.contains("\"" + runShValue("DEMO_WEBHOOK_SECRET") + "\""),
        "the receiver checks the realm webhook with run.sh's secret");
    assertTrue(
        receiver.contains("\"" + runShValue("DEMO_OPERATOR_SECRET") + "\""),
        "the receiver checks the operator channel with run.sh's secret");
    assertTrue(runSh.contains("operator-webhook-url=\"http://127.0.0.1:$ALERT_PORT/operator\""));
    assertTrue(runSh.contains("operator-webhook-secret=\"$DEMO_OPERATOR_SECRET\""));
  }

  @Test
  void theReceiverAcceptsOurSignatureAndRefusesAnyOther() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String secret = policy(realmAsRunShImportsIt()).get(PolicyKeys.WEBHOOK_SECRET);
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                RECEIVER.toString(),
                Integer.toString(port))
            .redirectErrorStream(true)
            .start();
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  lines.add("read failed: " + e);
                }
              });
      reader.setDaemon(true);
      reader.start();
      String started = lines.poll(60, TimeUnit.SECONDS);
      assertTrue(started != null && started.contains("listening on"), "started: " + started);

      String grantId = "3f2b0c1e-8a4d-4f6e-9b7a-1c2d3e4f5a6b";
      String body =
          AlertPayload.build(
              "alert-1",
              new AlertPayload.Facts(
                  "breakglass-demo",
                  "BREAK_GLASS_ACTIVATED",
                  3,
                  "ab".repeat(32),
                  Instant.parse("2026-11-29T10:00:00Z").toEpochMilli(),
                  grantId,
                  "user-id",
                  "responder\u001b[31m",
                  false,
                  Map.of("ticket", "INC-4711", "roles", List.of("emergency-admin"))));
      HttpClient http = HttpClient.newHttpClient();
      URI url = URI.create("http://127.0.0.1:" + port + "/alerts");

      assertEquals(204, post(http, url, body, AlertPayload.signature(secret, body)));
      String delivered = lines.poll(10, TimeUnit.SECONDS);
      assertTrue(
          delivered != null
              && delivered.contains(
                  "realm: BREAK_GLASS_ACTIVATED user=responder [31m ticket=INC-4711 grant="
                      + grantId
                      + " signature ok"),
          "one readable line, no escape sequence reaches the terminal: " + delivered);

      String forged = AlertPayload.signature("someone-elses-secret-0123", body);
      assertEquals(401, post(http, url, body, forged), "a forged delivery is refused");
      String flagged = lines.poll(10, TimeUnit.SECONDS);
      assertTrue(flagged != null && flagged.contains("signature BAD"), "flagged: " + flagged);

      assertEquals(401, post(http, url, body, null), "an unsigned delivery is refused");
      assertTrue(lines.poll(10, TimeUnit.SECONDS).contains("signature BAD"));

      URI operator = URI.create("http://127.0.0.1:" + port + "/operator");
      assertEquals(
          401,
          post(http, operator, body, AlertPayload.signature(secret, body)),
          "the operator channel has its own secret");
      assertTrue(lines.poll(10, TimeUnit.SECONDS).contains("operator: "));
      String operatorSecret = runShValue("DEMO_OPERATOR_SECRET");
      assertEquals(204, post(http, operator, body, AlertPayload.signature(operatorSecret, body)));
      String heard = lines.poll(10, TimeUnit.SECONDS);
      assertTrue(heard != null && heard.contains("operator: BREAK_GLASS_ACTIVATED"), heard);
    } finally {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int post(HttpClient http, URI url, String body, String signature)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) {
      request.header(AlertPayload.SIGNATURE_HEADER, signature);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void runShParses() throws Exception {
    Process bash =
        new ProcessBuilder("bash", "-n", RUN_SH.toString()).redirectErrorStream(true).start();
    String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(bash.waitFor(30, TimeUnit.SECONDS), "bash -n finished");
    assertEquals(0, bash.exitValue(), "bash -n run.sh: " + output);
    assertFalse(output.contains("syntax error"), output);
  }
}
