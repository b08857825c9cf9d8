package dev.breakglass.keycloak.audit;

import dev.breakglass.keycloak.store.AuditRecordEntity;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.function.LongFunction;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * Reads a realm's audit chain from the store for {@link AuditVerifier} and the export: in pages,
 * so a large trail is never held in memory at once.
 */
public final class AuditChain {

  static final int PAGE = 500;

  private static final Logger LOG = Logger.getLogger(AuditChain.class);
  private static final String READ_ONLY = "org.hibernate.readOnly";

  private AuditChain() {}

  /**
   * Verifies the realm's whole chain against its head. The head is read first and the walk stops
   * at its seq: an append that commits during the walk adds records beyond that head, and must not
   * look like tampering. Appends hold the head's lock and commit record and head together, so every
   * record up to the head read is already committed.
   */
  public static AuditVerifier.Result verify(KeycloakSession session, RealmModel realm) {
    EntityManager em = AuditTrail.em(session);
    Head head = readHead(em, realm.getId());
    AuditVerifier verifier = new AuditVerifier(head.seq(), head.hash());
    feed(verifier, PAGE, after -> {
      List<AuditRecordEntity> page = em.createQuery(
              "select a from AuditRecordEntity a where a.realmId = :realmId and a.seq > :after and a.seq <= :upTo"
                  + " order by a.seq", AuditRecordEntity.class)
          .setParameter("realmId", realm.getId())
          .setParameter("after", after)
          .setParameter("upTo", head.seq())
          .setHint(READ_ONLY, true)
          .setMaxResults(PAGE)
          .getResultList();
      // Detached, so the persistence context does not grow with the table.
      page.forEach(em::detach);
      return page.stream().map(AuditChain::entry).toList();
    });
    checkBeyondHead(em, realm.getId(), head, verifier);
    AuditVerifier.Result result = verifier.finish();
    if (!result.valid()) {
      LOG.warnf("Audit chain of realm %s is broken at seq %d: %s", realm.getId(), result.firstBrokenSeq(),
          result.problem());
    }
    return result;
  }

  /**
   * Feeds the verifier page by page (keyset paging on seq: each page starts after the last seq
   * seen), until a short page or the first break.
   */
  static void feed(AuditVerifier verifier, int pageSize, LongFunction<List<AuditVerifier.Entry>> pageAfter) {
    long after = 0;
    while (true) {
      List<AuditVerifier.Entry> page = pageAfter.apply(after);
      for (AuditVerifier.Entry e : page) {
        if (!verifier.accept(e)) {
          return;
        }
        after = e.seq();
      }
      if (page.size() < pageSize) {
        return;
      }
    }
  }

  /**
   * A record beyond the head read at the start is a concurrent append if the head has moved to it
   * by now; otherwise the head was rolled back (or the record forged), and the verifier is told.
   */
  private static void checkBeyondHead(EntityManager em, String realmId, Head head, AuditVerifier verifier) {
    List<AuditRecordEntity> beyond = em.createQuery(
            "select a from AuditRecordEntity a where a.realmId = :realmId and a.seq > :seq order by a.seq",
            AuditRecordEntity.class)
        .setParameter("realmId", realmId)
        .setParameter("seq", head.seq())
        .setHint(READ_ONLY, true)
        .setMaxResults(1)
        .getResultList();
    if (beyond.isEmpty()) {
      return;
    }
    AuditRecordEntity next = beyond.get(0);
    if (readHead(em, realmId).seq() < next.getSeq()) {
      verifier.accept(entry(next));
    }
    em.detach(next);
  }

  /** The committed head, read by a scalar query so no cached entity can stand in for it. */
  private static Head readHead(EntityManager em, String realmId) {
    List<Object[]> rows = em.createQuery(
            "select h.lastSeq, h.lastHash from AuditHeadEntity h where h.realmId = :realmId", Object[].class)
        .setParameter("realmId", realmId)
        .getResultList();
    if (rows.isEmpty()) {
      return new Head(0, null);
    }
    return new Head(((Number) rows.get(0)[0]).longValue(), (String) rows.get(0)[1]);
  }

  private record Head(long seq, String hash) {}

  public static AuditVerifier.Entry entry(AuditRecordEntity r) {
    return new AuditVerifier.Entry(r.getId(), r.getRealmId(), r.getSeq(), r.getType(), r.getGrantId(), r.getUserId(),
        r.getUsername(), r.getCreatedAt(), r.getDetailsJson(), r.getPrevHash(), r.getHash());
  }

  public static AuditExport.Row row(AuditRecordEntity r, String realmName) {
    return new AuditExport.Row(r.getId(), realmName, r.getSeq(), r.getType(), r.getGrantId(), r.getUserId(),
        r.getUsername(), r.getCreatedAt(), r.getDetailsJson(), r.getPrevHash(), r.getHash());
  }
}
