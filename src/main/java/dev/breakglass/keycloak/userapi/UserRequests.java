package dev.breakglass.keycloak.userapi;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;

/** Authentication and errors of the user API. */
final class UserRequests {

  private UserRequests() {}

  /** The realm user behind the request's bearer token, and the session it came from. */
  record Caller(
      KeycloakSession session,
      RealmModel realm,
      UserModel user,
      UserSessionModel userSession,
      AccessToken token) {}

  /**
   * The caller, or a 401: a valid, unexpired access token of this realm whose user and session
   * still exist (Keycloak's own bearer check).
   */
  static Caller authenticate(KeycloakSession session) {
    AuthenticationManager.AuthResult auth =
        new AppAuthManager.BearerTokenAuthenticator(session).authenticate();
    if (auth == null || auth.getUser() == null || !auth.getUser().isEnabled()) {
      throw new WebApplicationException(
          Response.status(Response.Status.UNAUTHORIZED)
              .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
              .type(MediaType.APPLICATION_JSON_TYPE)
              .entity(Map.of("error", "A valid bearer token of this realm is required."))
              .build());
    }
    return new Caller(
        session, session.getContext().getRealm(), auth.getUser(), auth.getSession(), auth.token());
  }

  /** A JSON error with a message a person can act on. */
  static WebApplicationException error(Response.Status status, String message) {
    return new WebApplicationException(
        Response.status(status)
            .type(MediaType.APPLICATION_JSON_TYPE)
            .entity(Map.of("error", message))
            .build());
  }
}
