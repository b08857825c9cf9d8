package dev.breakglass.keycloak.policy;

import dev.breakglass.keycloak.domain.AlertPolicy;
import dev.breakglass.keycloak.domain.AttestationPolicy;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.domain.FieldError;
import dev.breakglass.keycloak.domain.PolicyKeys;
import dev.breakglass.keycloak.domain.PolicyParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keycloak.models.ClientModel;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionConfigModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Reads and checks a realm's policy. The policy lives in the config of the break-glass activation
 * required action; Keycloak's own save path validates it, but a realm import or a raw PUT bypasses
 * that, so every reader validates again and refuses to act on an invalid policy.
 */
public final class RealmPolicies {

  private RealmPolicies() {}

  /** A realm's policy: {@code policy} when valid, otherwise the reasons it is not usable. */
  public record Loaded(BreakGlassPolicy policy, List<FieldError> errors) {
    public boolean isValid() {
      return policy != null;
    }
  }

  public static Loaded load(KeycloakSession session, RealmModel realm) {
    return check(session, realm, rawConfig(realm));
  }

  /** The stored policy as it is, unchecked: empty when the realm has none. */
  public static Map<String, String> rawConfig(RealmModel realm) {
    RequiredActionConfigModel model =
        realm.getRequiredActionConfigByAlias(BreakGlassIds.POLICY_HOLDER);
    return model == null || model.getConfig() == null ? Map.of() : model.getConfig();
  }

  /**
   * The realm's alert channels, read field by field: alerts must still flow when another part of
   * the policy is broken (a drift or a denial is exactly when the SOC needs to hear).
   */
  public static AlertPolicy alerts(RealmModel realm) {
    return PolicyParser.alertsOf(rawConfig(realm));
  }

  /** The realm's attestation settings, read field by field like the alert channels. */
  public static AttestationPolicy attestation(RealmModel realm) {
    return PolicyParser.attestationOf(rawConfig(realm));
  }

  /**
   * Parses {@code config} and checks it against {@code realm}: the group and roles must exist.
   * Every problem is reported at once, so an admin fixes the policy in one round.
   */
  public static Loaded check(
      KeycloakSession session, RealmModel realm, Map<String, String> config) {
    Map<String, String> c = config == null ? Map.of() : config;
    PolicyParser.Result parsed = PolicyParser.parse(c);
    List<FieldError> errors = new ArrayList<>(parsed.errors());
    String group = c.getOrDefault(PolicyKeys.ELIGIBLE_GROUP, "").trim();
    if (group.startsWith("/")
        && KeycloakModelUtils.findGroupByPath(session, realm, group) == null) {
      errors.add(
          new FieldError(
              PolicyKeys.ELIGIBLE_GROUP,
              "The eligible group does not exist in this realm: " + group + "."));
    }
    String approvers = c.getOrDefault(PolicyKeys.APPROVER_GROUP, "");
    approvers = approvers == null ? "" : approvers.trim();
    if (approvers.startsWith("/")
        && KeycloakModelUtils.findGroupByPath(session, realm, approvers) == null) {
      errors.add(
          new FieldError(
              PolicyKeys.APPROVER_GROUP,
              "The approver group does not exist in this realm: " + approvers + "."));
    }
    for (String role : PolicyParser.splitMulti(c.get(PolicyKeys.GRANTABLE_ROLES))) {
      if (resolveRole(realm, role) == null) {
        errors.add(
            new FieldError(
                PolicyKeys.GRANTABLE_ROLES,
                "Grantable role does not exist in this realm: " + role + "."));
      }
    }
    return errors.isEmpty()
        ? new Loaded(parsed.policy(), List.of())
        : new Loaded(null, List.copyOf(errors));
  }

  /**
   * The policy's approver group: empty when the policy names none; a named group that does not
   * exist is reported by {@link #check} and yields no group here (callers fail closed).
   */
  public static Optional<String> approverGroupPath(RealmModel realm) {
    String path = rawConfig(realm).getOrDefault(PolicyKeys.APPROVER_GROUP, "");
    return path == null || path.isBlank() ? Optional.empty() : Optional.of(path.trim());
  }

  public static GroupModel findGroup(
      KeycloakSession session, RealmModel realm, BreakGlassPolicy policy) {
    return KeycloakModelUtils.findGroupByPath(session, realm, policy.eligibleGroup());
  }

  /**
   * Resolves a policy role name: a realm role by its name, else {@code clientId.role} (how the
   * policy's grantable-roles text field names a client role).
   */
  public static RoleModel resolveRole(RealmModel realm, String name) {
    RoleModel realmRole = realm.getRole(name);
    if (realmRole != null) {
      return realmRole;
    }
    int dot = name.indexOf('.');
    while (dot > 0 && dot < name.length() - 1) {
      ClientModel client = realm.getClientByClientId(name.substring(0, dot));
      if (client != null) {
        RoleModel clientRole = client.getRole(name.substring(dot + 1));
        if (clientRole != null) {
          return clientRole;
        }
      }
      dot = name.indexOf('.', dot + 1);
    }
    return null;
  }
}
