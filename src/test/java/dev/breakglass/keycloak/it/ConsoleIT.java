package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The break-glass console in a real browser (headless Chromium): the activation link ends on a page
 * showing the emergency token; a responder ends their access, an approver approves, a realm admin
 * revokes, verifies and exports, an auditor only reads. Each view fits a 375-pixel phone and passes
 * axe-core without serious or critical violations. Screenshots: target/screenshots, and the
 * README's copies in docs/console-*.png.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class ConsoleIT {

  private static final int PHONE_WIDTH = 375;
  private static final int PHONE_HEIGHT = 812;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);
  private final List<Chromium> browsers = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    try {
      browsers.forEach(Chromium::close);
      browsers.clear();
    } finally {
      TestReset.afterEach(breakGlass);
    }
  }

  private Chromium browser(int width, int height) {
    Chromium chromium = new Chromium(width, height);
    browsers.add(chromium);
    return chromium;
  }

  private Oidc opsConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private boolean holdsEmergencyRole(String user) {
    String id = realm.admin().users().searchByUsername(user, true).get(0).getId();
    return realm.admin().users().get(id).roles().realmLevel().listEffective().stream()
        .anyMatch(r -> r.getName().equals(DemoRealm.ROLE));
  }

  // --- (a) the printed link ends on the token page, in at most three screens

  @Test
  void theActivationLinkEndsOnAPageShowingTheEmergencyToken() {
    String user = "console-linker";
    DemoRealm.createResponder(realm.admin(), user, 1);
    Chromium chromium = browser(PHONE_WIDTH, PHONE_HEIGHT);
    List<String> screens = new ArrayList<>();

    chromium.driver().get(ConsolePage.activateUrl(urls.getBase()));
    // Screen 1: the realm's sign-in page (the console page itself only forwards to it).
    chromium.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    screens.add("sign-in");
    chromium.driver().findElement(By.id("username")).sendKeys(user);
    chromium.driver().findElement(By.id("password")).sendKeys(user);
    WebElement login = chromium.driver().findElement(By.id("kc-login"));
    login.click();
    chromium.await().until(ExpectedConditions.stalenessOf(login));
    // Screen 2: the one-time code.
    if (!chromium.driver().findElements(By.cssSelector("input[name=otp]")).isEmpty()) {
      screens.add("one-time code");
      chromium.driver().findElement(By.cssSelector("input[name=otp]")).sendKeys(Totp.next(user));
      WebElement submit = chromium.driver().findElement(By.id("kc-login"));
      submit.click();
      chromium.await().until(ExpectedConditions.stalenessOf(submit));
    }
    // Screen 3: the activation form.
    ActivationPage form = new ActivationPage(chromium).waitUntilShown();
    screens.add("activation form");
    form.fill(DemoRealm.GOOD_REASON, DemoRealm.GOOD_TICKET, DemoRealm.ROLE, 15).submit();

    ConsolePage page = new ConsolePage(chromium);
    page.shown("#bg-token");
    assertTrue(screens.size() <= 3, "screens before the token: " + screens);
    String url = chromium.driver().getCurrentUrl();
    assertTrue(url.startsWith(ConsolePage.activateUrl(urls.getBase())), url);
    assertFalse(url.contains("code="), "no code left in the address: " + url);

    String grantId = breakGlass.activeGrantId(user);
    assertTrue(page.text("#bg-token-roles").contains(DemoRealm.ROLE), page.text("#bg-token-roles"));
    assertEquals(grantId, page.text("#bg-token-grant"));
    chromium.await().until(d -> page.text("#bg-token-ticket").equals(DemoRealm.GOOD_TICKET));
    assertFalse(page.text("#bg-token-exp").isBlank());
    assertTrue(page.text("#bg-token-left").matches("\\d+:\\d\\d(:\\d\\d)?"), "countdown");
    assertFalse(page.text("#bg-token-acr").isBlank(), "acr shown");
    assertTrue(page.shown("#bg-end-now").isDisplayed(), "End now offered");
    assertFitsPhone(chromium, "token page");
    assertAccessible(chromium, "token page");
    screenshot(chromium, "console-activate");

    // End now, right there, with the keyboard alone: Enter on the button, Enter on the
    // confirmation.
    page.shown("#bg-end-now").sendKeys(Keys.ENTER);
    WebElement yes = page.shown("#bg-end-yes");
    assertEquals(yes, chromium.driver().switchTo().activeElement(), "focus on the confirmation");
    chromium.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
    assertTrue(page.announced().contains("ended"), "announced");
    chromium.await().until(d -> page.text("#bg-token-h").equals("Emergency access ended"));
    JsonNode grant = breakGlass.grant(grantId);
    assertEquals("ENDED", grant.get("status").asText(), grant.toString());
    assertEquals("RELEASED", grant.get("endReason").asText(), grant.toString());
    assertFalse(holdsEmergencyRole(user), "role gone");
  }

  // --- (b) the responder ends their access with End now

  @Test
  void aResponderEndsTheirAccessWithEndNow() {
    String user = "console-ender";
    DemoRealm.createResponder(realm.admin(), user, 1);
    DemoRealm.activate(opsConsole(), user, 15);
    String grantId = breakGlass.activeGrantId(user);
    assertTrue(holdsEmergencyRole(user));

    Chromium chromium = browser(PHONE_WIDTH, PHONE_HEIGHT);
    new LoginPage(chromium).open(ConsolePage.url(urls.getBase())).signIn(user, user);
    ConsolePage page = new ConsolePage(chromium).waitUntilSignedIn();
    WebElement active = page.shown("#bg-mine-active");
    assertTrue(active.getText().contains(DemoRealm.GOOD_TICKET), active.getText());
    assertTrue(active.getText().contains(DemoRealm.ROLE), active.getText());
    assertTrue(page.text("#bg-mine-left").matches("\\d+:\\d\\d(:\\d\\d)?"), "countdown");
    assertFitsPhone(chromium, "responder view");
    assertAccessible(chromium, "responder view");
    screenshot(chromium, "console-responder");

    // The language switch: German from the bundle, then back.
    new Select(chromium.driver().findElement(By.id("bg-lang"))).selectByValue("de");
    chromium.await().until(d -> page.text("#bg-mine-h").equals("Mein Notfallzugriff"));
    assertEquals("de", chromium.driver().findElement(By.tagName("html")).getAttribute("lang"));
    new Select(chromium.driver().findElement(By.id("bg-lang"))).selectByValue("en");
    chromium.await().until(d -> page.text("#bg-mine-h").equals("My emergency access"));

    page.shown("#bg-end-now").click();
    WebElement yes = page.shown("#bg-end-yes");
    assertEquals(yes, chromium.driver().switchTo().activeElement(), "focus on the confirmation");
    yes.click();
    assertTrue(page.announced().contains("ended"));

    JsonNode grant = breakGlass.grant(grantId);
    assertEquals("ENDED", grant.get("status").asText(), grant.toString());
    assertEquals("RELEASED", grant.get("endReason").asText(), grant.toString());
    assertFalse(holdsEmergencyRole(user), "role gone");
  }

  // --- (c) an approver approves a pending request

  @Test
  void anApproverApprovesAPendingRequest() {
    breakGlass.policy().set(Map.of("approval", "required", "approverGroup", "/approvers"));
    String user = "console-requester";
    DemoRealm.createResponder(realm.admin(), user, 1);
    Browser requester = new Browser(DemoRealm.REDIRECT);
    ActivationPage.Http form =
        ActivationPage.http(requester, DemoRealm.signIn(requester, opsConsole(), user));
    Browser.Page waiting = form.submit(DemoRealm.validActivation());
    assertTrue(WaitingPage.http(requester, waiting).isShown(), waiting.body());
    JsonNode pending = breakGlass.get("grants?status=PENDING&user=" + user).json();
    assertEquals(1, pending.size(), pending.toString());
    String requestId = pending.get(0).get("id").asText();

    Chromium chromium = browser(PHONE_WIDTH, PHONE_HEIGHT);
    new LoginPage(chromium).open(ConsolePage.url(urls.getBase())).signIn("approver", "approver");
    ConsolePage page = new ConsolePage(chromium).waitUntilSignedIn();
    WebElement card = page.requestCard(requestId);
    assertTrue(card.getText().contains(user), card.getText());
    assertTrue(card.getText().contains(DemoRealm.GOOD_REASON), card.getText());
    assertTrue(card.getText().contains(DemoRealm.GOOD_TICKET), card.getText());
    assertTrue(card.getText().contains(DemoRealm.ROLE), card.getText());
    assertTrue(card.getText().contains("15 minutes"), card.getText());
    assertFitsPhone(chromium, "approver view");
    assertAccessible(chromium, "approver view");
    screenshot(chromium, "console-approver");

    // A rejection without a comment is refused before it is sent, and said so.
    card.findElement(By.cssSelector(".bg-reject")).click();
    assertTrue(page.error().contains("comment"), "rejection needs a comment");
    assertEquals("PENDING", breakGlass.grant(requestId).get("status").asText());

    card.findElement(By.cssSelector(".bg-approve")).click();
    assertTrue(page.announced().contains("approved"));
    assertEquals("ACTIVE", breakGlass.grant(requestId).get("status").asText());
    assertTrue(holdsEmergencyRole(user));
  }

  // --- (d) a realm admin revokes, verifies and exports; an auditor only reads

  @Test
  void aRealmAdminRevokesVerifiesAndExportsAndAnAuditorOnlyReads() throws Exception {
    String admin = createAdministrator("console-admin");
    assertNotNull(admin);
    String user = "console-holder";
    DemoRealm.createResponder(realm.admin(), user, 1);
    DemoRealm.activate(opsConsole(), user, 15);
    String grantId = breakGlass.activeGrantId(user);

    Chromium chromium = browser(1280, 900);
    Path downloads = Files.createTempDirectory("bg-console-downloads-");
    ((ChromeDriver) chromium.driver())
        .executeCdpCommand(
            "Browser.setDownloadBehavior",
            Map.of("behavior", "allow", "downloadPath", downloads.toAbsolutePath().toString()));
    new LoginPage(chromium)
        .open(ConsolePage.url(urls.getBase()))
        .signIn("console-admin", "console-admin");
    ConsolePage page = new ConsolePage(chromium).waitUntilSignedIn();
    WebElement card = page.grantCard(grantId);
    assertTrue(card.getText().contains(DemoRealm.GOOD_REASON), card.getText());
    page.shown("#bg-policy");
    assertTrue(page.text("#bg-policy").contains("INC-[0-9]{3,10}"), "policy shown read-only");

    // The evidence as a timeline.
    card.findElement(By.cssSelector(".bg-evidence-button")).click();
    chromium
        .await()
        .until(
            d -> card.findElement(By.cssSelector(".bg-evidence")).getText().contains("ACTIVATED"));
    assertAccessible(chromium, "admin view");
    screenshot(chromium, "console-admin");
    chromium.resizeViewport(PHONE_WIDTH, PHONE_HEIGHT);
    assertFitsPhone(chromium, "admin view");
    chromium.resizeViewport(1280, 900);

    // Revoke ends the grant.
    card.findElement(By.cssSelector(".bg-revoke-reason"))
        .sendKeys("Incident closed, access no longer needed");
    card.findElement(By.cssSelector(".bg-revoke")).click();
    assertTrue(page.announced().contains("revoked"));
    JsonNode revoked = breakGlass.grant(grantId);
    assertEquals("ENDED", revoked.get("status").asText(), revoked.toString());
    assertEquals("REVOKED", revoked.get("endReason").asText(), revoked.toString());
    assertFalse(holdsEmergencyRole(user), "role gone");

    // Verification.
    page.shown("#bg-verify").click();
    chromium.await().until(d -> page.text("#bg-verify-result").contains("Audit trail intact"));

    // The export, downloaded as a file.
    page.shown("#bg-export-json").click();
    Path file = downloads.resolve("break-glass-audit.json");
    chromium.await().until(d -> Files.exists(file) && size(file) > 0);
    JsonNode export = Oidc.JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    assertTrue(export.isArray(), "a JSON array");
    boolean revocationExported = false;
    for (JsonNode record : export) {
      revocationExported |=
          grantId.equals(record.path("grantId").asText())
              && "BREAK_GLASS_REVOKED".equals(record.path("type").asText());
    }
    assertTrue(revocationExported, "the revocation is in the export");

    // A drill for an eligible responder, scheduled from the console and listed there.
    page.shown("#bg-drill-user").sendKeys("responder");
    page.shown("#bg-drill-start").click();
    assertTrue(page.announced().contains("Drill scheduled"));
    chromium.await().until(d -> page.text("#bg-drill-list").contains("responder"));
    JsonNode drills = breakGlass.get("drills").json();
    assertTrue(drills.toString().contains("\"username\":\"responder\""), drills.toString());

    // An auditor (view-users only) sees the grants but no revoke button, and a forged revoke fails.
    String other = "console-held";
    DemoRealm.createResponder(realm.admin(), other, 1);
    DemoRealm.activate(opsConsole(), other, 15);
    String activeId = breakGlass.activeGrantId(other);
    Chromium auditorBrowser = browser(PHONE_WIDTH, PHONE_HEIGHT);
    new LoginPage(auditorBrowser)
        .open(ConsolePage.url(urls.getBase()))
        .signIn("auditor", "auditor");
    ConsolePage auditor = new ConsolePage(auditorBrowser).waitUntilSignedIn();
    WebElement seen = auditor.grantCard(activeId);
    assertTrue(seen.findElements(By.cssSelector(".bg-revoke")).isEmpty(), "no revoke button");
    assertTrue(auditor.all("#bg-drill-start").isEmpty(), "no drill button");
    auditor.shown("#bg-verify");
    assertFitsPhone(auditorBrowser, "auditor view");
    assertAccessible(auditorBrowser, "auditor view");
    screenshot(auditorBrowser, "console-auditor");
    String auditorToken = auditor.accessToken();
    AdminApi asAuditor = new AdminApi(urls.getBase(), () -> auditorToken);
    AdminApi.Result forged =
        asAuditor.post(
            BreakGlassAdmin.BASE + "grants/" + activeId + "/revoke", "{\"reason\":\"forged\"}");
    assertEquals(403, forged.status(), forged.body());
    assertEquals("ACTIVE", breakGlass.grant(activeId).get("status").asText());
    assertEquals(200, asAuditor.get(BreakGlassAdmin.BASE + "audit/verify").status());
  }

  // --- forged and malformed input

  @Test
  void assetsAreAFixedListAndThePageIsServedWithStrictHeaders() throws Exception {
    String console = ConsolePage.url(urls.getBase());
    HttpResponse<String> page = get(console);
    assertEquals(200, page.statusCode());
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
    assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
    assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(""));
    assertTrue(
        page.headers().firstValue("Cache-Control").orElse("").contains("no-store"),
        page.headers().map().toString());
    // The PatternFly stylesheet the page links is Keycloak's own and is there.
    String css = between(page.body(), "<link rel=\"stylesheet\" href=\"", "\"");
    assertTrue(css.contains("/vendor/patternfly-v5/patternfly.min.css"), css);
    assertEquals(200, get(urls.getBase() + css).statusCode(), css);

    assertEquals(200, get(console + "/assets/console.js").statusCode());
    assertEquals(200, get(console + "/messages/de").statusCode());
    for (String forged :
        List.of(
            "/assets/index.html",
            "/assets/..%2Findex.html",
            "/assets/..%2F..%2FMETA-INF%2Fservices%2Forg.keycloak.provider.Spi",
            "/assets/%2e%2e%2fconsole.js",
            "/assets/console.js%00.css",
            "/messages/fr",
            "/messages/..%2Fmessages_en")) {
      HttpResponse<String> answer = get(console + forged);
      // 404 from the console's allow-list, or 400 where Keycloak refuses an unnormalised path.
      assertTrue(
          answer.statusCode() == 404 || answer.statusCode() == 400,
          forged + ": " + answer.statusCode() + " " + answer.body());
      assertFalse(answer.body().contains("use strict"), forged + " served the script");
      assertFalse(answer.body().contains("org.keycloak"), forged);
    }
  }

  @Test
  void serverTextIsShownAsTextNeverAsMarkup() throws Exception {
    String admin = createAdministrator("console-reader");
    assertNotNull(admin);
    // A policy value with markup, saved past the form's validation (the raw required-action PUT).
    String path = DemoRealm.REALM + "/authentication/required-actions/break-glass-activate";
    JsonNode original = breakGlass.api().get(path).json();
    String markup = "<img src=x id=bg-injected onerror=\"document.title='pwned'\">";
    com.fasterxml.jackson.databind.node.ObjectNode changed = original.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) changed.get("config"))
        .put("ticketExample", markup);
    try {
      AdminApi.Result saved = breakGlass.api().put(path, changed.toString());
      assertEquals(204, saved.status(), saved.body());
      Chromium chromium = browser(1280, 900);
      new LoginPage(chromium)
          .open(ConsolePage.url(urls.getBase()))
          .signIn("console-reader", "console-reader");
      ConsolePage page = new ConsolePage(chromium).waitUntilSignedIn();
      chromium.await().until(d -> page.text("#bg-policy").contains(markup));
      assertTrue(page.all("#bg-injected").isEmpty(), "no element made from server text");
      assertTrue(page.all("#bg-policy img").isEmpty(), "no image in the policy view");
      assertFalse("pwned".equals(chromium.driver().getTitle()), "no script ran");
    } finally {
      assertEquals(204, breakGlass.api().put(path, original.toString()).status());
    }
  }

  // --- helpers

  /** A realm administrator with view-users and manage-users, password = name, no second factor. */
  private String createAdministrator(String username) {
    UserRepresentation user = new UserRepresentation();
    user.setUsername(username);
    user.setEnabled(true);
    user.setEmail(username + "@example.org");
    user.setEmailVerified(true);
    user.setFirstName("Realm");
    user.setLastName("Admin");
    CredentialRepresentation password = new CredentialRepresentation();
    password.setType(CredentialRepresentation.PASSWORD);
    password.setValue(username);
    password.setTemporary(false);
    user.setCredentials(List.of(password));
    try (jakarta.ws.rs.core.Response response = realm.admin().users().create(user)) {
      assertEquals(201, response.getStatus());
    }
    String id = realm.admin().users().searchByUsername(username, true).get(0).getId();
    ClientRepresentation management =
        realm.admin().clients().findByClientId("realm-management").get(0);
    List<RoleRepresentation> roles =
        Stream.of("view-users", "manage-users")
            .map(
                r ->
                    realm
                        .admin()
                        .clients()
                        .get(management.getId())
                        .roles()
                        .get(r)
                        .toRepresentation())
            .toList();
    realm.admin().users().get(id).roles().clientLevel(management.getId()).add(roles);
    return id;
  }

  private static void assertFitsPhone(Chromium chromium, String view) {
    assertEquals(PHONE_WIDTH, chromium.viewportWidth(), view + ": phone-sized viewport");
    assertFalse(
        chromium.scrollsSideways(),
        view + " fits a 375-pixel-wide screen; too wide: " + chromium.overflowing());
  }

  /** axe-core on the page as it is: no serious or critical violation. */
  private static void assertAccessible(Chromium chromium, String view) {
    Results results = new AxeBuilder().analyze(chromium.driver());
    List<Rule> grave =
        results.getViolations().stream()
            .filter(r -> "serious".equals(r.getImpact()) || "critical".equals(r.getImpact()))
            .toList();
    assertTrue(
        grave.isEmpty(),
        view
            + ": "
            + grave.stream()
                .map(
                    r ->
                        r.getId()
                            + " ("
                            + r.getImpact()
                            + "): "
                            + r.getHelp()
                            + " at "
                            + r.getNodes().stream()
                                .map(n -> String.valueOf(n.getTarget()))
                                .collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n")));
  }

  /** A screenshot in target/screenshots, copied to docs/ for the README. */
  private static void screenshot(Chromium chromium, String name) {
    Path shot = chromium.screenshot(name);
    try {
      Files.createDirectories(Path.of("docs"));
      Files.copy(shot, Path.of("docs", name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    assertTrue(from >= 0, "no " + start);
    from += start.length();
    return text.substring(from, text.indexOf(end, from));
  }
}
