package dev.breakglass.keycloak.userapi;

import dev.breakglass.keycloak.approval.ApprovalService;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.domain.RequestTransitions;
import dev.breakglass.keycloak.domain.TextRules;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.grant.GrantView;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.util.JsonSerialization;

/**
 * {@code /realms/{realm}/break-glass/approvals}: requests the caller may decide. Only members of
 * the policy's approver group, never on their own request, and (where they have a second factor)
 * only from a session that used it. A comment is optional when approving and required when
 * rejecting: the requester is shown why.
 */
public class ApprovalsResource {

  static final int MAX_COMMENT = 1000;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,36}");
  private static final Logger LOG = Logger.getLogger(ApprovalsResource.class);

  private final KeycloakSession session;
  private final UserRequests.Caller caller;

  ApprovalsResource(KeycloakSession session, UserRequests.Caller caller) {
    this.session = session;
    this.caller = caller;
  }

  /** The realm's pending requests this caller may decide, oldest first; empty for others. */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public List<Map<String, Object>> list() {
    BreakGlassPolicy policy = policy();
    return ApprovalService.decidableBy(session, caller.realm(), policy, caller.user()).stream()
        .map(g -> pending(g, policy))
        .toList();
  }

  @POST
  @Path("{id}/approve")
  @Produces(MediaType.APPLICATION_JSON)
  public GrantView approve(@PathParam("id") String id, String body) {
    return decided(id, body, false, ApprovalService::approve);
  }

  @POST
  @Path("{id}/reject")
  @Produces(MediaType.APPLICATION_JSON)
  public GrantView reject(@PathParam("id") String id, String body) {
    return decided(id, body, true, ApprovalService::reject);
  }

  /** What approve and reject share: the same checks, in the same order, before the decision. */
  private interface Decider {
    GrantEntity decide(
        KeycloakSession session,
        RealmModel realm,
        BreakGlassPolicy policy,
        String requestId,
        UserModel approver,
        String comment);
  }

  private GrantView decided(String id, String body, boolean commentRequired, Decider decider) {
    String requestId = requireId(id);
    String comment = comment(body, commentRequired);
    BreakGlassPolicy policy = policy();
    requireApproverSession(policy);
    GrantEntity grant =
        decide(
            () ->
                decider.decide(session, caller.realm(), policy, requestId, caller.user(), comment));
    return GrantView.of(grant, caller.realm().getName());
  }

  private interface Decision {
    GrantEntity run();
  }

  /** Runs a decision and turns each refusal into its status, never a 500. */
  private GrantEntity decide(Decision decision) {
    try {
      return decision.run();
    } catch (ApprovalService.RefusedException e) {
      RequestTransitions.Refusal refusal = e.refusal();
      throw UserRequests.error(
          Response.Status.fromStatusCode(refusal.httpStatus()), refusal.text());
    } catch (GrantService.AlreadyActiveException e) {
      throw UserRequests.error(
          Response.Status.CONFLICT,
          "The requester already holds an active grant; this request cannot start now.");
    } catch (GrantService.RoleUnavailableException e) {
      LOG.warnf(
          "Break-glass approval in realm %s failed: %s", caller.realm().getName(), e.getMessage());
      throw UserRequests.error(
          Response.Status.CONFLICT, "A role of this request no longer exists in the realm.");
    }
  }

  /**
   * An approver who has a second factor decides only from a session that used it: Keycloak keeps
   * the executions completed in a user session in its {@code authenticators-completed} note.
   */
  private void requireApproverSession(BreakGlassPolicy policy) {
    if (!ApprovalService.isApprover(session, caller.realm(), policy, caller.user())) {
      return; // refused by the state machine, as NOT_APPROVER (or OWN_REQUEST)
    }
    if (!SecondFactor.satisfiedBy(session, caller.realm(), caller.user(), caller.userSession())) {
      throw UserRequests.error(
          Response.Status.FORBIDDEN,
          "You have a second factor: sign in with it (password and one-time code or security key)"
              + " to decide requests.");
    }
  }

  private BreakGlassPolicy policy() {
    RealmPolicies.Loaded loaded = RealmPolicies.load(session, caller.realm());
    if (!loaded.isValid()) {
      throw UserRequests.error(
          Response.Status.CONFLICT,
          "The realm's break-glass policy is invalid; requests cannot be decided until an"
              + " administrator fixes it.");
    }
    return loaded.policy();
  }

  /** A well-formed id of a request of this realm: another realm's is as good as unknown. */
  private String requireId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw UserRequests.error(Response.Status.BAD_REQUEST, "Malformed request id.");
    }
    if (GrantService.find(session, caller.realm(), id).isEmpty()) {
      RequestTransitions.Refusal unknown = RequestTransitions.Refusal.UNKNOWN;
      throw UserRequests.error(Response.Status.NOT_FOUND, unknown.text());
    }
    return id;
  }

  /** The optional JSON body's {@code comment}, by the product's text rule. */
  static String comment(String body, boolean required) {
    Object value = null;
    if (body != null && !body.isBlank()) {
      Map<String, Object> json;
      try {
        json = JsonSerialization.readValue(body, Map.class);
      } catch (IOException | RuntimeException e) {
        throw UserRequests.error(
            Response.Status.BAD_REQUEST,
            "The body must be a JSON object such as {\"comment\": \"...\"}.");
      }
      if (json == null) {
        throw UserRequests.error(Response.Status.BAD_REQUEST, "The body must be a JSON object.");
      }
      for (String key : json.keySet()) {
        if (!"comment".equals(key)) {
          throw UserRequests.error(
              Response.Status.BAD_REQUEST, "Unknown field " + TextRules.printable(key, 40) + ".");
        }
      }
      value = json.get("comment");
    }
    if (value != null && !(value instanceof String)) {
      throw UserRequests.error(Response.Status.BAD_REQUEST, "Field comment must be a string.");
    }
    String text = value == null ? "" : ((String) value).strip();
    if (TextRules.check(text, MAX_COMMENT, false) != TextRules.Problem.NONE) {
      throw UserRequests.error(
          Response.Status.BAD_REQUEST,
          "Field comment must be plain text of at most "
              + MAX_COMMENT
              + " characters, without < or > or control characters.");
    }
    if (required && TextRules.visibleLength(text) == 0) {
      throw UserRequests.error(
          Response.Status.BAD_REQUEST, "A rejection needs a comment: the requester is shown it.");
    }
    return text;
  }

  private Map<String, Object> pending(GrantEntity g, BreakGlassPolicy policy) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", g.getId());
    view.put("requester", g.getUsername());
    view.put("requesterId", g.getUserId());
    view.put("reason", g.getReason());
    view.put("ticket", g.getTicket());
    view.put("roles", GrantService.roles(g));
    view.put("durationMinutes", g.getDurationMinutes());
    view.put("requestedAt", iso(g.getRequestedAt()));
    view.put("timesOutAt", iso(ApprovalService.timesOutAt(g, policy)));
    view.put("noApproverFallback", policy.approval().fallback().configValue());
    return view;
  }

  private static String iso(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }
}
