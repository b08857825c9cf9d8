package dev.breakglass.keycloak.domain;

/** Why an ACTIVE grant ended (DESIGN.md "Grant JSON"). */
public enum EndReason {
  EXPIRED,
  REVOKED,
  RELEASED,
  INCIDENT_CLOSED,
  /** A granted role was unassigned or deleted by someone else: the grant ends with it. */
  ROLE_REMOVED,
  REJECTED,
  APPROVAL_TIMEOUT,
  SUPERSEDED,
  USER_DELETED
}
