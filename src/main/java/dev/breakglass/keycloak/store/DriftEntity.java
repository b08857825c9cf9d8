package dev.breakglass.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * A drift already reported: a governed role held by a user, group or composite role out of band.
 */
@Entity
@Table(name = "BG_DRIFT")
@NamedQueries({
  @NamedQuery(
      name = "bgDriftByRealm",
      query = "select d from DriftEntity d where d.realmId = :realmId"),
  @NamedQuery(
      name = "bgDriftOfSubject",
      query =
          "select d from DriftEntity d where d.realmId = :realmId and d.kind = :kind and"
              + " d.subjectId = :subjectId"),
  @NamedQuery(
      name = "bgDeleteDriftByRealm",
      query = "delete from DriftEntity d where d.realmId = :realmId")
})
public class DriftEntity {

  @Id
  @Column(name = "ID", length = 64)
  private String id;

  @Column(name = "REALM_ID", length = 36, nullable = false)
  private String realmId;

  @Column(name = "KIND", length = 16, nullable = false)
  private String kind;

  @Column(name = "SUBJECT_ID", length = 36, nullable = false)
  private String subjectId;

  @Column(name = "SUBJECT_NAME", length = 255)
  private String subjectName;

  @Column(name = "ROLE_NAME", length = 255, nullable = false)
  private String roleName;

  @Column(name = "FIRST_SEEN", nullable = false)
  private long firstSeen;

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

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getSubjectId() {
    return subjectId;
  }

  public void setSubjectId(String subjectId) {
    this.subjectId = subjectId;
  }

  public String getSubjectName() {
    return subjectName;
  }

  public void setSubjectName(String subjectName) {
    this.subjectName = subjectName;
  }

  public String getRoleName() {
    return roleName;
  }

  public void setRoleName(String roleName) {
    this.roleName = roleName;
  }

  public long getFirstSeen() {
    return firstSeen;
  }

  public void setFirstSeen(long firstSeen) {
    this.firstSeen = firstSeen;
  }
}
