package dev.breakglass.keycloak.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
      errors.add(
          new FieldError(
              PolicyKeys.ELIGIBLE_GROUP,
              "Choose the group whose members may activate break-glass access."));
    } else if (!group.startsWith("/")) {
      errors.add(
          new FieldError(
              PolicyKeys.ELIGIBLE_GROUP,
              "The eligible group must be a group path such as /responders."));
    }

    String approvers = trimToEmpty(c.get(PolicyKeys.APPROVER_GROUP));
    if (!approvers.isEmpty() && !approvers.startsWith("/")) {
      errors.add(
          new FieldError(
              PolicyKeys.APPROVER_GROUP,
              "The approver group must be a group path such as /approvers."));
    }

    List<String> roles = splitMulti(c.get(PolicyKeys.GRANTABLE_ROLES));
    if (roles.isEmpty()) {
      errors.add(
          new FieldError(
              PolicyKeys.GRANTABLE_ROLES,
              "List at least one grantable role (realm role, or clientId.role for a client"
                  + " role)."));
    }

    Integer max =
        parseMinutes(
            c,
            PolicyKeys.MAX_DURATION,
            PolicyKeys.DEFAULT_MAX_DURATION,
            "Maximum duration",
            errors);
    Integer def =
        parseMinutes(
            c,
            PolicyKeys.DEFAULT_DURATION,
            PolicyKeys.DEFAULT_DEFAULT_DURATION,
            "Default duration",
            errors);
    if (max != null && def != null && def > max) {
      errors.add(
          new FieldError(
              PolicyKeys.DEFAULT_DURATION,
              "Default duration must not exceed the maximum duration (" + max + " minutes)."));
    }

    Pattern ticketPattern = null;
    String patternText =
        valueOrDefault(c, PolicyKeys.TICKET_PATTERN, PolicyKeys.DEFAULT_TICKET_PATTERN);
    if (patternText.length() > PolicyKeys.LIMIT_TICKET_PATTERN_LENGTH) {
      errors.add(
          new FieldError(
              PolicyKeys.TICKET_PATTERN,
              "Ticket pattern must be at most "
                  + PolicyKeys.LIMIT_TICKET_PATTERN_LENGTH
                  + " characters."));
    } else {
      try {
        ticketPattern = Pattern.compile(patternText);
      } catch (PatternSyntaxException e) {
        errors.add(
            new FieldError(
                PolicyKeys.TICKET_PATTERN,
                "Ticket pattern is not a valid regular expression: " + e.getDescription() + "."));
      }
    }

    String example =
        valueOrDefault(c, PolicyKeys.TICKET_EXAMPLE, PolicyKeys.DEFAULT_TICKET_EXAMPLE);
    if (ticketPattern != null && !ticketPattern.matcher(example).matches()) {
      errors.add(
          new FieldError(
              PolicyKeys.TICKET_EXAMPLE,
              "Ticket example does not match the ticket pattern: responders would be shown an"
                  + " example they cannot use."));
    }

    Integer minReason =
        parseInt(
            c,
            PolicyKeys.MIN_REASON_LENGTH,
            PolicyKeys.DEFAULT_MIN_REASON_LENGTH,
            "Minimum reason length",
            errors);
    if (minReason != null && (minReason < 1 || minReason > 500)) {
      errors.add(
          new FieldError(
              PolicyKeys.MIN_REASON_LENGTH,
              "Minimum reason length must be between 1 and 500 characters."));
    }

    String driftText = valueOrDefault(c, PolicyKeys.DRIFT_MODE, PolicyKeys.DEFAULT_DRIFT_MODE);
    DriftMode driftMode = DriftMode.fromConfig(driftText).orElse(null);
    if (driftMode == null) {
      errors.add(new FieldError(PolicyKeys.DRIFT_MODE, "Drift mode must be alert or remove."));
    }

    AlertPolicy alerts = parseAlerts(c, errors);
    AttestationPolicy attestation = parseAttestation(c, errors);

    boolean requireSecondFactor =
        parseBoolean(
            c,
            PolicyKeys.REQUIRE_SECOND_FACTOR,
            PolicyKeys.DEFAULT_REQUIRE_SECOND_FACTOR,
            "Require a second factor",
            errors);
    ApprovalPolicy approval = parseApproval(c, max, errors);
    if (approval != null && approval.required() && approvers.isEmpty()) {
      errors.add(
          new FieldError(
              PolicyKeys.APPROVER_GROUP,
              "Approval is required: choose the group whose members decide requests."));
    }
    LimitPolicy limits = parseLimits(c, errors);
    parseTicketCheck(c, errors);

    if (!errors.isEmpty()) {
      return new Result(null, List.copyOf(errors));
    }
    return new Result(
        new BreakGlassPolicy(
            group,
            roles,
            def,
            max,
            ticketPattern,
            example,
            minReason,
            driftMode,
            alerts,
            attestation,
            requireSecondFactor,
            approvers,
            approval,
            limits),
        List.of());
  }

  private static ApprovalPolicy parseApproval(
      Map<String, String> c, Integer maxDuration, List<FieldError> errors) {
    String mode = valueOrDefault(c, PolicyKeys.APPROVAL, PolicyKeys.DEFAULT_APPROVAL);
    if (!mode.equals("none") && !mode.equals("required")) {
      errors.add(new FieldError(PolicyKeys.APPROVAL, "Approval must be none or required."));
    }
    Integer timeout =
        parseMinutes(
            c,
            PolicyKeys.APPROVAL_TIMEOUT,
            PolicyKeys.DEFAULT_APPROVAL_TIMEOUT,
            "Approval timeout",
            errors);
    String fallbackText =
        valueOrDefault(c, PolicyKeys.NO_APPROVER_FALLBACK, PolicyKeys.DEFAULT_NO_APPROVER_FALLBACK);
    ApprovalPolicy.NoApproverFallback fallback =
        ApprovalPolicy.NoApproverFallback.fromConfig(fallbackText).orElse(null);
    if (fallback == null) {
      errors.add(
          new FieldError(
              PolicyKeys.NO_APPROVER_FALLBACK,
              "No-approver fallback must be deny or self-activate."));
    }
    Integer fallbackMax =
        parseMinutes(
            c,
            PolicyKeys.FALLBACK_MAX_DURATION,
            PolicyKeys.DEFAULT_FALLBACK_MAX_DURATION,
            "Fallback maximum duration",
            errors);
    boolean fallbackGiven = !trimToEmpty(c.get(PolicyKeys.FALLBACK_MAX_DURATION)).isEmpty();
    if (!fallbackGiven && fallbackMax != null && maxDuration != null) {
      // The default never makes a policy with a short maximum invalid: it is capped instead.
      fallbackMax = Math.min(fallbackMax, maxDuration);
    }
    if (fallbackMax != null && maxDuration != null && fallbackMax > maxDuration) {
      errors.add(
          new FieldError(
              PolicyKeys.FALLBACK_MAX_DURATION,
              "Fallback maximum duration must not exceed the maximum duration ("
                  + maxDuration
                  + " minutes)."));
    }
    if (timeout == null || fallback == null || fallbackMax == null) {
      return null;
    }
    return new ApprovalPolicy(mode.equals("required"), timeout, fallback, fallbackMax);
  }

  /**
   * The ticket check of a policy that {@link #parse} accepted; {@link
   * TicketCheckPolicy#PATTERN_ONLY} when it is invalid (the caller refuses on the parse errors
   * anyway).
   */
  public static TicketCheckPolicy ticketCheckOf(Map<String, String> config) {
    List<FieldError> errors = new ArrayList<>();
    TicketCheckPolicy check = parseTicketCheck(config == null ? Map.of() : config, errors);
    return errors.isEmpty() ? check : TicketCheckPolicy.PATTERN_ONLY;
  }

  private static TicketCheckPolicy parseTicketCheck(
      Map<String, String> c, List<FieldError> errors) {
    String mode = valueOrDefault(c, PolicyKeys.TICKET_CHECK, PolicyKeys.DEFAULT_TICKET_CHECK);
    if (!mode.equals(TicketCheckPolicy.MODE_PATTERN) && !mode.equals(TicketCheckPolicy.MODE_HTTP)) {
      errors.add(new FieldError(PolicyKeys.TICKET_CHECK, "Ticket check must be pattern or http."));
    }
    String failure =
        valueOrDefault(c, PolicyKeys.TICKET_CHECK_FAILURE, PolicyKeys.DEFAULT_TICKET_CHECK_FAILURE);
    if (!failure.equals("closed") && !failure.equals("open")) {
      errors.add(
          new FieldError(
              PolicyKeys.TICKET_CHECK_FAILURE,
              "When the ticket check fails must be closed or open."));
    }
    String url = trimToEmpty(c.get(PolicyKeys.TICKET_URL));
    String authorization = c.get(PolicyKeys.TICKET_AUTHORIZATION);
    authorization = authorization == null || authorization.isBlank() ? null : authorization.trim();
    String pointer = trimToEmpty(c.get(PolicyKeys.TICKET_OPEN_POINTER));
    String titlePointer = trimToEmpty(c.get(PolicyKeys.TICKET_TITLE_POINTER));
    List<String> values =
        Arrays.stream(trimToEmpty(c.get(PolicyKeys.TICKET_OPEN_VALUES)).split(","))
            .map(String::trim)
            .filter(v -> !v.isEmpty())
            .distinct()
            .toList();
    if (mode.equals(TicketCheckPolicy.MODE_HTTP)) {
      String problem =
          url.isEmpty()
              ? "With the http ticket check, give the incident URL with {ticket} in it."
              : TicketCheckPolicy.urlTemplateProblem(url);
      if (problem != null) {
        errors.add(new FieldError(PolicyKeys.TICKET_URL, problem));
      }
      String pointerProblem =
          pointer.isEmpty()
              ? "With the http ticket check, give the JSON pointer to the incident's status."
              : TicketCheckPolicy.pointerProblem(pointer);
      if (pointerProblem != null) {
        errors.add(new FieldError(PolicyKeys.TICKET_OPEN_POINTER, pointerProblem));
      }
      if (values.isEmpty()) {
        errors.add(
            new FieldError(
                PolicyKeys.TICKET_OPEN_VALUES,
                "With the http ticket check, list the status values that mean open (comma"
                    + " separated)."));
      }
    }
    String titleProblem = TicketCheckPolicy.pointerProblem(titlePointer);
    if (titleProblem != null) {
      errors.add(new FieldError(PolicyKeys.TICKET_TITLE_POINTER, titleProblem));
    }
    if (authorization != null
        && (authorization.length() > PolicyKeys.LIMIT_TICKET_AUTHORIZATION_LENGTH
            || authorization.codePoints().anyMatch(Character::isISOControl))) {
      errors.add(
          new FieldError(
              PolicyKeys.TICKET_AUTHORIZATION,
              "Ticket authorization header must be at most "
                  + PolicyKeys.LIMIT_TICKET_AUTHORIZATION_LENGTH
                  + " characters without control characters."));
    }
    String secret = c.get(PolicyKeys.INCIDENT_WEBHOOK_SECRET);
    secret = secret == null || secret.isEmpty() ? null : secret;
    if (secret != null
        && (secret.length() < PolicyKeys.MIN_WEBHOOK_SECRET_LENGTH
            || secret.length() > PolicyKeys.LIMIT_WEBHOOK_SECRET_LENGTH
            || secret.codePoints().anyMatch(Character::isISOControl))) {
      errors.add(
          new FieldError(
              PolicyKeys.INCIDENT_WEBHOOK_SECRET,
              "Incident webhook secret must be "
                  + PolicyKeys.MIN_WEBHOOK_SECRET_LENGTH
                  + " to "
                  + PolicyKeys.LIMIT_WEBHOOK_SECRET_LENGTH
                  + " characters without control characters."));
    }
    return new TicketCheckPolicy(
        mode,
        url.isEmpty() ? null : url,
        authorization,
        pointer,
        values,
        titlePointer.isEmpty() ? null : titlePointer,
        failure.equals("open"),
        secret);
  }

  private static LimitPolicy parseLimits(Map<String, String> c, List<FieldError> errors) {
    Integer cooldown =
        parseBounded(
            c,
            PolicyKeys.COOLDOWN,
            "Cooldown",
            PolicyKeys.LIMIT_MAX_DURATION_MINUTES,
            " minutes (0 for none).",
            errors);
    Integer maxActive =
        parseBounded(
            c,
            PolicyKeys.MAX_ACTIVE_GRANTS,
            "Maximum active grants",
            PolicyKeys.LIMIT_MAX_ACTIVE_GRANTS,
            " (0 for no limit).",
            errors);
    Integer perDay =
        parseBounded(
            c,
            PolicyKeys.FREQUENCY_ALERT_PER_DAY,
            "Frequency alert per day",
            PolicyKeys.LIMIT_FREQUENCY_ALERT_PER_DAY,
            " activations (0 for none).",
            errors);
    if (cooldown == null || maxActive == null || perDay == null) {
      return null;
    }
    return new LimitPolicy(cooldown, maxActive, perDay);
  }

  /** A whole number from 0 to {@code limit}; empty means 0 (off). */
  private static Integer parseBounded(
      Map<String, String> c,
      String key,
      String label,
      int limit,
      String unit,
      List<FieldError> errors) {
    Integer value = parseInt(c, key, "0", label, errors);
    if (value != null && (value < 0 || value > limit)) {
      errors.add(new FieldError(key, label + " must be between 0 and " + limit + unit));
      return null;
    }
    return value;
  }

  private static boolean parseBoolean(
      Map<String, String> c, String key, String def, String label, List<FieldError> errors) {
    String text = valueOrDefault(c, key, def);
    if (!text.equals("true") && !text.equals("false")) {
      errors.add(new FieldError(key, label + " must be true or false."));
    }
    return !text.equals("false");
  }

  /**
   * The attestation settings alone, for the overdue escalation: like the alert channels, it must
   * keep working when another part of the policy is broken. Invalid values fall back to defaults.
   */
  public static AttestationPolicy attestationOf(Map<String, String> config) {
    return parseAttestation(config == null ? Map.of() : config, new ArrayList<>());
  }

  private static AttestationPolicy parseAttestation(
      Map<String, String> c, List<FieldError> errors) {
    String requirementText =
        valueOrDefault(c, PolicyKeys.ATTESTATION, PolicyKeys.DEFAULT_ATTESTATION);
    AttestationPolicy.Requirement requirement =
        AttestationPolicy.Requirement.fromConfig(requirementText).orElse(null);
    if (requirement == null) {
      errors.add(
          new FieldError(
              PolicyKeys.ATTESTATION, "Attestation must be holder or holder-and-second."));
      requirement = AttestationPolicy.DEFAULT.requirement();
    }
    double deadline =
        parseHours(
            c,
            PolicyKeys.ATTESTATION_DEADLINE_HOURS,
            PolicyKeys.DEFAULT_ATTESTATION_DEADLINE_HOURS,
            "Attestation deadline",
            AttestationPolicy.DEFAULT.deadlineHours(),
            errors);
    double reminder =
        parseHours(
            c,
            PolicyKeys.ATTESTATION_REMINDER_HOURS,
            PolicyKeys.DEFAULT_ATTESTATION_REMINDER_HOURS,
            "Overdue reminder interval",
            AttestationPolicy.DEFAULT.reminderHours(),
            errors);
    String block = valueOrDefault(c, PolicyKeys.BLOCK_WHEN_OVERDUE, "false");
    if (!block.equals("true") && !block.equals("false")) {
      errors.add(
          new FieldError(
              PolicyKeys.BLOCK_WHEN_OVERDUE,
              "Block activation when overdue must be true or false."));
    }
    return new AttestationPolicy(requirement, deadline, reminder, block.equals("true"));
  }

  private static double parseHours(
      Map<String, String> c,
      String key,
      String def,
      String label,
      double fallback,
      List<FieldError> errors) {
    String text = valueOrDefault(c, key, def);
    try {
      double hours = Double.parseDouble(text);
      if (Double.isFinite(hours)
          && hours >= PolicyKeys.MIN_ATTESTATION_HOURS
          && hours <= PolicyKeys.LIMIT_ATTESTATION_HOURS) {
        return hours;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    errors.add(
        new FieldError(
            key,
            label
                + " must be a number of hours between "
                + PolicyKeys.MIN_ATTESTATION_HOURS
                + " and "
                + (int) PolicyKeys.LIMIT_ATTESTATION_HOURS
                + " (decimals allowed, e.g. 0.5)."));
    return fallback;
  }

  /**
   * The alert channels alone. Alerts must still flow when another part of the policy is broken (a
   * drift or a denial is exactly when the SOC needs to hear), so the outbox reads them with this,
   * keeping every channel that is valid by itself.
   */
  public static AlertPolicy alertsOf(Map<String, String> config) {
    return parseAlerts(config == null ? Map.of() : config, new ArrayList<>());
  }

  private static final Pattern EMAIL =
      Pattern.compile("[^@\\s<>,;:\"()\\[\\]]+@[^@\\s<>,;:\"()\\[\\]]+\\.[^@\\s<>,;:\"()\\[\\]]+");

  private static AlertPolicy parseAlerts(Map<String, String> c, List<FieldError> errors) {
    String url = trimToEmpty(c.get(PolicyKeys.WEBHOOK_URL));
    String secret =
        c.get(PolicyKeys.WEBHOOK_SECRET) == null ? "" : c.get(PolicyKeys.WEBHOOK_SECRET);
    String webhookUrl = null;
    String webhookSecret = null;
    if (!url.isEmpty()) {
      String problem = webhookUrlProblem(url);
      if (problem != null) {
        errors.add(new FieldError(PolicyKeys.WEBHOOK_URL, problem));
      } else if (secret.isBlank()) {
        errors.add(
            new FieldError(
                PolicyKeys.WEBHOOK_SECRET,
                "A webhook needs a signing secret, so receivers can tell our alerts from"
                    + " forgeries."));
      } else if (secret.length() < PolicyKeys.MIN_WEBHOOK_SECRET_LENGTH
          || secret.length() > PolicyKeys.LIMIT_WEBHOOK_SECRET_LENGTH
          || secret.codePoints().anyMatch(Character::isISOControl)) {
        errors.add(
            new FieldError(
                PolicyKeys.WEBHOOK_SECRET,
                "Webhook secret must be "
                    + PolicyKeys.MIN_WEBHOOK_SECRET_LENGTH
                    + " to "
                    + PolicyKeys.LIMIT_WEBHOOK_SECRET_LENGTH
                    + " characters without control characters."));
      } else {
        webhookUrl = url;
        webhookSecret = secret;
      }
    }

    List<String> emails = new ArrayList<>();
    List<String> given = splitMulti(c.get(PolicyKeys.ALERT_EMAILS));
    if (given.size() > PolicyKeys.LIMIT_ALERT_EMAILS) {
      errors.add(
          new FieldError(
              PolicyKeys.ALERT_EMAILS,
              "At most "
                  + PolicyKeys.LIMIT_ALERT_EMAILS
                  + " alert e-mail addresses; use a list address for more."));
    }
    for (String address : given.subList(0, Math.min(given.size(), PolicyKeys.LIMIT_ALERT_EMAILS))) {
      if (address.length() > 254 || !EMAIL.matcher(address).matches()) {
        errors.add(
            new FieldError(
                PolicyKeys.ALERT_EMAILS,
                "Not an e-mail address: " + TextRules.printable(address, 60) + "."));
      } else {
        emails.add(address);
      }
    }

    String useText = valueOrDefault(c, PolicyKeys.ALERT_ON_USE, PolicyKeys.DEFAULT_ALERT_ON_USE);
    UseAlerts useAlerts = UseAlerts.fromConfig(useText).orElse(null);
    if (useAlerts == null) {
      errors.add(
          new FieldError(PolicyKeys.ALERT_ON_USE, "Alert on use must be first, every or none."));
      useAlerts = UseAlerts.FIRST;
    }
    return new AlertPolicy(webhookUrl, webhookSecret, emails, useAlerts);
  }

  /**
   * Null when {@code url} is usable as a webhook: absolute http(s), a host, no credentials in it.
   */
  static String webhookUrlProblem(String url) {
    if (url.length() > PolicyKeys.LIMIT_WEBHOOK_URL_LENGTH) {
      return "Webhook URL must be at most " + PolicyKeys.LIMIT_WEBHOOK_URL_LENGTH + " characters.";
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "Webhook URL is not a valid URL.";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return "Webhook URL must start with https:// (or http://).";
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      return "Webhook URL must name a host.";
    }
    if (uri.getRawUserInfo() != null) {
      return "Webhook URL must not contain credentials; the signing secret authenticates our"
          + " alerts.";
    }
    if (uri.getRawFragment() != null) {
      return "Webhook URL must not contain a fragment (#...).";
    }
    return null;
  }

  /**
   * Splits a Keycloak multi-valued config string, dropping blanks and duplicates, keeping order.
   */
  public static List<String> splitMulti(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    // Read on every token of a governed realm: a plain scan, no regular expression per call.
    String separator = PolicyKeys.MULTI_VALUE_SEPARATOR;
    Set<String> out = new LinkedHashSet<>();
    int from = 0;
    while (from <= value.length()) {
      int at = value.indexOf(separator, from);
      int end = at < 0 ? value.length() : at;
      String item = value.substring(from, end).trim();
      if (!item.isEmpty()) {
        out.add(item);
      }
      if (at < 0) {
        break;
      }
      from = at + separator.length();
    }
    return List.copyOf(out);
  }

  private static Integer parseMinutes(
      Map<String, String> c, String key, String def, String label, List<FieldError> errors) {
    Integer value = parseInt(c, key, def, label, errors);
    if (value != null && (value < 1 || value > PolicyKeys.LIMIT_MAX_DURATION_MINUTES)) {
      errors.add(
          new FieldError(
              key,
              label
                  + " must be between 1 and "
                  + PolicyKeys.LIMIT_MAX_DURATION_MINUTES
                  + " minutes."));
      return null;
    }
    return value;
  }

  private static Integer parseInt(
      Map<String, String> c, String key, String def, String label, List<FieldError> errors) {
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
