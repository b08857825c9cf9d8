package dev.breakglass.keycloak.ticket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IncidentSignatureTest {

  private static final String SECRET = "incident-secret-0123456789";
  private static final byte[] BODY =
      "{\"ticket\":\"INC-1\",\"sentAt\":\"2026-11-29T12:00:00Z\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void knownVector() {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    assertEquals(
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        IncidentSignature.sign(
            "Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void rightSignatureVerifiesInEitherCase() {
    String header = IncidentSignature.sign(SECRET, BODY);
    assertTrue(IncidentSignature.verify(SECRET, BODY, header));
    assertTrue(IncidentSignature.verify(SECRET, BODY, " " + header.toUpperCase() + " "));
    assertEquals(header.substring(7), IncidentSignature.digestOf(header.toUpperCase()));
  }

  @Test
  void wrongOrMissingSignaturesFail() {
    String header = IncidentSignature.sign(SECRET, BODY);
    assertFalse(IncidentSignature.verify(SECRET, BODY, null));
    assertFalse(IncidentSignature.verify(SECRET, BODY, ""));
    assertFalse(IncidentSignature.verify(SECRET, BODY, header.substring(7)));
    assertFalse(IncidentSignature.verify(SECRET, BODY, "sha1=" + header.substring(7)));
    assertFalse(IncidentSignature.verify("another-secret-0123456", BODY, header));
    assertFalse(IncidentSignature.verify(SECRET, BODY, header.substring(0, 70) + "zz"));
    byte[] changed = BODY.clone();
    changed[12] = '2';
    assertFalse(IncidentSignature.verify(SECRET, changed, header));
    assertFalse(IncidentSignature.verify(null, BODY, header));
  }

  @Test
  void sentAtWithinFiveMinutesOnly() {
    long now = Instant.parse("2026-11-29T12:00:00Z").toEpochMilli();
    assertNull(IncidentSignature.timeProblem("2026-11-29T12:00:00Z", now));
    assertNull(IncidentSignature.timeProblem("2026-11-29T11:55:00Z", now));
    assertNull(IncidentSignature.timeProblem("2026-11-29T12:05:00Z", now));
    assertTrue(IncidentSignature.timeProblem("2026-11-29T11:54:59Z", now) != null);
    assertTrue(IncidentSignature.timeProblem("2026-11-29T12:05:01Z", now) != null);
    assertTrue(IncidentSignature.timeProblem("yesterday", now) != null);
    assertTrue(IncidentSignature.timeProblem(null, now) != null);
  }
}
