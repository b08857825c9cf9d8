package dev.breakglass.keycloak.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  public static Map<String, List<String>> credentials(String user) {
    return Map.of("username", List.of(user), "password", List.of(user));
  }

  /** Opens the break-glass login and signs in; returns the page that follows the password. */
  public static Browser.Page signIn(Browser browser, Oidc oidc, String user) {
    Browser.Page login = browser.get(oidc.authorizeUrl());
    if (login.status() != 200) {
      throw new AssertionError("Login page not shown: " + login.status() + "\n" + login.body());
    }
    return browser.post(login.formAction(), credentials(user));
  }
}
