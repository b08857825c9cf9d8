package dev.breakglass.keycloak.domain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates an activation against the policy. Pure. Errors carry message keys of the login theme
 * (messages_en.properties), so the form shows them next to the field.
 */
public final class ActivationValidator {

  public static final String FIELD_REASON = "reason";
  public static final String FIELD_TICKET = "ticket";
  public static final String FIELD_ROLES = "roles";
  public static final String FIELD_DURATION = "duration";

  private ActivationValidator() {}

  /** Exactly one of {@code request} and a non-empty {@code errors}. */
  public record Result(ActivationRequest request, List<FieldError> errors) {
    public boolean isValid() {
      return errors.isEmpty();
    }
  }

  public static Result validate(BreakGlassPolicy policy, ActivationInput input) {
    List<FieldError> errors = new ArrayList<>();

    String reason = input.reason() == null ? "" : input.reason().strip();
    if (reason.isEmpty()) {
      errors.add(new FieldError(FIELD_REASON, "breakGlassReasonRequired"));
    } else if (reason.length() > PolicyKeys.LIMIT_REASON_LENGTH) {
      errors.add(new FieldError(FIELD_REASON, "breakGlassReasonTooLong"));
    } else if (hasControlCharacters(reason)) {
      errors.add(new FieldError(FIELD_REASON, "breakGlassReasonControlCharacters"));
    } else if (hasMarkup(reason)) {
      errors.add(new FieldError(FIELD_REASON, "breakGlassReasonMarkup"));
    } else if (reason.codePointCount(0, reason.length()) < policy.minReasonLength()) {
      errors.add(new FieldError(FIELD_REASON, "breakGlassReasonTooShort"));
    }

    String ticket = input.ticket() == null ? "" : input.ticket().strip();
    if (ticket.isEmpty()) {
      errors.add(new FieldError(FIELD_TICKET, "breakGlassTicketRequired"));
    } else if (ticket.length() > PolicyKeys.LIMIT_TICKET_LENGTH
        || hasControlCharacters(ticket)
        || hasMarkup(ticket)
        || !policy.ticketPattern().matcher(ticket).matches()) {
      errors.add(new FieldError(FIELD_TICKET, "breakGlassTicketInvalid"));
    }

    Set<String> roles = new LinkedHashSet<>();
    for (String role : input.roles()) {
      if (role != null && !role.isBlank()) {
        roles.add(role.strip());
      }
    }
    if (roles.isEmpty()) {
      errors.add(new FieldError(FIELD_ROLES, "breakGlassRolesRequired"));
    } else if (!roles.stream().allMatch(policy::isGrantable)) {
      errors.add(new FieldError(FIELD_ROLES, "breakGlassRoleNotAllowed"));
    }

    int duration = policy.defaultDurationMinutes();
    String durationText = input.duration() == null ? "" : input.duration().strip();
    if (!durationText.isEmpty()) {
      if (!durationText.matches("[0-9]{1,6}")) {
        errors.add(new FieldError(FIELD_DURATION, "breakGlassDurationInvalid"));
      } else {
        duration = Integer.parseInt(durationText);
        if (duration < 1) {
          errors.add(new FieldError(FIELD_DURATION, "breakGlassDurationInvalid"));
        } else if (duration > policy.maxDurationMinutes()) {
          errors.add(new FieldError(FIELD_DURATION, "breakGlassDurationTooLong"));
        }
      }
    }

    if (!errors.isEmpty()) {
      return new Result(null, List.copyOf(errors));
    }
    return new Result(new ActivationRequest(reason, ticket, List.copyOf(roles), duration), List.of());
  }

  /** CR, LF, tabs, ANSI escapes and other C0/C1 controls: they forge log lines and alerts. */
  static boolean hasControlCharacters(String s) {
    return s.codePoints().anyMatch(cp -> Character.getType(cp) == Character.CONTROL
        || cp == '\u2028' || cp == '\u2029');
  }

  /** Angle brackets have no business in a reason or a ticket and would be markup in an alert. */
  static boolean hasMarkup(String s) {
    return s.indexOf('<') >= 0 || s.indexOf('>') >= 0;
  }
}
