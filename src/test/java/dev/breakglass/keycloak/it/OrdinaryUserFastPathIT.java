package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.UserResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * Ordinary users skip the grant look-up on the token path, the use listener and the login: these
 * are the ways a holder's token or a drifted mapping could slip through that shortcut, each tried.
 */
@KeycloakIntegrationTest(config = BreakGlassServerConfig.class)
class OrdinaryUserFastPathIT {

  private static final String SCRIPT_CLIENT = "fast-path-script";

  private static int holders;

  @InjectAdminClient Keycloak admin;

  @InjectKeycloakUrls KeycloakUrls urls;

  @InjectRealm(fromJson = DemoRealm.JSON)
  ManagedRealm realm;

  private final BreakGlassAdmin breakGlass = BreakGlassAdmin.of(() -> urls, () -> admin);

  private String holder;

  @BeforeEach
  void newResponder() {
    holder = "fast-" + (++holders);
    DemoRealm.createResponder(realm.admin(), holder);
    if (realm.admin().clients().findByClientId(SCRIPT_CLIENT).isEmpty()) {
      // A script's client whose tokens list realm roles (admin-cli's do not in this realm).
      ClientRepresentation script = new ClientRepresentation();
      script.setClientId(SCRIPT_CLIENT);
      script.setPublicClient(true);
      script.setDirectAccessGrantsEnabled(true);
      script.setStandardFlowEnabled(false);
      script.setFullScopeAllowed(true);
      realm.admin().clients().create(script).close();
    }
  }

  @AfterEach
  void cleanUp() {
    TestReset.afterEach(breakGlass);
  }

  private Oidc opsConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT);
  }

  private String accountRedirect() {
    return urls.getBase() + "/realms/" + DemoRealm.REALM + "/account/";
  }

  private Oidc accountConsole() {
    return new Oidc(urls.getBase(), DemoRealm.REALM, "account-console", accountRedirect());
  }

  private void createRole(String name) {
    RoleRepresentation role = new RoleRepresentation();
    role.setName(name);
    realm.admin().roles().create(role);
  }

  private UserResource user(String username) {
    UserRepresentation found = realm.admin().users().searchByUsername(username, true).get(0);
    return realm.admin().users().get(found.getId());
  }

  /** A password-grant token of the script client, as a script holding the grant gets one. */
  private JsonNode holdersToken() {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              urls.getBase()
                                  + "/realms/"
                                  + DemoRealm.REALM
                                  + "/protocol/openid-connect/token"))
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "grant_type=password&client_id="
                                  + SCRIPT_CLIENT
                                  + "&username="
                                  + Browser.enc(holder)
                                  + "&password="
                                  + Browser.enc(holder)
                                  + "&totp="
                                  + Totp.next(holder)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      return Oidc.claims(Oidc.JSON.readTree(response.body()).get("access_token").asText());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void aPolicyEditThatDropsTheGrantedRoleLeavesTheHoldersTokensCapped() {
    createRole("fast-other-role");
    DemoRealm.activate(opsConsole(), holder, 10);
    JsonNode grant = breakGlass.activeGrants(holder).get(0);
    long expiresAt = Instant.parse(grant.get("expiresAt").asText()).getEpochSecond();
    assertEquals(
        grant.get("id").asText(), holdersToken().path("break_glass").path("grant_id").asText());

    // A legitimate admin takes emergency-admin out of the policy while the grant runs: the role is
    // no longer one the policy names, but the grant behind the holder's mapping still is.
    breakGlass.policy().set(Map.of("grantableRoles", "fast-other-role"));

    JsonNode claims = holdersToken();
    assertTrue(Oidc.realmRoles(claims).contains(DemoRealm.ROLE), claims.toString());
    assertTrue(claims.get("exp").asLong() <= expiresAt, "the token outlives the grant: " + claims);
    assertEquals(grant.get("id").asText(), claims.path("break_glass").path("grant_id").asText());
    assertTrue(
        breakGlass.auditOf(grant.get("id").asText(), "BREAK_GLASS_USED").size() >= 2,
        "each token of the holder is a recorded use");
  }

  @Test
  void aGovernedRoleDeletedAndMadeAgainUnderItsNameIsStillStrippedFromTokens() {
    createRole("fast-governed");
    breakGlass
        .policy()
        .set(Map.of("grantableRoles", DemoRealm.ROLE + "##fast-governed", "driftMode", "alert"));
    // The node has now seen the policy: its shortcut knows this role by its first id.
    JsonNode before = holdersToken();
    assertTrue(
        Oidc.realmRoles(before).contains("default-roles-breakglass-demo"), before.toString());
    assertFalse(Oidc.realmRoles(before).contains("fast-governed"));

    realm.admin().roles().deleteRole("fast-governed");
    createRole("fast-governed");
    RoleRepresentation again = realm.admin().roles().get("fast-governed").toRepresentation();
    int drifts = breakGlass.auditOfType("BREAK_GLASS_DRIFT").size();
    user(holder).roles().realmLevel().add(List.of(again));

    JsonNode claims = holdersToken();
    assertFalse(
        Oidc.realmRoles(claims).contains("fast-governed"),
        "a governed role mapped outside a grant reached a token: " + claims);
    assertTrue(
        breakGlass.auditOfType("BREAK_GLASS_DRIFT").size() > drifts,
        "the mapping was recorded as drift");
  }

  @Test
  void aHolderWhoTookTheAttestationOffTheirAccountIsAskedAgainOnTheNextLogin() {
    DemoRealm.activate(opsConsole(), holder, 10);
    String grantId = breakGlass.activeGrantId(holder);
    AdminApi.Result revoked = breakGlass.revoke(grantId, "incident over");
    assertEquals(200, revoked.status(), revoked.body());

    UserResource account = user(holder);
    UserRepresentation rep = account.toRepresentation();
    assertTrue(
        rep.getRequiredActions().contains("break-glass-attest"),
        rep.getRequiredActions().toString());
    rep.setRequiredActions(List.of());
    account.update(rep);

    Browser browser = new Browser(accountRedirect());
    AttestationPage page =
        AttestationPage.http(browser, DemoRealm.signIn(browser, accountConsole(), holder));
    Browser.Page done = page.submit(AttestationPage.answers(grantId, "yes", "yes", "yes", "ok"));
    assertTrue(done.isRedirectToApp(accountRedirect()), done.status() + " " + done.body());
    assertEquals(1, breakGlass.auditOf(grantId, "BREAK_GLASS_ATTESTED").size());
  }
}
