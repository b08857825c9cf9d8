package dev.breakglass.keycloak.alert;

/**
 * When to try an alert again: exponential from {@code firstDelayMillis}, doubling per attempt,
 * capped at {@code maxDelayMillis}, with up to 20 % jitter so many alerts retried after one outage
 * do not all hit the recovered channel at once. Pure. The delays are server options, so a test can
 * compress a long outage into a minute; the defaults are {@link #DEFAULT}.
 */
public record Backoff(long firstDelayMillis, long maxDelayMillis) {

  public static final long FIRST_DELAY_MILLIS = 1_000;
  public static final long MAX_DELAY_MILLIS = 15 * 60_000;

  /** Below this a failing channel would be hammered by every node's dispatcher. */
  public static final long MIN_DELAY_MILLIS = 100;

  /** Above this a refused alert would in effect never be tried again, nor given up. */
  public static final long MAX_ALLOWED_DELAY_MILLIS = 3_600_000;

  public static final Backoff DEFAULT = new Backoff(FIRST_DELAY_MILLIS, MAX_DELAY_MILLIS);

  public Backoff {
    if (firstDelayMillis < MIN_DELAY_MILLIS) {
      throw new IllegalArgumentException(
          "the first retry delay must be at least " + MIN_DELAY_MILLIS + " ms");
    }
    if (maxDelayMillis < firstDelayMillis) {
      throw new IllegalArgumentException(
          "the longest retry delay must be at least the first (" + firstDelayMillis + " ms)");
    }
    if (maxDelayMillis > MAX_ALLOWED_DELAY_MILLIS) {
      throw new IllegalArgumentException(
          "the longest retry delay must be at most " + MAX_ALLOWED_DELAY_MILLIS + " ms (an hour)");
    }
  }

  /**
   * Delay after the {@code attempts}-th failed attempt (1 = the first). {@code jitter} in [0, 1)
   * comes from the caller, so this stays deterministic under test.
   */
  public long delayMillis(int attempts, double jitter) {
    int exponent = Math.max(0, Math.min(attempts - 1, 30));
    long doubled =
        firstDelayMillis > (Long.MAX_VALUE >> exponent)
            ? Long.MAX_VALUE
            : firstDelayMillis << exponent;
    long base = Math.min(maxDelayMillis, doubled);
    return base + (long) (base * 0.2 * Math.max(0, Math.min(jitter, 1)));
  }

  /** True when an alert created at {@code createdAt} has been retried long enough to give up. */
  public static boolean givesUp(long createdAt, long now, long retryWindowMillis) {
    return now - createdAt >= retryWindowMillis;
  }
}
