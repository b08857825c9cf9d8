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
    } else {
      String problem =
          switch (TextRules.check(reason, PolicyKeys.LIMIT_REASON_LENGTH, false)) {
            case TOO_LONG -> "breakGlassReasonTooLong";
            case CONTROL_CHARACTERS -> "breakGlassReasonControlCharacters";
            case MARKUP -> "breakGlassReasonMarkup";
            case NONE ->
                TextRules.visibleLength(reason) < policy.minReasonLength()
                    ? "breakGlassReasonTooShort"
                    : null;
          };
      if (problem != null) {
        errors.add(new FieldError(FIELD_REASON, problem));
      }
    }

    String ticket = input.ticket() == null ? "" : input.ticket().strip();
    if (ticket.isEmpty()) {
      errors.add(new FieldError(FIELD_TICKET, "breakGlassTicketRequired"));
    } else if (TextRules.check(ticket, PolicyKeys.LIMIT_TICKET_LENGTH, false)
            != TextRules.Problem.NONE
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

    // The form shows the default filled in; an emptied field is a mistake, not a request for it.
    int duration = 0;
    String durationText = input.duration() == null ? "" : input.duration().strip();
    if (durationText.isEmpty()) {
      errors.add(new FieldError(FIELD_DURATION, "breakGlassDurationRequired"));
    } else if (!durationText.matches("[0-9]{1,6}")) {
      errors.add(new FieldError(FIELD_DURATION, "breakGlassDurationInvalid"));
    } else {
      duration = Integer.parseInt(durationText);
      if (duration < 1) {
        errors.add(new FieldError(FIELD_DURATION, "breakGlassDurationInvalid"));
      } else if (duration > policy.maxDurationMinutes()) {
        errors.add(new FieldError(FIELD_DURATION, "breakGlassDurationTooLong"));
      }
    }

    if (!errors.isEmpty()) {
      return new Result(null, List.copyOf(errors));
    }
    return new Result(
        new ActivationRequest(reason, ticket, List.copyOf(roles), duration), List.of());
  }
}
