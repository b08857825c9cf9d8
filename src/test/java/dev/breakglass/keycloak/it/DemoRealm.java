package dev.breakglass.keycloak.it;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** Creates an eligible responder (member of /responders) whose password is its name. */
  public static String createResponder(RealmResource realm, String username) {
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
    user.setCredentials(List.of(password));
    try (Response response = realm.users().create(user)) {
      if (response.getStatus() != 201) {
        throw new AssertionError("User " + username + " not created: " + response.getStatus());
      }
    }
    return realm.users().searchByUsername(username, true).get(0).getId();
  }

  /**
   * Opens the client's login (the break-glass flow for {@link #CLIENT}) and signs in with the demo
   * password (the user name); returns the page that follows the password.
   */
  public static Browser.Page signIn(Browser browser, Oidc oidc, String user) {
    return LoginPage.open(browser, oidc.authorizeUrl()).signIn(user, user);
  }
}
