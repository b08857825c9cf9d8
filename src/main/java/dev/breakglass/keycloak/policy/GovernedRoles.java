package dev.breakglass.keycloak.policy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.store.GovernanceStore;
import dev.breakglass.keycloak.store.GovernedRoleEntity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.util.JsonSerialization;

/**
 * The roles break-glass governs in a realm, as role models. A valid policy names them; when the
 * policy is invalid (a governed role renamed or deleted, a bad edit, a raw import), the roles of
 * the last valid policy stay governed, by id: an invalid policy never lowers protection.
 */
public final class GovernedRoles {

  private GovernedRoles() {}

  /** The governed roles now: the valid policy's, else the last valid policy's. */
  public static List<RoleModel> of(KeycloakSession session, RealmModel realm) {
    RealmPolicies.Loaded loaded = RealmPolicies.load(session, realm);
    if (loaded.isValid()) {
      return resolve(realm, loaded.policy());
    }
    return remembered(session, realm);
  }

  /** The roles of the last valid policy, by id; those deleted since are gone. */
  public static List<RoleModel> remembered(KeycloakSession session, RealmModel realm) {
    return GovernanceStore.of(session).governedRoles(realm.getId()).stream()
        .map(GovernedRoleEntity::getRoleId)
        .map(realm::getRoleById)
        .filter(Objects::nonNull)
        .toList();
  }

  /** Stores the valid policy's roles by id, so they stay governed if the policy later breaks. */
  public static void remember(KeycloakSession session, RealmModel realm, BreakGlassPolicy policy) {
    Map<String, String> byId = new LinkedHashMap<>();
    for (RoleModel role : resolve(realm, policy)) {
      byId.put(role.getId(), qualifiedName(role));
    }
    GovernanceStore store = GovernanceStore.of(session);
    boolean same =
        store.governedRoles(realm.getId()).stream()
            .map(GovernedRoleEntity::getRoleId)
            .collect(Collectors.toSet())
            .equals(byId.keySet());
    if (!same) {
      store.replaceGovernedRoles(realm.getId(), byId);
    }
    for (GovernedRoleEntity row : store.governedRoles(realm.getId())) {
      RoleModel role = realm.getRoleById(row.getRoleId());
      if (row.getCompositeIdsJson() == null && role != null) {
        row.setCompositeIdsJson(compositesJson(role));
      }
    }
  }

  /** The ids of a role's direct composites, sorted, as JSON. */
  public static String compositesJson(RoleModel role) {
    try {
      return JsonSerialization.writeValueAsString(compositeIds(role));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static List<String> compositeIds(RoleModel role) {
    return role.getCompositesStream().map(RoleModel::getId).sorted().toList();
  }

  /** The composites recorded for a governed role; null when none were recorded yet. */
  public static List<String> rememberedCompositeIds(GovernedRoleEntity row) {
    if (row.getCompositeIdsJson() == null) {
      return null;
    }
    try {
      return JsonSerialization.readValue(
          row.getCompositeIdsJson(), new TypeReference<List<String>>() {});
    } catch (IOException e) {
      return null;
    }
  }

  /** A realm role's name, or {@code clientId.role} for a client role: the policy's notation. */
  public static String qualifiedName(RoleModel role) {
    return role.isClientRole() && role.getContainer() instanceof ClientModel client
        ? client.getClientId() + "." + role.getName()
        : role.getName();
  }

  private static List<RoleModel> resolve(RealmModel realm, BreakGlassPolicy policy) {
    List<RoleModel> roles = new ArrayList<>();
    for (String name : policy.grantableRoles()) {
      RoleModel role = RealmPolicies.resolveRole(realm, name);
      if (role != null) {
        roles.add(role);
      }
    }
    return roles;
  }
}
