package dev.breakglass.keycloak.alert;

/**
 * When to try an alert again: exponential from {@link #FIRST_DELAY_MILLIS}, doubling per attempt,
 * capped at {@link #MAX_DELAY_MILLIS}, with up to 20 % jitter so many alerts retried after one
 * outage do not all hit the recovered channel at once. Pure.
 */
public final class Backoff {

  public static final long FIRST_DELAY_MILLIS = 1_000;
  public static final long MAX_DELAY_MILLIS = 15 * 60_000;

  private Backoff() {}

  /**
   * Delay after the {@code attempts}-th failed attempt (1 = the first). {@code jitter} in [0, 1)
   * comes from the caller, so this stays deterministic under test.
   */
  public static long delayMillis(int attempts, double jitter) {
    int exponent = Math.max(0, Math.min(attempts - 1, 30));
    long base = Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << exponent);
    return base + (long) (base * 0.2 * Math.max(0, Math.min(jitter, 1)));
  }

  /** True when an alert created at {@code createdAt} has been retried long enough to give up. */
  public static boolean givesUp(long createdAt, long now, long retryWindowMillis) {
    return now - createdAt >= retryWindowMillis;
  }
}
