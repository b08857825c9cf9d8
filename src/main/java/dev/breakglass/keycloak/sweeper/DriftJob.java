package dev.breakglass.keycloak.sweeper;

import dev.breakglass.keycloak.drift.DriftReconciler;
import dev.breakglass.keycloak.governance.GovernanceGuard;
import java.util.List;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * The full reconciliation of every realm, governance (policy, token cap) then drift: catches what
 * no admin event reported (a change made while Keycloak was down, or straight in the database).
 * Admin changes are checked at once by the event listener; this is the backstop.
 */
final class DriftJob implements SweeperJob {

  private static final Logger LOG = Logger.getLogger(DriftJob.class);

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
    List<String> realmIds =
        KeycloakModelUtils.runJobInTransactionWithResult(
            factory, session -> session.realms().getRealmsStream().map(RealmModel::getId).toList());
    for (String realmId : realmIds) {
      try {
        KeycloakModelUtils.runJobInTransaction(
            factory,
            session -> {
              RealmModel realm = session.realms().getRealm(realmId);
              if (realm != null) {
                session.getContext().setRealm(realm);
                GovernanceGuard.reconcile(session, realm);
                DriftReconciler.reconcile(session, realm, "sweep");
              }
            });
      } catch (RuntimeException e) {
        LOG.errorf(
            e, "Break-glass reconciliation failed for realm %s; retried next interval", realmId);
      }
    }
  }
}
