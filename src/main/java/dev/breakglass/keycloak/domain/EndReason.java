package dev.breakglass.keycloak.domain;

/** Why an ACTIVE grant ended. */
public enum EndReason {
  EXPIRED,
  REVOKED,
  SUPERSEDED,
  USER_DELETED
}
