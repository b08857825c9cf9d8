package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * Incident-bound access against a fake incident service this test starts on 127.0.0.1: only an open
 * incident activates (after the responder confirms its title), every way the incident system can
 * fail is refused or let through as {@code ticketCheckFailure} says, no request leaves for another
 * host, and the signed incident-closed webhook ends the access at once.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class IncidentIT {

  private static final String WEBHOOK_SECRET = "it-incident-secret-0123456789";
  private static final String ALERT_SECRET = "it-webhook-secret-0123456789";
  private static final String AUTHORIZATION = "Token token=it-incident-api-key";

  private static final String OPEN = "INC-100";
  private static final String OPEN_TITLE = "<b>Payments</b> database down";
  private static final String CLOSED = "INC-200";
  private static final String UNKNOWN = "INC-404";

  /** Ticket → how the fake incident service fails for it. */
  private static final Map<String, String> FAILURES = new LinkedHashMap<>();

  static {
    FAILURES.put("INC-500", "500");
    FAILURES.put("INC-501", "non-JSON");
    FAILURES.put("INC-502", "huge body");
    FAILURES.put("INC-503", "missing pointer");
    FAILURES.put("INC-504", "redirect to another host");
    FAILURES.put("INC-505", "slow (4 s)");
    FAILURES.put("INC-506", "hung");
  }

  private static HttpServer incidents;
  private static HttpServer elsewhere;
  private static ExecutorService pool;
  private static final List<String> incidentPaths = new CopyOnWriteArrayList<>();
  private static final List<String> authorizations = new CopyOnWriteArrayList<>();
  private static final AtomicInteger elsewhereRequests = new AtomicInteger();
  private static WebhookReceiver alerts;

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  @BeforeAll
  static void startServices() throws IOException {
    pool = Executors.newCachedThreadPool();
    elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    elsewhere.createContext(
        "/",
        exchange -> {
          elsewhereRequests.incrementAndGet();
          answer(exchange, 200, "{\"incident\":{\"status\":\"triggered\"}}");
        });
    elsewhere.setExecutor(pool);
    elsewhere.start();
    incidents = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    incidents.createContext("/api/incidents/", IncidentIT::incident);
    incidents.setExecutor(pool);
    incidents.start();
    alerts = WebhookReceiver.start();
  }

  @AfterAll
  static void stopServices() {
    incidents.stop(0);
    elsewhere.stop(0);
    pool.shutdownNow();
    alerts.close();
  }

  @AfterEach
  void reset() {
    TestReset.afterEach(breakGlass);
    incidentPaths.clear();
    authorizations.clear();
  }

  private static void incident(HttpExchange exchange) throws IOException {
    String rawPath = exchange.getRequestURI().getRawPath();
    incidentPaths.add(rawPath);
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    authorizations.add(auth == null ? "" : auth);
    String ticket = rawPath.substring("/api/incidents/".length());
    switch (ticket) {
      case OPEN ->
          answer(
              exchange,
              200,
              "{\"incident\":{\"status\":\"acknowledged\",\"title\":\"" + OPEN_TITLE + "\"}}");
      case CLOSED ->
          answer(exchange, 200, "{\"incident\":{\"status\":\"resolved\",\"title\":\"old\"}}");
      case "INC-500" -> answer(exchange, 500, "{\"error\":\"boom\"}");
      case "INC-501" -> answer(exchange, 200, "<html>maintenance</html>");
      case "INC-502" ->
          answer(
              exchange,
              200,
              "{\"incident\":{\"status\":\"triggered\",\"x\":\"" + "a".repeat(200_000) + "\"}}");
      case "INC-503" -> answer(exchange, 200, "{\"data\":{\"state\":\"triggered\"}}");
      case "INC-504" -> {
        exchange
            .getResponseHeaders()
            .add("Location", "http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/steal");
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
      }
      case "INC-505" -> {
        pause(4_000);
        answer(exchange, 200, "{\"incident\":{\"status\":\"triggered\"}}");
      }
      case "INC-506" -> pause(20_000);
      default -> answer(exchange, 404, "{\"error\":\"not found\"}");
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis); // the fake service being slow is the point, not synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private void httpCheck(String failure, String ticketPattern) {
    Map<String, String> policy = new LinkedHashMap<>();
    policy.put("ticketCheck", "http");
    policy.put(
        "ticketUrl",
        "http://127.0.0.1:" + incidents.getAddress().getPort() + "/api/incidents/{ticket}");
    policy.put("ticketAuthorization", AUTHORIZATION);
    policy.put("ticketOpenPointer", "/incident/status");
    policy.put("ticketOpenValues", "triggered,acknowledged");
    policy.put("ticketTitlePointer", "/incident/title");
    policy.put("ticketCheckFailure", failure);
    policy.put("incidentWebhookSecret", WEBHOOK_SECRET);
    policy.put("webhookUrl", alerts.url());
    policy.put("webhookSecret", ALERT_SECRET);
    if (ticketPattern != null) {
      policy.put("ticketPattern", ticketPattern);
      policy.put("ticketExample", "INC-100");
    }
    breakGlass.policy().set(policy);
  }

  private Oidc opsConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private record Form(Browser browser, ActivationPage.Http page) {}

  private Form signIn(String user) {
    Browser browser = new Browser(DemoRealm.REDIRECT);
    ActivationPage.Http form =
        ActivationPage.http(browser, DemoRealm.signIn(browser, opsConsole(), user));
    assertTrue(form.isShown(), "activation form: " + form.page().body());
    return new Form(browser, form);
  }

  private static Map<String, List<String>> withTicket(String ticket) {
    Map<String, List<String>> fields = DemoRealm.validActivation();
    fields.put("ticket", List.of(ticket));
    return fields;
  }

  // --- the check on the form -------------------------------------------------------------------

  @Test
  void anOpenIncidentIsConfirmedByItsTitleThenActivates() {
    httpCheck("closed", null);
    DemoRealm.createResponder(realm.admin(), "inc-open");
    Form form = signIn("inc-open");

    ActivationPage.Http confirm = form.page().submitExpectingForm(withTicket(OPEN));
    assertTrue(breakGlass.activeGrants("inc-open").isEmpty(), "nothing before the confirmation");
    var shown = confirm.page().doc().getElementById("bg-incident-text");
    assertNotNull(shown, "the incident is shown: " + confirm.page().body());
    assertEquals(OPEN + ": " + OPEN_TITLE + " (open)", shown.text());
    assertTrue(shown.children().isEmpty(), "the title is text, never markup: " + shown.html());
    assertEquals(List.of("/api/incidents/" + OPEN), incidentPaths);
    assertEquals(List.of(AUTHORIZATION), authorizations, "the header from the policy");
    var button = confirm.page().doc().getElementById("bg-confirm");
    assertNotNull(button, confirm.page().body());

    Map<String, List<String>> fields = withTicket(OPEN);
    fields.put(button.attr("name"), List.of(button.attr("value")));
    Browser.Page back = confirm.submit(fields);
    assertTrue(back.isRedirectToApp(DemoRealm.REDIRECT), back.status() + " " + back.body());
    String grantId = breakGlass.activeGrantId("inc-open");
    JsonNode activated = breakGlass.auditOf(grantId, "BREAK_GLASS_ACTIVATED").get(0);
    assertEquals(
        "OPEN", activated.at("/details/ticketCheck/result").asText(), activated.toString());
    assertTrue(activated.at("/details/ticketCheck/confirmedByHolder").asBoolean());

    // The policy as shown to admins and recorded in governance changes never holds the secrets.
    AdminApi.Result policy = breakGlass.get(DemoRealm.REALM + "/break-glass/policy");
    assertFalse(policy.body().contains("it-incident-api-key"), policy.body());
    assertFalse(policy.body().contains(WEBHOOK_SECRET), policy.body());
    String audit = breakGlass.audit().toString();
    assertFalse(audit.contains("it-incident-api-key"), "no secret in the audit trail");
    assertFalse(audit.contains(WEBHOOK_SECRET), "no secret in the audit trail");
  }

  @Test
  void closedAndUnknownIncidentsAreRefusedAtTheTicketField() {
    httpCheck("open", null);
    DemoRealm.createResponder(realm.admin(), "inc-closed");
    Form form = signIn("inc-closed");
    ActivationPage.Http closed = form.page().submitExpectingForm(withTicket(CLOSED));
    assertTrue(closed.error("ticket").contains("closed"), closed.page().body());
    ActivationPage.Http unknown = closed.submitExpectingForm(withTicket(UNKNOWN));
    assertTrue(unknown.error("ticket").contains("does not know"), unknown.page().body());
    assertEquals(UNKNOWN, unknown.value("ticket"), "what was typed stays");
    assertTrue(breakGlass.grants("inc-closed").isEmpty(), "no grant, not even a request");
  }

  @Test
  void everyFailureRefusesWhenTheCheckFailsClosed() {
    httpCheck("closed", null);
    DemoRealm.createResponder(realm.admin(), "inc-fail-closed");
    ActivationPage.Http form = signIn("inc-fail-closed").page();
    for (var failure : FAILURES.entrySet()) {
      long started = System.nanoTime();
      form = form.submitExpectingForm(withTicket(failure.getKey()));
      long millis = (System.nanoTime() - started) / 1_000_000;
      String error = form.error("ticket");
      assertNotNull(error, failure.getValue() + ": " + form.page().body());
      assertTrue(error.contains("could not confirm"), failure.getValue() + ": " + error);
      assertTrue(millis < 6_000, failure.getValue() + " took " + millis + " ms");
    }
    assertTrue(breakGlass.grants("inc-fail-closed").isEmpty(), "nothing granted");
    assertEquals(0, elsewhereRequests.get(), "the redirect was not followed");
  }

  @Test
  void everyFailureActivatesWithAnAlertWhenTheCheckFailsOpen() {
    httpCheck("open", null);
    int n = 0;
    for (var failure : FAILURES.entrySet()) {
      String user = "inc-fail-open-" + n++;
      DemoRealm.createResponder(realm.admin(), user);
      Browser.Page back = signIn(user).page().submit(withTicket(failure.getKey()));
      assertTrue(
          back.isRedirectToApp(DemoRealm.REDIRECT),
          failure.getValue() + ": " + back.status() + " " + back.body());
      String grantId = breakGlass.activeGrantId(user);
      JsonNode record = breakGlass.auditOf(grantId, "BREAK_GLASS_ACTIVATED").get(0);
      assertEquals("FAILED", record.at("/details/ticketCheck/result").asText(), record.toString());
      assertFalse(record.at("/details/ticketCheck/failure").asText().isEmpty());
      JsonNode alert =
          Poll.until(
              "the activation alert of " + user,
              Duration.ofSeconds(15),
              () ->
                  alerts.deliveries().stream()
                      .map(WebhookReceiver.Delivery::json)
                      .filter(a -> "BREAK_GLASS_ACTIVATED".equals(a.path("type").asText()))
                      .filter(a -> user.equals(a.path("username").asText()))
                      .findFirst()
                      .orElse(null),
              java.util.Objects::nonNull);
      assertEquals("FAILED", alert.at("/details/ticketCheck/result").asText(), "alerted: " + alert);
      assertEquals(200, breakGlass.revoke(grantId).status());
    }
    assertEquals(0, elsewhereRequests.get(), "the redirect was not followed");
  }

  @Test
  void aTicketWithPathCharactersNeverLeavesItsPathSegment() {
    httpCheck("closed", ".{3,64}");
    DemoRealm.createResponder(realm.admin(), "inc-path");
    ActivationPage.Http form = signIn("inc-path").page();
    String ticket = "../../" + OPEN + "?x=1#y%2F@127.0.0.1:1";
    form = form.submitExpectingForm(withTicket(ticket));
    assertTrue(form.error("ticket").contains("does not know"), form.page().body());
    assertEquals(1, incidentPaths.size(), incidentPaths.toString());
    String path = incidentPaths.get(0);
    assertTrue(path.startsWith("/api/incidents/"), path);
    assertFalse(path.substring("/api/incidents/".length()).contains("/"), path);
    assertEquals(
        ticket,
        URI.create("http://h" + path).getPath().substring("/api/incidents/".length()),
        "the whole ticket arrives as one segment");
    assertEquals(0, elsewhereRequests.get());
  }

  // --- the signed close
  // ---------------------------------------------------------------------------

  private HttpResponse<String> close(String pathTicket, String body, String signature) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(
                  URI.create(
                      urls.getBase()
                          + "/realms/"
                          + DemoRealm.REALM
                          + "/break-glass/incidents/"
                          + pathTicket
                          + "/closed"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body));
      if (signature != null) {
        request.header("X-BreakGlass-Signature", signature);
      }
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String sign(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256="
          + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static String body(String ticket, Instant sentAt) {
    return "{\"ticket\":\"" + ticket + "\",\"sentAt\":\"" + sentAt + "\"}";
  }

  @Test
  void theSignedCloseEndsTheGrantAtOnceAndBadSignaturesEndNothing() {
    DemoRealm.createResponder(realm.admin(), "inc-close");
    String userId = realm.admin().users().searchByUsername("inc-close", true).get(0).getId();
    breakGlass.policy().set(Map.of("webhookUrl", alerts.url(), "webhookSecret", ALERT_SECRET));
    // Pattern mode: the webhook works without the http check; without a secret it is not there.
    String valid = body(DemoRealm.GOOD_TICKET, Instant.now());
    assertEquals(
        404, close(DemoRealm.GOOD_TICKET, valid, sign(WEBHOOK_SECRET, valid)).statusCode());
    breakGlass.policy().set(Map.of("incidentWebhookSecret", WEBHOOK_SECRET));

    JsonNode tokens = DemoRealm.activate(opsConsole(), "inc-close", 30);
    String grantId = breakGlass.activeGrantId("inc-close");
    String refresh = tokens.get("refresh_token").asText();

    String other = body("INC-9999", Instant.now());
    String old = body(DemoRealm.GOOD_TICKET, Instant.now().minus(Duration.ofMinutes(6)));
    Map<String, HttpResponse<String>> refused = new LinkedHashMap<>();
    refused.put("missing", close(DemoRealm.GOOD_TICKET, valid, null));
    refused.put(
        "wrong", close(DemoRealm.GOOD_TICKET, valid, sign("not-the-secret-0123456", valid)));
    refused.put("other body", close(DemoRealm.GOOD_TICKET, valid, sign(WEBHOOK_SECRET, other)));
    refused.put("ticket differs", close(DemoRealm.GOOD_TICKET, other, sign(WEBHOOK_SECRET, other)));
    refused.put("old sentAt", close(DemoRealm.GOOD_TICKET, old, sign(WEBHOOK_SECRET, old)));
    refused.put(
        "too large",
        close(DemoRealm.GOOD_TICKET, valid + " ".repeat(9000), sign(WEBHOOK_SECRET, valid)));
    refused.forEach(
        (what, response) -> {
          int status = response.statusCode();
          assertTrue(status >= 400 && status < 500, what + ": " + status + " " + response.body());
          assertFalse(response.body().contains(grantId), what + " reveals no grant");
        });
    assertEquals(403, refused.get("missing").statusCode());
    assertEquals(403, refused.get("wrong").statusCode());
    assertEquals(1, breakGlass.activeGrants("inc-close").size(), "nothing ended by a refusal");

    HttpResponse<String> closed = close(DemoRealm.GOOD_TICKET, valid, sign(WEBHOOK_SECRET, valid));
    long closedAt = System.nanoTime();
    assertEquals(200, closed.statusCode(), closed.body());
    JsonNode answer = Oidc.JSON.valueToTree(parse(closed.body()));
    assertEquals(DemoRealm.GOOD_TICKET, answer.get("ticket").asText());
    assertEquals(grantId, answer.get("ended").get(0).asText(), answer.toString());

    // The access is gone at once: the refresh token is refused right after the 200.
    JsonNode refreshed = opsConsole().refresh(refresh);
    long millis = (System.nanoTime() - closedAt) / 1_000_000;
    assertEquals(400, refreshed.get("_status").asInt(), refreshed.toString());
    assertTrue(millis < 1_000, "refused within a second: " + millis + " ms");
    assertTrue(
        realm.admin().users().get(userId).roles().realmLevel().listEffective().stream()
            .noneMatch(r -> DemoRealm.ROLE.equals(r.getName())),
        "the role mapping is gone");
    assertTrue(realm.admin().users().get(userId).getUserSessions().isEmpty(), "sessions ended");
    JsonNode grant = breakGlass.grant(grantId);
    assertEquals("ENDED", grant.get("status").asText());
    assertEquals("INCIDENT_CLOSED", grant.get("endReason").asText());
    JsonNode record = breakGlass.auditOf(grantId, "BREAK_GLASS_REVOKED").get(0);
    assertEquals("incident-webhook", record.at("/details/endedBy").asText(), record.toString());
    JsonNode alert =
        Poll.until(
            "the alert of the incident close",
            Duration.ofSeconds(15),
            () ->
                alerts.deliveries().stream()
                    .map(WebhookReceiver.Delivery::json)
                    .filter(a -> "BREAK_GLASS_REVOKED".equals(a.path("type").asText()))
                    .filter(a -> "inc-close".equals(a.path("username").asText()))
                    .findFirst()
                    .orElse(null),
            java.util.Objects::nonNull);
    assertEquals("INCIDENT_CLOSED", alert.at("/details/endReason").asText(), alert.toString());

    HttpResponse<String> replay = close(DemoRealm.GOOD_TICKET, valid, sign(WEBHOOK_SECRET, valid));
    assertEquals(409, replay.statusCode(), "the same signed body twice: " + replay.body());
  }

  private static Object parse(String json) {
    try {
      return Oidc.JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(json, e);
    }
  }
}
