package dev.breakglass.keycloak.domain;

/**
 * How often and how many: {@code cooldownMinutes} between one user's activations and {@code
 * maxActiveGrants} in the realm refuse an activation; {@code frequencyAlertPerDay} only alerts.
 * Zero turns a limit off.
 */
public record LimitPolicy(int cooldownMinutes, int maxActiveGrants, int frequencyAlertPerDay) {

  public static final LimitPolicy NONE = new LimitPolicy(0, 0, 0);

  public boolean hasCooldown() {
    return cooldownMinutes > 0;
  }

  public boolean hasMaxActiveGrants() {
    return maxActiveGrants > 0;
  }

  public boolean hasFrequencyAlert() {
    return frequencyAlertPerDay > 0;
  }
}
