package dev.breakglass.keycloak.listener;

import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.grant.GrantService;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
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
          }
        });
  }

  @Override
  public void close() {}

  @Override
  public String getId() {
    return PROVIDER_ID;
  }
}
