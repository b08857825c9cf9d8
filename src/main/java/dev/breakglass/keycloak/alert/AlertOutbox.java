package dev.breakglass.keycloak.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.breakglass.keycloak.approval.ApprovalService;
import dev.breakglass.keycloak.audit.AuditRecorded;
import dev.breakglass.keycloak.domain.AlertPolicy;
import dev.breakglass.keycloak.domain.AlertRules;
import dev.breakglass.keycloak.domain.AlertStatus;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.AfterCommit;
import dev.breakglass.keycloak.store.AlertEntity;
import dev.breakglass.keycloak.store.AlertStore;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import dev.breakglass.keycloak.store.BreakGlassJpaEntityProviderFactory;
import dev.breakglass.keycloak.store.GrantEntity;
import dev.breakglass.keycloak.store.GrantStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Puts alerts in the outbox, in the transaction of the audit record they report: an alert exists
 * exactly when its event was committed, and survives any outage of its channel. Delivery happens
 * after commit, off the request thread (see {@link AlertDispatcher}). The outbox learns of records
 * from the {@link AuditRecorded} event: the audit trail knows nothing of alerts.
 */
public final class AlertOutbox {

  public static final String CHANNEL_WEBHOOK = "webhook";
  public static final String CHANNEL_EMAIL = "email";

  /** E-mail to one approver (target: their user id) of a request or an override. */
  public static final String CHANNEL_APPROVER_EMAIL = "approver-email";

  /** The operator's webhook from the server options; its rows outlive their realm. */
  public static final String CHANNEL_OPERATOR = AlertEntity.CHANNEL_OPERATOR;

  /** Room left in the PAYLOAD column; details are bounded well below it, this is a last guard. */
  private static final int MAX_PAYLOAD_LENGTH = 15_000;

  private static final Logger LOG = Logger.getLogger(AlertOutbox.class);

  private AlertOutbox() {}

  /**
   * Subscribes the outbox to every audit record appended on this node, and to the removal of a
   * realm (whose trail it copies out first).
   */
  static void subscribe(KeycloakSessionFactory factory, OperatorChannel operator) {
    factory.register(
        event -> {
          if (event instanceof AuditRecorded recorded) {
            enqueue(
                recorded.session(),
                recorded.realm(),
                recorded.record(),
                recorded.details(),
                operator);
          } else if (event instanceof BreakGlassJpaEntityProviderFactory.RealmRowsRemoving gone) {
            RealmTrail.copyOut(gone.session(), gone.realm(), operator);
          }
        });
  }

  /**
   * {@code given}: the record's details as the caller gave them (the record holds them as JSON).
   * The realm's policy decides its own channels; it has no say over the operator's.
   */
  static void enqueue(
      KeycloakSession session,
      RealmModel realm,
      AuditRecordEntity record,
      Map<String, ?> given,
      OperatorChannel operator) {
    AuditEventType type = AuditEventType.valueOf(record.getType());
    Map<String, Object> details = given == null ? Map.of() : new LinkedHashMap<>(given);
    boolean toOperator = operator.configured() && OperatorRules.forwards(type);
    AlertPolicy channels = RealmPolicies.alerts(realm);
    boolean toRealm =
        AlertRules.alerts(type, channels.useAlerts(), details)
            && (channels.hasWebhook() || channels.hasEmail());
    List<UserModel> approvers = approversToMail(session, realm, type, details, record.getUserId());
    if (!toRealm && !toOperator && approvers.isEmpty()) {
      return;
    }
    AlertStore store = AlertStore.of(session);
    AlertPayload.Facts facts =
        new AlertPayload.Facts(
            realm.getName(),
            record.getType(),
            record.getSeq(),
            record.getHash(),
            record.getCreatedAt(),
            record.getGrantId(),
            record.getUserId(),
            record.getUsername(),
            isDrill(session, record, details),
            details);
    if (toRealm && channels.hasWebhook()) {
      store.persist(row(realm, record, facts, CHANNEL_WEBHOOK, null));
    }
    if (toRealm) {
      for (String address : channels.emails()) {
        store.persist(row(realm, record, facts, CHANNEL_EMAIL, address));
      }
    }
    if (toOperator) {
      store.persist(row(realm, record, facts, CHANNEL_OPERATOR, null));
    }
    for (UserModel approver : approvers) {
      store.persist(row(realm, record, facts, CHANNEL_APPROVER_EMAIL, approver.getId()));
    }
    deliverAfterCommit(session);
  }

  /**
   * A request, and an override by the no-approver fallback, reach the approvers themselves: each
   * member of the approver group named in the record who has an e-mail address, where the realm can
   * send e-mail. Never the requester (who may be an approver too).
   */
  static List<UserModel> approversToMail(
      KeycloakSession session,
      RealmModel realm,
      AuditEventType type,
      Map<String, Object> details,
      String requesterId) {
    if (type != AuditEventType.BREAK_GLASS_REQUESTED
        && type != AuditEventType.BREAK_GLASS_OVERRIDE) {
      return List.of();
    }
    if (realm.getSmtpConfig() == null || realm.getSmtpConfig().get("host") == null) {
      return List.of();
    }
    Object group = details.get("approverGroup");
    if (!(group instanceof String path) || path.isBlank()) {
      return List.of();
    }
    return ApprovalService.approvers(session, realm, path).stream()
        .filter(u -> u.getEmail() != null && !u.getEmail().isBlank())
        .filter(u -> requesterId == null || !u.getId().equals(requesterId))
        .toList();
  }

  /** An operator message (not an audit record) for the outbox; not yet persisted. */
  static AlertEntity operatorRow(
      String realmId, ObjectNode message, long auditSeq, long createdAt) {
    AlertEntity alert = new AlertEntity();
    alert.setId(KeycloakModelUtils.generateId());
    alert.setRealmId(realmId);
    alert.setChannel(CHANNEL_OPERATOR);
    alert.setEventType(message.get("type").asText());
    alert.setAuditSeq(auditSeq);
    alert.setPayload(OperatorMessages.payload(alert.getId(), message));
    alert.setStatus(AlertStatus.PENDING.name());
    alert.setAttempts(0);
    alert.setCreatedAt(createdAt);
    alert.setNextAttemptAt(createdAt);
    return alert;
  }

  /** Kicks this node's dispatcher once the transaction commits. */
  static void deliverAfterCommit(KeycloakSession session) {
    AlertProvider provider = session.getProvider(AlertProvider.class);
    if (provider != null) {
      // The event did not happen unless it commits, and neither did its alert.
      AfterCommit.run(session, provider::deliverSoon);
    }
  }

  private static AlertEntity row(
      RealmModel realm,
      AuditRecordEntity record,
      AlertPayload.Facts facts,
      String channel,
      String target) {
    AlertEntity alert = new AlertEntity();
    alert.setId(KeycloakModelUtils.generateId());
    alert.setRealmId(realm.getId());
    alert.setChannel(channel);
    alert.setTarget(target);
    alert.setEventType(record.getType());
    alert.setAuditSeq(record.getSeq());
    alert.setGrantId(record.getGrantId());
    String payload = AlertPayload.build(alert.getId(), facts);
    if (payload.length() > MAX_PAYLOAD_LENGTH) {
      LOG.warnf(
          "Break-glass alert %s for audit record %d had oversized details; they are left out (the"
              + " audit record has them)",
          alert.getId(), record.getSeq());
      Map<String, Object> shortDetails = new LinkedHashMap<>();
      shortDetails.put("truncated", true);
      payload =
          AlertPayload.build(
              alert.getId(),
              new AlertPayload.Facts(
                  facts.realm(),
                  facts.type(),
                  facts.seq(),
                  facts.hash(),
                  facts.time(),
                  facts.grantId(),
                  facts.userId(),
                  facts.username(),
                  facts.drill(),
                  shortDetails));
    }
    alert.setPayload(payload);
    alert.setStatus(AlertStatus.PENDING.name());
    alert.setAttempts(0);
    alert.setCreatedAt(record.getCreatedAt());
    alert.setNextAttemptAt(record.getCreatedAt());
    return alert;
  }

  private static boolean isDrill(
      KeycloakSession session, AuditRecordEntity record, Map<String, Object> details) {
    if (details.get("drill") instanceof Boolean drill) {
      return drill;
    }
    if (record.getGrantId() == null) {
      return false;
    }
    return GrantStore.of(session).find(record.getGrantId()).map(GrantEntity::isDrill).orElse(false);
  }
}
