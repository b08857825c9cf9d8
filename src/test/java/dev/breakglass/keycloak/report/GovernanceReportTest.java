package dev.breakglass.keycloak.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GovernanceReportTest {

  @Test
  void percentilesAreNearestRank() {
    List<Long> values = new ArrayList<>();
    for (long i = 1; i <= 100; i++) {
      values.add(101 - i);
    }
    assertEquals(50L, GovernanceReport.percentile(values, 0.5));
    assertEquals(99L, GovernanceReport.percentile(values, 0.99));
    assertEquals(100L, GovernanceReport.percentile(values, 1.0));
    assertEquals(7L, GovernanceReport.percentile(List.of(7L), 0.99));
    assertNull(GovernanceReport.percentile(List.of(), 0.5));
  }

  @Test
  @SuppressWarnings("unchecked")
  void figuresAnAuditorAsksFor() {
    long t = 1_796_000_000_000L;
    List<GovernanceReport.Grant> grants =
        List.of(
            new GovernanceReport.Grant("ACTIVE", false, t, null, null, null),
            new GovernanceReport.Grant("ENDED", false, t, t + 30 * 60_000L, 200L, null),
            new GovernanceReport.Grant(
                "CLOSED", true, t, t + 10 * 60_000L, 400L, t + 10 * 60_000L + 2 * 3_600_000L),
            new GovernanceReport.Grant(
                "CLOSED", false, t, t + 20 * 60_000L, 900L, t + 20 * 60_000L + 60_000L));
    Map<String, Object> r =
        GovernanceReport.build(
            "demo",
            t - 1,
            t + 1,
            t + 2,
            grants,
            3,
            1,
            List.of(
                new GovernanceReport.Drill("d1", "responder", "ENDED", true),
                new GovernanceReport.Drill("d2", "x", "SCHEDULED", null)));

    assertEquals(4, ((Map<String, Object>) r.get("grants")).get("total"));
    assertEquals(
        2L,
        ((Map<String, Long>) ((Map<String, Object>) r.get("grants")).get("byStatus"))
            .get("CLOSED"));
    assertEquals(20.0, ((Map<String, Object>) r.get("durationMinutes")).get("median"));
    assertEquals(30.0, ((Map<String, Object>) r.get("durationMinutes")).get("max"));
    Map<String, Object> lag = (Map<String, Object>) r.get("expiryLagMillis");
    assertEquals(400L, lag.get("p50"));
    assertEquals(900L, lag.get("p99"));
    assertEquals(900L, lag.get("max"));
    Map<String, Object> attestation = (Map<String, Object>) r.get("attestation");
    assertEquals(3L, attestation.get("ended"));
    assertEquals(2, attestation.get("attested"));
    assertEquals(0.667, attestation.get("rate"));
    assertEquals(1.0, attestation.get("medianMinutesToAttest"));
    assertEquals(1L, r.get("overdueNow"));
    assertEquals(3L, r.get("driftDetections"));
    Map<String, Object> drills = (Map<String, Object>) r.get("drills");
    assertEquals(1L, drills.get("passed"));
    assertEquals(1L, drills.get("withoutReport"));
  }
}
