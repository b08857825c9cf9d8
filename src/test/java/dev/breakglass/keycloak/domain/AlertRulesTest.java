package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AlertRulesTest {

  @ParameterizedTest
  @EnumSource(
      value = AuditEventType.class,
      names = {
        "BREAK_GLASS_ACTIVATED",
        "BREAK_GLASS_DENIED",
        "BREAK_GLASS_EXPIRED",
        "BREAK_GLASS_REVOKED",
        "BREAK_GLASS_DRIFT",
        "BREAK_GLASS_ATTESTATION_OVERDUE"
      })
  void lifecycleEventsAlwaysAlert(AuditEventType type) {
    for (UseAlerts mode : UseAlerts.values()) {
      assertTrue(AlertRules.alerts(type, mode, Map.of()), type + " " + mode);
    }
  }

  @Test
  void usesAlertByMode() {
    Map<String, Object> first = Map.of(AlertRules.USE_NUMBER, 1L);
    Map<String, Object> third = Map.of(AlertRules.USE_NUMBER, 3);
    assertTrue(AlertRules.alerts(AuditEventType.BREAK_GLASS_USED, UseAlerts.FIRST, first));
    assertFalse(AlertRules.alerts(AuditEventType.BREAK_GLASS_USED, UseAlerts.FIRST, third));
    assertTrue(AlertRules.alerts(AuditEventType.BREAK_GLASS_USED, UseAlerts.EVERY, third));
    assertFalse(AlertRules.alerts(AuditEventType.BREAK_GLASS_USED, UseAlerts.NONE, first));
    assertFalse(
        AlertRules.alerts(AuditEventType.BREAK_GLASS_USED, UseAlerts.FIRST, Map.of()),
        "no number, no first-use alert");
  }

  @Test
  void attestationAlertsOnlyOnANo() {
    assertTrue(
        AlertRules.alerts(
            AuditEventType.BREAK_GLASS_ATTESTED, UseAlerts.FIRST, Map.of(AlertRules.ANY_NO, true)));
    assertFalse(
        AlertRules.alerts(
            AuditEventType.BREAK_GLASS_ATTESTED,
            UseAlerts.EVERY,
            Map.of(AlertRules.ANY_NO, false)));
  }
}
