package dev.breakglass.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The head of a realm's audit chain. Appending locks this row, which serialises appends (and
 * activations) per realm across every node of a cluster.
 */
@Entity
@Table(name = "BG_AUDIT_HEAD")
public class AuditHeadEntity {

  @Id
  @Column(name = "REALM_ID", length = 36)
  private String realmId;

  @Column(name = "LAST_SEQ", nullable = false)
  private long lastSeq;

  @Column(name = "LAST_HASH", length = 64, nullable = false)
  private String lastHash;

  public String getRealmId() {
    return realmId;
  }

  public void setRealmId(String realmId) {
    this.realmId = realmId;
  }

  public long getLastSeq() {
    return lastSeq;
  }

  public void setLastSeq(long lastSeq) {
    this.lastSeq = lastSeq;
  }

  public String getLastHash() {
    return lastHash;
  }

  public void setLastHash(String lastHash) {
    this.lastHash = lastHash;
  }
}
