package dev.breakglass.keycloak.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.breakglass.keycloak.domain.AuditEventType;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorRulesTest {

  @Test
  void activationsEndsDenialsDriftAndGovernanceGoToTheOperator() {
    Set<AuditEventType> forwarded = EnumSet.noneOf(AuditEventType.class);
    for (AuditEventType type : AuditEventType.values()) {
      if (OperatorRules.forwards(type)) {
        forwarded.add(type);
      }
    }
    assertEquals(
        EnumSet.of(
            AuditEventType.BREAK_GLASS_ACTIVATED,
            AuditEventType.BREAK_GLASS_OVERRIDE,
            AuditEventType.BREAK_GLASS_DENIED,
            AuditEventType.BREAK_GLASS_REVOKED,
            AuditEventType.BREAK_GLASS_EXPIRED,
            AuditEventType.BREAK_GLASS_RELEASED,
            AuditEventType.BREAK_GLASS_DRIFT,
            AuditEventType.BREAK_GLASS_GOVERNANCE_CHANGED),
        forwarded);
  }
}
