package dev.breakglass.keycloak.store;

import dev.breakglass.keycloak.domain.GrantStatus;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.keycloak.models.KeycloakSession;

/** Grants in the caller's transaction. Every query on BG_GRANT is here. */
public final class GrantStore {

  private final EntityManager em;

  private GrantStore(EntityManager em) {
    this.em = em;
  }

  public static GrantStore of(KeycloakSession session) {
    return new GrantStore(Jpa.em(session));
  }

  public void persist(GrantEntity grant) {
    em.persist(grant);
  }

  /** Stores a new grant; one already stored (a request being approved) is left as it is. */
  public void persistIfNew(GrantEntity grant) {
    if (!em.contains(grant)) {
      em.persist(grant);
    }
  }

  /** The user's grant in this status (the newest), e.g. a PENDING request. */
  public Optional<GrantEntity> findOfUser(String realmId, String userId, GrantStatus status) {
    return em.createNamedQuery("bgGrantByUserAndStatus", GrantEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("userId", userId)
        .setParameter("status", status.name())
        .setMaxResults(1)
        .getResultStream()
        .findFirst();
  }

  /** The realm's grants in this status, e.g. its PENDING requests. */
  public List<GrantEntity> inRealm(String realmId, GrantStatus status) {
    return em.createNamedQuery("bgGrantsByRealmAndStatus", GrantEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("status", status.name())
        .getResultList();
  }

  /** Ids of every realm's PENDING requests made before {@code requestedBefore}, oldest first. */
  public List<String> pendingIdsBefore(long requestedBefore, int max) {
    return em.createNamedQuery("bgPendingRequestsBefore", String.class)
        .setParameter("status", GrantStatus.PENDING.name())
        .setParameter("before", requestedBefore)
        .setMaxResults(max)
        .getResultList();
  }

  /**
   * Re-reads the row, so a decision is taken on what is committed (and locked), not on a stale
   * copy.
   */
  public void refresh(GrantEntity grant) {
    em.refresh(grant);
  }

  public void remove(GrantEntity grant) {
    em.remove(grant);
  }

  public Optional<GrantEntity> find(String grantId) {
    return Optional.ofNullable(em.find(GrantEntity.class, grantId));
  }

  /** A grant of this realm, or empty: another realm's grant is as good as unknown. */
  public Optional<GrantEntity> findInRealm(String realmId, String grantId) {
    return find(grantId).filter(g -> g.getRealmId().equals(realmId));
  }

  public Optional<GrantEntity> findActive(String realmId, String userId) {
    return em.createNamedQuery("bgGrantByUserAndStatus", GrantEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("userId", userId)
        .setParameter("status", GrantStatus.ACTIVE.name())
        .setMaxResults(1)
        .getResultStream()
        .findFirst();
  }

  public List<GrantEntity> activeInRealm(String realmId) {
    return em.createNamedQuery("bgGrantsByRealmAndStatus", GrantEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("status", GrantStatus.ACTIVE.name())
        .getResultList();
  }

  public List<GrantEntity> ofUser(String realmId, String userId) {
    return em.createNamedQuery("bgGrantsByUser", GrantEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("userId", userId)
        .getResultList();
  }

  /** A page of the realm's grants, newest first, optionally of one status and one user. */
  public List<GrantEntity> list(
      String realmId, GrantStatus status, String userId, int first, int max) {
    Filter filter = new Filter("select g from GrantEntity g where g.realmId = :realmId", realmId);
    filter.and(
        status != null, "g.status = :status", "status", status == null ? null : status.name());
    filter.and(userId != null, "g.userId = :userId", "userId", userId);
    return filter
        .query(em, " order by g.activatedAt desc, g.id", GrantEntity.class)
        .setFirstResult(first)
        .setMaxResults(max)
        .getResultList();
  }

  /** The user's ended grants still waiting for their attestation, oldest first. */
  public List<GrantEntity> awaitingHolder(String realmId, String userId, int max) {
    return em.createNamedQuery("bgUnattestedByUser", GrantEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("userId", userId)
        .setParameter("ended", GrantStatus.ENDED.name())
        .setMaxResults(max)
        .getResultList();
  }

  /**
   * A grant due to end, and whether its holder has rows in Keycloak's persisted user sessions of
   * the realm (expired ones included): ending those is most of what ending the grant costs. Read
   * before the batch, it only sizes batches; the batch looks for sessions again under its lock.
   */
  public record Due(String grantId, boolean holderHasStoredSessions) {}

  /**
   * ACTIVE grants due by {@code now}, soonest first, leaving out {@code skip}. Without a skip list
   * (every sweep's first read, so every idle sweep) the query has no list parameter, and Hibernate
   * reuses its translation: it translates a query with a list parameter again on every execution.
   */
  public List<Due> due(long now, Set<String> skip, int max) {
    TypedQuery<Object[]> query =
        skip.isEmpty()
            ? em.createNamedQuery("bgExpiredGrants", Object[].class)
            : em.createNamedQuery("bgExpiredGrantsExcept", Object[].class)
                .setParameter("skip", new ArrayList<>(skip));
    return query
        .setParameter("status", GrantStatus.ACTIVE.name())
        .setParameter("now", now)
        .setMaxResults(max)
        .getResultList()
        .stream()
        .map(row -> new Due((String) row[0], Boolean.TRUE.equals(row[1])))
        .toList();
  }

  /** The realms of these grants, in id order (the order their chain locks are taken in). */
  public List<String> realmIdsOf(List<String> grantIds) {
    return em.createQuery(
            "select distinct g.realmId from GrantEntity g where g.id in :ids order by g.realmId",
            String.class)
        .setParameter("ids", grantIds)
        .getResultList();
  }

  /**
   * Those of these grants that are ACTIVE in the realm, read now: the caller holds the realm's
   * chain lock, so what it reads is what it may end.
   */
  public List<GrantEntity> activeAmong(String realmId, List<String> grantIds) {
    return em.createQuery(
            "select g from GrantEntity g where g.realmId = :realmId and g.status = :status and"
                + " g.id in :ids order by g.expiresAt, g.id",
            GrantEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("status", GrantStatus.ACTIVE.name())
        .setParameter("ids", grantIds)
        .getResultList();
  }

  public List<String> realmsWithEndedGrants() {
    return em.createNamedQuery("bgRealmsWithEndedGrants", String.class)
        .setParameter("ended", GrantStatus.ENDED.name())
        .getResultList();
  }

  /** Ended grants past their deadline and not reminded since {@code remindBefore}, oldest first. */
  public List<GrantEntity> overdue(String realmId, long endedBefore, long remindBefore, int max) {
    return em.createNamedQuery("bgOverdueGrants", GrantEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("ended", GrantStatus.ENDED.name())
        .setParameter("endedBefore", endedBefore)
        .setParameter("remindBefore", remindBefore)
        .setMaxResults(max)
        .getResultList();
  }

  public boolean hasEndedBefore(String realmId, String userId, long endedBefore) {
    return em.createNamedQuery("bgOverdueOfUser", Long.class)
            .setParameter("realmId", realmId)
            .setParameter("userId", userId)
            .setParameter("ended", GrantStatus.ENDED.name())
            .setParameter("endedBefore", endedBefore)
            .getSingleResult()
        > 0;
  }

  public List<GrantEntity> activatedBetween(String realmId, long from, long to, int max) {
    return em.createNamedQuery("bgGrantsActivatedBetween", GrantEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("from", from)
        .setParameter("to", to)
        .setMaxResults(max)
        .getResultList();
  }

  /**
   * Ended grants already escalated as overdue: in one realm, or in all when {@code realmId} is
   * null.
   */
  public long countOverdue(String realmId) {
    if (realmId == null) {
      return em.createNamedQuery("bgCountOverdue", Long.class)
          .setParameter("ended", GrantStatus.ENDED.name())
          .getSingleResult();
    }
    return em.createNamedQuery("bgCountOverdueInRealm", Long.class)
        .setParameter("realmId", realmId)
        .setParameter("ended", GrantStatus.ENDED.name())
        .getSingleResult();
  }

  /** Grants of every realm by status. */
  public Map<String, Long> countByStatus() {
    return counts(em.createNamedQuery("bgCountGrantsByStatus", Object[].class).getResultList());
  }

  /** When the user's last non-drill grant activated (epoch millis); null when none ever did. */
  public Long lastActivation(String realmId, String userId) {
    return em.createQuery(
            "select max(g.activatedAt) from GrantEntity g where g.realmId = :realmId and"
                + " g.userId = :userId and g.drill = false and g.activatedAt > 0",
            Long.class)
        .setParameter("realmId", realmId)
        .setParameter("userId", userId)
        .getSingleResult();
  }

  /** The user's non-drill activations at or after {@code since}. */
  public long countActivationsSince(String realmId, String userId, long since) {
    return em.createQuery(
            "select count(g) from GrantEntity g where g.realmId = :realmId and g.userId = :userId"
                + " and g.drill = false and g.activatedAt > 0 and g.activatedAt >= :since",
            Long.class)
        .setParameter("realmId", realmId)
        .setParameter("userId", userId)
        .setParameter("since", since)
        .getSingleResult();
  }

  /** The realm's grants in one status, drills included. */
  public long countInRealm(String realmId, GrantStatus status) {
    return em.createQuery(
            "select count(g) from GrantEntity g where g.realmId = :realmId and g.status = :status",
            Long.class)
        .setParameter("realmId", realmId)
        .setParameter("status", status.name())
        .getSingleResult();
  }

  /** When the realm's soonest-ending ACTIVE grant expires; null when none is active. */
  public Long soonestExpiry(String realmId) {
    return em.createQuery(
            "select min(g.expiresAt) from GrantEntity g where g.realmId = :realmId and"
                + " g.status = :status",
            Long.class)
        .setParameter("realmId", realmId)
        .setParameter("status", GrantStatus.ACTIVE.name())
        .getSingleResult();
  }

  public void removeRealm(String realmId) {
    em.createNamedQuery("bgDeleteGrantsByRealm").setParameter("realmId", realmId).executeUpdate();
  }

  static Map<String, Long> counts(List<Object[]> rows) {
    Map<String, Long> counts = new HashMap<>();
    for (Object[] row : rows) {
      counts.put((String) row[0], ((Number) row[1]).longValue());
    }
    return counts;
  }

  /** A JPQL query with optional conditions, each bound only when it applies. */
  static final class Filter {
    private final StringBuilder jpql;
    private final Map<String, Object> parameters = new HashMap<>();

    Filter(String select, String realmId) {
      this.jpql = new StringBuilder(select);
      parameters.put("realmId", realmId);
    }

    void and(boolean applies, String condition, String parameter, Object value) {
      if (applies) {
        jpql.append(" and ").append(condition);
        parameters.put(parameter, value);
      }
    }

    <T> TypedQuery<T> query(EntityManager em, String orderBy, Class<T> type) {
      TypedQuery<T> query = em.createQuery(jpql + orderBy, type);
      parameters.forEach(query::setParameter);
      return query;
    }
  }
}
