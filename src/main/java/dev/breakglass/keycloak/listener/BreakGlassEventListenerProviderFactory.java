package dev.breakglass.keycloak.listener;

import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.governance.GovernanceGuard;
import dev.breakglass.keycloak.grant.GrantService;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleContainerModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;

/** Event listener {@value #PROVIDER_ID}: enable it in the realm's event listeners. */
public class BreakGlassEventListenerProviderFactory implements EventListenerProviderFactory {

  public static final String PROVIDER_ID = BreakGlassIds.EVENT_LISTENER;

  @Override
  public EventListenerProvider create(KeycloakSession session) {
    return new BreakGlassEventListenerProvider(session);
  }

  @Override
  public void init(Config.Scope config) {}

  @Override
  public void postInit(KeycloakSessionFactory factory) {
    // Whatever the realm's listener list says: a removed user's grants always end on the record.
    factory.register(
        event -> {
          if (event instanceof UserModel.UserRemovedEvent removed) {
            GrantService.userRemoved(
                removed.getKeycloakSession(), removed.getRealm(), removed.getUser());
          } else if (event instanceof RoleContainerModel.RoleRemovedEvent removed) {
            roleRemoved(removed.getKeycloakSession(), removed.getRole());
          }
        });
  }

  private static void roleRemoved(KeycloakSession session, RoleModel role) {
    RealmModel realm =
        role.getContainer() instanceof RealmModel r
            ? r
            : role.getContainer() instanceof ClientModel c ? c.getRealm() : null;
    if (realm == null || realmBeingRemoved(session, realm)) {
      return; // the realm's removal takes its grants and trail with it (copied out first)
    }
    GovernanceGuard.roleRemoved(session, realm, role);
    GrantService.roleRemoved(session, realm, role);
  }

  /** Keycloak removes a realm's roles one by one before it announces the realm's removal. */
  private static boolean realmBeingRemoved(KeycloakSession session, RealmModel realm) {
    HttpRequest request = session.getContext().getHttpRequest();
    if (request == null || request.getUri() == null) {
      return false;
    }
    String path = request.getUri().getPath();
    return "DELETE".equals(request.getHttpMethod())
        && path != null
        && path.replaceAll("/+$", "").endsWith("/admin/realms/" + realm.getName());
  }

  /**
   * Global: it hears every realm's events whatever the realm's listener list says, so removing it
   * from that list hides nothing. Realms without break-glass are left alone by each check.
   */
  @Override
  public boolean isGlobal() {
    return true;
  }

  @Override
  public void close() {}

  @Override
  public String getId() {
    return PROVIDER_ID;
  }
}
