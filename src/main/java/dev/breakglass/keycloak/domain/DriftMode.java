package dev.breakglass.keycloak.domain;

import java.util.Locale;
import java.util.Optional;

/** What happens to a governed role mapped without an active grant. */
public enum DriftMode {
  /** Record and alert; leave the mapping (tokens still never carry the role). */
  ALERT,
  /** Record, alert and remove the mapping. */
  REMOVE;

  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<DriftMode> fromConfig(String value) {
    for (DriftMode mode : values()) {
      if (mode.configValue().equals(value)) {
        return Optional.of(mode);
      }
    }
    return Optional.empty();
  }
}
