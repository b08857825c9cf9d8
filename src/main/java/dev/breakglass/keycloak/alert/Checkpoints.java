package dev.breakglass.keycloak.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.store.AfterCommit;
import dev.breakglass.keycloak.store.AlertStore;
import dev.breakglass.keycloak.store.AuditStore;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.JobStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * The chain anchored outside the database: every interval, each realm's committed chain head goes
 * to the audit log and to the operator webhook. A table truncated or rewritten afterwards no longer
 * agrees with a checkpoint the SIEM already holds. Once per interval across a cluster: a node
 * claims the run on the shared job row and proceeds only if its update hit it.
 */
final class Checkpoints {

  static final String JOB = "operator-checkpoint";

  private Checkpoints() {}

  /** True for the one node that may checkpoint in this interval. */
  static boolean claim(KeycloakSessionFactory factory, long intervalMillis) {
    // Timers jitter by a few milliseconds; without slack a node would skip every other run.
    long slack = Math.min(intervalMillis / 5, 250);
    AtomicBoolean claimed = new AtomicBoolean();
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          long now = DbClock.nowMillis(session);
          claimed.set(JobStore.claimRun(session, JOB, now, now - intervalMillis + slack));
        });
    return claimed.get();
  }

  /** Checkpoints every realm with a trail; returns how many. */
  static int run(KeycloakSessionFactory factory, OperatorChannel operator) {
    AtomicInteger count = new AtomicInteger();
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          long now = DbClock.nowMillis(session);
          AlertStore alerts = AlertStore.of(session);
          List<ObjectNode> lines = new ArrayList<>();
          for (AuditStore.RealmHead head : AuditStore.of(session).heads()) {
            RealmModel realm = session.realms().getRealm(head.realmId());
            if (realm == null) {
              continue; // removed meanwhile; its removal sent its last head
            }
            ObjectNode checkpoint =
                OperatorMessages.checkpoint(
                    realm.getName(), head.realmId(), head.seq(), head.hash(), now);
            lines.add(checkpoint);
            if (operator.configured()) {
              alerts.persist(AlertOutbox.operatorRow(head.realmId(), checkpoint, head.seq(), now));
            }
          }
          count.set(lines.size());
          AfterCommit.run(session, () -> lines.forEach(AuditTrail::logOperatorLine));
          if (operator.configured() && !lines.isEmpty()) {
            AlertOutbox.deliverAfterCommit(session);
          }
        });
    return count.get();
  }
}
