package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AttestationValidatorTest {

  private static Map<String, Object> answers(Object necessary, Object scope, Object removed) {
    Map<String, Object> m = new HashMap<>();
    m.put("necessary", necessary);
    m.put("scopeCorrect", scope);
    m.put("allRemoved", removed);
    return m;
  }

  @Test
  void yesAndNoAreAccepted() {
    Map<String, Object> values = answers("yes", "no", "yes");
    values.put("notes", "  Role was broader than needed\r\nnext time: db-admin only ");
    AttestationValidator.Result r = AttestationValidator.validate(values, Set.of());
    assertTrue(r.isValid(), r.errors().toString());
    assertTrue(r.answers().necessary());
    assertFalse(r.answers().scopeCorrect());
    assertTrue(r.answers().anyNo());
    assertEquals("Role was broader than needed\nnext time: db-admin only", r.answers().notes());
  }

  @Test
  void jsonBooleansAreAcceptedFromTheApi() {
    AttestationValidator.Result r =
        AttestationValidator.validate(answers(true, true, true), Set.of());
    assertTrue(r.isValid());
    assertFalse(r.answers().anyNo());
    assertEquals("", r.answers().notes());
  }

  @Test
  void missingOrOtherAnswersAreRefusedPerField() {
    AttestationValidator.Result r =
        AttestationValidator.validate(answers(null, "maybe", 1), Set.of());
    assertFalse(r.isValid());
    assertEquals(
        List.of("necessary", "scopeCorrect", "allRemoved"),
        r.errors().stream().map(FieldError::field).toList());
  }

  @Test
  void unknownFieldsAreRefusedUnlessAllowed() {
    Map<String, Object> values = answers("yes", "yes", "yes");
    values.put("grantId", "g");
    values.put("necesary", "no");
    AttestationValidator.Result r = AttestationValidator.validate(values, Set.of("grantId"));
    assertFalse(r.isValid());
    assertEquals(List.of("necesary"), r.errors().stream().map(FieldError::field).toList());
    assertEquals("necesary: unknown field", AttestationValidator.apiText(r.errors().get(0)));
  }

  @Test
  void notesMustBePlainAndBounded() {
    for (String notes :
        List.of("<script>x</script>", "a\u001b[31m", "x".repeat(1001), "a\u2028b", "bidi\u202E")) {
      Map<String, Object> values = answers("yes", "yes", "yes");
      values.put("notes", notes);
      AttestationValidator.Result r = AttestationValidator.validate(values, Set.of());
      assertFalse(r.isValid(), notes);
      assertEquals("notes", r.errors().get(0).field());
    }
    Map<String, Object> values = answers("yes", "yes", "yes");
    values.put("notes", 42);
    assertFalse(AttestationValidator.validate(values, Set.of()).isValid(), "notes must be text");
  }
}
