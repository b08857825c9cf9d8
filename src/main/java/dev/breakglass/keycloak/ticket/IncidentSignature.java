package dev.breakglass.keycloak.ticket;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The incident-closed webhook's authentication: {@code X-BreakGlass-Signature: sha256=<hex
 * HMAC-SHA256 of the raw body>} under the realm's {@code incidentWebhookSecret}, and a {@code
 * sentAt} within {@link #WINDOW} of the database clock. Pure (no session), so each rule is tested
 * alone.
 */
public final class IncidentSignature {

  public static final String HEADER = "X-BreakGlass-Signature";
  public static final String PREFIX = "sha256=";
  public static final Duration WINDOW = Duration.ofMinutes(5);

  private IncidentSignature() {}

  /**
   * {@code sha256=<hex>} of {@code body} under {@code secret}: what a sender puts in the header.
   */
  public static String sign(String secret, byte[] body) {
    return PREFIX + HexFormat.of().formatHex(hmac(secret, body));
  }

  /**
   * Whether {@code header} carries the right signature of {@code body}. The comparison takes the
   * same time wherever the first wrong byte is ({@link MessageDigest#isEqual}).
   */
  public static boolean verify(String secret, byte[] body, String header) {
    if (secret == null || header == null) {
      return false;
    }
    String given = header.trim();
    if (!given.toLowerCase(Locale.ROOT).startsWith(PREFIX)
        || given.length() != PREFIX.length() + 64) {
      return false;
    }
    byte[] claimed;
    try {
      claimed = HexFormat.of().parseHex(given.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(hmac(secret, body), claimed);
  }

  /** The lower-case hex digest a header names, as remembered against replays. */
  public static String digestOf(String header) {
    return header.trim().substring(PREFIX.length()).toLowerCase(Locale.ROOT);
  }

  /**
   * Null when {@code sentAt} is an ISO-8601 instant within {@link #WINDOW} of {@code nowMillis};
   * otherwise why not.
   */
  public static String timeProblem(String sentAt, long nowMillis) {
    if (sentAt == null || sentAt.isBlank()) {
      return "sentAt (ISO-8601 UTC) is required.";
    }
    Instant sent;
    try {
      sent = Instant.parse(sentAt.trim());
    } catch (DateTimeParseException e) {
      return "sentAt must be an ISO-8601 UTC time such as 2026-01-31T12:00:00Z.";
    }
    long skew = Math.abs(sent.toEpochMilli() - nowMillis);
    if (skew > WINDOW.toMillis()) {
      return "sentAt is more than 5 minutes away from the server's time.";
    }
    return null;
  }

  private static byte[] hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
