package dev.breakglass.keycloak.admin;

import dev.breakglass.keycloak.domain.PolicyKeys;
import dev.breakglass.keycloak.policy.RealmPolicies;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/**
 * {@code .../break-glass/policy}: the realm's policy, read-only, for those who read grants
 * (view-users; Keycloak's own required-action endpoint needs view-realm, which auditors lack).
 * Secrets are never shown, only whether they are set. {@code canManage} tells the console whether
 * to offer changes; the server still checks each one.
 */
public class PolicyResource {

  static final String SECRET_SET = "(set)";

  private final KeycloakSession session;
  private final RealmModel realm;
  private final AdminPermissionEvaluator auth;

  PolicyResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth) {
    this.session = session;
    this.realm = realm;
    this.auth = auth;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> get() {
    auth.users().requireView();
    RealmPolicies.Loaded loaded = RealmPolicies.load(session, realm);
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("valid", loaded.isValid());
    view.put(
        "errors",
        loaded.errors().stream()
            .map(e -> Map.of("field", e.field(), "message", e.message()))
            .toList());
    view.put("config", masked(RealmPolicies.rawConfig(realm)));
    view.put("canManage", auth.users().canManage());
    return view;
  }

  /** The stored keys, sorted, with every secret replaced by a marker. */
  static Map<String, String> masked(Map<String, String> config) {
    Map<String, String> shown = new TreeMap<>();
    config.forEach(
        (key, value) ->
            shown.put(
                key,
                PolicyKeys.isSecret(key) && value != null && !value.isEmpty()
                    ? SECRET_SET
                    : value));
    return shown;
  }
}
