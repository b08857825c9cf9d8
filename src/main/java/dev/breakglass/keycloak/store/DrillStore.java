package dev.breakglass.keycloak.store;

import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import org.keycloak.models.KeycloakSession;

/** Drills in the caller's transaction. */
public final class DrillStore {

  private final EntityManager em;

  private DrillStore(EntityManager em) {
    this.em = em;
  }

  public static DrillStore of(KeycloakSession session) {
    return new DrillStore(Jpa.em(session));
  }

  public void persist(DrillEntity drill) {
    em.persist(drill);
  }

  public Optional<DrillEntity> findInRealm(String realmId, String id) {
    return Optional.ofNullable(em.find(DrillEntity.class, id))
        .filter(d -> d.getRealmId().equals(realmId));
  }

  /** The user's drills in one of {@code statuses}, at most {@code max}. */
  public List<DrillEntity> ofUser(String realmId, String userId, List<String> statuses, int max) {
    return em.createNamedQuery("bgDrillOfUser", DrillEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("userId", userId)
        .setParameter("statuses", statuses)
        .setMaxResults(max)
        .getResultList();
  }

  public List<DrillEntity> ofGrant(String grantId) {
    return em.createNamedQuery("bgDrillOfGrant", DrillEntity.class)
        .setParameter("grantId", grantId)
        .getResultList();
  }

  public List<DrillEntity> list(String realmId, int first, int max) {
    return em.createNamedQuery("bgDrillsByRealm", DrillEntity.class)
        .setParameter("realmId", realmId)
        .setFirstResult(first)
        .setMaxResults(max)
        .getResultList();
  }

  public List<DrillEntity> scheduledBetween(String realmId, long from, long to) {
    return em.createNamedQuery("bgDrillsScheduledBetween", DrillEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("from", from)
        .setParameter("to", to)
        .getResultList();
  }

  public void removeRealm(String realmId) {
    em.createNamedQuery("bgDeleteDrillsByRealm").setParameter("realmId", realmId).executeUpdate();
  }

  public void removeUser(String realmId, String userId) {
    em.createNamedQuery("bgDeleteDrillsByUser")
        .setParameter("realmId", realmId)
        .setParameter("userId", userId)
        .executeUpdate();
  }
}
