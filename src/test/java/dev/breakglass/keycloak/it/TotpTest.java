package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The harness's authenticator against RFC 6238's own test vectors (SHA-1, last 6 digits). */
class TotpTest {

  private static final byte[] RFC_KEY = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  @Test
  void matchesRfc6238Vectors() {
    assertEquals("287082", Totp.code(RFC_KEY, 59 / 30));
    assertEquals("081804", Totp.code(RFC_KEY, 1111111109L / 30));
    assertEquals("050471", Totp.code(RFC_KEY, 1111111111L / 30));
    assertEquals("005924", Totp.code(RFC_KEY, 1234567890L / 30));
    assertEquals("279037", Totp.code(RFC_KEY, 2000000000L / 30));
  }

  @Test
  void theDocumentedBase32IsTheDemoSecretsBytes() {
    assertEquals(
        Totp.DEMO_SECRET, new String(base32(Totp.DEMO_SECRET_BASE32), StandardCharsets.UTF_8));
  }

  private static byte[] base32(String text) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    byte[] out = new byte[text.length() * 5 / 8];
    long buffer = 0;
    int bits = 0;
    int n = 0;
    for (char c : text.toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out[n++] = (byte) (buffer >> (bits - 8));
        bits -= 8;
      }
    }
    return out;
  }
}
