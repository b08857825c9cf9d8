package dev.breakglass.keycloak.store;

import jakarta.persistence.EntityManager;
import java.util.List;
import org.keycloak.models.KeycloakSession;

/** Drift already reported, and the composite-role lookup drift detection needs. */
public final class DriftStore {

  private final EntityManager em;

  private DriftStore(EntityManager em) {
    this.em = em;
  }

  public static DriftStore of(KeycloakSession session) {
    return new DriftStore(Jpa.em(session));
  }

  public List<DriftEntity> ofRealm(String realmId) {
    return em.createNamedQuery("bgDriftByRealm", DriftEntity.class)
        .setParameter("realmId", realmId)
        .getResultList();
  }

  public List<DriftEntity> ofSubject(String realmId, String kind, String subjectId) {
    return em.createNamedQuery("bgDriftOfSubject", DriftEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("kind", kind)
        .setParameter("subjectId", subjectId)
        .getResultList();
  }

  public void persist(DriftEntity drift) {
    em.persist(drift);
  }

  public void remove(DriftEntity drift) {
    em.remove(drift);
  }

  /**
   * Ids of the roles that hold {@code roleId} directly as a composite. Keycloak's model has no
   * reverse lookup, so this reads its composite table.
   */
  public List<String> compositeParentIds(String roleId) {
    return em.createQuery(
            "select c.parentRole.id from CompositeRoleEntity c where c.childRole.id = :id",
            String.class)
        .setParameter("id", roleId)
        .getResultList();
  }

  public void removeRealm(String realmId) {
    em.createNamedQuery("bgDeleteDriftByRealm").setParameter("realmId", realmId).executeUpdate();
  }
}
