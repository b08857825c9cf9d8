package dev.breakglass.keycloak.domain;

/** Audit and alert event types: public names, see DESIGN.md. */
public enum AuditEventType {
  BREAK_GLASS_ACTIVATED,
  BREAK_GLASS_USED,
  BREAK_GLASS_DENIED,
  BREAK_GLASS_EXPIRED,
  BREAK_GLASS_REVOKED,
  BREAK_GLASS_ATTESTED,
  BREAK_GLASS_DRIFT,
  BREAK_GLASS_ATTESTATION_OVERDUE
}
