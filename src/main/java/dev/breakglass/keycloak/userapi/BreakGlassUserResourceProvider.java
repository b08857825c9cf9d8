package dev.breakglass.keycloak.userapi;

import org.keycloak.models.KeycloakSession;
import org.keycloak.services.resource.RealmResourceProvider;

public class BreakGlassUserResourceProvider implements RealmResourceProvider {

  private final KeycloakSession session;

  public BreakGlassUserResourceProvider(KeycloakSession session) {
    this.session = session;
  }

  @Override
  public Object getResource() {
    return new UserApiResource(session);
  }

  @Override
  public void close() {}
}
