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
  BREAK_GLASS_ATTESTATION_OVERDUE,
  BREAK_GLASS_REQUESTED,
  BREAK_GLASS_APPROVED,
  BREAK_GLASS_REJECTED,
  BREAK_GLASS_OVERRIDE,
  BREAK_GLASS_RELEASED,
  BREAK_GLASS_LIMIT,
  /** A change to what governs break-glass access (DESIGN.md invariant 7): always alerted. */
  BREAK_GLASS_GOVERNANCE_CHANGED
}
