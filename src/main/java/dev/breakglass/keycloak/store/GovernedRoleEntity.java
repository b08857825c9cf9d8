package dev.breakglass.keycloak.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** One governed role of a realm, by id, as the last valid policy named it. */
@Entity
@Table(name = "BG_GOVERNED_ROLE")
@IdClass(GovernedRoleEntity.Key.class)
@NamedQueries({
  @NamedQuery(
      name = "bgGovernedRoles",
      query = "select r from GovernedRoleEntity r where r.realmId = :realmId"),
  @NamedQuery(
      name = "bgDeleteGovernedRolesByRealm",
      query = "delete from GovernedRoleEntity r where r.realmId = :realmId")
})
public class GovernedRoleEntity {

  @Id
  @Column(name = "REALM_ID", length = 36)
  private String realmId;

  @Id
  @Column(name = "ROLE_ID", length = 36)
  private String roleId;

  @Column(name = "ROLE_NAME", length = 512, nullable = false)
  private String roleName;

  /** JSON array of the ids of the role's direct composites, as last accepted; null if unknown. */
  @Column(name = "COMPOSITES", length = 4000)
  private String compositeIdsJson;

  public String getCompositeIdsJson() {
    return compositeIdsJson;
  }

  public void setCompositeIdsJson(String compositeIdsJson) {
    this.compositeIdsJson = compositeIdsJson;
  }

  public String getRealmId() {
    return realmId;
  }

  public void setRealmId(String realmId) {
    this.realmId = realmId;
  }

  public String getRoleId() {
    return roleId;
  }

  public void setRoleId(String roleId) {
    this.roleId = roleId;
  }

  public String getRoleName() {
    return roleName;
  }

  public void setRoleName(String roleName) {
    this.roleName = roleName;
  }

  /** The composite key. */
  public static class Key implements Serializable {
    private String realmId;
    private String roleId;

    public Key() {}

    public Key(String realmId, String roleId) {
      this.realmId = realmId;
      this.roleId = roleId;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && Objects.equals(realmId, k.realmId)
          && Objects.equals(roleId, k.roleId);
    }

    @Override
    public int hashCode() {
      return Objects.hash(realmId, roleId);
    }
  }
}
