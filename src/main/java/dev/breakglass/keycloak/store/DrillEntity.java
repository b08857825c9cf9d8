package dev.breakglass.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * A drill: scheduled for one eligible user, it marks their next activation as a drill; when that
 * grant ends, its report (did the alert arrive, did the role end on time, were the sessions ended,
 * was it attested) is stored here.
 */
@Entity
@Table(name = "BG_DRILL")
@NamedQueries({
  @NamedQuery(
      name = "bgDrillOfUser",
      query =
          "select d from DrillEntity d where d.realmId = :realmId and d.userId = :userId and"
              + " d.status in :statuses order by d.scheduledAt"),
  @NamedQuery(
      name = "bgDrillOfGrant",
      query = "select d from DrillEntity d where d.grantId = :grantId"),
  @NamedQuery(
      name = "bgDrillsByRealm",
      query =
          "select d from DrillEntity d where d.realmId = :realmId order by d.scheduledAt desc,"
              + " d.id"),
  @NamedQuery(
      name = "bgDrillsScheduledBetween",
      query =
          "select d from DrillEntity d where d.realmId = :realmId and d.scheduledAt >= :from and"
              + " d.scheduledAt < :to"),
  @NamedQuery(
      name = "bgDeleteDrillsByRealm",
      query = "delete from DrillEntity d where d.realmId = :realmId"),
  @NamedQuery(
      name = "bgDeleteDrillsByUser",
      query = "delete from DrillEntity d where d.realmId = :realmId and d.userId = :userId")
})
public class DrillEntity {

  @Id
  @Column(name = "ID", length = 36)
  private String id;

  @Column(name = "REALM_ID", length = 36, nullable = false)
  private String realmId;

  @Column(name = "USER_ID", length = 36, nullable = false)
  private String userId;

  @Column(name = "USERNAME", length = 255, nullable = false)
  private String username;

  /** SCHEDULED, then RUNNING with its grant, then ENDED with its report. */
  @Column(name = "STATUS", length = 16, nullable = false)
  private String status;

  @Column(name = "SCHEDULED_BY", length = 255)
  private String scheduledBy;

  @Column(name = "SCHEDULED_AT", nullable = false)
  private long scheduledAt;

  @Column(name = "GRANT_ID", length = 36)
  private String grantId;

  @Column(name = "REPORT", length = 4000)
  private String report;

  @Column(name = "REPORTED_AT")
  private Long reportedAt;

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

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getScheduledBy() {
    return scheduledBy;
  }

  public void setScheduledBy(String scheduledBy) {
    this.scheduledBy = scheduledBy;
  }

  public long getScheduledAt() {
    return scheduledAt;
  }

  public void setScheduledAt(long scheduledAt) {
    this.scheduledAt = scheduledAt;
  }

  public String getGrantId() {
    return grantId;
  }

  public void setGrantId(String grantId) {
    this.grantId = grantId;
  }

  public String getReport() {
    return report;
  }

  public void setReport(String report) {
    this.report = report;
  }

  public Long getReportedAt() {
    return reportedAt;
  }

  public void setReportedAt(Long reportedAt) {
    this.reportedAt = reportedAt;
  }
}
