package dev.breakglass.keycloak.sweeper;

import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.domain.AttestationPolicy;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Escalates grants that ended but were not closed by their attestation deadline: a
 * BREAK_GLASS_ATTESTATION_OVERDUE record (and so an alert) once the deadline passes, then again
 * every reminder interval until the grant is closed. Runs once per interval across the cluster.
 */
public final class OverdueEscalation {

  private static final Logger LOG = Logger.getLogger(OverdueEscalation.class);
  private static final int BATCH = 200;

  private OverdueEscalation() {}

  /** Returns how many overdue records were written. */
  public static int run(KeycloakSessionFactory factory) {
    AtomicReference<List<String>> realmIds = new AtomicReference<>(List.of());
    KeycloakModelUtils.runJobInTransaction(factory, session -> realmIds.set(em(session)
        .createNamedQuery("bgRealmsWithEndedGrants", String.class)
        .setParameter("ended", GrantStatus.ENDED.name())
        .getResultList()));
    AtomicInteger escalated = new AtomicInteger();
    for (String realmId : realmIds.get()) {
      try {
        KeycloakModelUtils.runJobInTransaction(factory, session -> escalated.addAndGet(escalateRealm(session, realmId)));
      } catch (RuntimeException e) {
        LOG.errorf(e, "Break-glass overdue escalation failed for realm %s; retried on the next run", realmId);
      }
    }
    if (escalated.get() > 0) {
      LOG.infof("Break-glass overdue escalation: %d grant(s) past their attestation deadline", escalated.get());
    }
    return escalated.get();
  }

  private static int escalateRealm(KeycloakSession session, String realmId) {
    RealmModel realm = session.realms().getRealm(realmId);
    if (realm == null) {
      return 0;
    }
    session.getContext().setRealm(realm);
    AttestationPolicy policy = RealmPolicies.attestation(realm);
    long now = DbClock.nowMillis(session);
    List<GrantEntity> due = em(session).createNamedQuery("bgOverdueGrants", GrantEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("ended", GrantStatus.ENDED.name())
        .setParameter("endedBefore", now - policy.deadlineMillis())
        .setParameter("remindBefore", now - policy.reminderMillis())
        .setMaxResults(BATCH)
        .getResultList();
    for (GrantEntity grant : due) {
      grant.setOverdueAlertedAt(now);
      grant.setOverdueAlerts(grant.getOverdueAlerts() + 1);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("endedAt", Instant.ofEpochMilli(grant.getEndedAt()).toString());
      details.put("deadline", Instant.ofEpochMilli(grant.getEndedAt() + policy.deadlineMillis()).toString());
      details.put("requirement", policy.requirement().configValue());
      details.put("holderAttested", grant.getAttestedAt() != null);
      details.put("secondAttested", grant.getSecondAttestedAt() != null);
      details.put("reminder", grant.getOverdueAlerts());
      AuditTrail.append(session, realm, AuditEventType.BREAK_GLASS_ATTESTATION_OVERDUE,
          new AuditTrail.Subject(grant.getId(), grant.getUserId(), grant.getUsername()), details);
    }
    return due.size();
  }

  /** True when the user holds an ended grant past the deadline: for the optional activation block. */
  public static boolean hasOverdue(KeycloakSession session, RealmModel realm, String userId, AttestationPolicy policy) {
    long now = DbClock.nowMillis(session);
    return em(session).createNamedQuery("bgOverdueOfUser", Long.class)
        .setParameter("realmId", realm.getId())
        .setParameter("userId", userId)
        .setParameter("ended", GrantStatus.ENDED.name())
        .setParameter("endedBefore", now - policy.deadlineMillis())
        .getSingleResult() > 0;
  }

  private static EntityManager em(KeycloakSession session) {
    return session.getProvider(JpaConnectionProvider.class).getEntityManager();
  }
}
