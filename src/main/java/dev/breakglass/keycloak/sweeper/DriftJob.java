package dev.breakglass.keycloak.sweeper;

import dev.breakglass.keycloak.drift.DriftReconciler;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * The full drift reconciliation of every realm: catches what no admin event reported (a change made
 * while Keycloak was down, or straight in the database). Admin changes are checked at once by the
 * event listener; this is the backstop.
 */
final class DriftJob implements SweeperJob {

  private final long intervalMillis;

  DriftJob(long intervalMillis) {
    this.intervalMillis = intervalMillis;
  }

  @Override
  public String name() {
    return JobClaims.DRIFT_RECONCILE;
  }

  @Override
  public long intervalMillis() {
    return intervalMillis;
  }

  @Override
  public void run(KeycloakSessionFactory factory) {
    DriftReconciler.reconcileAll(factory, "sweep");
  }
}
