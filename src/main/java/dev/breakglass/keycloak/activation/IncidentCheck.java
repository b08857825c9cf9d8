package dev.breakglass.keycloak.activation;

import dev.breakglass.keycloak.domain.TextRules;
import dev.breakglass.keycloak.domain.TicketCheckPolicy;
import dev.breakglass.keycloak.domain.TicketCheckResult;
import dev.breakglass.keycloak.ticket.IncidentChecks;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * The ticket check on the activation form, before any grant or request is made. With {@code
 * ticketCheck=http} an open incident is shown to the responder first (its title), and only the
 * confirming submit for that same ticket goes on; the checked result is kept in the authentication
 * session for that exact ticket. The check runs inside the request's transaction, bounded by 3 s.
 */
final class IncidentCheck {

  /** The confirm button's name; its value is the ticket being confirmed. */
  static final String FIELD_CONFIRM = "confirmIncident";

  private static final String NOTE_CHECKED = "break-glass.incident.open";

  private static final Logger LOG = Logger.getLogger(IncidentCheck.class);

  private IncidentCheck() {}

  /** What the form does next. */
  sealed interface Verdict permits Proceed, Confirm, Refuse {}

  /** Go on; {@code details} go on the BREAK_GLASS_ACTIVATED record (empty for pattern mode). */
  record Proceed(Map<String, Object> details) implements Verdict {}

  /** Show the incident and ask for confirmation. */
  record Confirm(String ticket, String title) implements Verdict {}

  /** Show {@code messageKey} at the ticket field; {@code error} is the event's error. */
  record Refuse(String messageKey, String error) implements Verdict {}

  static Verdict decide(RequiredActionContext context, String ticket, String confirmed) {
    TicketCheckPolicy policy = IncidentChecks.policyOf(context.getRealm());
    if (!policy.isHttp()) {
      return new Proceed(Map.of());
    }
    AuthenticationSessionModel authSession = context.getAuthenticationSession();
    if (ticket.equals(confirmed) && ticket.equals(authSession.getAuthNote(NOTE_CHECKED))) {
      authSession.removeAuthNote(NOTE_CHECKED);
      return new Proceed(details("OPEN", null, true));
    }
    TicketCheckResult result = IncidentChecks.check(context.getSession(), policy, ticket);
    switch (result.outcome()) {
      case OPEN:
        authSession.setAuthNote(NOTE_CHECKED, ticket);
        return new Confirm(ticket, result.title());
      case CLOSED:
        return new Refuse("breakGlassTicketClosed", "break_glass_ticket_closed");
      case UNKNOWN:
        return new Refuse("breakGlassTicketUnknown", "break_glass_ticket_unknown");
      default:
        LOG.warnf(
            "Break-glass ticket check in realm %s failed for ticket %s: %s (%s)",
            context.getRealm().getName(),
            TextRules.printable(ticket, 64),
            result.why(),
            policy.failOpen() ? "let through: ticketCheckFailure=open" : "activation refused");
        if (policy.failOpen()) {
          return new Proceed(details("FAILED", result.why(), false));
        }
        return new Refuse("breakGlassTicketCheckFailed", "break_glass_ticket_check_failed");
    }
  }

  /** Forgets an unconfirmed check (the responder changed the ticket or went back). */
  static void forget(RequiredActionContext context) {
    context.getAuthenticationSession().removeAuthNote(NOTE_CHECKED);
  }

  private static Map<String, Object> details(String result, String why, boolean confirmed) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("provider", TicketCheckPolicy.MODE_HTTP);
    check.put("result", result);
    if (why != null) {
      check.put("failure", why);
      check.put("ticketCheckFailure", "open");
    }
    check.put("confirmedByHolder", confirmed);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("ticketCheck", check);
    return details;
  }
}
