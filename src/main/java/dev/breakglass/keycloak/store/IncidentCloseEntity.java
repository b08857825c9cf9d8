package dev.breakglass.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * A signed incident-closed webhook already accepted, remembered by its signature for the replay
 * window: the same signed body sent again is refused on every node of a cluster.
 */
@Entity
@Table(name = "BG_INCIDENT_CLOSE")
@NamedQuery(
    name = "bgIncidentClosesBefore",
    query = "delete from IncidentCloseEntity c where c.receivedAt < :before")
@NamedQuery(
    name = "bgIncidentClosesOfRealm",
    query = "delete from IncidentCloseEntity c where c.realmId = :realmId")
public class IncidentCloseEntity {

  /** Realm id, a colon, and the hex HMAC of the body. */
  @Id
  @Column(name = "ID", length = 128)
  private String id;

  @Column(name = "REALM_ID", length = 36, nullable = false)
  private String realmId;

  @Column(name = "TICKET", length = 64, nullable = false)
  private String ticket;

  @Column(name = "RECEIVED_AT", nullable = false)
  private long receivedAt;

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

  public String getTicket() {
    return ticket;
  }

  public void setTicket(String ticket) {
    this.ticket = ticket;
  }

  public long getReceivedAt() {
    return receivedAt;
  }

  public void setReceivedAt(long receivedAt) {
    this.receivedAt = receivedAt;
  }
}
