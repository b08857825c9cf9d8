package dev.breakglass.keycloak.admin;

import dev.breakglass.keycloak.audit.AuditExport;
import dev.breakglass.keycloak.report.GovernanceReports;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ErrorResponse;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/** {@code .../break-glass/report}: governance figures for a period, for auditors (view-users). */
public class ReportResource {

  static final long DEFAULT_PERIOD_MILLIS = 30L * 24 * 3_600_000;
  static final long MAX_PERIOD_MILLIS = 400L * 24 * 3_600_000;

  private final KeycloakSession session;
  private final RealmModel realm;
  private final AdminPermissionEvaluator auth;

  ReportResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth) {
    this.session = session;
    this.realm = realm;
    this.auth = auth;
  }

  /**
   * The figures from {@code from} (default: 30 days before {@code to}) to {@code to} (default:
   * now).
   */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> report(@QueryParam("from") String from, @QueryParam("to") String to) {
    auth.users().requireView();
    Instant toTime;
    Instant fromTime;
    try {
      toTime = AuditExport.parseInstant("to", to);
      fromTime = AuditExport.parseInstant("from", from);
    } catch (IllegalArgumentException e) {
      throw ErrorResponse.error(e.getMessage(), Response.Status.BAD_REQUEST);
    }
    GovernanceReports.Period period =
        GovernanceReports.period(session, fromTime, toTime, DEFAULT_PERIOD_MILLIS);
    if (period.from() >= period.to()) {
      throw ErrorResponse.error("Parameter from must be before to.", Response.Status.BAD_REQUEST);
    }
    if (period.to() - period.from() > MAX_PERIOD_MILLIS) {
      throw ErrorResponse.error("A report covers at most 400 days.", Response.Status.BAD_REQUEST);
    }
    return GovernanceReports.build(session, realm, period);
  }
}
