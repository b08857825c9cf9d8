package dev.breakglass.keycloak.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrillReportTest {

  private static final long T0 = 1_796_000_000_000L;

  private static DrillReport.Facts facts(
      List<DrillReport.Alert> alerts, Long rolesRemovedAt, long sessionsLeft, Long attestedAt) {
    // An expired grant: due at T0 + 60 s, so the lag is how long after that its roles were gone.
    Long lag = rolesRemovedAt == null ? null : rolesRemovedAt - (T0 + 60_000);
    return new DrillReport.Facts(
        "g", T0, T0 + 60_200, "EXPIRED", lag, attestedAt, alerts, sessionsLeft, T0 + 600_000);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> check(Map<String, Object> report, String name) {
    return ((List<Map<String, Object>>) report.get("checks"))
        .stream().filter(c -> c.get("name").equals(name)).findFirst().orElseThrow();
  }

  @Test
  void everythingOnTimePasses() {
    Map<String, Object> report =
        DrillReport.build(
            facts(
                List.of(new DrillReport.Alert("webhook", "DELIVERED", T0, T0 + 800L, null)),
                T0 + 60_300,
                0,
                T0 + 300_000L));
    assertEquals(true, report.get("passed"), report.toString());
    assertEquals(300L, report.get("expiryLagMillis"));
  }

  @Test
  void aMissingAlertFailsTheDrillAndSaysWhy() {
    Map<String, Object> report =
        DrillReport.build(
            facts(
                List.of(
                    new DrillReport.Alert(
                        "webhook", "PENDING", T0, null, "webhook at 127.0.0.1 unreachable")),
                T0 + 60_300,
                0,
                T0 + 1L));
    assertEquals(false, report.get("passed"));
    Map<String, Object> alerted = check(report, "activationAlerted");
    assertEquals(false, alerted.get("passed"));
    assertTrue(alerted.get("detail").toString().contains("unreachable"), alerted.toString());
  }

  @Test
  void aLateAlertIsNotGoodEnough() {
    Map<String, Object> report =
        DrillReport.build(
            facts(
                List.of(new DrillReport.Alert("email", "DELIVERED", T0, T0 + 61_000L, null)),
                T0 + 60_300,
                0,
                T0 + 1L));
    assertEquals(false, check(report, "activationAlerted").get("passed"));
  }

  @Test
  void noChannelSlowRoleSurvivingSessionsAndNoAttestationEachFail() {
    Map<String, Object> report = DrillReport.build(facts(List.of(), T0 + 62_000, 2, null));
    for (String name :
        List.of("activationAlerted", "roleEndedWithinBound", "sessionsEnded", "attested")) {
      assertFalse((Boolean) check(report, name).get("passed"), name);
    }
  }
}
