package dev.breakglass.keycloak.domain;

import java.util.Locale;
import java.util.Optional;

/** Which uses of an active grant raise an alert (every use is always recorded). */
public enum UseAlerts {
  /** The first use of each grant: the SOC learns the privilege is being exercised. */
  FIRST,
  /** Every use: login, token, refresh, admin action. Noisy, for tightly watched realms. */
  EVERY,
  /** None: uses are recorded in the audit trail only. */
  NONE;

  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<UseAlerts> fromConfig(String value) {
    for (UseAlerts mode : values()) {
      if (mode.configValue().equals(value)) {
        return Optional.of(mode);
      }
    }
    return Optional.empty();
  }
}
