package dev.breakglass.keycloak.it;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One-time codes of the demo's authenticator (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps),
 * computed in the test from the documented demo secret, as an authenticator app would.
 *
 * <p>The realm's OTP policy makes codes single-use (per credential) and accepts one step either
 * side of now. So the harness remembers, per user and credential, the steps it has used in this JVM
 * and takes the next free one of now, now+1, now-1; only when all are used does it wait for the
 * next step (polled with a deadline, never a fixed sleep). Tests sign in far more often than a
 * person, so the harness gives a test user several OTP credentials with the same demo secret
 * ({@link DemoRealm#answerOtp}): each has its own single-use codes.
 */
public final class Totp {

  /** The demo secret as stored in the realm (Keycloak's key is its UTF-8 bytes). Demo only. */
  public static final String DEMO_SECRET = "break-glass-demo-otp";

  /** The same 20 bytes in base32, as typed into an authenticator app. */
  public static final String DEMO_SECRET_BASE32 = "MJZGKYLLFVTWYYLTOMWWIZLNN4WW65DQ";

  private static final int PERIOD_SECONDS = 30;
  private static final int DIGITS = 6;

  /** Users with the demo OTP credential: the demo realm's responder and those the harness made. */
  private static final Set<String> USERS = new HashSet<>(Set.of("responder"));

  private static final Map<String, Set<Long>> USED = new HashMap<>();
  private static final Map<String, String> LAST = new HashMap<>();

  private Totp() {}

  /** Records that {@code username} has the demo OTP credential. */
  public static synchronized void register(String username) {
    USERS.add(username);
  }

  public static synchronized boolean has(String username) {
    return USERS.contains(username);
  }

  /** A code the server has not seen yet for this user's default credential; marks it used. */
  public static String next(String username) {
    return next(username, List.of("default")).code();
  }

  /** A code and the credential (of {@code credentials}) it is for. */
  public record Choice(String credential, String code) {}

  /**
   * A code not yet used with one of the user's {@code credentials} (Keycloak's single-use check is
   * per credential); waits for the next step only when every one is used up.
   */
  public static Choice next(String username, List<String> credentials) {
    return Poll.until(
        "an unused one-time code for " + username,
        Duration.ofSeconds(75),
        () -> take(username, credentials),
        Objects::nonNull);
  }

  private static synchronized Choice take(String username, List<String> credentials) {
    long nowSeconds = Instant.now().getEpochSecond();
    long step = nowSeconds / PERIOD_SECONDS;
    long secondsLeft = PERIOD_SECONDS - nowSeconds % PERIOD_SECONDS;
    // now-1 only with time to spare: it stops being accepted when the step turns.
    long[] candidates =
        secondsLeft > 5 ? new long[] {step, step + 1, step - 1} : new long[] {step, step + 1};
    for (String credential : credentials) {
      Set<Long> used = USED.computeIfAbsent(username + "|" + credential, u -> new HashSet<>());
      for (long candidate : candidates) {
        if (used.add(candidate)) {
          String code = code(DEMO_SECRET.getBytes(StandardCharsets.UTF_8), candidate);
          LAST.put(username, code);
          return new Choice(credential, code);
        }
      }
    }
    return null;
  }

  /** The last code handed out for this user (already used: a replay must be refused). */
  public static synchronized String lastUsed(String username) {
    String code = LAST.get(username);
    if (code == null) {
      throw new AssertionError("No code used yet for " + username);
    }
    return code;
  }

  /** The current code of another secret (a test's own authenticator), used once by its caller. */
  public static String now(String secret) {
    return code(
        secret.getBytes(StandardCharsets.UTF_8), Instant.now().getEpochSecond() / PERIOD_SECONDS);
  }

  /** A well-formed code that is valid for none of the steps the server accepts now. */
  public static String wrong() {
    long step = Instant.now().getEpochSecond() / PERIOD_SECONDS;
    Set<String> valid = new HashSet<>();
    for (long s = step - 2; s <= step + 2; s++) {
      valid.add(code(DEMO_SECRET.getBytes(StandardCharsets.UTF_8), s));
    }
    for (int i = 0; ; i++) {
      String candidate = String.format("%06d", (123456 + i * 7919) % 1_000_000);
      if (!valid.contains(candidate)) {
        return candidate;
      }
    }
  }

  /** RFC 6238 / RFC 4226: HMAC-SHA1 over the big-endian step, dynamic truncation, 6 digits. */
  static String code(byte[] key, long step) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
      byte[] counter = new byte[8];
      for (int i = 7; i >= 0; i--) {
        counter[i] = (byte) (step & 0xff);
        step >>= 8;
      }
      byte[] hash = mac.doFinal(counter);
      int offset = hash[hash.length - 1] & 0x0f;
      int binary =
          ((hash[offset] & 0x7f) << 24)
              | ((hash[offset + 1] & 0xff) << 16)
              | ((hash[offset + 2] & 0xff) << 8)
              | (hash[offset + 3] & 0xff);
      int otp = binary % (int) Math.pow(10, DIGITS);
      return String.format("%0" + DIGITS + "d", otp);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
