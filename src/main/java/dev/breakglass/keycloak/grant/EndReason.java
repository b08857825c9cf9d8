package dev.breakglass.keycloak.grant;

/** Why an ACTIVE grant ended. */
public enum EndReason {
  EXPIRED,
  REVOKED,
  SUPERSEDED,
  USER_DELETED
}
