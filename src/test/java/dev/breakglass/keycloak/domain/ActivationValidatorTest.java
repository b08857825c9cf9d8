package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ActivationValidatorTest {

  private static final BreakGlassPolicy POLICY =
      new BreakGlassPolicy(
          "/responders",
          List.of("emergency-admin", "db.dba"),
          30,
          60,
          Pattern.compile("INC-[0-9]{3,10}"),
          "INC-123",
          20,
          DriftMode.ALERT,
          AlertPolicy.NONE,
          AttestationPolicy.DEFAULT,
          true,
          "",
          ApprovalPolicy.NONE,
          LimitPolicy.NONE);

  private static final String REASON = "Primary database down, failing over now";

  @Test
  void validInputIsNormalised() {
    ActivationValidator.Result r =
        ActivationValidator.validate(
            POLICY,
            new ActivationInput(
                "  " + REASON + "  ",
                " INC-4711 ",
                List.of("db.dba", "emergency-admin", "db.dba"),
                "45"));
    assertTrue(r.isValid(), r.errors().toString());
    assertEquals(REASON, r.request().reason());
    assertEquals("INC-4711", r.request().ticket());
    assertEquals(List.of("db.dba", "emergency-admin"), r.request().roles());
    assertEquals(45, r.request().durationMinutes());
  }

  @Test
  void anEmptiedOrMissingDurationIsAFormErrorNotASilentDefault() {
    for (String duration : new String[] {"", "  ", null}) {
      ActivationValidator.Result r =
          ActivationValidator.validate(
              POLICY,
              new ActivationInput(REASON, "INC-4711", List.of("emergency-admin"), duration));
      assertEquals(
          List.of(new FieldError("duration", "breakGlassDurationRequired")), r.errors(), duration);
    }
  }

  @Test
  void invisibleCharactersNeverMeetTheMinimumReasonLength() {
    for (String invisible :
        new String[] {"\u200B", "\u00A0", "\u2060", "\uFEFF", "\u3164", "\u0301"}) {
      String reason = "db " + invisible.repeat(25);
      ActivationValidator.Result r =
          ActivationValidator.validate(
              POLICY, new ActivationInput(reason, "INC-4711", List.of("emergency-admin"), "10"));
      assertFalse(r.isValid(), "U+" + Integer.toHexString(invisible.codePointAt(0)));
      assertEquals("reason", r.errors().get(0).field());
    }
  }

  static Stream<Arguments> badInputs() {
    return Stream.of(
        Arguments.of(
            null,
            "INC-123",
            List.of("emergency-admin"),
            "10",
            "reason",
            "breakGlassReasonRequired"),
        Arguments.of(
            "too short",
            "INC-123",
            List.of("emergency-admin"),
            "10",
            "reason",
            "breakGlassReasonTooShort"),
        Arguments.of(
            REASON + "\nINJECTED",
            "INC-123",
            List.of("emergency-admin"),
            "10",
            "reason",
            "breakGlassReasonControlCharacters"),
        Arguments.of(
            REASON + "\u001b[2J",
            "INC-123",
            List.of("emergency-admin"),
            "10",
            "reason",
            "breakGlassReasonControlCharacters"),
        Arguments.of(
            REASON + "\u2028x",
            "INC-123",
            List.of("emergency-admin"),
            "10",
            "reason",
            "breakGlassReasonControlCharacters"),
        Arguments.of(
            REASON + "<b>",
            "INC-123",
            List.of("emergency-admin"),
            "10",
            "reason",
            "breakGlassReasonMarkup"),
        Arguments.of(
            "x".repeat(10_000),
            "INC-123",
            List.of("emergency-admin"),
            "10",
            "reason",
            "breakGlassReasonTooLong"),
        Arguments.of(
            REASON, "", List.of("emergency-admin"), "10", "ticket", "breakGlassTicketRequired"),
        Arguments.of(
            REASON,
            "INC-12",
            List.of("emergency-admin"),
            "10",
            "ticket",
            "breakGlassTicketInvalid"),
        Arguments.of(
            REASON,
            "INC-\n123",
            List.of("emergency-admin"),
            "10",
            "ticket",
            "breakGlassTicketInvalid"),
        Arguments.of(
            REASON,
            "INC-123 x",
            List.of("emergency-admin"),
            "10",
            "ticket",
            "breakGlassTicketInvalid"),
        Arguments.of(REASON, "INC-123", List.of(), "10", "roles", "breakGlassRolesRequired"),
        Arguments.of(
            REASON, "INC-123", Arrays.asList(" ", null), "10", "roles", "breakGlassRolesRequired"),
        Arguments.of(
            REASON, "INC-123", List.of("admin"), "10", "roles", "breakGlassRoleNotAllowed"),
        Arguments.of(
            REASON,
            "INC-123",
            List.of("emergency-admin"),
            "0",
            "duration",
            "breakGlassDurationInvalid"),
        Arguments.of(
            REASON,
            "INC-123",
            List.of("emergency-admin"),
            "-1",
            "duration",
            "breakGlassDurationInvalid"),
        Arguments.of(
            REASON,
            "INC-123",
            List.of("emergency-admin"),
            "1.5",
            "duration",
            "breakGlassDurationInvalid"),
        Arguments.of(
            REASON,
            "INC-123",
            List.of("emergency-admin"),
            "9999999999999",
            "duration",
            "breakGlassDurationInvalid"),
        Arguments.of(
            REASON,
            "INC-123",
            List.of("emergency-admin"),
            "61",
            "duration",
            "breakGlassDurationTooLong"));
  }

  @ParameterizedTest
  @MethodSource("badInputs")
  void badInputNamesTheFieldAndYieldsNoRequest(
      String reason,
      String ticket,
      List<String> roles,
      String duration,
      String field,
      String messageKey) {
    ActivationValidator.Result r =
        ActivationValidator.validate(POLICY, new ActivationInput(reason, ticket, roles, duration));
    assertFalse(r.isValid());
    assertNull(r.request());
    assertEquals(List.of(new FieldError(field, messageKey)), r.errors());
  }

  @Test
  void severalErrorsAreAllReported() {
    ActivationValidator.Result r =
        ActivationValidator.validate(POLICY, new ActivationInput("", "", List.of(), "x"));
    assertEquals(
        List.of("reason", "ticket", "roles", "duration"),
        r.errors().stream().map(FieldError::field).toList());
  }
}
