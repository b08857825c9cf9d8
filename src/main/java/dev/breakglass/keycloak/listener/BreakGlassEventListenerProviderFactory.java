package dev.breakglass.keycloak.listener;

import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** Event listener {@value #PROVIDER_ID}: enable it in the realm's event listeners. */
public class BreakGlassEventListenerProviderFactory implements EventListenerProviderFactory {

  public static final String PROVIDER_ID = "break-glass";

  @Override
  public EventListenerProvider create(KeycloakSession session) {
    return new BreakGlassEventListenerProvider(session);
  }

  @Override
  public void init(Config.Scope config) {}

  @Override
  public void postInit(KeycloakSessionFactory factory) {}

  @Override
  public void close() {}

  @Override
  public String getId() {
    return PROVIDER_ID;
  }
}
