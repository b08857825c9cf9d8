package dev.breakglass.keycloak.ticket;

import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.EndReason;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantEntity;
import dev.breakglass.keycloak.store.GrantStore;
import dev.breakglass.keycloak.store.IncidentCloseStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * An incident closed: every ACTIVE grant bound to its ticket ends ({@code INCIDENT_CLOSED}) and
 * every PENDING request on it is rejected (REJECTED, {@code endReason=INCIDENT_CLOSED}): nobody
 * gets access for an incident that is over. All in the caller's transaction.
 */
public final class IncidentClosures {

  /** Who ended the grants, as recorded. */
  public static final String ENDED_BY = "incident-webhook";

  /** Signatures are kept a little longer than a sentAt can be accepted (±5 minutes). */
  static final long REMEMBER_MILLIS = 2 * IncidentSignature.WINDOW.toMillis() + 60_000;

  private IncidentClosures() {}

  /** The same signed body came again within the window. */
  public static final class ReplayException extends RuntimeException {
    public ReplayException() {
      super("This signed body was already accepted.");
    }
  }

  public record Closed(List<String> ended, List<String> rejected) {}

  /** The database clock, against which {@code sentAt} is judged. */
  public static long now(KeycloakSession session) {
    return DbClock.nowMillis(session);
  }

  public static Closed close(
      KeycloakSession session, RealmModel realm, String ticket, String digest, Instant sentAt) {
    // The chain lock serialises closes (and activations) of this realm across the cluster, so the
    // replay check and the memory of this signature cannot race.
    AuditTrail.lockChain(session, realm);
    long now = DbClock.nowMillis(session);
    IncidentCloseStore closes = IncidentCloseStore.of(session);
    closes.forgetBefore(now - REMEMBER_MILLIS);
    if (closes.seen(realm.getId(), digest)) {
      throw new ReplayException();
    }
    closes.remember(realm.getId(), digest, ticket, now);

    Map<String, Object> details = new LinkedHashMap<>();
    details.put("ticket", ticket);
    details.put("incidentClosedAt", sentAt.toString());
    GrantStore grants = GrantStore.of(session);
    List<String> ended = new ArrayList<>();
    for (GrantEntity grant : grants.inRealm(realm.getId(), GrantStatus.ACTIVE)) {
      if (ticket.equals(grant.getTicket())) {
        GrantService.end(session, realm, grant, EndReason.INCIDENT_CLOSED, ENDED_BY, details);
        ended.add(grant.getId());
      }
    }
    List<String> rejected = new ArrayList<>();
    for (GrantEntity request : grants.inRealm(realm.getId(), GrantStatus.PENDING)) {
      if (ticket.equals(request.getTicket())) {
        reject(session, realm, request, details, now);
        rejected.add(request.getId());
      }
    }
    return new Closed(List.copyOf(ended), List.copyOf(rejected));
  }

  private static void reject(
      KeycloakSession session,
      RealmModel realm,
      GrantEntity request,
      Map<String, Object> incident,
      long now) {
    GrantStore.of(session).refresh(request);
    if (!GrantStatus.PENDING.name().equals(request.getStatus())) {
      return;
    }
    request.setStatus(GrantStatus.REJECTED.name());
    request.setEndReason(EndReason.INCIDENT_CLOSED.name());
    request.setEndedBy(ENDED_BY);
    request.setEndedAt(now);
    request.setDecidedAt(now);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("endReason", EndReason.INCIDENT_CLOSED.name());
    details.put("rejectedBy", ENDED_BY);
    details.put("decidedAt", Instant.ofEpochMilli(now).toString());
    details.putAll(incident);
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_REJECTED,
        new AuditTrail.Subject(request.getId(), request.getUserId(), request.getUsername()),
        details);
  }
}
