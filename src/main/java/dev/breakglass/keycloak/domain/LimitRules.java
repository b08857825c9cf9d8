package dev.breakglass.keycloak.domain;

import java.util.Optional;

/**
 * The arithmetic of the policy's limits (see {@link LimitPolicy}). Pure: the caller reads the
 * counts and times from the database, under the realm's chain lock.
 *
 * <ul>
 *   <li>Cooldown: a user may activate again {@code cooldownMinutes} after their last non-drill
 *       activation. Drills neither wait for a cooldown nor start one.
 *   <li>Concurrency: the realm's ACTIVE and PENDING grants, drills included (a drill holds real
 *       roles), must be fewer than {@code maxActiveGrants} for a new one to start.
 *   <li>Frequency: more than {@code frequencyAlertPerDay} non-drill activations of one user in 24
 *       hours, the new one included, alert; they are never refused.
 * </ul>
 */
public final class LimitRules {

  /** The frequency alert's window. */
  public static final long DAY_MILLIS = 24L * 60 * 60 * 1000;

  private LimitRules() {}

  /** Which limit: the {@code kind} of a BREAK_GLASS_LIMIT record. */
  public enum Kind {
    COOLDOWN("cooldown"),
    CONCURRENCY("concurrency"),
    FREQUENCY("frequency");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /**
   * A limit reached: which, its value, and when the user may try again (epoch millis; null when
   * that is not known, as when someone else's grant must end first).
   */
  public record Refusal(Kind kind, int limit, Long retryAt) {}

  /**
   * The cooldown's refusal, if the user's last non-drill activation ({@code lastActivatedAt}, epoch
   * millis, null when none) was less than the cooldown before {@code now}.
   */
  public static Optional<Refusal> cooldown(
      LimitPolicy limits, boolean drill, Long lastActivatedAt, long now) {
    if (!limits.hasCooldown() || drill || lastActivatedAt == null || lastActivatedAt <= 0) {
      return Optional.empty();
    }
    long retryAt = lastActivatedAt + limits.cooldownMinutes() * 60_000L;
    return now < retryAt
        ? Optional.of(new Refusal(Kind.COOLDOWN, limits.cooldownMinutes(), retryAt))
        : Optional.empty();
  }

  /**
   * The concurrency refusal, if the realm already has {@code open} (ACTIVE and PENDING) grants at
   * or above the limit. {@code retryAt} is when the soonest-ending ACTIVE grant expires, known only
   * when no PENDING request could take the freed place first; null otherwise.
   */
  public static Optional<Refusal> concurrency(
      LimitPolicy limits, long open, long pending, Long soonestExpiry) {
    if (!limits.hasMaxActiveGrants() || open < limits.maxActiveGrants()) {
      return Optional.empty();
    }
    Long retryAt = pending == 0 && soonestExpiry != null ? soonestExpiry : null;
    return Optional.of(new Refusal(Kind.CONCURRENCY, limits.maxActiveGrants(), retryAt));
  }

  /**
   * True when {@code activationsInDay}, the user's non-drill activations in the last 24 hours with
   * this one included, exceed the frequency alert's number. A drill never counts.
   */
  public static boolean frequencyExceeded(
      LimitPolicy limits, boolean drill, long activationsInDay) {
    return limits.hasFrequencyAlert() && !drill && activationsInDay > limits.frequencyAlertPerDay();
  }
}
