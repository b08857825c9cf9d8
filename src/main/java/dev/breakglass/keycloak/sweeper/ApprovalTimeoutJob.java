package dev.breakglass.keycloak.sweeper;

import dev.breakglass.keycloak.approval.ApprovalService;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantEntity;
import dev.breakglass.keycloak.store.GrantStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Ends requests nobody answered: with {@code deny} at the timeout; with {@code self-activate} only
 * after a grace, when the requester did not come back to the waiting page for the fallback (the
 * override needs them present). Such a request ends REJECTED with {@code APPROVAL_TIMEOUT}. Each
 * request in its own transaction, once per interval across the cluster.
 */
final class ApprovalTimeoutJob implements SweeperJob {

  static final String NAME = "approval-timeout";

  private static final Logger LOG = Logger.getLogger(ApprovalTimeoutJob.class);
  private static final int BATCH = 200;

  /** No policy times out sooner than this: younger requests are not even read. */
  private static final long SHORTEST_TIMEOUT_MILLIS = 60_000L;

  private final long intervalMillis;
  private final long graceMillis;

  ApprovalTimeoutJob(long intervalMillis, long graceMillis) {
    this.intervalMillis = intervalMillis;
    this.graceMillis = graceMillis;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public long intervalMillis() {
    return intervalMillis;
  }

  @Override
  public void run(KeycloakSessionFactory factory) {
    int ended = sweep(factory, graceMillis);
    if (ended > 0) {
      LOG.infof("Break-glass: %d unanswered request(s) timed out", ended);
    }
  }

  /** Returns how many requests it ended. */
  static int sweep(KeycloakSessionFactory factory, long graceMillis) {
    AtomicReference<List<String>> ids = new AtomicReference<>(List.of());
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session ->
            ids.set(
                GrantStore.of(session)
                    .pendingIdsBefore(
                        DbClock.nowMillis(session) - SHORTEST_TIMEOUT_MILLIS + 1, BATCH)));
    int ended = 0;
    for (String id : ids.get()) {
      try {
        if (timeOut(factory, id, graceMillis)) {
          ended++;
        }
      } catch (RuntimeException e) {
        LOG.errorf(e, "Break-glass request %s could not be timed out; retried next run", id);
      }
    }
    return ended;
  }

  private static boolean timeOut(KeycloakSessionFactory factory, String id, long graceMillis) {
    AtomicBoolean ended = new AtomicBoolean();
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          GrantEntity grant = GrantStore.of(session).find(id).orElse(null);
          if (grant == null) {
            return;
          }
          RealmModel realm = session.realms().getRealm(grant.getRealmId());
          if (realm == null) {
            return;
          }
          session.getContext().setRealm(realm);
          RealmPolicies.Loaded loaded = RealmPolicies.load(session, realm);
          if (!loaded.isValid()) {
            // An invalid policy is reported where it is read; the request waits for a fix.
            return;
          }
          ApprovalService.applyTimeout(session, realm, loaded.policy(), grant, false, graceMillis);
          ended.set(GrantStatus.REJECTED.name().equals(grant.getStatus()));
        });
    return ended.get();
  }
}
