package dev.breakglass.keycloak.admin;

import dev.breakglass.keycloak.domain.BreakGlassIds;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProvider;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory;

public class BreakGlassAdminResourceProviderFactory implements AdminRealmResourceProviderFactory {

  public static final String PROVIDER_ID = BreakGlassIds.ADMIN_RESOURCE;

  private static final BreakGlassAdminResourceProvider SINGLETON =
      new BreakGlassAdminResourceProvider();

  @Override
  public AdminRealmResourceProvider create(KeycloakSession session) {
    return SINGLETON;
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
