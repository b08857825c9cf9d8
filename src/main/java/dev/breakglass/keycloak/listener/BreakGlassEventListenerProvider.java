package dev.breakglass.keycloak.listener;

import dev.breakglass.keycloak.drift.DriftReconciler;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.store.GrantEntity;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * Watches the realm's events, in the request's own transaction, so what it records commits with
 * the request that caused it:
 * <ul>
 *   <li>each use of an active grant (login, code-to-token, refresh, token exchange, and every admin
 *       action its holder takes) becomes a BREAK_GLASS_USED record on the grant;
 *   <li>admin changes that can hand out a governed role (role mappings, group membership, group
 *       and role changes) are checked for drift at once.
 * </ul>
 */
public class BreakGlassEventListenerProvider implements EventListenerProvider {

  /**
   * Session attribute set by the activation to the new grant's id: the login that activates a
   * grant is part of the activation, not its first use.
   */
  public static final String ACTIVATING_GRANT_ATTRIBUTE = "break-glass.activating-grant";

  private static final Logger LOG = Logger.getLogger(BreakGlassEventListenerProvider.class);

  private static final Set<EventType> USES = EnumSet.of(
      EventType.LOGIN, EventType.CODE_TO_TOKEN, EventType.REFRESH_TOKEN, EventType.TOKEN_EXCHANGE);

  private static final Set<ResourceType> ROLE_BEARING = Set.of(
      ResourceType.REALM_ROLE_MAPPING,
      ResourceType.CLIENT_ROLE_MAPPING,
      ResourceType.GROUP_MEMBERSHIP,
      ResourceType.GROUP,
      ResourceType.REALM_ROLE,
      ResourceType.CLIENT_ROLE,
      ResourceType.REALM);

  private final KeycloakSession session;

  public BreakGlassEventListenerProvider(KeycloakSession session) {
    this.session = session;
  }

  @Override
  public void onEvent(Event event) {
    if (event.getType() == null || !USES.contains(event.getType()) || event.getUserId() == null || event.getError() != null) {
      return;
    }
    RealmModel realm = session.realms().getRealm(event.getRealmId());
    if (realm == null) {
      return;
    }
    Optional<GrantEntity> active = GrantService.findActive(session, realm, event.getUserId());
    if (active.isEmpty()) {
      return;
    }
    GrantEntity grant = active.get();
    if (event.getType() == EventType.LOGIN && grant.getId().equals(session.getAttribute(ACTIVATING_GRANT_ATTRIBUTE))) {
      return;
    }
    Map<String, Object> use = new LinkedHashMap<>();
    use.put("use", event.getType().name());
    use.put("clientId", event.getClientId());
    use.put("ipAddress", event.getIpAddress());
    GrantService.recordUse(session, realm, grant, use);
  }

  @Override
  public void onEvent(AdminEvent event, boolean includeRepresentation) {
    RealmModel realm = session.realms().getRealm(event.getRealmId());
    if (realm == null) {
      return;
    }
    recordAdminUse(event, realm);
    if (!ROLE_BEARING.contains(event.getResourceType())) {
      return;
    }
    try {
      DriftReconciler.reconcile(session, realm, "admin-event");
    } catch (RuntimeException e) {
      // The next sweep reconciles again; an admin change must not fail because of this check.
      LOG.errorf(e, "Break-glass drift check after an admin change failed in realm %s", realm.getName());
    }
  }

  /** An admin action by a grant holder is what the privilege was used for: the heart of the evidence. */
  private void recordAdminUse(AdminEvent event, RealmModel targetRealm) {
    AuthDetails auth = event.getAuthDetails();
    if (auth == null || auth.getUserId() == null || auth.getRealmId() == null || event.getError() != null) {
      return;
    }
    RealmModel holderRealm = auth.getRealmId().equals(targetRealm.getId()) ? targetRealm : session.realms().getRealm(auth.getRealmId());
    if (holderRealm == null) {
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
    ClientModel client = auth.getClientId() == null ? null : holderRealm.getClientById(auth.getClientId());
    use.put("clientId", client == null ? auth.getClientId() : client.getClientId());
    use.put("ipAddress", auth.getIpAddress());
    GrantService.recordUse(session, holderRealm, active.get(), use);
  }

  @Override
  public void close() {}
}
