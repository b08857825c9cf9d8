package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitRulesTest {

  private static final long MINUTE = 60_000L;
  private static final long NOW = 1_800_000_000_000L;

  @Test
  void cooldownRefusesUntilItsMinutesHavePassedSinceTheLastActivation() {
    LimitPolicy limits = new LimitPolicy(30, 0, 0);
    LimitRules.Refusal refusal =
        LimitRules.cooldown(limits, false, NOW - 10 * MINUTE, NOW).orElseThrow();
    assertEquals(LimitRules.Kind.COOLDOWN, refusal.kind());
    assertEquals("cooldown", refusal.kind().id());
    assertEquals(30, refusal.limit());
    assertEquals(NOW + 20 * MINUTE, refusal.retryAt(), "30 minutes after the last activation");
    // Exactly at the end of the cooldown, and after it, the user may activate again.
    assertTrue(LimitRules.cooldown(limits, false, NOW - 30 * MINUTE, NOW).isEmpty());
    assertTrue(LimitRules.cooldown(limits, false, NOW - 31 * MINUTE, NOW).isEmpty());
    assertTrue(
        LimitRules.cooldown(limits, false, NOW - 30 * MINUTE + 1, NOW).isPresent(),
        "one millisecond short is still inside");
  }

  @Test
  void cooldownIgnoresDrillsNeverActivatedUsersAndAPolicyWithoutOne() {
    LimitPolicy limits = new LimitPolicy(30, 0, 0);
    assertTrue(LimitRules.cooldown(limits, true, NOW - MINUTE, NOW).isEmpty(), "drills exempt");
    assertTrue(LimitRules.cooldown(limits, false, null, NOW).isEmpty(), "first activation");
    assertTrue(LimitRules.cooldown(limits, false, 0L, NOW).isEmpty(), "a request never activated");
    assertTrue(LimitRules.cooldown(LimitPolicy.NONE, false, NOW - MINUTE, NOW).isEmpty(), "off");
  }

  @Test
  void concurrencyRefusesAtTheLimitAndKnowsTheRetryTimeOnlyWithoutPendingRequests() {
    LimitPolicy limits = new LimitPolicy(0, 2, 0);
    assertTrue(LimitRules.concurrency(limits, 1, 0, NOW).isEmpty(), "below the limit");
    LimitRules.Refusal full = LimitRules.concurrency(limits, 2, 0, NOW + MINUTE).orElseThrow();
    assertEquals(LimitRules.Kind.CONCURRENCY, full.kind());
    assertEquals(2, full.limit());
    assertEquals(NOW + MINUTE, full.retryAt(), "when the soonest grant expires");
    LimitRules.Refusal withPending =
        LimitRules.concurrency(limits, 3, 1, NOW + MINUTE).orElseThrow();
    assertNull(withPending.retryAt(), "a pending request may take the freed place");
    assertNull(LimitRules.concurrency(limits, 2, 2, null).orElseThrow().retryAt());
    assertTrue(LimitRules.concurrency(LimitPolicy.NONE, 500, 0, null).isEmpty(), "off");
  }

  @Test
  void frequencyAlertsOnlyAboveTheNumberAndNeverForDrills() {
    LimitPolicy limits = new LimitPolicy(0, 0, 2);
    assertFalse(LimitRules.frequencyExceeded(limits, false, 2), "at the number: no alert");
    assertTrue(LimitRules.frequencyExceeded(limits, false, 3), "above it: alert");
    assertFalse(LimitRules.frequencyExceeded(limits, true, 3), "drills are not counted");
    assertFalse(LimitRules.frequencyExceeded(LimitPolicy.NONE, false, 99), "off");
    assertEquals(24 * 60 * MINUTE, LimitRules.DAY_MILLIS);
  }

  @Test
  void limitAndReleaseRecordsAlert() {
    for (UseAlerts mode : UseAlerts.values()) {
      assertTrue(AlertRules.alerts(AuditEventType.BREAK_GLASS_LIMIT, mode, Map.of()));
      assertTrue(AlertRules.alerts(AuditEventType.BREAK_GLASS_RELEASED, mode, Map.of()));
    }
  }
}
