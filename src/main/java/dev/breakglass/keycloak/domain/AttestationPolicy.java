package dev.breakglass.keycloak.domain;

import java.util.Locale;
import java.util.Optional;

/**
 * How a realm closes ended grants: who must attest, by when, how often overdue grants are
 * escalated, and whether an overdue attestation blocks the next activation.
 */
public record AttestationPolicy(
    Requirement requirement, double deadlineHours, double reminderHours, boolean blockWhenOverdue) {

  public static final AttestationPolicy DEFAULT =
      new AttestationPolicy(Requirement.HOLDER, 72, 24, false);

  /** Who must attest before a grant is CLOSED. */
  public enum Requirement {
    /** The holder alone, on their next login. */
    HOLDER,
    /** The holder, and a second person (incident owner, approver) through the admin API. */
    HOLDER_AND_SECOND;

    public String configValue() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Requirement> fromConfig(String value) {
      for (Requirement r : values()) {
        if (r.configValue().equals(value)) {
          return Optional.of(r);
        }
      }
      return Optional.empty();
    }
  }

  public long deadlineMillis() {
    return Math.round(deadlineHours * 3_600_000d);
  }

  public long reminderMillis() {
    return Math.round(reminderHours * 3_600_000d);
  }
}
