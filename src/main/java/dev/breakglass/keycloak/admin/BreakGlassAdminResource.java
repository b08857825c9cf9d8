package dev.breakglass.keycloak.admin;

import dev.breakglass.keycloak.domain.AttestationValidator;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.drill.DrillService;
import dev.breakglass.keycloak.audit.AuditChain;
import dev.breakglass.keycloak.audit.AuditExport;
import dev.breakglass.keycloak.domain.EndReason;
import dev.breakglass.keycloak.grant.GrantAttestations;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.grant.GrantView;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.report.GovernanceReport;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.DrillEntity;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.ErrorResponse;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/**
 * {@code /admin/realms/{realm}/break-glass}. Every method checks the caller's permission first:
 * reading needs view-users, changing needs manage-users, of this realm.
 */
public class BreakGlassAdminResource {

  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;
  static final int EVIDENCE_PAGE = 500;
  static final String NDJSON = "application/x-ndjson";
  static final String CSV = "text/csv";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,36}");

  private final KeycloakSession session;
  private final RealmModel realm;
  private final AdminPermissionEvaluator auth;

  public BreakGlassAdminResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth) {
    this.session = session;
    this.realm = realm;
    this.auth = auth;
  }

  @GET
  @Path("grants")
  @Produces(MediaType.APPLICATION_JSON)
  public List<GrantView> listGrants(
      @QueryParam("status") String status,
      @QueryParam("user") String user,
      @QueryParam("first") String first,
      @QueryParam("max") String max) {
    auth.users().requireView();
    int firstResult = parsePaging("first", first, 0, Integer.MAX_VALUE);
    int maxResults = parsePaging("max", max, DEFAULT_PAGE, MAX_PAGE);

    StringBuilder jpql = new StringBuilder("select g from GrantEntity g where g.realmId = :realmId");
    GrantStatus statusFilter = null;
    if (status != null && !status.isBlank()) {
      statusFilter = parseStatus(status);
      jpql.append(" and g.status = :status");
    }
    String userId = null;
    if (user != null && !user.isBlank()) {
      userId = resolveUserId(user);
      jpql.append(" and g.userId = :userId");
    }
    jpql.append(" order by g.activatedAt desc, g.id");
    TypedQuery<GrantEntity> query = em().createQuery(jpql.toString(), GrantEntity.class)
        .setParameter("realmId", realm.getId())
        .setFirstResult(firstResult)
        .setMaxResults(maxResults);
    if (statusFilter != null) {
      query.setParameter("status", statusFilter.name());
    }
    if (userId != null) {
      query.setParameter("userId", userId);
    }
    return query.getResultStream().map(g -> GrantView.of(g, realm.getName())).toList();
  }

  @GET
  @Path("grants/{id}")
  @Produces(MediaType.APPLICATION_JSON)
  public GrantView getGrant(@PathParam("id") String id) {
    auth.users().requireView();
    return GrantView.of(requireGrant(id), realm.getName());
  }

  /** Ends an active grant now. Revoking a grant that already ended changes nothing. */
  @POST
  @Path("grants/{id}/revoke")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public GrantView revoke(@PathParam("id") String id, Map<String, Object> body) {
    auth.users().requireManage();
    GrantEntity grant = requireGrant(id);
    Object reason = body == null ? null : body.get("reason");
    if (reason != null && !(reason instanceof String)) {
      throw ErrorResponse.error("Field reason must be a string.", Response.Status.BAD_REQUEST);
    }
    String text = reason == null ? "" : ((String) reason).strip();
    if (text.length() > 500 || text.codePoints().anyMatch(Character::isISOControl) || text.indexOf('<') >= 0 || text.indexOf('>') >= 0) {
      throw ErrorResponse.error("Field reason must be plain text of at most 500 characters, without < or >.",
          Response.Status.BAD_REQUEST);
    }
    String adminName = auth.adminAuth().getUser().getUsername();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("revokeReason", text);
    GrantService.end(session, realm, grant, EndReason.REVOKED, adminName, details);
    return GrantView.of(grant, realm.getName());
  }

  /**
   * The second person's attestation (incident owner, approver), never the holder's. The grant
   * closes when the policy's requirement is met.
   */
  @POST
  @Path("grants/{id}/attestation")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public GrantView attest(@PathParam("id") String id, Map<String, Object> body) {
    auth.users().requireManage();
    GrantEntity grant = requireGrant(id);
    if (body == null) {
      throw ErrorResponse.error("Send a JSON object with necessary, scopeCorrect and allRemoved (\"yes\" or \"no\") and optional notes.",
          Response.Status.BAD_REQUEST);
    }
    AttestationValidator.Result result = AttestationValidator.validate(body, Set.of());
    if (!result.isValid()) {
      throw ErrorResponse.error("Invalid attestation: "
          + String.join("; ", result.errors().stream().map(AttestationValidator::apiText).toList()) + ".", Response.Status.BAD_REQUEST);
    }
    UserModel attester = auth.adminAuth().getUser();
    String attesterName = auth.adminAuth().getRealm().getId().equals(realm.getId())
        ? attester.getUsername() : attester.getUsername() + " (realm " + auth.adminAuth().getRealm().getName() + ")";
    try {
      GrantAttestations.attestAsSecond(session, realm, grant, attester.getId(), attesterName, result.answers(),
          RealmPolicies.attestation(realm));
    } catch (GrantAttestations.RefusedException e) {
      Response.Status status = e.refusal() == GrantAttestations.Refusal.OWN_GRANT ? Response.Status.FORBIDDEN : Response.Status.CONFLICT;
      throw ErrorResponse.error(e.refusal().text(), status);
    }
    return GrantView.of(grant, realm.getName());
  }

  /** Schedules a drill: the user's next activation is a drill grant, and its end yields a report. */
  @POST
  @Path("drills")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Response scheduleDrill(Map<String, Object> body) {
    auth.users().requireManage();
    if (body == null || !(body.get("user") instanceof String userText) || userText.isBlank()) {
      throw ErrorResponse.error("Send a JSON object with the field user: the user name or id of an eligible user.",
          Response.Status.BAD_REQUEST);
    }
    if (!Set.of("user").containsAll(body.keySet())) {
      throw ErrorResponse.error("Unknown field: only user is accepted.", Response.Status.BAD_REQUEST);
    }
    UserModel user = session.users().getUserByUsername(realm, userText.strip());
    if (user == null && ID.matcher(userText.strip()).matches()) {
      user = session.users().getUserById(realm, userText.strip());
    }
    if (user == null) {
      throw ErrorResponse.error("No such user in this realm.", Response.Status.BAD_REQUEST);
    }
    RealmPolicies.Loaded policy = RealmPolicies.load(session, realm);
    if (!policy.isValid()) {
      throw ErrorResponse.error("The realm's break-glass policy is invalid, so no activation (and no drill) can succeed: "
          + policy.errors().get(0).message(), Response.Status.CONFLICT);
    }
    GroupModel group = RealmPolicies.findGroup(session, realm, policy.policy());
    if (group == null || !user.isMemberOf(group)) {
      throw ErrorResponse.error("This user is not in the eligible group " + policy.policy().eligibleGroup()
          + ": a drill exercises a real responder.", Response.Status.BAD_REQUEST);
    }
    DrillEntity drill;
    try {
      drill = DrillService.schedule(session, realm, user, auth.adminAuth().getUser().getUsername());
    } catch (DrillService.AlreadyScheduledException e) {
      throw ErrorResponse.error(e.getMessage(), Response.Status.CONFLICT);
    }
    return Response.status(Response.Status.CREATED).entity(drillView(drill, null)).build();
  }

  @GET
  @Path("drills")
  @Produces(MediaType.APPLICATION_JSON)
  public List<Map<String, Object>> listDrills(@QueryParam("first") String first, @QueryParam("max") String max) {
    auth.users().requireView();
    return em().createNamedQuery("bgDrillsByRealm", DrillEntity.class)
        .setParameter("realmId", realm.getId())
        .setFirstResult(parsePaging("first", first, 0, Integer.MAX_VALUE))
        .setMaxResults(parsePaging("max", max, DEFAULT_PAGE, MAX_PAGE))
        .getResultStream()
        .map(d -> drillView(d, DrillService.stored(d)))
        .toList();
  }

  /** One drill, with its report brought up to date (a late alert delivery or attestation counts). */
  @GET
  @Path("drills/{id}")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> getDrill(@PathParam("id") String id) {
    auth.users().requireView();
    if (id == null || !ID.matcher(id).matches()) {
      throw ErrorResponse.error("Malformed drill id.", Response.Status.BAD_REQUEST);
    }
    DrillEntity drill = em().find(DrillEntity.class, id);
    if (drill == null || !drill.getRealmId().equals(realm.getId())) {
      throw ErrorResponse.error("No drill with this id in this realm.", Response.Status.NOT_FOUND);
    }
    return drillView(drill, DrillService.report(session, drill));
  }

  private Map<String, Object> drillView(DrillEntity d, Map<String, Object> report) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", d.getId());
    view.put("realm", realm.getName());
    view.put("userId", d.getUserId());
    view.put("username", d.getUsername());
    view.put("status", d.getStatus());
    view.put("scheduledBy", d.getScheduledBy());
    view.put("scheduledAt", Instant.ofEpochMilli(d.getScheduledAt()).toString());
    view.put("grantId", d.getGrantId());
    view.put("report", report);
    return view;
  }

  /** Governance figures for a period (default: the last 30 days), for auditors. */
  @GET
  @Path("report")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> report(@QueryParam("from") String from, @QueryParam("to") String to) {
    auth.users().requireView();
    long now = DbClock.nowMillis(session);
    long toMillis;
    long fromMillis;
    try {
      Instant toTime = AuditExport.parseInstant("to", to);
      Instant fromTime = AuditExport.parseInstant("from", from);
      toMillis = toTime == null ? now : toTime.toEpochMilli();
      fromMillis = fromTime == null ? toMillis - 30L * 24 * 3_600_000 : fromTime.toEpochMilli();
    } catch (IllegalArgumentException e) {
      throw ErrorResponse.error(e.getMessage(), Response.Status.BAD_REQUEST);
    }
    if (fromMillis >= toMillis) {
      throw ErrorResponse.error("Parameter from must be before to.", Response.Status.BAD_REQUEST);
    }
    if (toMillis - fromMillis > 400L * 24 * 3_600_000) {
      throw ErrorResponse.error("A report covers at most 400 days.", Response.Status.BAD_REQUEST);
    }
    List<GovernanceReport.Grant> grants = em().createNamedQuery("bgGrantsActivatedBetween", GrantEntity.class)
        .setParameter("realmId", realm.getId())
        .setParameter("from", fromMillis)
        .setParameter("to", toMillis)
        .setMaxResults(100_000)
        .getResultStream()
        .map(g -> new GovernanceReport.Grant(g.getStatus(), g.isDrill(), g.getActivatedAt(), g.getEndedAt(),
            GrantView.expiryLag(g), g.getAttestedAt()))
        .toList();
    long drift = em().createQuery("select count(a) from AuditRecordEntity a where a.realmId = :realmId and a.type = :type"
            + " and a.createdAt >= :from and a.createdAt < :to", Long.class)
        .setParameter("realmId", realm.getId())
        .setParameter("type", AuditEventType.BREAK_GLASS_DRIFT.name())
        .setParameter("from", fromMillis)
        .setParameter("to", toMillis)
        .getSingleResult();
    long overdue = em().createQuery("select count(g) from GrantEntity g where g.realmId = :realmId and g.status = :ended"
            + " and g.overdueAlertedAt is not null", Long.class)
        .setParameter("realmId", realm.getId())
        .setParameter("ended", GrantStatus.ENDED.name())
        .getSingleResult();
    List<GovernanceReport.Drill> drills = em().createNamedQuery("bgDrillsScheduledBetween", DrillEntity.class)
        .setParameter("realmId", realm.getId())
        .setParameter("from", fromMillis)
        .setParameter("to", toMillis)
        .getResultStream()
        .map(d -> {
          Map<String, Object> stored = DrillService.stored(d);
          Boolean passed = stored == null ? null : (Boolean) stored.get("passed");
          return new GovernanceReport.Drill(d.getId(), d.getUsername(), d.getStatus(), passed);
        })
        .toList();
    return GovernanceReport.build(realm.getName(), fromMillis, toMillis, now, grants, drift, overdue, drills);
  }

  /**
   * The audit export, in seq order: {@code from} (inclusive) and {@code to} (exclusive) bound the
   * record time, {@code first}/{@code max} page, {@code format} is json (default), jsonl or csv.
   */
  @GET
  @Path("audit")
  @Produces({MediaType.APPLICATION_JSON, NDJSON, CSV})
  public Response audit(
      @QueryParam("first") String first,
      @QueryParam("max") String max,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("format") String format) {
    auth.users().requireView();
    int firstResult = parsePaging("first", first, 0, Integer.MAX_VALUE);
    int maxResults = parsePaging("max", max, DEFAULT_PAGE, MAX_PAGE);
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

    StringBuilder jpql = new StringBuilder("select a from AuditRecordEntity a where a.realmId = :realmId");
    if (fromTime != null) {
      jpql.append(" and a.createdAt >= :from");
    }
    if (toTime != null) {
      jpql.append(" and a.createdAt < :to");
    }
    jpql.append(" order by a.seq");
    TypedQuery<AuditRecordEntity> query = em().createQuery(jpql.toString(), AuditRecordEntity.class)
        .setParameter("realmId", realm.getId())
        .setFirstResult(firstResult)
        .setMaxResults(maxResults);
    if (fromTime != null) {
      query.setParameter("from", fromTime.toEpochMilli());
    }
    if (toTime != null) {
      query.setParameter("to", toTime.toEpochMilli());
    }
    List<AuditExport.Row> rows = query.getResultStream().map(r -> AuditChain.row(r, realm.getName())).toList();

    return switch (exportFormat) {
      // Exactly the JSON array this endpoint always returned.
      case JSON -> Response.ok(rows.stream().map(AuditExport::view).toList(), MediaType.APPLICATION_JSON_TYPE).build();
      case JSONL -> Response.ok(AuditExport.jsonLines(rows), MediaType.valueOf(NDJSON).withCharset("UTF-8")).build();
      case CSV -> Response.ok(AuditExport.csv(rows), MediaType.valueOf(CSV).withCharset("UTF-8")).build();
    };
  }

  /** Walks the realm's whole audit chain and says whether it is intact, or where it first breaks. */
  @GET
  @Path("audit/verify")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> verifyAudit() {
    auth.users().requireView();
    return AuditChain.verify(session, realm).toMap();
  }

  /**
   * One grant's whole story: the grant, its audit records in seq order, and whether the realm's
   * chain they belong to is intact (records prove nothing if the chain around them was altered).
   */
  @GET
  @Path("grants/{id}/evidence")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> evidence(@PathParam("id") String id) {
    auth.users().requireView();
    GrantEntity grant = requireGrant(id);
    List<Map<String, Object>> records = new ArrayList<>();
    // Every use is recorded, so a long-lived grant may have many records: read them in pages.
    for (int offset = 0; ; offset += EVIDENCE_PAGE) {
      List<AuditRecordEntity> page = em().createNamedQuery("bgAuditByGrant", AuditRecordEntity.class)
          .setParameter("realmId", realm.getId())
          .setParameter("grantId", grant.getId())
          .setFirstResult(offset)
          .setMaxResults(EVIDENCE_PAGE)
          .getResultList();
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

  private GrantEntity requireGrant(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw ErrorResponse.error("Malformed grant id.", Response.Status.BAD_REQUEST);
    }
    return GrantService.find(session, realm, id)
        .orElseThrow(() -> ErrorResponse.error("No grant with this id in this realm.", Response.Status.NOT_FOUND));
  }

  private String resolveUserId(String user) {
    UserModel byName = session.users().getUserByUsername(realm, user);
    if (byName != null) {
      return byName.getId();
    }
    if (!ID.matcher(user).matches()) {
      throw ErrorResponse.error("Parameter user must be a user name or id of this realm.", Response.Status.BAD_REQUEST);
    }
    // A removed user's id still filters their (now removed) grants to nothing: not an error.
    return user;
  }

  private static GrantStatus parseStatus(String status) {
    try {
      return GrantStatus.valueOf(status.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ErrorResponse.error("Parameter status must be one of PENDING, ACTIVE, ENDED, CLOSED.", Response.Status.BAD_REQUEST);
    }
  }

  static int parsePaging(String name, String value, int defaultValue, int maxValue) {
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed < 0 || parsed > maxValue || (name.equals("max") && parsed == 0)) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      String range = name.equals("max") ? "between 1 and " + maxValue : "zero or more";
      throw ErrorResponse.error("Parameter " + name + " must be a whole number " + range + ".", Response.Status.BAD_REQUEST);
    }
  }

  private EntityManager em() {
    return session.getProvider(JpaConnectionProvider.class).getEntityManager();
  }
}
