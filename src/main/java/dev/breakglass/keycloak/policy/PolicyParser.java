package dev.breakglass.keycloak.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns the stored string map into a {@link BreakGlassPolicy}, or into the list of field errors
 * that make it invalid. Pure: whether the group and roles exist in a realm is checked by the
 * caller, which has the realm.
 */
public final class PolicyParser {

  private PolicyParser() {}

  /** The outcome of parsing: exactly one of {@code policy} and a non-empty {@code errors}. */
  public record Result(BreakGlassPolicy policy, List<FieldError> errors) {
    public boolean isValid() {
      return errors.isEmpty();
    }
  }

  public static Result parse(Map<String, String> config) {
    Map<String, String> c = config == null ? Map.of() : config;
    List<FieldError> errors = new ArrayList<>();

    String group = trimToEmpty(c.get(PolicyKeys.ELIGIBLE_GROUP));
    if (group.isEmpty()) {
      errors.add(new FieldError(PolicyKeys.ELIGIBLE_GROUP, "Choose the group whose members may activate break-glass access."));
    } else if (!group.startsWith("/")) {
      errors.add(new FieldError(PolicyKeys.ELIGIBLE_GROUP, "The eligible group must be a group path such as /responders."));
    }

    List<String> roles = splitMulti(c.get(PolicyKeys.GRANTABLE_ROLES));
    if (roles.isEmpty()) {
      errors.add(new FieldError(PolicyKeys.GRANTABLE_ROLES, "List at least one grantable role (realm role, or clientId.role for a client role)."));
    }

    Integer max = parseMinutes(c, PolicyKeys.MAX_DURATION, PolicyKeys.DEFAULT_MAX_DURATION, "Maximum duration", errors);
    Integer def = parseMinutes(c, PolicyKeys.DEFAULT_DURATION, PolicyKeys.DEFAULT_DEFAULT_DURATION, "Default duration", errors);
    if (max != null && def != null && def > max) {
      errors.add(new FieldError(PolicyKeys.DEFAULT_DURATION, "Default duration must not exceed the maximum duration (" + max + " minutes)."));
    }

    Pattern ticketPattern = null;
    String patternText = valueOrDefault(c, PolicyKeys.TICKET_PATTERN, PolicyKeys.DEFAULT_TICKET_PATTERN);
    if (patternText.length() > PolicyKeys.LIMIT_TICKET_PATTERN_LENGTH) {
      errors.add(new FieldError(PolicyKeys.TICKET_PATTERN, "Ticket pattern must be at most " + PolicyKeys.LIMIT_TICKET_PATTERN_LENGTH + " characters."));
    } else {
      try {
        ticketPattern = Pattern.compile(patternText);
      } catch (PatternSyntaxException e) {
        errors.add(new FieldError(PolicyKeys.TICKET_PATTERN, "Ticket pattern is not a valid regular expression: " + e.getDescription() + "."));
      }
    }

    String example = valueOrDefault(c, PolicyKeys.TICKET_EXAMPLE, PolicyKeys.DEFAULT_TICKET_EXAMPLE);
    if (ticketPattern != null && !ticketPattern.matcher(example).matches()) {
      errors.add(new FieldError(PolicyKeys.TICKET_EXAMPLE, "Ticket example does not match the ticket pattern: responders would be shown an example they cannot use."));
    }

    Integer minReason = parseInt(c, PolicyKeys.MIN_REASON_LENGTH, PolicyKeys.DEFAULT_MIN_REASON_LENGTH, "Minimum reason length", errors);
    if (minReason != null && (minReason < 1 || minReason > 500)) {
      errors.add(new FieldError(PolicyKeys.MIN_REASON_LENGTH, "Minimum reason length must be between 1 and 500 characters."));
    }

    String driftText = valueOrDefault(c, PolicyKeys.DRIFT_MODE, PolicyKeys.DEFAULT_DRIFT_MODE);
    DriftMode driftMode = DriftMode.fromConfig(driftText).orElse(null);
    if (driftMode == null) {
      errors.add(new FieldError(PolicyKeys.DRIFT_MODE, "Drift mode must be alert or remove."));
    }

    if (!errors.isEmpty()) {
      return new Result(null, List.copyOf(errors));
    }
    return new Result(new BreakGlassPolicy(group, roles, def, max, ticketPattern, example, minReason, driftMode), List.of());
  }

  /** Splits a Keycloak multi-valued config string, dropping blanks and duplicates, keeping order. */
  public static List<String> splitMulti(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    Set<String> out = new LinkedHashSet<>();
    Arrays.stream(value.split(Pattern.quote(PolicyKeys.MULTI_VALUE_SEPARATOR)))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .forEach(out::add);
    return List.copyOf(out);
  }

  private static Integer parseMinutes(Map<String, String> c, String key, String def, String label, List<FieldError> errors) {
    Integer value = parseInt(c, key, def, label, errors);
    if (value != null && (value < 1 || value > PolicyKeys.LIMIT_MAX_DURATION_MINUTES)) {
      errors.add(new FieldError(key, label + " must be between 1 and " + PolicyKeys.LIMIT_MAX_DURATION_MINUTES + " minutes."));
      return null;
    }
    return value;
  }

  private static Integer parseInt(Map<String, String> c, String key, String def, String label, List<FieldError> errors) {
    String text = valueOrDefault(c, key, def);
    try {
      return Integer.valueOf(text);
    } catch (NumberFormatException e) {
      errors.add(new FieldError(key, label + " must be a whole number."));
      return null;
    }
  }

  private static String valueOrDefault(Map<String, String> c, String key, String def) {
    String v = trimToEmpty(c.get(key));
    return v.isEmpty() ? def : v;
  }

  private static String trimToEmpty(String s) {
    return s == null ? "" : s.trim();
  }
}
