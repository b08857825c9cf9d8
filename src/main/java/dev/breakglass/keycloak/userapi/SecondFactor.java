package dev.breakglass.keycloak.userapi;

import java.util.Map;
import java.util.Set;
import org.keycloak.authentication.authenticators.util.AuthenticatorUtils;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;

/**
 * Whether a user session used the user's second factor. Keycloak records every authentication
 * execution completed in a session (execution id and time) in the user session's {@code
 * authenticators-completed} note, the source of its own {@code amr} claim; the executions name
 * their authenticators. A user without a second factor has nothing more to show.
 */
final class SecondFactor {

  /** Credential types that are a second factor. */
  static final Set<String> CREDENTIAL_TYPES = Set.of("otp", "webauthn", "webauthn-passwordless");

  /** Keycloak's authenticators that check one of them. */
  static final Set<String> AUTHENTICATORS =
      Set.of(
          "auth-otp-form",
          "direct-grant-validate-otp",
          "webauthn-authenticator",
          "webauthn-authenticator-passwordless",
          "auth-recovery-authn-code-form");

  private SecondFactor() {}

  static boolean satisfiedBy(
      KeycloakSession session, RealmModel realm, UserModel user, UserSessionModel userSession) {
    boolean hasOne =
        CREDENTIAL_TYPES.stream().anyMatch(t -> user.credentialManager().isConfiguredFor(t));
    if (!hasOne) {
      return true;
    }
    String note =
        userSession == null ? null : userSession.getNote(Constants.AUTHENTICATORS_COMPLETED);
    if (note == null || note.isBlank()) {
      return false;
    }
    Map<String, Integer> completed = AuthenticatorUtils.parseCompletedExecutions(note);
    for (String executionId : completed.keySet()) {
      AuthenticationExecutionModel execution = realm.getAuthenticationExecutionById(executionId);
      if (execution != null && AUTHENTICATORS.contains(execution.getAuthenticator())) {
        return true;
      }
    }
    return false;
  }
}
