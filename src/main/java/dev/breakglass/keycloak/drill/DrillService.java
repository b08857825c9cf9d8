package dev.breakglass.keycloak.drill;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.GrantTimes;
import dev.breakglass.keycloak.store.AfterCommit;
import dev.breakglass.keycloak.store.AlertStore;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.DrillEntity;
import dev.breakglass.keycloak.store.DrillStore;
import dev.breakglass.keycloak.store.GrantEntity;
import dev.breakglass.keycloak.store.GrantStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.util.JsonSerialization;

/**
 * Drills: an admin schedules one for an eligible user; their next activation is a drill grant
 * (marked on the form, in alerts and in the log); when it ends, and again when it is attested, the
 * drill's report is computed from the durable facts and stored.
 */
public final class DrillService {

  public static final String SCHEDULED = "SCHEDULED";
  public static final String RUNNING = "RUNNING";
  public static final String ENDED = "ENDED";

  private static final Logger LOG = Logger.getLogger(DrillService.class);

  /** Thrown when the user already has a drill scheduled or running: one at a time. */
  public static final class AlreadyScheduledException extends RuntimeException {
    public AlreadyScheduledException() {
      super("This user already has a drill scheduled or running.");
    }
  }

  private DrillService() {}

  public static DrillEntity schedule(
      KeycloakSession session, RealmModel realm, UserModel user, String scheduledBy) {
    if (!open(session, realm, user.getId()).isEmpty()) {
      throw new AlreadyScheduledException();
    }
    DrillEntity drill = new DrillEntity();
    drill.setId(KeycloakModelUtils.generateId());
    drill.setRealmId(realm.getId());
    drill.setUserId(user.getId());
    drill.setUsername(user.getUsername());
    drill.setStatus(SCHEDULED);
    drill.setScheduledBy(scheduledBy);
    drill.setScheduledAt(DbClock.nowMillis(session));
    DrillStore.of(session).persist(drill);
    return drill;
  }

  /** The drill waiting for this user's next activation, if any. */
  public static Optional<DrillEntity> scheduledFor(
      KeycloakSession session, RealmModel realm, String userId) {
    return DrillStore.of(session).ofUser(realm.getId(), userId, List.of(SCHEDULED), 1).stream()
        .findFirst();
  }

  public static void started(DrillEntity drill, GrantEntity grant) {
    drill.setStatus(RUNNING);
    drill.setGrantId(grant.getId());
  }

  /**
   * The drill grant ended: the drill is over; its report is computed once the end has committed.
   */
  public static void grantEnded(KeycloakSession session, GrantEntity grant) {
    DrillStore.of(session).ofGrant(grant.getId()).forEach(drill -> drill.setStatus(ENDED));
    refreshReportAfterCommit(session, grant.getId());
  }

  /**
   * Recomputes the drill report after this transaction commits, when the facts it reads are
   * durable.
   */
  public static void refreshReportAfterCommit(KeycloakSession session, String grantId) {
    KeycloakSessionFactory factory = session.getKeycloakSessionFactory();
    AfterCommit.run(
        session,
        () -> {
          try {
            KeycloakModelUtils.runJobInTransaction(
                factory, s -> DrillStore.of(s).ofGrant(grantId).forEach(drill -> report(s, drill)));
          } catch (RuntimeException e) {
            LOG.warnf(
                e, "Drill report for grant %s not stored now; it is computed when read", grantId);
          }
        });
  }

  /** The drill's report, computed now and stored; null while the drill has not started. */
  public static Map<String, Object> report(KeycloakSession session, DrillEntity drill) {
    if (drill.getGrantId() == null) {
      return null;
    }
    GrantEntity grant = GrantStore.of(session).find(drill.getGrantId()).orElse(null);
    if (grant == null) {
      return stored(drill);
    }
    if (!ENDED.equals(drill.getStatus())) {
      return null;
    }
    RealmModel realm = session.realms().getRealm(drill.getRealmId());
    if (realm != null && session.getContext().getRealm() == null) {
      session.getContext().setRealm(realm); // the session store needs it, also in a background job
    }
    List<DrillReport.Alert> alerts =
        AlertStore.of(session).ofGrant(drill.getRealmId(), grant.getId()).stream()
            .filter(a -> AuditEventType.BREAK_GLASS_ACTIVATED.name().equals(a.getEventType()))
            .map(
                a ->
                    new DrillReport.Alert(
                        a.getChannel(),
                        a.getStatus(),
                        a.getCreatedAt(),
                        a.getDeliveredAt(),
                        a.getLastError()))
            .toList();
    long now = DbClock.nowMillis(session);
    // Counted right after the end commits (the first report); later logins, such as the one to
    // attest, are not the grant's.
    Map<String, Object> previous = stored(drill);
    long sessionsLeft =
        previous != null && previous.get(DrillReport.SESSIONS_LEFT_AT_END) instanceof Number n
            ? n.longValue()
            : sessionsFromBefore(session, realm, grant);
    Map<String, Object> report =
        DrillReport.build(
            new DrillReport.Facts(
                grant.getId(),
                grant.getActivatedAt(),
                grant.getEndedAt(),
                grant.getEndReason(),
                GrantTimes.expiryLag(
                    grant.getEndReason(),
                    grant.getExpiresAt(),
                    grant.getEndedAt(),
                    grant.getRolesRemovedAt()),
                grant.getAttestedAt(),
                alerts,
                sessionsLeft,
                now));
    try {
      drill.setReport(JsonSerialization.writeValueAsString(report));
      drill.setReportedAt(now);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return report;
  }

  /** The report as last stored, for a drill whose grant is gone (its user was removed). */
  public static Map<String, Object> stored(DrillEntity drill) {
    if (drill.getReport() == null) {
      return null;
    }
    try {
      return JsonSerialization.readValue(
          drill.getReport(), new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Sessions of the holder that started before the grant's end: every one of them should be gone.
   */
  private static long sessionsFromBefore(
      KeycloakSession session, RealmModel realm, GrantEntity grant) {
    if (realm == null || grant.getEndedAt() == null) {
      return 0;
    }
    UserModel user = session.users().getUserById(realm, grant.getUserId());
    if (user == null) {
      return 0;
    }
    // Session start times have whole seconds: one started in the end's own second may be either
    // side of it.
    long endSeconds = grant.getEndedAt() / 1000;
    long online =
        session
            .sessions()
            .getUserSessionsStream(realm, user)
            .filter(s -> s.getStarted() < endSeconds)
            .count();
    long offline =
        session
            .sessions()
            .getOfflineUserSessionsStream(realm, user)
            .filter(s -> s.getStarted() < endSeconds)
            .count();
    return online + offline;
  }

  private static List<DrillEntity> open(KeycloakSession session, RealmModel realm, String userId) {
    return DrillStore.of(session)
        .ofUser(realm.getId(), userId, List.of(SCHEDULED, RUNNING), Integer.MAX_VALUE);
  }

  /** A removed user's drills go with them. */
  public static void userRemoved(KeycloakSession session, RealmModel realm, UserModel user) {
    DrillStore.of(session).removeUser(realm.getId(), user.getId());
  }

  public static List<DrillEntity> list(
      KeycloakSession session, RealmModel realm, int first, int max) {
    return DrillStore.of(session).list(realm.getId(), first, max);
  }

  public static Optional<DrillEntity> find(KeycloakSession session, RealmModel realm, String id) {
    return DrillStore.of(session).findInRealm(realm.getId(), id);
  }

  public static List<DrillEntity> scheduledBetween(
      KeycloakSession session, RealmModel realm, long from, long to) {
    return DrillStore.of(session).scheduledBetween(realm.getId(), from, to);
  }
}
