package dev.breakglass.keycloak.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.breakglass.keycloak.audit.AuditChain;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.audit.AuditVerifier;
import dev.breakglass.keycloak.store.AlertEntity;
import dev.breakglass.keycloak.store.AlertStore;
import dev.breakglass.keycloak.store.DbClock;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * Copies a realm's whole trail out before the realm and its rows go, in the removal's transaction:
 * every record as a final audit log line, and, with an operator webhook, the records in parts and a
 * last message with the final chain head. The operator rows are kept when the realm's rows are
 * removed, so they go out after the removal commits, however long the webhook is down.
 */
final class RealmTrail {

  private static final Logger LOG = Logger.getLogger(RealmTrail.class);

  /** Outbox rows written between flushes, so a long trail does not pile up in memory. */
  private static final int FLUSH_EVERY = 50;

  private RealmTrail() {}

  static void copyOut(KeycloakSession session, RealmModel realm, OperatorChannel operator) {
    String name = realm.getName();
    String realmId = realm.getId();
    long now = DbClock.nowMillis(session);
    AlertStore store = AlertStore.of(session);
    List<AlertEntity> unflushed = new ArrayList<>();
    int[] written = {0};
    OperatorMessages.TrailParts parts =
        new OperatorMessages.TrailParts(
            OperatorMessages.PART_LIMIT,
            records -> {
              if (!operator.configured()) {
                return;
              }
              ObjectNode part =
                  OperatorMessages.trailPart(name, realmId, now, ++written[0], records);
              AlertEntity row =
                  AlertOutbox.operatorRow(realmId, part, part.get("lastSeq").asLong(), now);
              store.persist(row);
              unflushed.add(row);
              if (unflushed.size() >= FLUSH_EVERY) {
                store.flushAndDetach(unflushed);
                unflushed.clear();
              }
            });
    long[] records = {0};
    AuditVerifier.Result chain =
        AuditChain.walk(
            session,
            realm,
            r -> {
              records[0]++;
              AuditTrail.logFinal(name, r);
              parts.add(OperatorMessages.record(r));
            });
    int partCount = parts.finish();
    ObjectNode removed =
        OperatorMessages.realmRemoved(
            name,
            realmId,
            now,
            chain.headSeq(),
            chain.headHash(),
            records[0],
            operator.configured() ? partCount : 0,
            chain.valid(),
            chain.problem());
    AuditTrail.logOperatorLine(removed);
    if (operator.configured()) {
      store.persist(AlertOutbox.operatorRow(realmId, removed, chain.headSeq(), now));
      AlertOutbox.deliverAfterCommit(session);
    }
    LOG.infof(
        "Break-glass trail of realm %s (%d record(s), head seq %d, chain %s) written to the audit"
            + " log%s before the realm's removal",
        name,
        records[0],
        chain.headSeq(),
        chain.valid() ? "intact" : "BROKEN: " + chain.problem(),
        operator.configured() ? " and queued for the operator webhook" : "");
  }
}
