package dev.breakglass.keycloak.admin;

import dev.breakglass.keycloak.audit.AuditChain;
import dev.breakglass.keycloak.audit.AuditExport;
import dev.breakglass.keycloak.domain.AttestationValidator;
import dev.breakglass.keycloak.domain.EndReason;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.grant.GrantAttestations;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.grant.GrantView;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.ErrorResponse;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/**
 * {@code .../break-glass/grants}: list, read, revoke, attest, evidence. Reading needs view-users,
 * changing needs manage-users, checked first in every method.
 */
public class GrantsResource {

  static final int EVIDENCE_PAGE = 500;
  static final int MAX_REVOKE_REASON = 500;
  static final Pattern GRANT_ID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final KeycloakSession session;
  private final RealmModel realm;
  private final AdminPermissionEvaluator auth;
  private final AdminEventBuilder adminEvent;

  GrantsResource(
      KeycloakSession session,
      RealmModel realm,
      AdminPermissionEvaluator auth,
      AdminEventBuilder adminEvent) {
    this.session = session;
    this.realm = realm;
    this.auth = auth;
    this.adminEvent = adminEvent;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public List<GrantView> list(
      @QueryParam("status") String status,
      @QueryParam("user") String user,
      @QueryParam("first") String first,
      @QueryParam("max") String max) {
    auth.users().requireView();
    int firstResult = AdminRequests.parsePaging("first", first, 0, Integer.MAX_VALUE);
    int maxResults =
        AdminRequests.parsePaging("max", max, AdminRequests.DEFAULT_PAGE, AdminRequests.MAX_PAGE);
    GrantStatus statusFilter = status == null || status.isBlank() ? null : parseStatus(status);
    String userId = user == null || user.isBlank() ? null : resolveUserId(user);
    return GrantService.list(session, realm, statusFilter, userId, firstResult, maxResults).stream()
        .map(g -> GrantView.of(g, realm.getName()))
        .toList();
  }

  @GET
  @Path("{id}")
  @Produces(MediaType.APPLICATION_JSON)
  public GrantView get(@PathParam("id") String id) {
    auth.users().requireView();
    return GrantView.of(grant(id), realm.getName());
  }

  /** Ends an active grant now. Revoking a grant that already ended changes nothing. */
  @POST
  @Path("{id}/revoke")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public GrantView revoke(@PathParam("id") String id, Map<String, Object> body) {
    auth.users().requireManage();
    GrantEntity grant = grant(id);
    String reason = AdminRequests.optionalText(body, "reason", MAX_REVOKE_REASON);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("revokeReason", reason);
    GrantService.end(
        session,
        realm,
        grant,
        EndReason.REVOKED,
        auth.adminAuth().getUser().getUsername(),
        details);
    GrantView view = GrantView.of(grant, realm.getName());
    AdminRequests.adminEvent(
        session, adminEvent, OperationType.ACTION, AdminRequests.GRANT_RESOURCE, view);
    return view;
  }

  /**
   * The second person's attestation (incident owner, approver), never the holder's. The grant
   * closes when the policy's requirement is met.
   */
  @POST
  @Path("{id}/attestation")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public GrantView attest(@PathParam("id") String id, Map<String, Object> body) {
    auth.users().requireManage();
    GrantEntity grant = grant(id);
    if (body == null) {
      throw ErrorResponse.error(
          "Send a JSON object with necessary, scopeCorrect and allRemoved (\"yes\" or \"no\") and"
              + " optional notes.",
          Response.Status.BAD_REQUEST);
    }
    AttestationValidator.Result result = AttestationValidator.validate(body, Set.of());
    if (!result.isValid()) {
      throw ErrorResponse.error(
          "Invalid attestation: "
              + String.join(
                  "; ", result.errors().stream().map(AttestationValidator::apiText).toList())
              + ".",
          Response.Status.BAD_REQUEST);
    }
    UserModel attester = auth.adminAuth().getUser();
    String attesterName =
        auth.adminAuth().getRealm().getId().equals(realm.getId())
            ? attester.getUsername()
            : attester.getUsername() + " (realm " + auth.adminAuth().getRealm().getName() + ")";
    try {
      GrantAttestations.attestAsSecond(
          session,
          realm,
          grant,
          attester,
          auth.adminAuth().getRealm(),
          attesterName,
          result.answers(),
          RealmPolicies.attestation(realm));
    } catch (GrantAttestations.RefusedException e) {
      Response.Status status =
          switch (e.refusal()) {
            case OWN_GRANT, NOT_APPROVER, APPROVER_TOO_RECENT, NOT_INDEPENDENT ->
                Response.Status.FORBIDDEN;
            default -> Response.Status.CONFLICT;
          };
      throw ErrorResponse.error(e.refusal().text(), status);
    }
    GrantView view = GrantView.of(grant, realm.getName());
    AdminRequests.adminEvent(
        session, adminEvent, OperationType.ACTION, AdminRequests.GRANT_RESOURCE, view);
    return view;
  }

  /**
   * One grant's whole story: the grant, its audit records in seq order, and whether the realm's
   * chain they belong to is intact (records prove nothing if the chain around them was altered).
   */
  @GET
  @Path("{id}/evidence")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> evidence(@PathParam("id") String id) {
    auth.users().requireView();
    GrantEntity grant = grant(id);
    List<Map<String, Object>> records = new ArrayList<>();
    // Every use is recorded, so a long-lived grant may have many records: read them in pages.
    for (int offset = 0; ; offset += EVIDENCE_PAGE) {
      List<AuditRecordEntity> page =
          AuditChain.recordsOfGrant(session, realm, grant.getId(), offset, EVIDENCE_PAGE);
      page.forEach(r -> records.add(AuditExport.view(AuditChain.row(r, realm.getName()))));
      if (page.size() < EVIDENCE_PAGE) {
        break;
      }
    }
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("grant", GrantView.of(grant, realm.getName()));
    evidence.put("records", records);
    evidence.put("chain", AuditChain.verify(session, realm).toMap());
    return evidence;
  }

  /**
   * Grant ids are UUIDs: anything else is a malformed request (400), a well-formed id that names no
   * grant of this realm is unknown (404).
   */
  private GrantEntity grant(String id) {
    if (id == null || !GRANT_ID.matcher(id).matches()) {
      throw ErrorResponse.error(
          "Malformed grant id: expected a UUID such as 3f2b0c1e-8a4d-4f6e-9b7a-1c2d3e4f5a6b.",
          Response.Status.BAD_REQUEST);
    }
    return AdminRequests.requireGrant(session, realm, id);
  }

  private String resolveUserId(String user) {
    UserModel byName = session.users().getUserByUsername(realm, user);
    if (byName != null) {
      return byName.getId();
    }
    if (!AdminRequests.ID.matcher(user).matches()) {
      throw ErrorResponse.error(
          "Parameter user must be a user name or id of this realm.", Response.Status.BAD_REQUEST);
    }
    // A removed user's id still filters their (now removed) grants to nothing: not an error.
    return user;
  }

  private static GrantStatus parseStatus(String status) {
    try {
      return GrantStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ErrorResponse.error(
          "Parameter status must be one of PENDING, ACTIVE, ENDED, CLOSED.",
          Response.Status.BAD_REQUEST);
    }
  }
}
