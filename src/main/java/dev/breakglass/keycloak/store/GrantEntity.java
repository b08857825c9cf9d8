package dev.breakglass.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** One break-glass grant. Times are epoch milliseconds (UTC). Roles are a JSON array. */
@Entity
@Table(name = "BG_GRANT")
@NamedQueries({
  @NamedQuery(
      name = "bgGrantByUserAndStatus",
      query =
          "select g from GrantEntity g where g.realmId = :realmId and g.userId = :userId and"
              + " g.status = :status order by g.activatedAt desc"),
  @NamedQuery(
      name = "bgGrantsByRealmAndStatus",
      query = "select g from GrantEntity g where g.realmId = :realmId and g.status = :status"),
  @NamedQuery(name = "bgExpiredGrants", query = GrantEntity.EXPIRED + " order by g.expiresAt"),
  @NamedQuery(
      name = "bgExpiredGrantsExcept",
      query = GrantEntity.EXPIRED + " and g.id not in :skip order by g.expiresAt"),
  @NamedQuery(
      name = "bgDeleteGrantsByRealm",
      query = "delete from GrantEntity g where g.realmId = :realmId"),
  @NamedQuery(
      name = "bgGrantsByUser",
      query = "select g from GrantEntity g where g.realmId = :realmId and g.userId = :userId"),
  @NamedQuery(
      name = "bgUnattestedByUser",
      query =
          "select g from GrantEntity g where g.realmId = :realmId and g.userId = :userId and"
              + " g.status = :ended and g.attestedAt is null order by g.endedAt, g.id"),
  @NamedQuery(
      name = "bgRealmsWithEndedGrants",
      query = "select distinct g.realmId from GrantEntity g where g.status = :ended"),
  @NamedQuery(
      name = "bgOverdueGrants",
      query =
          "select g from GrantEntity g where g.realmId = :realmId and g.status = :ended and"
              + " g.endedAt <= :endedBefore and (g.overdueAlertedAt is null or g.overdueAlertedAt"
              + " <= :remindBefore) order by g.endedAt, g.id"),
  @NamedQuery(
      name = "bgOverdueOfUser",
      query =
          "select count(g) from GrantEntity g where g.realmId = :realmId and g.userId = :userId and"
              + " g.status = :ended and g.endedAt <= :endedBefore"),
  @NamedQuery(
      name = "bgCountGrantsByStatus",
      query = "select g.status, count(g) from GrantEntity g group by g.status"),
  @NamedQuery(
      name = "bgCountOverdue",
      query =
          "select count(g) from GrantEntity g where g.status = :ended and g.overdueAlertedAt is not"
              + " null"),
  @NamedQuery(
      name = "bgCountOverdueInRealm",
      query =
          "select count(g) from GrantEntity g where g.realmId = :realmId and g.status = :ended"
              + " and g.overdueAlertedAt is not null"),
  @NamedQuery(
      name = "bgGrantsActivatedBetween",
      query =
          "select g from GrantEntity g where g.realmId = :realmId and g.activatedAt >= :from and"
              + " g.activatedAt < :to"),
  @NamedQuery(
      name = "bgPendingRequestsBefore",
      query =
          "select g.id from GrantEntity g where g.status = :status and g.requestedAt < :before"
              + " order by g.requestedAt, g.id")
})
public class GrantEntity {

  /** ACTIVE grants expired by :now, each with whether its holder has stored sessions. */
  static final String EXPIRED =
      "select g.id, case when exists (select s.userId from PersistentUserSessionEntity s"
          + " where s.userId = g.userId and s.realmId = g.realmId) then true else false end"
          + " from GrantEntity g where g.status = :status and g.expiresAt <= :now";

  @Id
  @Column(name = "ID", length = 36)
  private String id;

  @Column(name = "REALM_ID", length = 36, nullable = false)
  private String realmId;

  @Column(name = "USER_ID", length = 36, nullable = false)
  private String userId;

  @Column(name = "USERNAME", length = 255, nullable = false)
  private String username;

  @Column(name = "ROLES", length = 4000, nullable = false)
  private String rolesJson;

  @Column(name = "REASON", length = 1000, nullable = false)
  private String reason;

  @Column(name = "TICKET", length = 64, nullable = false)
  private String ticket;

  @Column(name = "STATUS", length = 16, nullable = false)
  private String status;

  @Column(name = "ACTIVATED_AT", nullable = false)
  private long activatedAt;

  @Column(name = "EXPIRES_AT", nullable = false)
  private long expiresAt;

  @Column(name = "ENDED_AT")
  private Long endedAt;

  @Column(name = "END_REASON", length = 32)
  private String endReason;

  @Column(name = "ENDED_BY", length = 255)
  private String endedBy;

  @Column(name = "APPROVER", length = 255)
  private String approver;

  @Column(name = "DRILL", nullable = false)
  private boolean drill;

  @Column(name = "USES", nullable = false)
  private long uses;

  @Column(name = "LAST_USED_AT")
  private Long lastUsedAt;

  @Column(name = "ROLES_REMOVED_AT")
  private Long rolesRemovedAt;

  /**
   * The granted roles' ids, as a JSON array in the order of {@code rolesJson}; null before 0.5.0.
   */
  @Column(name = "ROLE_IDS", length = 4000)
  private String roleIdsJson;

  @Column(name = "RESIDUAL_PRIVILEGES", length = 8000)
  private String residualPrivilegesJson;

  /** When a PENDING request was made; null for grants that activated at once. */
  @Column(name = "REQUESTED_AT")
  private Long requestedAt;

  /** The duration asked for: a PENDING request's clock starts only at approval. */
  @Column(name = "DURATION_MINUTES")
  private Integer durationMinutes;

  /** When an approver approved or rejected, or the request timed out. */
  @Column(name = "DECIDED_AT")
  private Long decidedAt;

  @Column(name = "DECISION_COMMENT", length = 1000)
  private String decisionComment;

  /** Activated by the no-approver fallback: the grant needs a second-person attestation. */
  @Column(name = "OVERRIDE_ACTIVATION", nullable = false)
  private boolean overrideActivation;

  /** How the holder authenticated in the activation flow, e.g. {@code password+otp}. */
  @Column(name = "AUTH_METHOD", length = 64)
  private String authMethod;

  @Column(name = "AUTH_AT")
  private Long authAt;

  public Long getRequestedAt() {
    return requestedAt;
  }

  public void setRequestedAt(Long requestedAt) {
    this.requestedAt = requestedAt;
  }

  public Integer getDurationMinutes() {
    return durationMinutes;
  }

  public void setDurationMinutes(Integer durationMinutes) {
    this.durationMinutes = durationMinutes;
  }

  public Long getDecidedAt() {
    return decidedAt;
  }

  public void setDecidedAt(Long decidedAt) {
    this.decidedAt = decidedAt;
  }

  public String getDecisionComment() {
    return decisionComment;
  }

  public void setDecisionComment(String decisionComment) {
    this.decisionComment = decisionComment;
  }

  public boolean isOverrideActivation() {
    return overrideActivation;
  }

  public void setOverrideActivation(boolean overrideActivation) {
    this.overrideActivation = overrideActivation;
  }

  public String getAuthMethod() {
    return authMethod;
  }

  public void setAuthMethod(String authMethod) {
    this.authMethod = authMethod;
  }

  public Long getAuthAt() {
    return authAt;
  }

  public void setAuthAt(Long authAt) {
    this.authAt = authAt;
  }

  public String getResidualPrivilegesJson() {
    return residualPrivilegesJson;
  }

  public void setResidualPrivilegesJson(String residualPrivilegesJson) {
    this.residualPrivilegesJson = residualPrivilegesJson;
  }

  public String getRoleIdsJson() {
    return roleIdsJson;
  }

  public void setRoleIdsJson(String roleIdsJson) {
    this.roleIdsJson = roleIdsJson;
  }

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

  public String getRolesJson() {
    return rolesJson;
  }

  public void setRolesJson(String rolesJson) {
    this.rolesJson = rolesJson;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getTicket() {
    return ticket;
  }

  public void setTicket(String ticket) {
    this.ticket = ticket;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public long getActivatedAt() {
    return activatedAt;
  }

  public void setActivatedAt(long activatedAt) {
    this.activatedAt = activatedAt;
  }

  public long getExpiresAt() {
    return expiresAt;
  }

  public void setExpiresAt(long expiresAt) {
    this.expiresAt = expiresAt;
  }

  public Long getEndedAt() {
    return endedAt;
  }

  public void setEndedAt(Long endedAt) {
    this.endedAt = endedAt;
  }

  public String getEndReason() {
    return endReason;
  }

  public void setEndReason(String endReason) {
    this.endReason = endReason;
  }

  public String getEndedBy() {
    return endedBy;
  }

  public void setEndedBy(String endedBy) {
    this.endedBy = endedBy;
  }

  public String getApprover() {
    return approver;
  }

  public void setApprover(String approver) {
    this.approver = approver;
  }

  public boolean isDrill() {
    return drill;
  }

  public void setDrill(boolean drill) {
    this.drill = drill;
  }

  public long getUses() {
    return uses;
  }

  public void setUses(long uses) {
    this.uses = uses;
  }

  public Long getLastUsedAt() {
    return lastUsedAt;
  }

  public void setLastUsedAt(Long lastUsedAt) {
    this.lastUsedAt = lastUsedAt;
  }

  public Long getRolesRemovedAt() {
    return rolesRemovedAt;
  }

  public void setRolesRemovedAt(Long rolesRemovedAt) {
    this.rolesRemovedAt = rolesRemovedAt;
  }

  /** The holder's attestation answers as JSON; null until they attest. */
  @Column(name = "ATTESTATION", length = 2000)
  private String attestation;

  @Column(name = "ATTESTED_AT")
  private Long attestedAt;

  @Column(name = "SECOND_ATTESTATION", length = 2000)
  private String secondAttestation;

  @Column(name = "SECOND_ATTESTED_BY", length = 255)
  private String secondAttestedBy;

  @Column(name = "SECOND_ATTESTED_AT")
  private Long secondAttestedAt;

  @Column(name = "CLOSED_AT")
  private Long closedAt;

  @Column(name = "OVERDUE_ALERTED_AT")
  private Long overdueAlertedAt;

  @Column(name = "OVERDUE_ALERTS", nullable = false)
  private int overdueAlerts;

  public String getAttestation() {
    return attestation;
  }

  public void setAttestation(String attestation) {
    this.attestation = attestation;
  }

  public Long getAttestedAt() {
    return attestedAt;
  }

  public void setAttestedAt(Long attestedAt) {
    this.attestedAt = attestedAt;
  }

  public String getSecondAttestation() {
    return secondAttestation;
  }

  public void setSecondAttestation(String secondAttestation) {
    this.secondAttestation = secondAttestation;
  }

  public String getSecondAttestedBy() {
    return secondAttestedBy;
  }

  public void setSecondAttestedBy(String secondAttestedBy) {
    this.secondAttestedBy = secondAttestedBy;
  }

  public Long getSecondAttestedAt() {
    return secondAttestedAt;
  }

  public void setSecondAttestedAt(Long secondAttestedAt) {
    this.secondAttestedAt = secondAttestedAt;
  }

  public Long getClosedAt() {
    return closedAt;
  }

  public void setClosedAt(Long closedAt) {
    this.closedAt = closedAt;
  }

  public Long getOverdueAlertedAt() {
    return overdueAlertedAt;
  }

  public void setOverdueAlertedAt(Long overdueAlertedAt) {
    this.overdueAlertedAt = overdueAlertedAt;
  }

  public int getOverdueAlerts() {
    return overdueAlerts;
  }

  public void setOverdueAlerts(int overdueAlerts) {
    this.overdueAlerts = overdueAlerts;
  }
}
