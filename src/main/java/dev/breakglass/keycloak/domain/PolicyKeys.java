package dev.breakglass.keycloak.domain;

/**
 * Keys of the policy as stored in the break-glass activation required action's config. They are a
 * public contract: realm JSON files and the admin API use them.
 */
public final class PolicyKeys {
  public static final String ELIGIBLE_GROUP = "eligibleGroup";
  public static final String APPROVER_GROUP = "approverGroup";
  public static final String GRANTABLE_ROLES = "grantableRoles";
  public static final String DEFAULT_DURATION = "defaultDurationMinutes";
  public static final String MAX_DURATION = "maxDurationMinutes";
  public static final String TICKET_PATTERN = "ticketPattern";
  public static final String TICKET_EXAMPLE = "ticketExample";
  public static final String MIN_REASON_LENGTH = "minReasonLength";
  public static final String DRIFT_MODE = "driftMode";
  public static final String WEBHOOK_URL = "webhookUrl";
  public static final String WEBHOOK_SECRET = "webhookSecret";
  public static final String ALERT_EMAILS = "alertEmails";
  public static final String ALERT_ON_USE = "alertOnUse";
  public static final String ATTESTATION = "attestation";
  public static final String ATTESTATION_DEADLINE_HOURS = "attestationDeadlineHours";
  public static final String ATTESTATION_REMINDER_HOURS = "attestationReminderHours";
  public static final String BLOCK_WHEN_OVERDUE = "blockActivationWhenOverdue";
  public static final String REQUIRE_SECOND_FACTOR = "requireSecondFactor";
  public static final String APPROVAL = "approval";
  public static final String APPROVAL_TIMEOUT = "approvalTimeoutMinutes";
  public static final String NO_APPROVER_FALLBACK = "noApproverFallback";
  public static final String FALLBACK_MAX_DURATION = "fallbackMaxDurationMinutes";
  public static final String COOLDOWN = "cooldownMinutes";
  public static final String MAX_ACTIVE_GRANTS = "maxActiveGrants";
  public static final String FREQUENCY_ALERT_PER_DAY = "frequencyAlertPerDay";
  public static final String TICKET_CHECK = "ticketCheck";
  public static final String TICKET_URL = "ticketUrl";
  public static final String TICKET_AUTHORIZATION = "ticketAuthorization";
  public static final String TICKET_OPEN_POINTER = "ticketOpenPointer";
  public static final String TICKET_OPEN_VALUES = "ticketOpenValues";
  public static final String TICKET_TITLE_POINTER = "ticketTitlePointer";
  public static final String TICKET_CHECK_FAILURE = "ticketCheckFailure";
  public static final String INCIDENT_WEBHOOK_SECRET = "incidentWebhookSecret";

  public static final String DEFAULT_DEFAULT_DURATION = "30";
  public static final String DEFAULT_MAX_DURATION = "60";
  public static final String DEFAULT_TICKET_PATTERN = "INC-[0-9]{3,10}";
  public static final String DEFAULT_TICKET_EXAMPLE = "INC-12345";
  public static final String DEFAULT_MIN_REASON_LENGTH = "20";

  /** Safe by default: a governed role mapped outside the flow is removed at once. */
  public static final String DEFAULT_DRIFT_MODE = "remove";

  public static final String DEFAULT_ALERT_ON_USE = "first";
  public static final String DEFAULT_ATTESTATION = "holder";
  public static final String DEFAULT_ATTESTATION_DEADLINE_HOURS = "72";
  public static final String DEFAULT_ATTESTATION_REMINDER_HOURS = "24";

  /** Safe by default: a password or an SSO cookie alone never activates. */
  public static final String DEFAULT_REQUIRE_SECOND_FACTOR = "true";

  public static final String DEFAULT_APPROVAL = "none";
  public static final String DEFAULT_APPROVAL_TIMEOUT = "15";

  /** Without an answer, nothing activates unless the realm admin chose the fallback. */
  public static final String DEFAULT_NO_APPROVER_FALLBACK = "deny";

  public static final String DEFAULT_FALLBACK_MAX_DURATION = "30";
  public static final int LIMIT_MAX_ACTIVE_GRANTS = 10_000;
  public static final int LIMIT_FREQUENCY_ALERT_PER_DAY = 1_000;

  public static final String DEFAULT_TICKET_CHECK = "pattern";

  /** Safe by default: when the incident system cannot answer, nothing activates. */
  public static final String DEFAULT_TICKET_CHECK_FAILURE = "closed";

  public static final int LIMIT_TICKET_AUTHORIZATION_LENGTH = 4096;

  /** Keycloak joins multi-valued config values with this separator. */
  public static final String MULTI_VALUE_SEPARATOR = "##";

  /** Hard limits no policy can lift: a grant longer than a day is not break-glass any more. */
  public static final int LIMIT_MAX_DURATION_MINUTES = 24 * 60;

  public static final int LIMIT_REASON_LENGTH = 1000;
  public static final int LIMIT_TICKET_LENGTH = 64;
  public static final int LIMIT_TICKET_PATTERN_LENGTH = 200;
  public static final int LIMIT_WEBHOOK_URL_LENGTH = 2000;
  public static final int MIN_WEBHOOK_SECRET_LENGTH = 16;
  public static final int LIMIT_WEBHOOK_SECRET_LENGTH = 512;
  public static final int LIMIT_ALERT_EMAILS = 20;

  /** Shortest attestation deadline and reminder interval: 36 seconds, for drills and tests. */
  public static final double MIN_ATTESTATION_HOURS = 0.01;

  public static final double LIMIT_ATTESTATION_HOURS = 24 * 365;

  /**
   * Whether a key holds a secret: never shown back, never logged, only "set" or "changed" in
   * records. The ticket check's authorization header is one.
   */
  public static boolean isSecret(String key) {
    String lower = key == null ? "" : key.toLowerCase(java.util.Locale.ROOT);
    return lower.contains("secret") || lower.contains("authorization");
  }

  private PolicyKeys() {}
}
