package dev.breakglass.keycloak.activation;

import dev.breakglass.keycloak.approval.ApprovalService;
import dev.breakglass.keycloak.domain.ActivationRequest;
import dev.breakglass.keycloak.domain.ApprovalPolicy;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.domain.EndReason;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.events.EventType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * The requester's side of a second-person approval, inside the activation required action: a valid
 * form becomes a PENDING request and a waiting page that re-asks by itself every few seconds (a
 * meta refresh and a {@code Refresh} header, no JavaScript), until the request is approved (the
 * login goes on, with the role), rejected (a page that says by whom and why) or timed out (the
 * policy's fallback applies here, where the requester is present).
 */
final class ApprovalWait {

  static final String TEMPLATE = "break-glass-waiting.ftl";

  /** Auth-session note: the request this login waits for. */
  static final String PENDING_NOTE = "break-glass.pending-request";

  static final int REFRESH_SECONDS = 5;

  /** The sweeper's grace does not apply to a requester who is here: they get the fallback now. */
  private static final long NO_GRACE = 0;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private ApprovalWait() {}

  /**
   * Creates the request and shows the waiting page. A PENDING request the user already has is taken
   * up instead of a second one; an ACTIVE grant throws {@link GrantService.AlreadyActiveException}
   * as a direct activation would.
   */
  static void request(
      RequiredActionContext context,
      BreakGlassPolicy policy,
      ActivationRequest request,
      boolean drill,
      GrantService.Origin origin,
      GrantService.Authentication authentication) {
    GrantEntity grant;
    try {
      grant =
          ApprovalService.request(
              context.getSession(),
              context.getRealm(),
              context.getUser(),
              policy,
              request,
              drill,
              origin,
              authentication);
    } catch (ApprovalService.AlreadyOpenException e) {
      if (GrantStatus.ACTIVE.name().equals(e.open().getStatus())) {
        throw new GrantService.AlreadyActiveException(e.open());
      }
      grant = e.open();
    }
    context.getAuthenticationSession().setAuthNote(PENDING_NOTE, grant.getId());
    context.challenge(waiting(context, policy, grant));
  }

  /**
   * Handles this login's request, if it has one (or, while the policy requires approval, the user
   * has one PENDING from an earlier login): true when a page was shown or the action completed;
   * false when the activation form is to be shown as usual.
   */
  static boolean resume(RequiredActionContext context, BreakGlassPolicy policy) {
    KeycloakSession session = context.getSession();
    RealmModel realm = context.getRealm();
    String userId = context.getUser().getId();
    String requestId = context.getAuthenticationSession().getAuthNote(PENDING_NOTE);
    Optional<GrantEntity> found;
    if (requestId != null) {
      found =
          GrantService.find(session, realm, requestId).filter(g -> g.getUserId().equals(userId));
    } else if (policy.approval().required()) {
      // A request from an earlier login (the browser was closed) is taken up, not doubled.
      found = ApprovalService.pendingOf(session, realm, userId);
    } else {
      found = Optional.empty();
    }
    if (found.isEmpty()) {
      context.getAuthenticationSession().removeAuthNote(PENDING_NOTE);
      return false;
    }
    GrantEntity grant = found.get();
    context.getAuthenticationSession().setAuthNote(PENDING_NOTE, grant.getId());
    if (GrantStatus.PENDING.name().equals(grant.getStatus())
        && DbClock.nowMillis(session) >= ApprovalService.timesOutAt(grant, policy)) {
      try {
        grant = ApprovalService.applyTimeout(session, realm, policy, grant, true, NO_GRACE);
      } catch (GrantService.AlreadyActiveException | GrantService.RoleUnavailableException e) {
        // The override could not start; the transaction is rolled back and the request waits.
        context.challenge(waiting(context, policy, grant));
        return true;
      }
    }
    GrantStatus status = GrantStatus.valueOf(grant.getStatus());
    switch (status) {
      case PENDING -> context.challenge(waiting(context, policy, grant));
      case ACTIVE -> activated(context, grant);
      case REJECTED -> {
        context.getAuthenticationSession().removeAuthNote(PENDING_NOTE);
        context
            .getEvent()
            .clone()
            .event(EventType.CUSTOM_REQUIRED_ACTION_ERROR)
            .detail("break_glass", AuditEventType.BREAK_GLASS_REJECTED.name())
            .detail(BreakGlassActivateAction.EVENT_DETAIL_GRANT_ID, grant.getId())
            .error("break_glass_request_" + grant.getEndReason().toLowerCase());
        context.challenge(rejected(context, policy, grant));
      }
      default -> {
        // Approved and already over (revoked, expired): this login asks anew.
        context.getAuthenticationSession().removeAuthNote(PENDING_NOTE);
        return false;
      }
    }
    return true;
  }

  /** The request became ACTIVE: the login goes on, as after a direct activation. */
  private static void activated(RequiredActionContext context, GrantEntity grant) {
    context.getAuthenticationSession().removeAuthNote(PENDING_NOTE);
    context.getSession().setAttribute(BreakGlassIds.ACTIVATING_GRANT_ATTRIBUTE, grant.getId());
    context.getAuthenticationSession().setAuthNote(BreakGlassIds.ACTIVATED_NOTE, grant.getId());
    FreshAuthentication.markEmergency(context.getAuthenticationSession());
    context
        .getEvent()
        .detail(BreakGlassActivateAction.EVENT_DETAIL_GRANT_ID, grant.getId())
        .detail(
            "break_glass",
            grant.isOverrideActivation()
                ? AuditEventType.BREAK_GLASS_OVERRIDE.name()
                : AuditEventType.BREAK_GLASS_APPROVED.name())
        .detail("break_glass_expires_at", Instant.ofEpochMilli(grant.getExpiresAt()).toString());
    context.success();
  }

  private static Response waiting(
      RequiredActionContext context, BreakGlassPolicy policy, GrantEntity grant) {
    Map<String, Object> model = describe(context, policy, grant);
    String refresh = context.getActionUrl().toString();
    model.put("state", "waiting");
    model.put("refreshUrl", refresh);
    model.put("refreshSeconds", REFRESH_SECONDS);
    // The page checks again by itself (a script a person can pause, or a meta refresh without
    // JavaScript); no Refresh header, which nobody could pause.
    return context.form().setAttribute("breakGlassWait", model).createForm(TEMPLATE);
  }

  private static Response rejected(
      RequiredActionContext context, BreakGlassPolicy policy, GrantEntity grant) {
    Map<String, Object> model = describe(context, policy, grant);
    boolean timedOut = EndReason.APPROVAL_TIMEOUT.name().equals(grant.getEndReason());
    model.put("state", timedOut ? "timedOut" : "rejected");
    model.put("rejectedBy", grant.getApprover() == null ? "" : grant.getApprover());
    model.put("comment", grant.getDecisionComment() == null ? "" : grant.getDecisionComment());
    return context
        .form()
        .setAttribute("breakGlassWait", model)
        .setStatus(Response.Status.FORBIDDEN)
        .createForm(TEMPLATE);
  }

  /** What was asked and what happens next; FreeMarker escapes every value. */
  private static Map<String, Object> describe(
      RequiredActionContext context, BreakGlassPolicy policy, GrantEntity grant) {
    ApprovalPolicy approval = policy.approval();
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("requestId", grant.getId());
    model.put("roles", String.join(", ", GrantService.roles(grant)));
    model.put("reason", grant.getReason());
    model.put("ticket", grant.getTicket());
    model.put("duration", grant.getDurationMinutes() == null ? 0 : grant.getDurationMinutes());
    model.put("approverGroup", policy.approverGroup());
    model.put(
        "timesOutAt", TIME.format(Instant.ofEpochMilli(ApprovalService.timesOutAt(grant, policy))));
    model.put("fallback", approval.fallback().configValue());
    model.put("fallbackMaxDuration", approval.fallbackMaxDurationMinutes());
    return model;
  }
}
