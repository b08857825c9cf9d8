package dev.breakglass.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AuditHasherTest {

  private static AuditHasher.Content content(String details) {
    return new AuditHasher.Content(
        "realm", 1, "BREAK_GLASS_ACTIVATED", "g1", "u1", "responder", 1000L, details);
  }

  @Test
  void hashIsDeterministicHex() {
    String a = AuditHasher.hash(content("{}"), AuditHasher.GENESIS);
    assertEquals(a, AuditHasher.hash(content("{}"), AuditHasher.GENESIS));
    assertTrue(a.matches("[0-9a-f]{64}"));
  }

  @Test
  void anyChangeChangesTheHash() {
    String base = AuditHasher.hash(content("{}"), AuditHasher.GENESIS);
    assertNotEquals(base, AuditHasher.hash(content("{ }"), AuditHasher.GENESIS));
    assertNotEquals(base, AuditHasher.hash(content("{}"), "1" + AuditHasher.GENESIS.substring(1)));
  }

  @Test
  void fieldBoundariesCannotBeShifted() {
    var a = new AuditHasher.Content("r", 1, "T", "ab", "c", null, 1L, null);
    var b = new AuditHasher.Content("r", 1, "T", "a", "bc", null, 1L, null);
    var c = new AuditHasher.Content("r", 1, "T", "a", "bc", "", 1L, null);
    assertNotEquals(
        AuditHasher.hash(a, AuditHasher.GENESIS), AuditHasher.hash(b, AuditHasher.GENESIS));
    assertNotEquals(
        AuditHasher.hash(b, AuditHasher.GENESIS), AuditHasher.hash(c, AuditHasher.GENESIS));
  }
}
