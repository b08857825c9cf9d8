package dev.breakglass.keycloak.domain;

import java.util.Map;

/** Which audit records become alerts. Pure. */
public final class AlertRules {

  /**
   * Detail of a BREAK_GLASS_USED record: the how-manieth use of its grant this is (1 for the
   * first).
   */
  public static final String USE_NUMBER = "useNumber";

  /** Detail of a BREAK_GLASS_ATTESTED record: true when any answer was "no". */
  public static final String ANY_NO = "anyNo";

  private AlertRules() {}

  public static boolean alerts(AuditEventType type, UseAlerts useAlerts, Map<String, ?> details) {
    return switch (type) {
      case BREAK_GLASS_ACTIVATED,
          BREAK_GLASS_DENIED,
          BREAK_GLASS_EXPIRED,
          BREAK_GLASS_REVOKED,
          BREAK_GLASS_DRIFT,
          BREAK_GLASS_ATTESTATION_OVERDUE,
          BREAK_GLASS_REQUESTED,
          BREAK_GLASS_APPROVED,
          BREAK_GLASS_REJECTED,
          BREAK_GLASS_OVERRIDE,
          BREAK_GLASS_RELEASED,
          BREAK_GLASS_LIMIT,
          BREAK_GLASS_GOVERNANCE_CHANGED ->
          true;
      case BREAK_GLASS_USED ->
          switch (useAlerts) {
            case EVERY -> true;
            case NONE -> false;
            case FIRST ->
                details != null
                    && details.get(USE_NUMBER) instanceof Number n
                    && n.longValue() == 1;
          };
      // An attestation that everything was fine is evidence, not news; a "no" is news.
      case BREAK_GLASS_ATTESTED -> details != null && Boolean.TRUE.equals(details.get(ANY_NO));
    };
  }
}
