package dev.breakglass.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One record of a realm's append-only audit trail. {@code seq} orders a realm's chain; {@code hash}
 * covers the content and {@code prevHash}. Rows are never updated.
 */
@Entity
@Table(name = "BG_AUDIT")
@NamedQueries({
  @NamedQuery(
      name = "bgAuditByRealm",
      query = "select a from AuditRecordEntity a where a.realmId = :realmId order by a.seq"),
  @NamedQuery(
      name = "bgAuditByGrant",
      query =
          "select a from AuditRecordEntity a where a.realmId = :realmId and a.grantId = :grantId"
              + " order by a.seq"),
  @NamedQuery(
      name = "bgAuditPageUpTo",
      query =
          "select a from AuditRecordEntity a where a.realmId = :realmId and a.seq > :after and"
              + " a.seq <= :upTo order by a.seq"),
  @NamedQuery(
      name = "bgAuditAfter",
      query =
          "select a from AuditRecordEntity a where a.realmId = :realmId and a.seq > :seq order by"
              + " a.seq"),
  @NamedQuery(
      name = "bgAuditHead",
      query = "select h.lastSeq, h.lastHash from AuditHeadEntity h where h.realmId = :realmId"),
  @NamedQuery(
      name = "bgAuditOfTypeBetween",
      query =
          "select a from AuditRecordEntity a where a.realmId = :realmId and a.type = :type"
              + " and a.createdAt >= :from and a.createdAt < :to order by a.seq"),
  @NamedQuery(
      name = "bgCountAuditOfTypeBetween",
      query =
          "select count(a) from AuditRecordEntity a where a.realmId = :realmId and a.type = :type"
              + " and a.createdAt >= :from and a.createdAt < :to"),
  @NamedQuery(
      name = "bgDeleteAuditByRealm",
      query = "delete from AuditRecordEntity a where a.realmId = :realmId")
})
public class AuditRecordEntity {

  @Id
  @Column(name = "ID", length = 36)
  private String id;

  @Column(name = "REALM_ID", length = 36, nullable = false)
  private String realmId;

  @Column(name = "SEQ", nullable = false)
  private long seq;

  @Column(name = "TYPE", length = 64, nullable = false)
  private String type;

  @Column(name = "GRANT_ID", length = 36)
  private String grantId;

  @Column(name = "USER_ID", length = 36)
  private String userId;

  @Column(name = "USERNAME", length = 255)
  private String username;

  @Column(name = "CREATED_AT", nullable = false)
  private long createdAt;

  @Column(name = "DETAILS", length = 8000)
  private String detailsJson;

  @Column(name = "PREV_HASH", length = 64, nullable = false)
  private String prevHash;

  @Column(name = "HASH", length = 64, nullable = false)
  private String hash;

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

  public long getSeq() {
    return seq;
  }

  public void setSeq(long seq) {
    this.seq = seq;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getGrantId() {
    return grantId;
  }

  public void setGrantId(String grantId) {
    this.grantId = grantId;
  }

  public String getUserId() {
    return userId;
  }

  public void setUserId(String userId) {
    this.userId = userId;
  }

  public String getUsername() {
    return username;
  }

  public void setUsername(String username) {
    this.username = username;
  }

  public long getCreatedAt() {
    return createdAt;
  }

  public void setCreatedAt(long createdAt) {
    this.createdAt = createdAt;
  }

  public String getDetailsJson() {
    return detailsJson;
  }

  public void setDetailsJson(String detailsJson) {
    this.detailsJson = detailsJson;
  }

  public String getPrevHash() {
    return prevHash;
  }

  public void setPrevHash(String prevHash) {
    this.prevHash = prevHash;
  }

  public String getHash() {
    return hash;
  }

  public void setHash(String hash) {
    this.hash = hash;
  }
}
