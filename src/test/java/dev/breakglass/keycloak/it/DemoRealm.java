package dev.breakglass.keycloak.it;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsoup.nodes.Element;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/** Names from realm-config/breakglass-demo-realm.json, and the steps a responder takes. */
public final class DemoRealm {

  public static final String JSON = "/realm-config/breakglass-demo-realm.json";
  public static final String REALM = "breakglass-demo";
  public static final String CLIENT = "ops-console";
  public static final String REDIRECT = "http://localhost:3000/callback";
  public static final String ROLE = "emergency-admin";
  public static final String GOOD_REASON = "Primary database is down, failover needs admin access";
  public static final String GOOD_TICKET = "INC-4711";

  private DemoRealm() {}

  /** Form fields of a valid activation, for tests to spoil one at a time. */
  public static Map<String, List<String>> validActivation() {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    fields.put("reason", new ArrayList<>(List.of(GOOD_REASON)));
    fields.put("ticket", new ArrayList<>(List.of(GOOD_TICKET)));
    fields.put("roles", new ArrayList<>(List.of(ROLE)));
    fields.put("duration", new ArrayList<>(List.of("15")));
    return fields;
  }

  /**
   * Signs in through the break-glass flow, activates for {@code minutes} and returns the tokens.
   */
  public static JsonNode activate(Oidc oidc, String user, int minutes) {
    Browser browser = new Browser(REDIRECT);
    ActivationPage.Http form = ActivationPage.http(browser, signIn(browser, oidc, user));
    Map<String, List<String>> fields = validActivation();
    fields.put("duration", List.of(Integer.toString(minutes)));
    Browser.Page back = form.submit(fields);
    if (!back.isRedirectToApp(REDIRECT)) {
      throw new AssertionError(
          "Activation for "
              + user
              + " did not return to the app: "
              + back.status()
              + "\n"
              + back.body());
    }
    return oidc.exchange(Oidc.code(back));
  }

  /** Gives the user realm-management's manage-users: an ordinary user administrator. */
  public static void grantManageUsers(RealmResource realm, String userId) {
    ClientRepresentation management = realm.clients().findByClientId("realm-management").get(0);
    realm
        .users()
        .get(userId)
        .roles()
        .clientLevel(management.getId())
        .add(
            List.of(
                realm
                    .clients()
                    .get(management.getId())
                    .roles()
                    .get("manage-users")
                    .toRepresentation()));
  }

  /**
   * OTP credentials (all with the demo secret) the harness gives a test responder: each has its own
   * single-use codes, so tests can sign in more often than once per 30-second step.
   */
  public static final int TEST_OTP_CREDENTIALS = 6;

  /** Demo-realm users to whom the harness adds such spare credentials when it first signs in. */
  private static final Set<String> SPARES = Set.of("responder");

  /**
   * Creates an eligible responder (member of /responders) whose password is its name, with the demo
   * OTP secret on {@link #TEST_OTP_CREDENTIALS} credentials.
   */
  public static String createResponder(RealmResource realm, String username) {
    return createResponder(realm, username, TEST_OTP_CREDENTIALS);
  }

  /** As {@link #createResponder(RealmResource, String)}, with this many OTP credentials. */
  public static String createResponder(RealmResource realm, String username, int otpCredentials) {
    UserRepresentation user = new UserRepresentation();
    user.setUsername(username);
    user.setEnabled(true);
    user.setEmail(username + "@example.org");
    user.setEmailVerified(true);
    user.setFirstName("Temp");
    user.setLastName("Responder");
    user.setGroups(List.of("/responders"));
    CredentialRepresentation password = new CredentialRepresentation();
    password.setType(CredentialRepresentation.PASSWORD);
    password.setValue(username);
    password.setTemporary(false);
    List<CredentialRepresentation> credentials = new ArrayList<>(List.of(password));
    for (int i = 0; i < otpCredentials; i++) {
      credentials.add(demoOtp("Demo authenticator " + (i + 1) + " (demo only)"));
    }
    user.setCredentials(credentials);
    try (Response response = realm.users().create(user)) {
      if (response.getStatus() != 201) {
        throw new AssertionError("User " + username + " not created: " + response.getStatus());
      }
    }
    if (otpCredentials > 0) {
      Totp.register(username);
    }
    return realm.users().searchByUsername(username, true).get(0).getId();
  }

  /**
   * The demo's OTP credential (secret {@link Totp#DEMO_SECRET}), in the stored form the admin API
   * accepts on user creation, like the responder's in the realm JSON.
   */
  public static CredentialRepresentation demoOtp(String label) {
    CredentialRepresentation otp = new CredentialRepresentation();
    otp.setType("otp");
    // Keycloak refuses two OTP credentials of one user with the same label (409).
    otp.setUserLabel(label);
    otp.setSecretData("{\"value\":\"" + Totp.DEMO_SECRET + "\"}");
    otp.setCredentialData(
        "{\"subType\":\"totp\",\"digits\":6,\"counter\":0,\"period\":30,"
            + "\"algorithm\":\"HmacSHA1\"}");
    return otp;
  }

  /**
   * Opens the client's login (the break-glass flow for {@link #CLIENT}) and signs in with the demo
   * password (the user name); returns the page that follows the password.
   */
  public static Browser.Page signIn(Browser browser, Oidc oidc, String user) {
    return signIn(browser, oidc.authorizeUrl(), user);
  }

  /**
   * Signs in at {@code authorizeUrl} (any client of the realm) with the demo password and, when
   * Keycloak's one-time-code page follows, the user's next code; returns the page after that.
   */
  public static Browser.Page signIn(Browser browser, String authorizeUrl, String user) {
    return answerOtp(browser, LoginPage.open(browser, authorizeUrl).signIn(user, user), user);
  }

  /** Whether {@code page} is Keycloak's own one-time-code page (not the activation's step-up). */
  public static boolean isOtpPage(Browser.Page page) {
    return page.status() == 200
        && page.doc().selectFirst("input[name=otp]") != null
        && page.doc().selectFirst("input[name=breakGlassStage]") == null;
  }

  /**
   * Answers Keycloak's one-time-code page with the user's next code, as the user would from the
   * authenticator app; any other page is returned as it is.
   */
  public static Browser.Page answerOtp(Browser browser, Browser.Page page, String user) {
    if (!isOtpPage(page)) {
      return page;
    }
    if (!Totp.has(user)) {
      throw new AssertionError(
          "One-time code asked of " + user + ", who has none:\n" + page.body());
    }
    Browser.Page current = page;
    // A code the harness believed unused can have been used by another path (a password grant):
    // Keycloak shows the page again, and the next code is tried.
    for (int attempt = 0; attempt < 6; attempt++) {
      List<String> ids = current.doc().select("input[name=selectedCredentialId]").eachAttr("value");
      if (ids.size() <= 1 && SPARES.contains(user)) {
        ids = SpareCredentials.ensure(current.url(), user, TEST_OTP_CREDENTIALS);
      }
      // One credential: its codes are the user's codes (the step-up and password grants use them).
      boolean several = ids.size() > 1;
      Totp.Choice choice = Totp.next(user, several ? ids : List.of("default"));
      Browser.Page next =
          postOtp(browser, current, choice.code(), several ? choice.credential() : null);
      if (!isOtpPage(next)) {
        return next;
      }
      current = next;
    }
    throw new AssertionError("No one-time code accepted for " + user + ":\n" + current.body());
  }

  /** Whether {@code page} is the activation's step-up page (fresh password and/or code). */
  public static boolean isStepUpPage(Browser.Page page) {
    return page.doc().selectFirst("input[name=breakGlassStage]") != null;
  }

  /**
   * Answers the activation's step-up page as the user would: the demo password where it asks for
   * the password, the user's next code where it asks for one. Fails on any other page.
   */
  public static Browser.Page stepUp(Browser browser, Browser.Page page, String user) {
    if (!isStepUpPage(page)) {
      throw new AssertionError("Step-up page not shown: " + page.status() + "\n" + page.body());
    }
    Map<String, List<String>> fields = new LinkedHashMap<>();
    fields.put("breakGlassStage", List.of("stepup"));
    if (page.doc().selectFirst("input[name=password]") != null) {
      fields.put("password", List.of(user));
    }
    if (page.doc().selectFirst("input[name=otp]") != null) {
      fields.put("otp", List.of(Totp.next(user)));
    }
    return browser.post(page.formAction(), fields);
  }

  /** Posts {@code code} on Keycloak's one-time-code page. */
  public static Browser.Page postOtp(Browser browser, Browser.Page page, String code) {
    return postOtp(browser, page, code, null);
  }

  /** Posts {@code code} for the credential {@code credentialId} (null: the page's default). */
  public static Browser.Page postOtp(
      Browser browser, Browser.Page page, String code, String credentialId) {
    Element form = page.doc().selectFirst("input[name=otp]").closest("form");
    Map<String, List<String>> fields = new LinkedHashMap<>();
    for (Element input : form.select("input[name]")) {
      String type = input.attr("type");
      if (("radio".equals(type) || "checkbox".equals(type)) && !input.hasAttr("checked")) {
        continue;
      }
      fields.put(input.attr("name"), List.of(input.val()));
    }
    fields.put("otp", List.of(code));
    if (credentialId != null) {
      fields.put("selectedCredentialId", List.of(credentialId));
    }
    return browser.post(form.absUrl("action"), fields);
  }
}
