package dev.breakglass.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** Last run of a periodic job, shared by all nodes of a cluster. */
@Entity
@Table(name = "BG_JOB")
@NamedQuery(
    name = "bgClaimJobRun",
    query =
        "update JobEntity j set j.lastRun = :now where j.name = :name and j.lastRun <= :threshold")
public class JobEntity {

  @Id
  @Column(name = "NAME", length = 64)
  private String name;

  @Column(name = "LAST_RUN", nullable = false)
  private long lastRun;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public long getLastRun() {
    return lastRun;
  }

  public void setLastRun(long lastRun) {
    this.lastRun = lastRun;
  }
}
