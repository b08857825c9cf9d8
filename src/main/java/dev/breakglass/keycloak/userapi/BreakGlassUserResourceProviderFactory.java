package dev.breakglass.keycloak.userapi;

import dev.breakglass.keycloak.domain.BreakGlassIds;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/** The user API at {@code /realms/{realm}/break-glass}: a realm user's own bearer token. */
public class BreakGlassUserResourceProviderFactory implements RealmResourceProviderFactory {

  public static final String PROVIDER_ID = BreakGlassIds.ADMIN_RESOURCE;

  @Override
  public RealmResourceProvider create(KeycloakSession session) {
    return new BreakGlassUserResourceProvider(session);
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
