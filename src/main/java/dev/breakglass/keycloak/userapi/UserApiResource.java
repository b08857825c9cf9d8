package dev.breakglass.keycloak.userapi;

import jakarta.ws.rs.Path;
import org.keycloak.models.KeycloakSession;

/**
 * {@code /realms/{realm}/break-glass}: what a realm user does with their own bearer token. Every
 * sub-resource authenticates the caller before anything else ({@link UserRequests#authenticate}).
 */
public class UserApiResource {

  private final KeycloakSession session;

  public UserApiResource(KeycloakSession session) {
    this.session = session;
  }

  /** {@code GET me}, {@code POST me/release}: the caller's own grants. */
  @Path("me")
  public MeResource me() {
    return new MeResource(session, UserRequests.authenticate(session));
  }

  /** {@code GET approvals}, {@code POST approvals/{id}/approve|reject}: requests to decide. */
  @Path("approvals")
  public ApprovalsResource approvals() {
    return new ApprovalsResource(session, UserRequests.authenticate(session));
  }

  /** {@code POST incidents/{ticket}/closed}: signed by the incident system, no bearer token. */
  @Path("incidents")
  public IncidentsResource incidents() {
    return new IncidentsResource(session);
  }

  /** {@code GET console}: the break-glass console page; it signs in by itself. */
  @Path("console")
  public ConsoleResource console() {
    return new ConsoleResource(session);
  }
}
