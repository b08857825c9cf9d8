package dev.breakglass.keycloak.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks attestation input, from the form or the admin API. Pure. Each question takes yes or no;
 * notes are optional plain text on the same terms as a reason. Unknown fields are refused, so a
 * misspelt answer is never silently dropped.
 */
public final class AttestationValidator {

  public static final String NECESSARY = "necessary";
  public static final String SCOPE_CORRECT = "scopeCorrect";
  public static final String ALL_REMOVED = "allRemoved";
  public static final String NOTES = "notes";
  public static final int MAX_NOTES_LENGTH = 1000;

  private static final List<String> QUESTIONS = List.of(NECESSARY, SCOPE_CORRECT, ALL_REMOVED);
  private static final Set<String> FIELDS = Set.of(NECESSARY, SCOPE_CORRECT, ALL_REMOVED, NOTES);

  private AttestationValidator() {}

  /** Exactly one of {@code answers} and a non-empty {@code errors}; messages are message keys. */
  public record Result(AttestationAnswers answers, List<FieldError> errors) {
    public boolean isValid() {
      return errors.isEmpty();
    }
  }

  /**
   * Validates {@code values} (field to value: a String, or a Boolean from JSON). {@code
   * allowedExtra} names fields that are not answers but legitimately present (the form's grant id).
   */
  public static Result validate(Map<String, ?> values, Set<String> allowedExtra) {
    List<FieldError> errors = new ArrayList<>();
    for (String field : values.keySet()) {
      if (!FIELDS.contains(field) && !allowedExtra.contains(field)) {
        errors.add(new FieldError(field, "breakGlassAttestUnknownField"));
      }
    }
    Boolean[] answers = new Boolean[QUESTIONS.size()];
    for (int i = 0; i < QUESTIONS.size(); i++) {
      answers[i] = yesNo(values.get(QUESTIONS.get(i)));
      if (answers[i] == null) {
        errors.add(new FieldError(QUESTIONS.get(i), "breakGlassAttestAnswerRequired"));
      }
    }
    Object notesValue = values.get(NOTES);
    String notes = notesValue == null ? "" : notesValue.toString().strip();
    if (notesValue != null && !(notesValue instanceof String)) {
      errors.add(new FieldError(NOTES, "breakGlassAttestNotesInvalid"));
    } else {
      TextRules.Problem problem = TextRules.check(notes, MAX_NOTES_LENGTH, true);
      if (problem == TextRules.Problem.TOO_LONG) {
        errors.add(new FieldError(NOTES, "breakGlassAttestNotesTooLong"));
      } else if (problem != TextRules.Problem.NONE) {
        errors.add(new FieldError(NOTES, "breakGlassAttestNotesInvalid"));
      }
    }
    if (!errors.isEmpty()) {
      return new Result(null, List.copyOf(errors));
    }
    // Line breaks are fine in notes (the log line is JSON-escaped); they are normalised to \n.
    String normalised = TextRules.normaliseLineBreaks(notes);
    return new Result(
        new AttestationAnswers(answers[0], answers[1], answers[2], normalised), List.of());
  }

  /**
   * The message of a field error for API callers (the form shows the message key's translation).
   */
  public static String apiText(FieldError error) {
    String text =
        switch (error.message()) {
          case "breakGlassAttestUnknownField" -> "unknown field";
          case "breakGlassAttestAnswerRequired" -> "answer yes or no";
          case "breakGlassAttestNotesTooLong" -> "at most " + MAX_NOTES_LENGTH + " characters";
          case "breakGlassAttestNotesInvalid" -> "plain text without < or > or control characters";
          default -> "invalid";
        };
    String field =
        error.field().codePoints().allMatch(cp -> cp < 128 && !Character.isISOControl(cp))
                && error.field().length() <= 40
            ? error.field()
            : "(unprintable field name)";
    return field + ": " + text;
  }

  private static Boolean yesNo(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof String s) {
      return switch (s.strip()) {
        case "yes" -> Boolean.TRUE;
        case "no" -> Boolean.FALSE;
        default -> null;
      };
    }
    return null;
  }
}
