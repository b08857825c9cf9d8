package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class HumanTimeTest {

  private static final long MOMENT = Instant.parse("2026-11-29T13:24:33.123Z").toEpochMilli();

  @Test
  void saysTheZoneDropsTheMillisecondsAndSpeaksThePagesLanguage() {
    String en = HumanTime.format(MOMENT, Locale.ENGLISH);
    String de = HumanTime.format(MOMENT, Locale.GERMAN);
    assertTrue(en.endsWith(" UTC"), en);
    assertTrue(en.contains("Nov 29, 2026") && en.contains("1:24"), en);
    assertEquals("29.11.2026, 13:24 UTC", de);
    for (String shown : new String[] {en, de}) {
      assertFalse(shown.contains("T13") || shown.contains(".123") || shown.contains(":33"), shown);
    }
  }

  @Test
  void nothingForNoMoment() {
    assertEquals("", HumanTime.format(null, Locale.ENGLISH));
  }
}
