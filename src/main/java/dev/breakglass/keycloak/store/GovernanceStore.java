package dev.breakglass.keycloak.store;

import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keycloak.models.KeycloakSession;

/** The governed roles of each realm's last valid policy, and that policy. */
public final class GovernanceStore {

  private final EntityManager em;

  private GovernanceStore(EntityManager em) {
    this.em = em;
  }

  public static GovernanceStore of(KeycloakSession session) {
    return new GovernanceStore(Jpa.em(session));
  }

  public List<GovernedRoleEntity> governedRoles(String realmId) {
    return em.createNamedQuery("bgGovernedRoles", GovernedRoleEntity.class)
        .setParameter("realmId", realmId)
        .getResultList();
  }

  /** Replaces the realm's governed roles with {@code roles} (role id to name). */
  public void replaceGovernedRoles(String realmId, Map<String, String> roles) {
    List<GovernedRoleEntity> current = governedRoles(realmId);
    for (GovernedRoleEntity row : current) {
      if (!roles.containsKey(row.getRoleId())) {
        em.remove(row);
      } else if (!roles.get(row.getRoleId()).equals(row.getRoleName())) {
        row.setRoleName(roles.get(row.getRoleId()));
      }
    }
    roles.forEach(
        (id, name) -> {
          if (current.stream().noneMatch(r -> r.getRoleId().equals(id))) {
            GovernedRoleEntity row = new GovernedRoleEntity();
            row.setRealmId(realmId);
            row.setRoleId(id);
            row.setRoleName(name);
            em.persist(row);
          }
        });
  }

  public Optional<PolicySnapshotEntity> snapshot(String realmId) {
    return Optional.ofNullable(em.find(PolicySnapshotEntity.class, realmId));
  }

  public void persist(PolicySnapshotEntity snapshot) {
    em.persist(snapshot);
  }

  public void removeRealm(String realmId) {
    em.createNamedQuery("bgDeleteGovernedRolesByRealm")
        .setParameter("realmId", realmId)
        .executeUpdate();
    PolicySnapshotEntity snapshot = em.find(PolicySnapshotEntity.class, realmId);
    if (snapshot != null) {
      em.remove(snapshot);
    }
  }
}
