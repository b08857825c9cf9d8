package dev.breakglass.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One alert for one destination, in the outbox. Written in the transaction of the audit record it
 * reports; delivered after commit by whichever node claims it first. {@code id} is the alert's
 * stable id: every retry carries it, so receivers can drop duplicates.
 */
@Entity
@Table(name = "BG_ALERT")
@NamedQueries({
  @NamedQuery(
      name = "bgDueAlerts",
      query =
          "select a.id from AlertEntity a where a.status = :pending and a.nextAttemptAt <= :now and"
              + " (a.claimedUntil is null or a.claimedUntil < :now) order by a.nextAttemptAt,"
              + " a.id"),
  // A node owns an alert while its claim lasts; a node that dies mid-delivery loses it when the
  // claim runs out.
  @NamedQuery(
      name = "bgClaimAlert",
      query =
          "update AlertEntity a set a.claimedUntil = :until, a.attempts = a.attempts + 1 where a.id"
              + " = :id and a.status = :pending and a.nextAttemptAt <= :now and (a.claimedUntil is"
              + " null or a.claimedUntil < :now)"),
  @NamedQuery(
      name = "bgAlertsByGrant",
      query =
          "select a from AlertEntity a where a.realmId = :realmId and a.grantId = :grantId and"
              + " a.channel <> :operator order by a.auditSeq, a.id"),
  @NamedQuery(
      name = "bgCountAlertsByStatus",
      query = "select a.status, count(a) from AlertEntity a group by a.status"),
  @NamedQuery(
      name = "bgDeleteAlertsByRealm",
      query = "delete from AlertEntity a where a.realmId = :realmId and a.channel <> :operator")
})
public class AlertEntity {

  /**
   * The operator's channel (server options): its rows outlive their realm, so a removed realm's
   * last evidence still goes out.
   */
  public static final String CHANNEL_OPERATOR = "operator";

  @Id
  @Column(name = "ID", length = 36)
  private String id;

  @Column(name = "REALM_ID", length = 36, nullable = false)
  private String realmId;

  @Column(name = "CHANNEL", length = 16, nullable = false)
  private String channel;

  /**
   * The e-mail address for the e-mail channel; the webhook's URL is read from the policy when
   * sending.
   */
  @Column(name = "TARGET", length = 255)
  private String target;

  @Column(name = "EVENT_TYPE", length = 64, nullable = false)
  private String eventType;

  @Column(name = "AUDIT_SEQ", nullable = false)
  private long auditSeq;

  @Column(name = "GRANT_ID", length = 36)
  private String grantId;

  @Column(name = "PAYLOAD", length = 16000, nullable = false)
  private String payload;

  @Column(name = "STATUS", length = 16, nullable = false)
  private String status;

  @Column(name = "ATTEMPTS", nullable = false)
  private int attempts;

  @Column(name = "CREATED_AT", nullable = false)
  private long createdAt;

  @Column(name = "NEXT_ATTEMPT_AT", nullable = false)
  private long nextAttemptAt;

  @Column(name = "CLAIMED_UNTIL")
  private Long claimedUntil;

  @Column(name = "DELIVERED_AT")
  private Long deliveredAt;

  @Column(name = "LAST_ERROR", length = 500)
  private String lastError;

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getRealmId() {
    return realmId;
  }

  public void setRealmId(String realmId) {
    this.realmId = realmId;
  }

  public String getChannel() {
    return channel;
  }

  public void setChannel(String channel) {
    this.channel = channel;
  }

  public String getTarget() {
    return target;
  }

  public void setTarget(String target) {
    this.target = target;
  }

  public String getEventType() {
    return eventType;
  }

  public void setEventType(String eventType) {
    this.eventType = eventType;
  }

  public long getAuditSeq() {
    return auditSeq;
  }

  public void setAuditSeq(long auditSeq) {
    this.auditSeq = auditSeq;
  }

  public String getGrantId() {
    return grantId;
  }

  public void setGrantId(String grantId) {
    this.grantId = grantId;
  }

  public String getPayload() {
    return payload;
  }

  public void setPayload(String payload) {
    this.payload = payload;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public int getAttempts() {
    return attempts;
  }

  public void setAttempts(int attempts) {
    this.attempts = attempts;
  }

  public long getCreatedAt() {
    return createdAt;
  }

  public void setCreatedAt(long createdAt) {
    this.createdAt = createdAt;
  }

  public long getNextAttemptAt() {
    return nextAttemptAt;
  }

  public void setNextAttemptAt(long nextAttemptAt) {
    this.nextAttemptAt = nextAttemptAt;
  }

  public Long getClaimedUntil() {
    return claimedUntil;
  }

  public void setClaimedUntil(Long claimedUntil) {
    this.claimedUntil = claimedUntil;
  }

  public Long getDeliveredAt() {
    return deliveredAt;
  }

  public void setDeliveredAt(Long deliveredAt) {
    this.deliveredAt = deliveredAt;
  }

  public String getLastError() {
    return lastError;
  }

  public void setLastError(String lastError) {
    this.lastError = lastError;
  }
}
