package dev.breakglass.keycloak.store;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;
import org.keycloak.models.KeycloakSession;

/** The audit chain's rows (records and each realm's head) in the caller's transaction. */
public final class AuditStore {

  /** The committed head of a realm's chain: its last seq and hash (seq 0, no hash, when empty). */
  public record Head(long seq, String hash) {}

  /** One realm's committed head. */
  public record RealmHead(String realmId, long seq, String hash) {}

  private final EntityManager em;

  private AuditStore(EntityManager em) {
    this.em = em;
  }

  public static AuditStore of(KeycloakSession session) {
    return new AuditStore(Jpa.em(session));
  }

  /**
   * The realm's head, locked for the rest of the transaction; empty when the chain has none yet.
   */
  public Optional<AuditHeadEntity> lockHead(String realmId) {
    return Optional.ofNullable(
        em.find(AuditHeadEntity.class, realmId, LockModeType.PESSIMISTIC_WRITE));
  }

  public void createHead(String realmId, String genesisHash) {
    AuditHeadEntity head = new AuditHeadEntity();
    head.setRealmId(realmId);
    head.setLastSeq(0);
    head.setLastHash(genesisHash);
    em.persist(head);
  }

  public void persist(AuditRecordEntity record) {
    em.persist(record);
  }

  /** The committed head, read by a scalar query so no cached entity can stand in for it. */
  public Head readHead(String realmId) {
    List<Object[]> rows =
        em.createNamedQuery("bgAuditHead", Object[].class)
            .setParameter("realmId", realmId)
            .getResultList();
    if (rows.isEmpty()) {
      return new Head(0, null);
    }
    return new Head(((Number) rows.get(0)[0]).longValue(), (String) rows.get(0)[1]);
  }

  /** Every realm's committed head that has at least one record, by realm id. */
  public List<RealmHead> heads() {
    return em
        .createQuery(
            "select h.realmId, h.lastSeq, h.lastHash from AuditHeadEntity h where h.lastSeq > 0"
                + " order by h.realmId",
            Object[].class)
        .getResultList()
        .stream()
        .map(r -> new RealmHead((String) r[0], ((Number) r[1]).longValue(), (String) r[2]))
        .toList();
  }

  /**
   * Records with {@code after < seq <= upTo}, in seq order, detached: a walk over a long chain does
   * not grow the persistence context.
   */
  public List<AuditRecordEntity> pageUpTo(String realmId, long after, long upTo, int max) {
    List<AuditRecordEntity> page =
        em.createNamedQuery("bgAuditPageUpTo", AuditRecordEntity.class)
            .setParameter("realmId", realmId)
            .setParameter("after", after)
            .setParameter("upTo", upTo)
            .setHint(Jpa.READ_ONLY, true)
            .setMaxResults(max)
            .getResultList();
    page.forEach(em::detach);
    return page;
  }

  /** The first record after {@code seq}, detached. */
  public Optional<AuditRecordEntity> firstAfter(String realmId, long seq) {
    List<AuditRecordEntity> next =
        em.createNamedQuery("bgAuditAfter", AuditRecordEntity.class)
            .setParameter("realmId", realmId)
            .setParameter("seq", seq)
            .setHint(Jpa.READ_ONLY, true)
            .setMaxResults(1)
            .getResultList();
    next.forEach(em::detach);
    return next.stream().findFirst();
  }

  /** One grant's records in seq order, a page at a time. */
  public List<AuditRecordEntity> ofGrant(String realmId, String grantId, int first, int max) {
    return em.createNamedQuery("bgAuditByGrant", AuditRecordEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("grantId", grantId)
        .setFirstResult(first)
        .setMaxResults(max)
        .getResultList();
  }

  /**
   * A page of the records of one type of any of these grants, in seq order, detached: one read for
   * a whole batch of grants instead of one per grant.
   */
  public List<AuditRecordEntity> ofTypeOfGrants(
      String realmId, String type, List<String> grantIds, int first, int max) {
    List<AuditRecordEntity> page =
        em.createQuery(
                "select a from AuditRecordEntity a where a.realmId = :realmId and a.type = :type"
                    + " and a.grantId in :grantIds order by a.seq",
                AuditRecordEntity.class)
            .setParameter("realmId", realmId)
            .setParameter("type", type)
            .setParameter("grantIds", grantIds)
            .setHint(Jpa.READ_ONLY, true)
            .setFirstResult(first)
            .setMaxResults(max)
            .getResultList();
    page.forEach(em::detach);
    return page;
  }

  /**
   * A page of the realm's records in seq order; {@code from} inclusive, {@code to} exclusive, each
   * optional.
   */
  public List<AuditRecordEntity> export(String realmId, Long from, Long to, int first, int max) {
    GrantStore.Filter filter =
        new GrantStore.Filter(
            "select a from AuditRecordEntity a where a.realmId = :realmId", realmId);
    filter.and(from != null, "a.createdAt >= :from", "from", from);
    filter.and(to != null, "a.createdAt < :to", "to", to);
    return filter
        .query(em, " order by a.seq", AuditRecordEntity.class)
        .setFirstResult(first)
        .setMaxResults(max)
        .getResultList();
  }

  /** Records of one type in a time window, in seq order, at most {@code max}. */
  public List<AuditRecordEntity> ofTypeBetween(
      String realmId, String type, long from, long to, int max) {
    return em.createNamedQuery("bgAuditOfTypeBetween", AuditRecordEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("type", type)
        .setParameter("from", from)
        .setParameter("to", to)
        .setMaxResults(max)
        .getResultList();
  }

  public long countOfTypeBetween(String realmId, String type, long from, long to) {
    return em.createNamedQuery("bgCountAuditOfTypeBetween", Long.class)
        .setParameter("realmId", realmId)
        .setParameter("type", type)
        .setParameter("from", from)
        .setParameter("to", to)
        .getSingleResult();
  }

  public void removeRealm(String realmId) {
    em.createNamedQuery("bgDeleteAuditByRealm").setParameter("realmId", realmId).executeUpdate();
    AuditHeadEntity head = em.find(AuditHeadEntity.class, realmId);
    if (head != null) {
      em.remove(head);
    }
  }
}
