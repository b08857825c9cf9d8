package dev.breakglass.keycloak.store;

import dev.breakglass.keycloak.domain.AlertStatus;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keycloak.models.KeycloakSession;

/** The alert outbox in the caller's transaction. */
public final class AlertStore {

  private final EntityManager em;

  private AlertStore(EntityManager em) {
    this.em = em;
  }

  public static AlertStore of(KeycloakSession session) {
    return new AlertStore(Jpa.em(session));
  }

  public void persist(AlertEntity alert) {
    em.persist(alert);
  }

  public Optional<AlertEntity> find(String id) {
    return Optional.ofNullable(em.find(AlertEntity.class, id));
  }

  public void remove(AlertEntity alert) {
    em.remove(alert);
  }

  /** Ids of PENDING alerts due by {@code now} and claimed by no live node, oldest due first. */
  public List<String> dueIds(long now, int max) {
    return em.createNamedQuery("bgDueAlerts", String.class)
        .setParameter("pending", AlertStatus.PENDING.name())
        .setParameter("now", now)
        .setMaxResults(max)
        .getResultList();
  }

  /**
   * Claims a due alert until {@code until}; true only for the one node whose update hit the row.
   */
  public boolean claim(String id, long now, long until) {
    return em.createNamedQuery("bgClaimAlert")
            .setParameter("until", until)
            .setParameter("id", id)
            .setParameter("pending", AlertStatus.PENDING.name())
            .setParameter("now", now)
            .executeUpdate()
        == 1;
  }

  /**
   * The realm's own alerts of a grant (its channels: what a drill checks), not the operator's copy.
   */
  public List<AlertEntity> ofGrant(String realmId, String grantId) {
    return em.createNamedQuery("bgAlertsByGrant", AlertEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("grantId", grantId)
        .setParameter("operator", AlertEntity.CHANNEL_OPERATOR)
        .getResultList();
  }

  /** The alert waiting longest (PENDING, oldest first), and how many wait. */
  public record Oldest(String id, String realmId, String eventType, long createdAt, long waiting) {}

  /**
   * The oldest PENDING alert other than those of {@code exceptType} (a lag report must not report
   * itself), with the number waiting; empty when none waits.
   */
  public Optional<Oldest> oldestPending(String exceptType) {
    List<AlertEntity> oldest =
        em.createQuery(
                "select a from AlertEntity a where a.status = :pending and a.eventType <> :except"
                    + " order by a.createdAt asc, a.id asc",
                AlertEntity.class)
            .setParameter("pending", AlertStatus.PENDING.name())
            .setParameter("except", exceptType)
            .setMaxResults(1)
            .getResultList();
    if (oldest.isEmpty()) {
      return Optional.empty();
    }
    long waiting =
        em.createQuery(
                "select count(a) from AlertEntity a where a.status = :pending and a.eventType <>"
                    + " :except",
                Long.class)
            .setParameter("pending", AlertStatus.PENDING.name())
            .setParameter("except", exceptType)
            .getSingleResult();
    AlertEntity a = oldest.get(0);
    return Optional.of(
        new Oldest(a.getId(), a.getRealmId(), a.getEventType(), a.getCreatedAt(), waiting));
  }

  /** Alerts of every realm by status. */
  public Map<String, Long> countByStatus() {
    return GrantStore.counts(
        em.createNamedQuery("bgCountAlertsByStatus", Object[].class).getResultList());
  }

  /**
   * Writes what is pending and forgets it: a long series of rows (a removed realm's trail) does not
   * grow the persistence context.
   */
  public void flushAndDetach(List<AlertEntity> alerts) {
    em.flush();
    alerts.forEach(em::detach);
  }

  /** Returns how many alerts were dropped; the operator's are kept (they report the removal). */
  public int removeRealm(String realmId) {
    return em.createNamedQuery("bgDeleteAlertsByRealm")
        .setParameter("realmId", realmId)
        .setParameter("operator", AlertEntity.CHANNEL_OPERATOR)
        .executeUpdate();
  }
}
