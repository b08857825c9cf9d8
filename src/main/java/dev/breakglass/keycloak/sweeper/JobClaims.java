package dev.breakglass.keycloak.sweeper;

import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.JobStore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Runs a periodic job once per interval across the cluster. Keycloak's cluster-aware runner only
 * keeps two nodes from running a task at the same moment; nodes whose timers are out of phase would
 * still each run it every interval. So a node claims the run by moving the job's shared last-run
 * time forward, and proceeds only if its update hit the row.
 */
public final class JobClaims {

  public static final String EXPIRY_SWEEP = "expiry-sweep";
  public static final String DRIFT_RECONCILE = "drift-reconcile";
  public static final String ATTESTATION_OVERDUE = "attestation-overdue";

  private JobClaims() {}

  public static boolean tryClaim(KeycloakSessionFactory factory, String job, long intervalMillis) {
    // Timers jitter by a few milliseconds; without a little slack a node would skip every other
    // run.
    long slack = Math.min(intervalMillis / 5, 250);
    AtomicBoolean claimed = new AtomicBoolean();
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          long now = DbClock.nowMillis(session);
          claimed.set(JobStore.claimRun(session, job, now, now - intervalMillis + slack));
        });
    return claimed.get();
  }
}
