package dev.breakglass.keycloak.gate;

import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.Ineligibility;
import dev.breakglass.keycloak.grant.Eligibility;
import dev.breakglass.keycloak.grant.GrantService;
import jakarta.ws.rs.core.Response;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * The break-glass gate. After the user is identified: members of the policy's eligible group go on
 * to the activation form (unless they already hold an active grant); everyone else is refused, and
 * the refusal is audited. The decision is {@link Eligibility}'s, shared with the form.
 */
public class BreakGlassAuthenticator implements Authenticator {

  @Override
  public void authenticate(AuthenticationFlowContext context) {
    UserModel user = context.getUser();
    RealmModel realm = context.getRealm();
    KeycloakSession session = context.getSession();
    if (user == null) {
      // Misplaced in the flow: refuse rather than guess who this is.
      context.failure(AuthenticationFlowError.UNKNOWN_USER);
      return;
    }
    Eligibility.Decision decision = Eligibility.decide(session, realm, user, Eligibility.Step.GATE);
    if (!decision.eligible()) {
      deny(context, decision.refusal());
      return;
    }
    if (GrantService.findActive(session, realm, user.getId()).isEmpty()) {
      context.getAuthenticationSession().addRequiredAction(BreakGlassIds.ACTIVATE_ACTION);
    }
    context.success();
  }

  private static void deny(AuthenticationFlowContext context, Ineligibility refusal) {
    UserModel user = context.getUser();
    Eligibility.recordRefusal(
        context.getSession(),
        context.getRealm(),
        user,
        refusal,
        context.getAuthenticationSession().getClient().getClientId(),
        context.getConnection().getRemoteAddr());
    context
        .getEvent()
        .user(user)
        .detail("break_glass", AuditEventType.BREAK_GLASS_DENIED.name())
        .error(refusal.error());
    Response page =
        context
            .form()
            .setError(refusal.messageKey())
            .setStatus(Response.Status.FORBIDDEN)
            .createForm(BreakGlassIds.DENIED_TEMPLATE);
    context.failureChallenge(AuthenticationFlowError.ACCESS_DENIED, page);
  }

  @Override
  public void action(AuthenticationFlowContext context) {
    // The refusal page has nothing to submit; a post to it is refused again.
    authenticate(context);
  }

  @Override
  public boolean requiresUser() {
    return true;
  }

  @Override
  public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
    return true;
  }

  @Override
  public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {}

  @Override
  public void close() {}
}
