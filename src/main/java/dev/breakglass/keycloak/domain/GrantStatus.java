package dev.breakglass.keycloak.domain;

/** The lifecycle of a grant; see DESIGN.md. */
public enum GrantStatus {
  PENDING,
  ACTIVE,
  ENDED,
  CLOSED
}
