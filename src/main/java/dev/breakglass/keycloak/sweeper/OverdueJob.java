package dev.breakglass.keycloak.sweeper;

import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.AttestationPolicy;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantEntity;
import dev.breakglass.keycloak.store.GrantStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Escalates grants that ended but were not closed by their attestation deadline: a
 * BREAK_GLASS_ATTESTATION_OVERDUE record (and so an alert) once the deadline passes, then again
 * every reminder interval until the grant is closed. Runs once per interval across the cluster.
 */
final class OverdueJob implements SweeperJob {

  private static final Logger LOG = Logger.getLogger(OverdueJob.class);
  private static final int BATCH = 200;

  private final long intervalMillis;

  OverdueJob(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  @Override
  public String name() {
    return JobClaims.ATTESTATION_OVERDUE;
  }

  @Override
  public long intervalMillis() {
    return intervalMillis;
  }

  @Override
  public void run(KeycloakSessionFactory factory) {
    escalate(factory);
  }

  /** Returns how many overdue records were written. */
  static int escalate(KeycloakSessionFactory factory) {
    AtomicReference<List<String>> realmIds = new AtomicReference<>(List.of());
    KeycloakModelUtils.runJobInTransaction(
        factory, session -> realmIds.set(GrantStore.of(session).realmsWithEndedGrants()));
    AtomicInteger escalated = new AtomicInteger();
    for (String realmId : realmIds.get()) {
      try {
        KeycloakModelUtils.runJobInTransaction(
            factory, session -> escalated.addAndGet(escalateRealm(session, realmId)));
      } catch (RuntimeException e) {
        LOG.errorf(
            e,
            "Break-glass overdue escalation failed for realm %s; retried on the next run",
            realmId);
      }
    }
    if (escalated.get() > 0) {
      LOG.infof(
          "Break-glass overdue escalation: %d grant(s) past their attestation deadline",
          escalated.get());
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
    List<GrantEntity> due =
        GrantStore.of(session)
            .overdue(realmId, now - policy.deadlineMillis(), now - policy.reminderMillis(), BATCH);
    for (GrantEntity grant : due) {
      grant.setOverdueAlertedAt(now);
      grant.setOverdueAlerts(grant.getOverdueAlerts() + 1);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("endedAt", Instant.ofEpochMilli(grant.getEndedAt()).toString());
      details.put(
          "deadline",
          Instant.ofEpochMilli(grant.getEndedAt() + policy.deadlineMillis()).toString());
      details.put("requirement", policy.requirement().configValue());
      details.put("holderAttested", grant.getAttestedAt() != null);
      details.put("secondAttested", grant.getSecondAttestedAt() != null);
      details.put("reminder", grant.getOverdueAlerts());
      AuditTrail.append(
          session,
          realm,
          AuditEventType.BREAK_GLASS_ATTESTATION_OVERDUE,
          new AuditTrail.Subject(grant.getId(), grant.getUserId(), grant.getUsername()),
          details);
    }
    return due.size();
  }
}
