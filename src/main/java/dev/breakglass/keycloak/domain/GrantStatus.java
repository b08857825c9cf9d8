package dev.breakglass.keycloak.domain;

/**
 * The lifecycle of a grant; see DESIGN.md. PENDING holds no roles: it waits for a second person.
 */
public enum GrantStatus {
  PENDING,
  ACTIVE,
  ENDED,
  CLOSED,
  /** A request that never became ACTIVE: rejected by an approver, or timed out without one. */
  REJECTED
}
