package dev.breakglass.keycloak.listener;

import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.drift.DriftReconciler;
import dev.breakglass.keycloak.governance.GovernanceGuard;
import dev.breakglass.keycloak.grant.Eligibility;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.grant.PossibleHolders;
import dev.breakglass.keycloak.store.GrantEntity;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.keycloak.events.Details;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.OTPCredentialModel;
import org.keycloak.models.credential.WebAuthnCredentialModel;

/**
 * Watches the realm's events, in the request's own transaction, so what it records commits with the
 * request that caused it:
 *
 * <ul>
 *   <li>each use of an active grant (login, code-to-token, refresh, token exchange, and every admin
 *       action its holder takes) becomes a BREAK_GLASS_USED record on the grant;
 *   <li>admin changes that can hand out a governed role (role mappings, composites, role changes,
 *       the policy) are checked for drift at once, within what the change touched.
 * </ul>
 */
public class BreakGlassEventListenerProvider implements EventListenerProvider {

  private static final Logger LOG = Logger.getLogger(BreakGlassEventListenerProvider.class);

  private static final Set<EventType> USES =
      EnumSet.of(
          EventType.LOGIN,
          EventType.CODE_TO_TOKEN,
          EventType.REFRESH_TOKEN,
          EventType.TOKEN_EXCHANGE);

  /** Credential types that are a second factor (OTP, security keys). */
  private static final Set<String> SECOND_FACTORS =
      Set.of(
          OTPCredentialModel.TYPE,
          WebAuthnCredentialModel.TYPE_TWOFACTOR,
          WebAuthnCredentialModel.TYPE_PASSWORDLESS);

  private static final Pattern USER_OR_GROUP_PATH =
      Pattern.compile("^(users|groups)/([^/]+)(/.*)?$");

  private final KeycloakSession session;

  public BreakGlassEventListenerProvider(KeycloakSession session) {
    this.session = session;
  }

  @Override
  public void onEvent(Event event) {
    if (event.getType() == EventType.UPDATE_CREDENTIAL && event.getError() == null) {
      secondFactorEnrolled(event);
      return;
    }
    if (event.getType() == null
        || !USES.contains(event.getType())
        || event.getUserId() == null
        || event.getError() != null
        || PossibleHolders.knownNotToHoldGrant(session, event.getRealmId(), event.getUserId())) {
      return;
    }
    RealmModel realm = session.realms().getRealm(event.getRealmId());
    // The listener is global: a realm without break-glass costs its logins no database look-up.
    if (realm == null || !GovernanceGuard.governs(realm)) {
      return;
    }
    UserModel user = session.users().getUserById(realm, event.getUserId());
    if (user == null || !PossibleHolders.mayHoldGrant(session, realm, user)) {
      return; // an ordinary user's login or refresh: no look-up
    }
    Optional<GrantEntity> active = GrantService.findActive(session, realm, event.getUserId());
    if (active.isEmpty()) {
      return;
    }
    GrantEntity grant = active.get();
    if (event.getType() == EventType.LOGIN
        && grant.getId().equals(session.getAttribute(BreakGlassIds.ACTIVATING_GRANT_ATTRIBUTE))) {
      return;
    }
    Map<String, Object> use = new LinkedHashMap<>();
    use.put("use", event.getType().name());
    use.put("clientId", event.getClientId());
    use.put("ipAddress", event.getIpAddress());
    GrantService.recordUse(session, realm, grant, use);
  }

  /** A user set up an OTP or a security key: for an eligible user, a governance change. */
  private void secondFactorEnrolled(Event event) {
    String type =
        event.getDetails() == null ? null : event.getDetails().get(Details.CREDENTIAL_TYPE);
    if (event.getUserId() == null || type == null || !SECOND_FACTORS.contains(type)) {
      return;
    }
    RealmModel realm = session.realms().getRealm(event.getRealmId());
    if (realm == null || !GovernanceGuard.governs(realm)) {
      return;
    }
    UserModel user = session.users().getUserById(realm, event.getUserId());
    if (user != null) {
      Eligibility.secondFactorEnrolled(
          session, realm, user, type, event.getClientId(), event.getIpAddress());
    }
  }

  @Override
  public void onEvent(AdminEvent event, boolean includeRepresentation) {
    RealmModel realm = session.realms().getRealm(event.getRealmId());
    if (realm == null) {
      return;
    }
    recordAdminUse(event, realm);
    try {
      GovernanceGuard.onAdminEvent(session, realm, event);
      endGrantOnUnassignedRole(event, realm);
    } catch (RuntimeException e) {
      // Logged loudly; the periodic reconciliation looks again within its interval.
      LOG.errorf(
          e,
          "Break-glass governance check after an admin change failed in realm %s",
          realm.getName());
    }
    DriftReconciler.Scope scope = driftScope(event);
    if (scope == null) {
      return;
    }
    try {
      DriftReconciler.reconcile(session, realm, scope, "admin-event");
    } catch (RuntimeException e) {
      // The next sweep reconciles again; an admin change must not fail because of this check.
      LOG.errorf(
          e, "Break-glass drift check after an admin change failed in realm %s", realm.getName());
    }
  }

  /**
   * What an admin change may have given a governed role to: the user or group whose role mappings
   * changed, the composite roles, or (a role renamed or removed, a partial import, the policy
   * itself) the whole realm. Null when it cannot hand out a role: a realm setting, a group
   * membership (group mappings are checked on the group), an unrelated resource.
   */
  static DriftReconciler.Scope driftScope(AdminEvent event) {
    ResourceType type = event.getResourceType();
    String path = event.getResourcePath() == null ? "" : event.getResourcePath();
    if (type == null) {
      return null;
    }
    return switch (type) {
      case REALM_ROLE_MAPPING, CLIENT_ROLE_MAPPING, GROUP -> {
        Matcher m = USER_OR_GROUP_PATH.matcher(path);
        if (!m.matches()) {
          yield DriftReconciler.Scope.ALL;
        }
        yield m.group(1).equals("users")
            ? DriftReconciler.Scope.user(m.group(2))
            : DriftReconciler.Scope.group(m.group(2));
      }
      case REALM_ROLE, CLIENT_ROLE ->
          path.endsWith("/composites") || path.contains("/composites/")
              ? DriftReconciler.Scope.COMPOSITES
              : DriftReconciler.Scope.ALL;
      case REQUIRED_ACTION_CONFIG, REQUIRED_ACTION -> DriftReconciler.Scope.ALL;
      case REALM -> path.contains("partialImport") ? DriftReconciler.Scope.ALL : null;
      default -> null;
    };
  }

  /** An admin took a granted role away from its holder: the grant ends with it, by them. */
  private void endGrantOnUnassignedRole(AdminEvent event, RealmModel realm) {
    if (event.getOperationType() != OperationType.DELETE
        || (event.getResourceType() != ResourceType.REALM_ROLE_MAPPING
            && event.getResourceType() != ResourceType.CLIENT_ROLE_MAPPING)) {
      return;
    }
    Matcher m =
        USER_OR_GROUP_PATH.matcher(event.getResourcePath() == null ? "" : event.getResourcePath());
    if (!m.matches() || !m.group(1).equals("users")) {
      return;
    }
    GrantService.rolesUnassigned(session, realm, m.group(2), adminName(event));
  }

  private String adminName(AdminEvent event) {
    AuthDetails auth = event.getAuthDetails();
    if (auth == null || auth.getUserId() == null || auth.getRealmId() == null) {
      return "unknown";
    }
    RealmModel adminRealm = session.realms().getRealm(auth.getRealmId());
    UserModel admin =
        adminRealm == null ? null : session.users().getUserById(adminRealm, auth.getUserId());
    return admin == null ? auth.getUserId() : admin.getUsername();
  }

  /**
   * An admin action by a grant holder is what the privilege was used for: the heart of the
   * evidence.
   */
  private void recordAdminUse(AdminEvent event, RealmModel targetRealm) {
    AuthDetails auth = event.getAuthDetails();
    if (auth == null
        || auth.getUserId() == null
        || auth.getRealmId() == null
        || event.getError() != null) {
      return;
    }
    RealmModel holderRealm =
        auth.getRealmId().equals(targetRealm.getId())
            ? targetRealm
            : session.realms().getRealm(auth.getRealmId());
    if (holderRealm == null || !GovernanceGuard.governs(holderRealm)) {
      return;
    }
    UserModel admin = session.users().getUserById(holderRealm, auth.getUserId());
    if (admin == null || !PossibleHolders.mayHoldGrant(session, holderRealm, admin)) {
      return;
    }
    Optional<GrantEntity> active = GrantService.findActive(session, holderRealm, auth.getUserId());
    if (active.isEmpty()) {
      return;
    }
    Map<String, Object> use = new LinkedHashMap<>();
    use.put("use", "ADMIN");
    use.put("operation", event.getOperationType() == null ? null : event.getOperationType().name());
    use.put("resourceType", event.getResourceTypeAsString());
    use.put("resourcePath", event.getResourcePath());
    use.put("targetRealm", targetRealm.getName());
    ClientModel client =
        auth.getClientId() == null ? null : holderRealm.getClientById(auth.getClientId());
    use.put("clientId", client == null ? auth.getClientId() : client.getClientId());
    use.put("ipAddress", auth.getIpAddress());
    GrantService.recordUse(session, holderRealm, active.get(), use);
  }

  @Override
  public void close() {}
}
