package dev.breakglass.keycloak.admin;

import jakarta.ws.rs.Path;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/**
 * {@code /admin/realms/{realm}/break-glass}: mounts the sub-resources. Each of their methods checks
 * the caller's permission first: reading needs view-users, changing needs manage-users, of this
 * realm.
 */
public class BreakGlassAdminResource {

  private final KeycloakSession session;
  private final RealmModel realm;
  private final AdminPermissionEvaluator auth;
  private final AdminEventBuilder adminEvent;

  public BreakGlassAdminResource(
      KeycloakSession session,
      RealmModel realm,
      AdminPermissionEvaluator auth,
      AdminEventBuilder adminEvent) {
    this.session = session;
    this.realm = realm;
    this.auth = auth;
    this.adminEvent = adminEvent;
  }

  @Path("grants")
  public GrantsResource grants() {
    return new GrantsResource(session, realm, auth, adminEvent);
  }

  @Path("audit")
  public AuditResource audit() {
    return new AuditResource(session, realm, auth);
  }

  @Path("drills")
  public DrillsResource drills() {
    return new DrillsResource(session, realm, auth, adminEvent);
  }

  @Path("report")
  public ReportResource report() {
    return new ReportResource(session, realm, auth);
  }

  @Path("policy")
  public PolicyResource policy() {
    return new PolicyResource(session, realm, auth);
  }
}
