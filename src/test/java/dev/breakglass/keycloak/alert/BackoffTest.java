package dev.breakglass.keycloak.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final Backoff DEFAULT = Backoff.DEFAULT;

  @Test
  void doublesFromOneSecondUpToTheCap() {
    assertEquals(1_000, DEFAULT.delayMillis(1, 0));
    assertEquals(2_000, DEFAULT.delayMillis(2, 0));
    assertEquals(4_000, DEFAULT.delayMillis(3, 0));
    assertEquals(Backoff.MAX_DELAY_MILLIS, DEFAULT.delayMillis(11, 0));
    assertEquals(
        Backoff.MAX_DELAY_MILLIS, DEFAULT.delayMillis(1_000, 0), "no overflow after many attempts");
  }

  @Test
  void jitterAddsAtMostTwentyPercent() {
    assertEquals(1_200, DEFAULT.delayMillis(1, 0.999_999), 1);
    assertEquals(1_000, DEFAULT.delayMillis(1, -5), "jitter is clamped");
  }

  @Test
  void retriesAtLeastADayBeforeGivingUp() {
    long day = 24 * 3_600_000L;
    // Delays are capped at 15 minutes, so a day of retries is about a hundred attempts, not three.
    long elapsed = 0;
    int attempts = 0;
    while (elapsed < day) {
      elapsed += DEFAULT.delayMillis(++attempts, 0);
    }
    assertTrue(attempts > 90, "attempts in a day: " + attempts);
    assertFalse(Backoff.givesUp(0, day - 1, day));
    assertTrue(Backoff.givesUp(0, day, day));
  }

  @Test
  void compressedDelaysKeepTheShapeOfTheDefault() {
    // The fault suite's setting: 450 times shorter, so a one-minute outage is a 7.5-hour one.
    Backoff compressed = new Backoff(100, 2_000);
    assertEquals(100, compressed.delayMillis(1, 0));
    assertEquals(1_600, compressed.delayMillis(5, 0));
    assertEquals(2_000, compressed.delayMillis(6, 0));
    assertEquals(2_000, compressed.delayMillis(Integer.MAX_VALUE, 0));
    // The longest allowed delays do not overflow after many attempts.
    Backoff slow = new Backoff(3_600_000, 3_600_000);
    assertEquals(3_600_000, slow.delayMillis(Integer.MAX_VALUE, 0));
  }

  @Test
  void refusesDelaysThatWouldHammerAChannelOrRunBackwards() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(99, 1_000));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(2_000, 1_000));
    // An hour at most: a delay of years would leave a refused alert neither sent nor given up.
    assertThrows(IllegalArgumentException.class, () -> new Backoff(1_000, 3_600_001));
  }
}
