package dev.breakglass.keycloak.audit;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.store.AfterCommit;
import dev.breakglass.keycloak.store.AuditHeadEntity;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import dev.breakglass.keycloak.store.AuditStore;
import dev.breakglass.keycloak.store.DbClock;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.util.JsonSerialization;

/**
 * Appends to a realm's hash-chained audit trail, in the caller's transaction: a record exists
 * exactly when the change it reports was committed. Each committed record is also written as one
 * JSON object per line to the {@value #LOGGER_NAME} logger, for a SIEM reading Keycloak's log.
 */
public final class AuditTrail {

  public static final String LOGGER_NAME = "dev.breakglass.audit";

  private static final Logger AUDIT_LOG = Logger.getLogger(LOGGER_NAME);
  private static final Logger LOG = Logger.getLogger(AuditTrail.class);

  private static final ObjectWriter ASCII_JSON =
      JsonSerialization.mapper.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);

  /** Hard cap on the stored details; reason and ticket are bounded well below it. */
  private static final int MAX_DETAILS_LENGTH = 7000;

  private AuditTrail() {}

  /** Who and what a record is about; any field but the type may be null. */
  public record Subject(String grantId, String userId, String username) {}

  /**
   * Locks the realm's chain head for the rest of the transaction, creating it on first use. Held by
   * appends; callers that must check-then-act per realm (activation) take it first.
   */
  public static AuditHeadEntity lockChain(KeycloakSession session, RealmModel realm) {
    AuditStore store = AuditStore.of(session);
    Optional<AuditHeadEntity> head = store.lockHead(realm.getId());
    if (head.isPresent()) {
      return head.get();
    }
    try {
      // Its own transaction, so a concurrent creator on another node fails there, not here.
      KeycloakModelUtils.runJobInTransaction(
          session.getKeycloakSessionFactory(),
          s -> AuditStore.of(s).createHead(realm.getId(), AuditHasher.GENESIS));
    } catch (RuntimeException e) {
      LOG.debugf("Audit chain head for realm %s was created concurrently", realm.getId());
    }
    return store
        .lockHead(realm.getId())
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "Audit chain head could not be created for realm " + realm.getId()));
  }

  public static AuditRecordEntity append(
      KeycloakSession session,
      RealmModel realm,
      AuditEventType type,
      Subject subject,
      Map<String, ?> details) {
    AuditHeadEntity head = lockChain(session, realm);
    return appendLocked(
        session, realm, head, DbClock.nowMillis(session), new Entry(type, subject, details));
  }

  /** One record to append: see {@link #appendAll}. */
  public record Entry(AuditEventType type, Subject subject, Map<String, ?> details) {}

  /**
   * Appends several records in this order under one chain lock and one reading of the database
   * clock (they share their time): what a batch of ends costs once rather than per record.
   */
  public static List<AuditRecordEntity> appendAll(
      KeycloakSession session, RealmModel realm, List<Entry> entries) {
    if (entries.isEmpty()) {
      return List.of();
    }
    AuditHeadEntity head = lockChain(session, realm);
    long now = DbClock.nowMillis(session);
    List<AuditRecordEntity> records = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      records.add(appendLocked(session, realm, head, now, entry));
    }
    return records;
  }

  private static AuditRecordEntity appendLocked(
      KeycloakSession session, RealmModel realm, AuditHeadEntity head, long now, Entry entry) {
    Subject subject = entry.subject();
    String detailsJson = toJson(entry.details());
    long seq = head.getLastSeq() + 1;
    AuditHasher.Content content =
        new AuditHasher.Content(
            realm.getId(),
            seq,
            entry.type().name(),
            subject.grantId(),
            subject.userId(),
            subject.username(),
            now,
            detailsJson);
    String hash = AuditHasher.hash(content, head.getLastHash());

    AuditRecordEntity record = new AuditRecordEntity();
    record.setId(KeycloakModelUtils.generateId());
    record.setRealmId(realm.getId());
    record.setSeq(seq);
    record.setType(entry.type().name());
    record.setGrantId(subject.grantId());
    record.setUserId(subject.userId());
    record.setUsername(subject.username());
    record.setCreatedAt(now);
    record.setDetailsJson(detailsJson);
    record.setPrevHash(head.getLastHash());
    record.setHash(hash);
    AuditStore.of(session).persist(record);

    head.setLastSeq(seq);
    head.setLastHash(hash);

    // Subscribers (the alert outbox, the metrics) write in this transaction: with the record, or
    // not at all.
    session
        .getKeycloakSessionFactory()
        .publish(new AuditRecorded(session, realm, record, entry.details()));

    String line = logLine(realm.getName(), record);
    // Nothing is logged for a record that rolls back.
    AfterCommit.run(session, () -> AUDIT_LOG.info(line));
    return record;
  }

  /**
   * Writes one record of a realm that is being removed as an audit log line marked {@code
   * "final":true}: the trail outlives the realm in the SIEM. Written at once, in the removal's
   * transaction (its rows are gone once it commits); should the removal roll back, the lines are an
   * extra copy of a trail that still exists.
   */
  public static void logFinal(String realmName, AuditRecordEntity record) {
    AUDIT_LOG.info(logLine(realmName, record, true));
  }

  /**
   * Writes a line that is not an audit record (a chain checkpoint, a realm's removal) on the audit
   * logger, in the same pure-ASCII JSON.
   */
  public static void logOperatorLine(ObjectNode node) {
    AUDIT_LOG.info(ascii(node));
  }

  static String logLine(String realmName, AuditRecordEntity r) {
    return logLine(realmName, r, false);
  }

  /**
   * One JSON object in pure ASCII: control characters, Unicode line separators and everything else
   * outside ASCII come out as escapes, so no reader of the log can be made to see a line break.
   * {@code chain} is the realm's head right after this record (the record's own seq and hash), so
   * every line anchors the chain outside the database.
   */
  static String logLine(String realmName, AuditRecordEntity r, boolean fin) {
    ObjectNode node = JsonSerialization.mapper.createObjectNode();
    node.put("type", r.getType());
    node.put("realm", realmName);
    node.put("time", Instant.ofEpochMilli(r.getCreatedAt()).toString());
    node.put("seq", r.getSeq());
    node.put("grantId", r.getGrantId());
    node.put("userId", r.getUserId());
    node.put("username", r.getUsername());
    try {
      if (r.getDetailsJson() != null) {
        node.set("details", JsonSerialization.mapper.readTree(r.getDetailsJson()));
      }
    } catch (IOException e) {
      node.put("details", r.getDetailsJson());
    }
    node.put("hash", r.getHash());
    node.set("chain", chain(r.getSeq(), r.getHash()));
    if (fin) {
      node.put("final", true);
    }
    return ascii(node);
  }

  /** The chain head as every alert and log line carries it: {@code {"seq": n, "hash": "..."}}. */
  public static ObjectNode chain(long seq, String hash) {
    ObjectNode chain = JsonSerialization.mapper.createObjectNode();
    chain.put("seq", seq);
    chain.put("hash", hash);
    return chain;
  }

  private static String ascii(ObjectNode node) {
    try {
      return ASCII_JSON.writeValueAsString(node);
    } catch (IOException e) {
      throw new IllegalStateException("Audit log line could not be written", e);
    }
  }

  private static String toJson(Map<String, ?> details) {
    if (details == null || details.isEmpty()) {
      return "{}";
    }
    try {
      String json = JsonSerialization.writeValueAsString(details);
      if (json.length() > MAX_DETAILS_LENGTH) {
        throw new IllegalArgumentException(
            "Audit details too long: " + json.length() + " characters");
      }
      return json;
    } catch (IOException e) {
      throw new IllegalStateException("Audit details could not be serialised", e);
    }
  }
}
