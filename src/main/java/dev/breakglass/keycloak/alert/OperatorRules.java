package dev.breakglass.keycloak.alert;

import dev.breakglass.keycloak.domain.AuditEventType;

/**
 * Which audit records go to the operator channel: what a realm admin or a holder could want hidden.
 * No realm policy (its channels, {@code alertOnUse}) enters here: the realm cannot silence its
 * operator. Pure.
 */
public final class OperatorRules {

  private OperatorRules() {}

  public static boolean forwards(AuditEventType type) {
    return switch (type) {
      case BREAK_GLASS_ACTIVATED,
          BREAK_GLASS_OVERRIDE,
          BREAK_GLASS_DENIED,
          BREAK_GLASS_REVOKED,
          BREAK_GLASS_EXPIRED,
          BREAK_GLASS_RELEASED,
          BREAK_GLASS_DRIFT,
          BREAK_GLASS_GOVERNANCE_CHANGED ->
          true;
      // Uses, attestations, approvals and reminders stay with the realm's own channels (and the
      // audit log, which has every record).
      case BREAK_GLASS_USED,
          BREAK_GLASS_ATTESTED,
          BREAK_GLASS_ATTESTATION_OVERDUE,
          BREAK_GLASS_REQUESTED,
          BREAK_GLASS_APPROVED,
          BREAK_GLASS_REJECTED,
          BREAK_GLASS_LIMIT ->
          false;
    };
  }
}
