package dev.breakglass.keycloak.grant;

import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.domain.Ineligibility;
import dev.breakglass.keycloak.policy.RealmPolicies;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionProviderModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.OTPCredentialModel;
import org.keycloak.models.credential.WebAuthnCredentialModel;

/**
 * Whether a user may activate break-glass access now: the one decision behind the gate and the
 * activation form (also reached by {@code kc_action}). An invalid policy refuses everyone: fail
 * closed. Every refusal is recorded as BREAK_GLASS_DENIED.
 */
public final class Eligibility {

  private static final Logger LOG = Logger.getLogger(Eligibility.class);

  private Eligibility() {}

  /**
   * Where the decision is taken: the overdue-attestation block applies at the form, after the
   * attestation had its turn.
   */
  public enum Step {
    GATE,
    ACTIVATION
  }

  /** Exactly one of {@code policy} (eligible) and {@code refusal}. */
  public record Decision(BreakGlassPolicy policy, Ineligibility refusal) {
    public boolean eligible() {
      return refusal == null;
    }
  }

  public static Decision decide(
      KeycloakSession session, RealmModel realm, UserModel user, Step step) {
    RealmPolicies.Loaded loaded = RealmPolicies.load(session, realm);
    RequiredActionProviderModel activation =
        realm.getRequiredActionProviderByAlias(BreakGlassIds.ACTIVATE_ACTION);
    if (!loaded.isValid() || activation == null || !activation.isEnabled()) {
      LOG.warnf(
          "Break-glass refused in realm %s: policy invalid or activation action not enabled (%s)",
          realm.getName(), loaded.errors());
      return new Decision(null, Ineligibility.POLICY_UNAVAILABLE);
    }
    BreakGlassPolicy policy = loaded.policy();
    GroupModel group = RealmPolicies.findGroup(session, realm, policy);
    if (group == null || !user.isMemberOf(group)) {
      return new Decision(null, Ineligibility.NOT_ELIGIBLE);
    }
    if (policy.requireSecondFactor() && !hasSecondFactor(user)) {
      return new Decision(null, Ineligibility.NO_SECOND_FACTOR);
    }
    if (step == Step.ACTIVATION
        && policy.attestation().blockWhenOverdue()
        && GrantAttestations.hasOverdue(session, realm, user.getId(), policy.attestation())) {
      return new Decision(null, Ineligibility.ATTESTATION_OVERDUE);
    }
    return new Decision(policy, null);
  }

  /** Whether the user has a second factor of their own: an OTP credential or a security key. */
  public static boolean hasOtp(UserModel user) {
    return user.credentialManager().isConfiguredFor(OTPCredentialModel.TYPE);
  }

  public static boolean hasSecurityKey(UserModel user) {
    return user.credentialManager().isConfiguredFor(WebAuthnCredentialModel.TYPE_TWOFACTOR);
  }

  public static boolean hasSecondFactor(UserModel user) {
    return hasOtp(user) || hasSecurityKey(user);
  }

  /**
   * An eligible user enrolled a second factor themselves (the account console, a required action).
   * It is what the next activation will accept, so someone holding only a stolen password could
   * enrol their own: never silent, it is a governance change, alerted also to the operator.
   */
  public static void secondFactorEnrolled(
      KeycloakSession session,
      RealmModel realm,
      UserModel user,
      String credentialType,
      String clientId,
      String ipAddress) {
    RealmPolicies.Loaded loaded = RealmPolicies.load(session, realm);
    if (!loaded.isValid()) {
      return;
    }
    GroupModel group = RealmPolicies.findGroup(session, realm, loaded.policy());
    if (group == null || !user.isMemberOf(group)) {
      return;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("what", "second factor of an eligible user");
    details.put("change", "enrolled by the user");
    details.put("credentialType", credentialType);
    details.put("clientId", clientId);
    details.put("ipAddress", ipAddress);
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_GOVERNANCE_CHANGED,
        new AuditTrail.Subject(null, user.getId(), user.getUsername()),
        details);
  }

  /** Records the refusal in the audit trail (and so alerts it), in the caller's transaction. */
  public static void recordRefusal(
      KeycloakSession session,
      RealmModel realm,
      UserModel user,
      Ineligibility refusal,
      String clientId,
      String ipAddress) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("why", refusal.why());
    details.put("clientId", clientId);
    details.put("ipAddress", ipAddress);
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_DENIED,
        new AuditTrail.Subject(null, user.getId(), user.getUsername()),
        details);
  }
}
