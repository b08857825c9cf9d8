package dev.breakglass.keycloak.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromOneSecondUpToTheCap() {
    assertEquals(1_000, Backoff.delayMillis(1, 0));
    assertEquals(2_000, Backoff.delayMillis(2, 0));
    assertEquals(4_000, Backoff.delayMillis(3, 0));
    assertEquals(Backoff.MAX_DELAY_MILLIS, Backoff.delayMillis(11, 0));
    assertEquals(
        Backoff.MAX_DELAY_MILLIS, Backoff.delayMillis(1_000, 0), "no overflow after many attempts");
  }

  @Test
  void jitterAddsAtMostTwentyPercent() {
    assertEquals(1_200, Backoff.delayMillis(1, 0.999_999), 1);
    assertEquals(1_000, Backoff.delayMillis(1, -5), "jitter is clamped");
  }

  @Test
  void retriesAtLeastADayBeforeGivingUp() {
    long day = 24 * 3_600_000L;
    // Delays are capped at 15 minutes, so a day of retries is about a hundred attempts, not three.
    long elapsed = 0;
    int attempts = 0;
    while (elapsed < day) {
      elapsed += Backoff.delayMillis(++attempts, 0);
    }
    assertTrue(attempts > 90, "attempts in a day: " + attempts);
    assertFalse(Backoff.givesUp(0, day - 1, day));
    assertTrue(Backoff.givesUp(0, day, day));
  }
}
