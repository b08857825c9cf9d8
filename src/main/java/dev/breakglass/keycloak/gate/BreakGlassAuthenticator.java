package dev.breakglass.keycloak.gate;

import dev.breakglass.keycloak.activation.BreakGlassActivateActionFactory;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.policy.RealmPolicies;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionProviderModel;
import org.keycloak.models.UserModel;

/**
 * The break-glass gate. After the user is identified: members of the policy's eligible group go
 * on to the activation form (unless they already hold an active grant); everyone else is refused,
 * and the refusal is audited. An invalid policy refuses everyone: fail closed.
 */
public class BreakGlassAuthenticator implements Authenticator {

  public static final String ERROR_NOT_ELIGIBLE = "break_glass_not_eligible";
  public static final String ERROR_UNAVAILABLE = "break_glass_unavailable";
  public static final String DENIED_TEMPLATE = "break-glass-denied.ftl";

  private static final Logger LOG = Logger.getLogger(BreakGlassAuthenticator.class);

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

    RealmPolicies.Loaded policy = RealmPolicies.load(session, realm);
    RequiredActionProviderModel activation =
        realm.getRequiredActionProviderByAlias(BreakGlassActivateActionFactory.PROVIDER_ID);
    if (!policy.isValid() || activation == null || !activation.isEnabled()) {
      LOG.warnf("Break-glass refused in realm %s: policy invalid or activation action not enabled (%s)",
          realm.getName(), policy.errors());
      deny(context, "policy_unavailable", ERROR_UNAVAILABLE, "breakGlassUnavailable");
      return;
    }

    GroupModel eligible = RealmPolicies.findGroup(session, realm, policy.policy());
    if (eligible == null || !user.isMemberOf(eligible)) {
      deny(context, "not_eligible", ERROR_NOT_ELIGIBLE, "breakGlassNotEligible");
      return;
    }

    if (GrantService.findActive(session, realm, user.getId()).isEmpty()) {
      context.getAuthenticationSession().addRequiredAction(BreakGlassActivateActionFactory.PROVIDER_ID);
    }
    context.success();
  }

  private static void deny(AuthenticationFlowContext context, String why, String error, String messageKey) {
    UserModel user = context.getUser();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("why", why);
    details.put("clientId", context.getAuthenticationSession().getClient().getClientId());
    details.put("ipAddress", context.getConnection().getRemoteAddr());
    AuditTrail.append(context.getSession(), context.getRealm(), AuditEventType.BREAK_GLASS_DENIED,
        new AuditTrail.Subject(null, user.getId(), user.getUsername()), details);
    context.getEvent().user(user).detail("break_glass", AuditEventType.BREAK_GLASS_DENIED.name()).error(error);
    Response page = context.form()
        .setError(messageKey)
        .setStatus(Response.Status.FORBIDDEN)
        .createForm(DENIED_TEMPLATE);
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
