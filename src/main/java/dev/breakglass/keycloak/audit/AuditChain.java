package dev.breakglass.keycloak.audit;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import dev.breakglass.keycloak.store.AuditStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.util.JsonSerialization;

/**
 * Reads a realm's audit chain from the store for {@link AuditVerifier} and the export: in pages, so
 * a large trail is never held in memory at once.
 */
public final class AuditChain {

  static final int PAGE = 500;

  private static final Logger LOG = Logger.getLogger(AuditChain.class);

  private AuditChain() {}

  /**
   * Verifies the realm's whole chain against its head. The head is read first and the walk stops at
   * its seq: an append that commits during the walk adds records beyond that head, and must not
   * look like tampering. Appends hold the head's lock and commit record and head together, so every
   * record up to the head read is already committed.
   */
  public static AuditVerifier.Result verify(KeycloakSession session, RealmModel realm) {
    AuditStore store = AuditStore.of(session);
    AuditStore.Head head = store.readHead(realm.getId());
    AuditVerifier verifier = new AuditVerifier(head.seq(), head.hash());
    feed(
        verifier,
        PAGE,
        after ->
            store.pageUpTo(realm.getId(), after, head.seq(), PAGE).stream()
                .map(AuditChain::entry)
                .toList());
    checkBeyondHead(store, realm.getId(), head, verifier);
    AuditVerifier.Result result = verifier.finish();
    if (!result.valid()) {
      LOG.warnf(
          "Audit chain of realm %s is broken at seq %d: %s",
          realm.getId(), result.firstBrokenSeq(), result.problem());
    }
    return result;
  }

  /**
   * Feeds the verifier page by page (keyset paging on seq: each page starts after the last seq
   * seen), until a short page or the first break.
   */
  static void feed(
      AuditVerifier verifier, int pageSize, LongFunction<List<AuditVerifier.Entry>> pageAfter) {
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
  private static void checkBeyondHead(
      AuditStore store, String realmId, AuditStore.Head head, AuditVerifier verifier) {
    store
        .firstAfter(realmId, head.seq())
        .ifPresent(
            next -> {
              if (store.readHead(realmId).seq() < next.getSeq()) {
                verifier.accept(entry(next));
              }
            });
  }

  /**
   * Walks the realm's whole chain up to its head, a page at a time (detached records), verifying it
   * on the way: for copying a trail out before its realm goes.
   */
  public static AuditVerifier.Result walk(
      KeycloakSession session, RealmModel realm, Consumer<AuditRecordEntity> each) {
    AuditStore store = AuditStore.of(session);
    AuditStore.Head head = store.readHead(realm.getId());
    AuditVerifier verifier = new AuditVerifier(head.seq(), head.hash());
    long after = 0;
    while (true) {
      List<AuditRecordEntity> page = store.pageUpTo(realm.getId(), after, head.seq(), PAGE);
      for (AuditRecordEntity r : page) {
        // Past a break the verifier stops looking, but every record is still copied out.
        verifier.accept(entry(r));
        each.accept(r);
        after = r.getSeq();
      }
      if (page.size() < PAGE) {
        return verifier.finish();
      }
    }
  }

  /** One grant's records in seq order, a page at a time. */
  public static List<AuditRecordEntity> recordsOfGrant(
      KeycloakSession session, RealmModel realm, String grantId, int first, int max) {
    return AuditStore.of(session).ofGrant(realm.getId(), grantId, first, max);
  }

  /**
   * A page of the realm's records in seq order; {@code from} inclusive and {@code to} exclusive,
   * each optional.
   */
  public static List<AuditExport.Row> export(
      KeycloakSession session, RealmModel realm, Long from, Long to, int first, int max) {
    return AuditStore.of(session).export(realm.getId(), from, to, first, max).stream()
        .map(r -> row(r, realm.getName()))
        .toList();
  }

  /** A record's details as a map; empty when absent or unreadable (a tampered row). */
  public static Map<String, Object> details(AuditRecordEntity record) {
    try {
      return record.getDetailsJson() == null
          ? Map.of()
          : JsonSerialization.readValue(
              record.getDetailsJson(), new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      return Map.of();
    }
  }

  public static AuditVerifier.Entry entry(AuditRecordEntity r) {
    return new AuditVerifier.Entry(
        r.getId(),
        r.getRealmId(),
        r.getSeq(),
        r.getType(),
        r.getGrantId(),
        r.getUserId(),
        r.getUsername(),
        r.getCreatedAt(),
        r.getDetailsJson(),
        r.getPrevHash(),
        r.getHash());
  }

  public static AuditExport.Row row(AuditRecordEntity r, String realmName) {
    return new AuditExport.Row(
        r.getId(),
        realmName,
        r.getSeq(),
        r.getType(),
        r.getGrantId(),
        r.getUserId(),
        r.getUsername(),
        r.getCreatedAt(),
        r.getDetailsJson(),
        r.getPrevHash(),
        r.getHash());
  }
}
