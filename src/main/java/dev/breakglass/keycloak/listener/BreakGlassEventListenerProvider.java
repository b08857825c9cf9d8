package dev.breakglass.keycloak.listener;

import dev.breakglass.keycloak.drift.DriftReconciler;
import java.util.Set;
import org.jboss.logging.Logger;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * Watches the realm's events. Admin changes that can hand out a governed role (role mappings,
 * group membership, group and role changes) are checked for drift at once, in the admin request's
 * own transaction, so the drift record commits with the change that caused it.
 */
public class BreakGlassEventListenerProvider implements EventListenerProvider {

  private static final Logger LOG = Logger.getLogger(BreakGlassEventListenerProvider.class);

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
    // Uses of a grant are recorded here by the evidence feature.
  }

  @Override
  public void onEvent(AdminEvent event, boolean includeRepresentation) {
    if (!ROLE_BEARING.contains(event.getResourceType())) {
      return;
    }
    RealmModel realm = session.realms().getRealm(event.getRealmId());
    if (realm == null) {
      return;
    }
    try {
      DriftReconciler.reconcile(session, realm, "admin-event");
    } catch (RuntimeException e) {
      // The next sweep reconciles again; an admin change must not fail because of this check.
      LOG.errorf(e, "Break-glass drift check after an admin change failed in realm %s", realm.getName());
    }
  }

  @Override
  public void close() {}
}
