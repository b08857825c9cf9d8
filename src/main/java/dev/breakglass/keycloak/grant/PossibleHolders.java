package dev.breakglass.keycloak.grant;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.PolicyKeys;
import dev.breakglass.keycloak.domain.PolicyParser;
import dev.breakglass.keycloak.policy.GovernedRoles;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.AfterCommit;
import dev.breakglass.keycloak.store.HolderLookups;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.util.JsonSerialization;

/**
 * Tells from Keycloak's own caches that a user cannot be behind a grant, so ordinary users' tokens,
 * refreshes and logins cost no database look-up and no policy parsing.
 *
 * <p>A grant maps its roles to its holder, so a user without any role a grant could hold has no
 * grant, and no token of theirs can carry one: nothing to cap, nothing to strip, no use to record.
 * The roles a grant could hold are those the policy names (resolved by name on every call, so a
 * role deleted and re-created under the same name is still seen), those of the last valid policy,
 * and those of every ACTIVE or PENDING grant. The last two are read once per node and text of the
 * policy's grantable roles: a new grant's roles come from the policy in force or from a pending
 * request, both already in the set; an edit of the grantable roles (the only edit that changes the
 * last valid policy's roles) reads them again. Whether the user holds a role comes from Keycloak's
 * user cache, which the cluster keeps consistent with the role mappings a grant adds and removes:
 * an ended grant is never trusted from here, only the absence of one.
 */
public final class PossibleHolders {

  /** How long the list of users owing an attestation is reused on a node before it is re-read. */
  private static final long AWAITING_REFRESH_MILLIS = 30_000;

  /** {@code roleIds} null: an open grant's roles could not be read, so everyone is looked up. */
  private record KnownRoles(String grantableRoles, Set<String> roleIds) {}

  private record Awaiting(long readAt, Set<String> userIds) {}

  private static final ConcurrentMap<String, KnownRoles> ROLES_BY_REALM = new ConcurrentHashMap<>();
  private static final ConcurrentMap<String, Awaiting> AWAITING_BY_REALM =
      new ConcurrentHashMap<>();

  private PossibleHolders() {}

  /**
   * False only when the user holds none of the roles a grant of this realm could hold; true means
   * "look it up".
   */
  public static boolean mayHoldGrant(KeycloakSession session, RealmModel realm, UserModel user) {
    // One answer per request: a token response asks for its access token, its ID token and its
    // event. Within a request only an activation gives a user a role, and it forgets the answer.
    String key = memoKey(realm.getId(), user.getId());
    Boolean known = session.getAttribute(key, Boolean.class);
    if (known != null) {
      return known;
    }
    boolean may = holdsAGrantableRole(session, realm, user);
    session.setAttribute(key, may);
    return may;
  }

  /**
   * True when this request has already found that the user cannot hold a grant: an event after the
   * tokens it issued needs to look at nothing, not even the realm or the user.
   */
  public static boolean knownNotToHoldGrant(
      KeycloakSession session, String realmId, String userId) {
    return Boolean.FALSE.equals(session.getAttribute(memoKey(realmId, userId), Boolean.class));
  }

  /** The user was just given a grant's roles: this request asks {@link #mayHoldGrant} again. */
  static void forget(KeycloakSession session, RealmModel realm, String userId) {
    session.removeAttribute(memoKey(realm.getId(), userId));
  }

  private static String memoKey(String realmId, String userId) {
    return "break-glass.may-hold-grant." + realmId + "." + userId;
  }

  private static boolean holdsAGrantableRole(
      KeycloakSession session, RealmModel realm, UserModel user) {
    String grantableRoles = RealmPolicies.rawConfig(realm).get(PolicyKeys.GRANTABLE_ROLES);
    Set<String> checked = new HashSet<>();
    for (String name : PolicyParser.splitMulti(grantableRoles)) {
      RoleModel role = RealmPolicies.resolveRole(realm, name);
      if (role != null && checked.add(role.getId()) && user.hasRole(role)) {
        return true;
      }
    }
    Set<String> remembered = rememberedRoleIds(session, realm, grantableRoles);
    if (remembered == null) {
      return true;
    }
    for (String id : remembered) {
      if (checked.contains(id)) {
        continue; // the policy names it too: already looked at
      }
      RoleModel role = realm.getRoleById(id);
      if (role != null && user.hasRole(role)) {
        return true;
      }
    }
    return false;
  }

  /**
   * False when the user cannot owe an attestation that their required actions do not already ask
   * for: they have the attestation action, or no ended grant of theirs waits (as read within the
   * last half minute on this node).
   */
  public static boolean mayOweUnaskedAttestation(
      KeycloakSession session, RealmModel realm, UserModel user) {
    if (user.getRequiredActionsStream().anyMatch(BreakGlassIds.ATTEST_ACTION::equals)) {
      return false;
    }
    long now = System.currentTimeMillis();
    Awaiting awaiting = AWAITING_BY_REALM.get(realm.getId());
    if (awaiting == null || now - awaiting.readAt() > AWAITING_REFRESH_MILLIS) {
      awaiting =
          new Awaiting(
              now, Set.copyOf(HolderLookups.of(session).usersAwaitingAttestation(realm.getId())));
      AWAITING_BY_REALM.put(realm.getId(), awaiting);
    }
    return awaiting.userIds().contains(user.getId());
  }

  /**
   * A grant of the realm ended and its holder now owes an attestation: this node re-reads who owes
   * one once the end has committed (other nodes within {@link #AWAITING_REFRESH_MILLIS}).
   */
  static void attestationOwedAfterCommit(KeycloakSession session, RealmModel realm) {
    String realmId = realm.getId();
    AfterCommit.run(session, () -> AWAITING_BY_REALM.remove(realmId));
  }

  /**
   * The last valid policy's roles and the roles of open grants, read once per text of the grantable
   * roles; null when an open grant's roles cannot be read.
   */
  private static Set<String> rememberedRoleIds(
      KeycloakSession session, RealmModel realm, String grantableRoles) {
    KnownRoles known = ROLES_BY_REALM.get(realm.getId());
    if (known != null && Objects.equals(known.grantableRoles(), grantableRoles)) {
      return known.roleIds();
    }
    Set<String> ids = new HashSet<>();
    boolean readable = true;
    GovernedRoles.remembered(session, realm).forEach(role -> ids.add(role.getId()));
    for (HolderLookups.OpenGrantRoles open :
        HolderLookups.of(session).openGrantRoles(realm.getId())) {
      List<String> byId = readList(open.roleIdsJson());
      List<String> byName = readList(open.rolesJson());
      if (byId == null || byName == null) {
        readable = false;
        break;
      }
      ids.addAll(byId);
      for (String name : byName) {
        RoleModel role = RealmPolicies.resolveRole(realm, name);
        if (role != null) {
          ids.add(role.getId());
        }
      }
    }
    Set<String> roleIds = readable ? Set.copyOf(ids) : null;
    ROLES_BY_REALM.put(realm.getId(), new KnownRoles(grantableRoles, roleIds));
    return roleIds;
  }

  /** The JSON list, empty for none, null when unreadable. */
  private static List<String> readList(String json) {
    if (json == null) {
      return List.of();
    }
    try {
      return JsonSerialization.readValue(json, new TypeReference<List<String>>() {});
    } catch (IOException e) {
      return null;
    }
  }
}
