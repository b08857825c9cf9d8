package dev.breakglass.keycloak.admin;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProvider;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/** Mounts the break-glass admin API under a realm's admin endpoint. */
public class BreakGlassAdminResourceProvider implements AdminRealmResourceProvider {

  @Override
  public Object getResource(
      KeycloakSession session,
      RealmModel realm,
      AdminPermissionEvaluator auth,
      AdminEventBuilder adminEvent) {
    return new BreakGlassAdminResource(session, realm, auth, adminEvent);
  }

  @Override
  public void close() {}
}
