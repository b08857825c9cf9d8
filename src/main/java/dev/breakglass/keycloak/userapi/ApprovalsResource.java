package dev.breakglass.keycloak.userapi;

import org.keycloak.models.KeycloakSession;

/** {@code /realms/{realm}/break-glass/approvals}: requests the caller may decide. */
public class ApprovalsResource {

  private final KeycloakSession session;
  private final UserRequests.Caller caller;

  ApprovalsResource(KeycloakSession session, UserRequests.Caller caller) {
    this.session = session;
    this.caller = caller;
  }
}
