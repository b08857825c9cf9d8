package dev.breakglass.keycloak.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures an auditor asks for, over a period: grants by status, how long they lasted, how
 * promptly their roles ended, how many were attested and how fast, what is overdue, drift, and the
 * drills with their results. Pure.
 */
public final class GovernanceReport {

  /** One grant activated in the period. Null times are things that have not happened. */
  public record Grant(
      String status,
      boolean drill,
      long activatedAt,
      Long endedAt,
      Long expiryLagMillis,
      Long attestedAt) {}

  /** One drill scheduled in the period; {@code passed} is null while it has no report. */
  public record Drill(String id, String username, String status, Boolean passed) {}

  private GovernanceReport() {}

  public static Map<String, Object> build(
      String realm,
      long from,
      long to,
      long now,
      List<Grant> grants,
      long driftCount,
      long overdueNow,
      List<Drill> drills) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("realm", realm);
    report.put("from", Instant.ofEpochMilli(from).toString());
    report.put("to", Instant.ofEpochMilli(to).toString());
    report.put("generatedAt", Instant.ofEpochMilli(now).toString());

    Map<String, Long> byStatus = new LinkedHashMap<>();
    for (String status : List.of("PENDING", "ACTIVE", "ENDED", "CLOSED")) {
      byStatus.put(status, grants.stream().filter(g -> status.equals(g.status())).count());
    }
    Map<String, Object> grantFigures = new LinkedHashMap<>();
    grantFigures.put("total", grants.size());
    grantFigures.put("byStatus", byStatus);
    grantFigures.put("drills", grants.stream().filter(Grant::drill).count());
    report.put("grants", grantFigures);

    List<Long> durations = new ArrayList<>();
    List<Long> lags = new ArrayList<>();
    List<Long> toAttest = new ArrayList<>();
    long ended = 0;
    for (Grant g : grants) {
      if (g.endedAt() == null) {
        continue;
      }
      ended++;
      durations.add(g.endedAt() - g.activatedAt());
      if (g.expiryLagMillis() != null) {
        lags.add(g.expiryLagMillis());
      }
      if (g.attestedAt() != null) {
        toAttest.add(Math.max(0, g.attestedAt() - g.endedAt()));
      }
    }
    Map<String, Object> duration = new LinkedHashMap<>();
    duration.put("median", minutes(percentile(durations, 0.5)));
    duration.put("max", minutes(max(durations)));
    report.put("durationMinutes", duration);

    Map<String, Object> lag = new LinkedHashMap<>();
    lag.put("count", lags.size());
    lag.put("p50", percentile(lags, 0.5));
    lag.put("p99", percentile(lags, 0.99));
    lag.put("max", max(lags));
    report.put("expiryLagMillis", lag);

    Map<String, Object> attestation = new LinkedHashMap<>();
    attestation.put("ended", ended);
    attestation.put("attested", toAttest.size());
    attestation.put(
        "rate", ended == 0 ? null : Math.round(1000.0 * toAttest.size() / ended) / 1000.0);
    attestation.put("medianMinutesToAttest", minutes(percentile(toAttest, 0.5)));
    attestation.put("closed", byStatus.get("CLOSED"));
    report.put("attestation", attestation);

    report.put("overdueNow", overdueNow);
    report.put("driftDetections", driftCount);

    Map<String, Object> drillFigures = new LinkedHashMap<>();
    drillFigures.put("total", drills.size());
    drillFigures.put(
        "passed", drills.stream().filter(d -> Boolean.TRUE.equals(d.passed())).count());
    drillFigures.put(
        "failed", drills.stream().filter(d -> Boolean.FALSE.equals(d.passed())).count());
    drillFigures.put("withoutReport", drills.stream().filter(d -> d.passed() == null).count());
    List<Map<String, Object>> list = new ArrayList<>();
    for (Drill d : drills) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("id", d.id());
      item.put("username", d.username());
      item.put("status", d.status());
      item.put("passed", d.passed());
      list.add(item);
    }
    drillFigures.put("list", list);
    report.put("drills", drillFigures);
    return report;
  }

  /** Nearest-rank percentile of {@code values}; null when there are none. */
  static Long percentile(List<Long> values, double quantile) {
    if (values.isEmpty()) {
      return null;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(quantile * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
  }

  private static Long max(List<Long> values) {
    return values.isEmpty() ? null : Collections.max(values);
  }

  private static Double minutes(Long millis) {
    return millis == null ? null : Math.round(millis / 600.0) / 100.0;
  }
}
