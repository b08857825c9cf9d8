package dev.breakglass.keycloak.drill;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The proof a drill gives: would the real thing have worked? Pure: built from facts the caller
 * reads from the database and the session store.
 */
public final class DrillReport {

  /** A role must be gone within this of the grant's end: the product's promise. */
  public static final long EXPIRY_BOUND_MILLIS = 1_000;

  /** The SOC must hear of an activation within this, or the alert came too late to matter. */
  public static final long ALERT_BOUND_MILLIS = 60_000;

  /** Report key: sessions of the holder left when the end committed, counted once and kept. */
  public static final String SESSIONS_LEFT_AT_END = "sessionsLeftAtEnd";

  /** One alert of the drill grant's activation, as the outbox holds it. */
  public record Alert(
      String channel, String status, long createdAt, Long deliveredAt, String lastError) {}

  /** What is known of the drill grant. Null times are things that have not happened. */
  public record Facts(
      String grantId,
      long activatedAt,
      Long endedAt,
      String endReason,
      Long expiryLagMillis,
      Long attestedAt,
      List<Alert> activationAlerts,
      long sessionsLeft,
      long now) {}

  private DrillReport() {}

  public static Map<String, Object> build(Facts f) {
    List<Map<String, Object>> checks = new ArrayList<>();
    checks.add(activationAlerted(f));
    checks.add(roleEndedWithinBound(f));
    checks.add(
        check(
            "sessionsEnded",
            f.endedAt() != null && f.sessionsLeft() == 0,
            f.endedAt() == null
                ? "the grant has not ended yet"
                : f.sessionsLeft() == 0
                    ? "no session of the holder from before the end survived it"
                    : f.sessionsLeft() + " session(s) from before the end still exist"));
    checks.add(
        check(
            "attested",
            f.attestedAt() != null,
            f.attestedAt() != null
                ? "the holder attested at " + iso(f.attestedAt())
                : "the holder has not attested yet"));

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("passed", checks.stream().allMatch(c -> Boolean.TRUE.equals(c.get("passed"))));
    report.put("grantId", f.grantId());
    report.put("activatedAt", iso(f.activatedAt()));
    report.put("endedAt", iso(f.endedAt()));
    report.put("endReason", f.endReason());
    report.put("expiryLagMillis", f.expiryLagMillis());
    report.put(SESSIONS_LEFT_AT_END, f.sessionsLeft());
    report.put("checks", checks);
    report.put("generatedAt", iso(f.now()));
    return report;
  }

  private static Map<String, Object> activationAlerted(Facts f) {
    if (f.activationAlerts().isEmpty()) {
      return check(
          "activationAlerted",
          false,
          "no alert was raised: the realm's policy has no alert channel");
    }
    List<String> late = new ArrayList<>();
    for (Alert a : f.activationAlerts()) {
      if (a.deliveredAt() != null && a.deliveredAt() - a.createdAt() <= ALERT_BOUND_MILLIS) {
        return check(
            "activationAlerted",
            true,
            "delivered by "
                + a.channel()
                + " "
                + (a.deliveredAt() - a.createdAt())
                + " ms after the activation");
      }
      late.add(
          a.deliveredAt() != null
              ? a.channel() + " delivered only after " + (a.deliveredAt() - a.createdAt()) + " ms"
              : a.channel()
                  + " not delivered ("
                  + a.status()
                  + (a.lastError() == null ? "" : ": " + a.lastError())
                  + ")");
    }
    return check(
        "activationAlerted",
        false,
        "no channel delivered the activation alert within "
            + ALERT_BOUND_MILLIS / 1000
            + " s: "
            + String.join("; ", late));
  }

  private static Map<String, Object> roleEndedWithinBound(Facts f) {
    Long lag = f.expiryLagMillis();
    if (lag == null) {
      return check("roleEndedWithinBound", false, "the grant's roles have not been removed yet");
    }
    return check(
        "roleEndedWithinBound",
        lag <= EXPIRY_BOUND_MILLIS,
        "roles gone " + lag + " ms after the end (bound " + EXPIRY_BOUND_MILLIS + " ms)");
  }

  private static Map<String, Object> check(String name, boolean passed, String detail) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("name", name);
    check.put("passed", passed);
    check.put("detail", detail);
    return check;
  }

  private static String iso(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }
}
