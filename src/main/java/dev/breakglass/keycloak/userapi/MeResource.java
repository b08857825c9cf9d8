package dev.breakglass.keycloak.userapi;

import org.keycloak.models.KeycloakSession;

/** {@code /realms/{realm}/break-glass/me}: the caller's own grants. */
public class MeResource {

  private final KeycloakSession session;
  private final UserRequests.Caller caller;

  MeResource(KeycloakSession session, UserRequests.Caller caller) {
    this.session = session;
    this.caller = caller;
  }
}
