package dev.breakglass.keycloak.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Locale;

/**
 * A moment as a person reads it on a page: date and time in the page's language, to the minute,
 * always in UTC and saying so (the server does not know the reader's time zone, and an incident
 * timeline is kept in UTC).
 */
public final class HumanTime {

  private HumanTime() {}

  /** For example "Nov 29, 2026, 1:24 PM UTC" (en) or "29.11.2026, 13:24 UTC" (de); "" for null. */
  public static String format(Long epochMillis, Locale locale) {
    if (epochMillis == null) {
      return "";
    }
    DateTimeFormatter formatter =
        DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
            .withLocale(locale == null ? Locale.ENGLISH : locale)
            .withZone(ZoneOffset.UTC);
    return formatter.format(Instant.ofEpochMilli(epochMillis)) + " UTC";
  }
}
