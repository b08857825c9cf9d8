package dev.breakglass.keycloak.admin;

import dev.breakglass.keycloak.audit.AuditChain;
import dev.breakglass.keycloak.audit.AuditExport;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ErrorResponse;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/** {@code .../break-glass/audit}: the export and the chain's verification. Both need view-users. */
public class AuditResource {

  static final String NDJSON = "application/x-ndjson";
  static final String CSV = "text/csv";

  private final KeycloakSession session;
  private final RealmModel realm;
  private final AdminPermissionEvaluator auth;

  AuditResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth) {
    this.session = session;
    this.realm = realm;
    this.auth = auth;
  }

  /**
   * The audit export, in seq order: {@code from} (inclusive) and {@code to} (exclusive) bound the
   * record time, {@code first}/{@code max} page, {@code format} is json (default), jsonl or csv.
   */
  @GET
  @Produces({MediaType.APPLICATION_JSON, NDJSON, CSV})
  public Response export(
      @QueryParam("first") String first,
      @QueryParam("max") String max,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("format") String format) {
    auth.users().requireView();
    int firstResult = AdminRequests.parsePaging("first", first, 0, Integer.MAX_VALUE);
    int maxResults =
        AdminRequests.parsePaging("max", max, AdminRequests.DEFAULT_PAGE, AdminRequests.MAX_PAGE);
    AuditExport.Format exportFormat;
    Instant fromTime;
    Instant toTime;
    try {
      exportFormat = AuditExport.Format.parse(format);
      fromTime = AuditExport.parseInstant("from", from);
      toTime = AuditExport.parseInstant("to", to);
    } catch (IllegalArgumentException e) {
      throw ErrorResponse.error(e.getMessage(), Response.Status.BAD_REQUEST);
    }
    if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
      throw ErrorResponse.error("Parameter from must be before to.", Response.Status.BAD_REQUEST);
    }
    List<AuditExport.Row> rows =
        AuditChain.export(
            session,
            realm,
            fromTime == null ? null : fromTime.toEpochMilli(),
            toTime == null ? null : toTime.toEpochMilli(),
            firstResult,
            maxResults);
    return switch (exportFormat) {
      // Exactly the JSON array this endpoint always returned.
      case JSON ->
          Response.ok(
                  rows.stream().map(AuditExport::view).toList(), MediaType.APPLICATION_JSON_TYPE)
              .build();
      case JSONL ->
          Response.ok(AuditExport.jsonLines(rows), MediaType.valueOf(NDJSON).withCharset("UTF-8"))
              .build();
      case CSV ->
          Response.ok(AuditExport.csv(rows), MediaType.valueOf(CSV).withCharset("UTF-8")).build();
    };
  }

  /**
   * Walks the realm's whole audit chain and says whether it is intact, or where it first breaks.
   */
  @GET
  @Path("verify")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> verify() {
    auth.users().requireView();
    return AuditChain.verify(session, realm).toMap();
  }
}
