package dev.breakglass.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A realm's last valid policy (the required action's config as JSON), and whether the policy now in
 * force is valid: a holder's edit is put back from here, and an invalid policy is alerted once.
 */
@Entity
@Table(name = "BG_POLICY_SNAPSHOT")
public class PolicySnapshotEntity {

  @Id
  @Column(name = "REALM_ID", length = 36)
  private String realmId;

  @Column(name = "CONFIG", length = 8000, nullable = false)
  private String configJson;

  @Column(name = "VALID", nullable = false)
  private boolean valid;

  @Column(name = "TAKEN_AT", nullable = false)
  private long takenAt;

  /** JSON object: client id to the break-glass flow its browser login is bound to. */
  @Column(name = "BOUND_CLIENTS", length = 4000)
  private String boundClientsJson;

  /**
   * JSON: the break-glass flow's executions by id (parent, authenticator, requirement, priority).
   */
  @Column(name = "FLOWS", length = 8000)
  private String flowsJson;

  public String getFlowsJson() {
    return flowsJson;
  }

  public void setFlowsJson(String flowsJson) {
    this.flowsJson = flowsJson;
  }

  public String getBoundClientsJson() {
    return boundClientsJson;
  }

  public void setBoundClientsJson(String boundClientsJson) {
    this.boundClientsJson = boundClientsJson;
  }

  public String getRealmId() {
    return realmId;
  }

  public void setRealmId(String realmId) {
    this.realmId = realmId;
  }

  public String getConfigJson() {
    return configJson;
  }

  public void setConfigJson(String configJson) {
    this.configJson = configJson;
  }

  public boolean isValid() {
    return valid;
  }

  public void setValid(boolean valid) {
    this.valid = valid;
  }

  public long getTakenAt() {
    return takenAt;
  }

  public void setTakenAt(long takenAt) {
    this.takenAt = takenAt;
  }
}
