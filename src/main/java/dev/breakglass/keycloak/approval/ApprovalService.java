package dev.breakglass.keycloak.approval;

import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.ActivationRequest;
import dev.breakglass.keycloak.domain.ApprovalPolicy;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.domain.EndReason;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.domain.RequestTransitions;
import dev.breakglass.keycloak.drill.DrillService;
import dev.breakglass.keycloak.grant.GrantLimits;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantEntity;
import dev.breakglass.keycloak.store.GrantStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.util.JsonSerialization;

/**
 * Requests that wait for a second person: created PENDING (no roles), then approved, rejected or
 * timed out (see {@link RequestTransitions}). Everything happens in the caller's transaction under
 * the realm's chain lock, and the state is read again after the lock: of two approvers, or an
 * approver and the timeout, exactly one wins, and the other is refused with no second record.
 */
public final class ApprovalService {

  /** Who decided when nobody did. */
  public static final String SYSTEM = "system";

  private ApprovalService() {}

  /** Thrown when the user already has a PENDING request or an ACTIVE grant. */
  public static final class AlreadyOpenException extends RuntimeException {
    private final transient GrantEntity open;

    public AlreadyOpenException(GrantEntity open) {
      super("User already has an open request or grant " + open.getId());
      this.open = open;
    }

    public GrantEntity open() {
      return open;
    }
  }

  /** An attempt the state machine refused; {@link RequestTransitions.Refusal} says why. */
  public static final class RefusedException extends RuntimeException {
    private final RequestTransitions.Refusal refusal;

    public RefusedException(RequestTransitions.Refusal refusal) {
      super(refusal.text());
      this.refusal = refusal;
    }

    public RequestTransitions.Refusal refusal() {
      return refusal;
    }
  }

  /** Where an approver decides: the console page and the user API path of this request. */
  public record Links(String console, String api) {}

  /**
   * Creates a PENDING request with no roles and records BREAK_GLASS_REQUESTED with what an approver
   * needs to decide, and where. One open (PENDING or ACTIVE) request per user at a time.
   */
  public static GrantEntity request(
      KeycloakSession session,
      RealmModel realm,
      UserModel user,
      BreakGlassPolicy policy,
      ActivationRequest request,
      boolean drill,
      GrantService.Origin origin,
      GrantService.Authentication authentication) {
    AuditTrail.lockChain(session, realm);
    GrantStore store = GrantStore.of(session);
    Optional<GrantEntity> open =
        store
            .findOfUser(realm.getId(), user.getId(), GrantStatus.PENDING)
            .or(() -> GrantService.findActive(session, realm, user.getId()));
    if (open.isPresent()) {
      throw new AlreadyOpenException(open.get());
    }
    if (request.durationMinutes() < 1) {
      throw new IllegalArgumentException("A grant lasts at least one minute");
    }
    for (String role : request.roles()) {
      // Refused now rather than at approval: the approver would approve something impossible.
      if (RealmPolicies.resolveRole(realm, role) == null) {
        throw new GrantService.RoleUnavailableException(role);
      }
    }
    // The limits apply when the request is made: a PENDING request holds its place until decided,
    // so approving it needs no second check.
    GrantLimits.check(session, realm, user, policy, drill);
    long now = DbClock.nowMillis(session);
    GrantEntity grant = new GrantEntity();
    grant.setId(KeycloakModelUtils.generateId());
    grant.setRealmId(realm.getId());
    grant.setUserId(user.getId());
    grant.setUsername(user.getUsername());
    grant.setRolesJson(json(request.roles()));
    grant.setReason(request.reason());
    grant.setTicket(request.ticket());
    grant.setStatus(GrantStatus.PENDING.name());
    // No activation yet: 0 is "none" for the NOT NULL times (GrantView shows them as null).
    grant.setActivatedAt(0);
    grant.setExpiresAt(0);
    grant.setRequestedAt(now);
    grant.setDurationMinutes(request.durationMinutes());
    grant.setDrill(drill);
    if (authentication != null) {
      grant.setAuthMethod(authentication.method());
      grant.setAuthAt(authentication.at());
    }
    store.persist(grant);

    Links links = links(session, realm, grant);
    ApprovalPolicy approval = policy.approval();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("roles", request.roles());
    details.put("reason", request.reason());
    details.put("ticket", request.ticket());
    details.put("durationMinutes", request.durationMinutes());
    details.put("requestedAt", iso(now));
    details.put("timesOutAt", iso(now + approval.timeoutMillis()));
    details.put("approverGroup", policy.approverGroup());
    details.put("noApproverFallback", approval.fallback().configValue());
    if (approval.fallback() == ApprovalPolicy.NoApproverFallback.SELF_ACTIVATE) {
      details.put("fallbackMaxDurationMinutes", approval.fallbackMaxDurationMinutes());
    }
    details.put("decideAt", links.console());
    details.put("decideApi", links.api());
    details.put("drill", drill);
    if (origin != null) {
      details.put("clientId", origin.clientId());
      details.put("ipAddress", origin.ipAddress());
    }
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_REQUESTED,
        new AuditTrail.Subject(grant.getId(), user.getId(), user.getUsername()),
        details);
    return grant;
  }

  /**
   * An approver approves: the roles are mapped and the clock starts now. Records
   * BREAK_GLASS_APPROVED and the usual BREAK_GLASS_ACTIVATED.
   */
  public static GrantEntity approve(
      KeycloakSession session,
      RealmModel realm,
      BreakGlassPolicy policy,
      String requestId,
      UserModel approver,
      String comment) {
    AuditTrail.lockChain(session, realm);
    GrantEntity grant = lockedRequest(session, realm, requestId);
    long now = DbClock.nowMillis(session);
    requireDecidable(session, realm, policy, grant, approver, now, RequestTransitions::approve);
    UserModel requester = requester(session, realm, grant);
    grant.setApprover(approver.getUsername());
    grant.setDecidedAt(now);
    grant.setDecisionComment(emptyToNull(comment));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("approver", approver.getUsername());
    details.put("approverId", approver.getId());
    details.put("comment", emptyToNull(comment));
    details.put("decidedAt", iso(now));
    details.put("requestedAt", iso(grant.getRequestedAt()));
    details.put("durationMinutes", grant.getDurationMinutes());
    AuditTrail.append(session, realm, AuditEventType.BREAK_GLASS_APPROVED, subject(grant), details);
    startOrRollBack(session, realm, requester, grant, Map.of("approvedBy", approver.getUsername()));
    drillStarted(session, realm, grant);
    return grant;
  }

  /** Approve and reject alike: the state machine's verdict on this decider, now. */
  private interface Decision {
    RequestTransitions.Outcome decide(
        RequestTransitions.Request request,
        ApprovalPolicy policy,
        String deciderId,
        boolean deciderIsApprover,
        long now);
  }

  /** Throws {@link RefusedException} unless {@code approver} may make this decision now. */
  private static void requireDecidable(
      KeycloakSession session,
      RealmModel realm,
      BreakGlassPolicy policy,
      GrantEntity grant,
      UserModel approver,
      long now,
      Decision decision) {
    RequestTransitions.Outcome outcome =
        decision.decide(
            view(grant),
            policy.approval(),
            approver.getId(),
            isApprover(session, realm, policy, approver),
            now);
    if (outcome instanceof RequestTransitions.Refused refused) {
      throw new RefusedException(refused.refusal());
    }
  }

  /** An approver rejects: REJECTED (endReason REJECTED), no role was ever mapped. */
  public static GrantEntity reject(
      KeycloakSession session,
      RealmModel realm,
      BreakGlassPolicy policy,
      String requestId,
      UserModel approver,
      String comment) {
    AuditTrail.lockChain(session, realm);
    GrantEntity grant = lockedRequest(session, realm, requestId);
    long now = DbClock.nowMillis(session);
    requireDecidable(session, realm, policy, grant, approver, now, RequestTransitions::reject);
    grant.setApprover(approver.getUsername());
    grant.setDecisionComment(emptyToNull(comment));
    close(grant, EndReason.REJECTED, approver.getUsername(), now);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("endReason", EndReason.REJECTED.name());
    details.put("rejectedBy", approver.getUsername());
    details.put("rejectedById", approver.getId());
    details.put("comment", emptyToNull(comment));
    details.put("decidedAt", iso(now));
    AuditTrail.append(session, realm, AuditEventType.BREAK_GLASS_REJECTED, subject(grant), details);
    return grant;
  }

  /**
   * Applies the timeout to one request, if it is due. {@code requesterWaiting}: called from the
   * requester's waiting page (the only place a {@code self-activate} override happens); otherwise
   * (the sweeper) a {@code self-activate} request is given {@code graceMillis} for its requester to
   * come back before it times out. Returns the request as it is afterwards; a request decided
   * meanwhile is returned unchanged, with no record.
   */
  public static GrantEntity applyTimeout(
      KeycloakSession session,
      RealmModel realm,
      BreakGlassPolicy policy,
      GrantEntity grant,
      boolean requesterWaiting,
      long graceMillis) {
    AuditTrail.lockChain(session, realm);
    GrantStore.of(session).refresh(grant);
    long now = DbClock.nowMillis(session);
    ApprovalPolicy approval = policy.approval();
    RequestTransitions.Outcome outcome =
        RequestTransitions.onTimeout(view(grant), approval, requesterWaiting, graceMillis, now);
    long timedOutAt = RequestTransitions.timesOutAt(view(grant), approval);
    if (outcome instanceof RequestTransitions.TimedOut) {
      close(grant, EndReason.APPROVAL_TIMEOUT, SYSTEM, now);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("endReason", EndReason.APPROVAL_TIMEOUT.name());
      details.put("rejectedBy", SYSTEM);
      details.put("noApproverFallback", approval.fallback().configValue());
      details.put("timedOutAt", iso(timedOutAt));
      details.put("requesterWaiting", requesterWaiting);
      details.put("decidedAt", iso(now));
      AuditTrail.append(
          session, realm, AuditEventType.BREAK_GLASS_REJECTED, subject(grant), details);
    } else if (outcome instanceof RequestTransitions.Override override) {
      UserModel requester = requester(session, realm, grant);
      int asked = grant.getDurationMinutes();
      grant.setDurationMinutes(override.durationMinutes());
      grant.setOverrideActivation(true);
      grant.setDecidedAt(now);
      grant.setApprover(null);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("roles", GrantService.roles(grant));
      details.put("reason", grant.getReason());
      details.put("ticket", grant.getTicket());
      details.put("durationAskedMinutes", asked);
      details.put("durationMinutes", override.durationMinutes());
      details.put("fallbackMaxDurationMinutes", approval.fallbackMaxDurationMinutes());
      details.put("requestedAt", iso(grant.getRequestedAt()));
      details.put("timedOutAt", iso(timedOutAt));
      details.put("activatedAt", iso(override.activatedAt()));
      details.put("expiresAt", iso(override.expiresAt()));
      details.put("approverGroup", policy.approverGroup());
      details.put("secondAttestationRequired", true);
      AuditTrail.append(
          session, realm, AuditEventType.BREAK_GLASS_OVERRIDE, subject(grant), details);
      startOrRollBack(session, realm, requester, grant, Map.of("override", true));
      drillStarted(session, realm, grant);
    }
    return grant;
  }

  /** Pending requests of the realm this user may decide: an approver's, and not their own. */
  public static List<GrantEntity> decidableBy(
      KeycloakSession session, RealmModel realm, BreakGlassPolicy policy, UserModel user) {
    if (!isApprover(session, realm, policy, user)) {
      return List.of();
    }
    long now = DbClock.nowMillis(session);
    return GrantStore.of(session).inRealm(realm.getId(), GrantStatus.PENDING).stream()
        .filter(g -> !g.getUserId().equals(user.getId()))
        .filter(g -> now < timesOutAt(g, policy))
        .sorted(
            (a, b) -> Long.compare(nullToZero(a.getRequestedAt()), nullToZero(b.getRequestedAt())))
        .toList();
  }

  /** The user's PENDING request, if any. */
  public static Optional<GrantEntity> pendingOf(
      KeycloakSession session, RealmModel realm, String userId) {
    return GrantStore.of(session).findOfUser(realm.getId(), userId, GrantStatus.PENDING);
  }

  public static long timesOutAt(GrantEntity grant, BreakGlassPolicy policy) {
    return RequestTransitions.timesOutAt(view(grant), policy.approval());
  }

  /** A member of the policy's approver group; nobody when the policy names none. */
  public static boolean isApprover(
      KeycloakSession session, RealmModel realm, BreakGlassPolicy policy, UserModel user) {
    if (policy.approverGroup() == null || policy.approverGroup().isBlank()) {
      return false;
    }
    GroupModel group = KeycloakModelUtils.findGroupByPath(session, realm, policy.approverGroup());
    return group != null && user.isMemberOf(group);
  }

  /** The members of the approver group, for the alerts that reach approvers themselves. */
  public static List<UserModel> approvers(
      KeycloakSession session, RealmModel realm, String approverGroup) {
    if (approverGroup == null || approverGroup.isBlank()) {
      return List.of();
    }
    GroupModel group = KeycloakModelUtils.findGroupByPath(session, realm, approverGroup);
    if (group == null) {
      return List.of();
    }
    return session.users().getGroupMembersStream(realm, group, 0, 500).toList();
  }

  public static Links links(KeycloakSession session, RealmModel realm, GrantEntity grant) {
    var base =
        session.getContext().getUri().getBaseUriBuilder().path("realms").path(realm.getName());
    return new Links(
        base.clone().path("break-glass").path("console").build().toString(),
        base.clone().path("break-glass").path("approvals").path(grant.getId()).build().toString());
  }

  private static GrantEntity lockedRequest(
      KeycloakSession session, RealmModel realm, String requestId) {
    GrantEntity grant =
        GrantStore.of(session)
            .findInRealm(realm.getId(), requestId)
            .orElseThrow(() -> new RefusedException(RequestTransitions.Refusal.UNKNOWN));
    // Read again under the lock: the decision is taken on what is committed, not a stale copy.
    GrantStore.of(session).refresh(grant);
    return grant;
  }

  private static UserModel requester(KeycloakSession session, RealmModel realm, GrantEntity g) {
    UserModel user = session.users().getUserById(realm, g.getUserId());
    if (user == null) {
      // Its grants go with a removed user; this is a request whose user is being removed.
      throw new RefusedException(RequestTransitions.Refusal.UNKNOWN);
    }
    return user;
  }

  /**
   * Starts the grant; when it cannot start (the user meanwhile holds another grant, a role is gone)
   * nothing of this decision may commit, its records included.
   */
  private static void startOrRollBack(
      KeycloakSession session,
      RealmModel realm,
      UserModel requester,
      GrantEntity grant,
      Map<String, Object> extraDetails) {
    try {
      GrantService.start(session, realm, requester, grant, null, extraDetails);
    } catch (RuntimeException e) {
      session.getTransactionManager().setRollbackOnly();
      throw e;
    }
  }

  private static void close(GrantEntity grant, EndReason reason, String by, long now) {
    grant.setStatus(GrantStatus.REJECTED.name());
    grant.setEndReason(reason.name());
    grant.setEndedBy(by);
    grant.setEndedAt(now);
    grant.setDecidedAt(now);
  }

  private static void drillStarted(KeycloakSession session, RealmModel realm, GrantEntity grant) {
    if (grant.isDrill()) {
      DrillService.scheduledFor(session, realm, grant.getUserId())
          .ifPresent(drill -> DrillService.started(drill, grant));
    }
  }

  static RequestTransitions.Request view(GrantEntity g) {
    return new RequestTransitions.Request(
        GrantStatus.valueOf(g.getStatus()),
        g.getUserId(),
        nullToZero(g.getRequestedAt()),
        g.getDurationMinutes() == null ? 1 : g.getDurationMinutes());
  }

  private static AuditTrail.Subject subject(GrantEntity g) {
    return new AuditTrail.Subject(g.getId(), g.getUserId(), g.getUsername());
  }

  private static long nullToZero(Long value) {
    return value == null ? 0 : value;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String iso(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }

  private static String json(List<String> values) {
    try {
      return JsonSerialization.writeValueAsString(values);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
