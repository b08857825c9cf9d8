package dev.breakglass.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.breakglass.keycloak.audit.AuditVerifier.Entry;
import dev.breakglass.keycloak.audit.AuditVerifier.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditVerifierTest {

  /** A well-formed chain of {@code n} records, built exactly as AuditTrail appends. */
  static List<Entry> chain(int n) {
    List<Entry> entries = new ArrayList<>();
    String prev = AuditHasher.GENESIS;
    for (int seq = 1; seq <= n; seq++) {
      Entry e = entry("id-" + seq, seq, "{\"n\":" + seq + "}", prev, null);
      entries.add(e);
      prev = e.hash();
    }
    return entries;
  }

  /** A record whose hash is computed over its content, unless {@code hash} is given. */
  private static Entry entry(String id, long seq, String details, String prevHash, String hash) {
    AuditHasher.Content content =
        new AuditHasher.Content(
            "realm-1",
            seq,
            "BREAK_GLASS_ACTIVATED",
            "grant-1",
            "user-1",
            "responder",
            1_700_000_000_000L + seq,
            details);
    return new Entry(
        id,
        "realm-1",
        seq,
        content.type(),
        content.grantId(),
        content.userId(),
        content.username(),
        content.createdAt(),
        details,
        prevHash,
        hash != null ? hash : AuditHasher.hash(content, prevHash));
  }

  static Entry withDetails(Entry e, String details) {
    return new Entry(
        e.id(),
        e.realmId(),
        e.seq(),
        e.type(),
        e.grantId(),
        e.userId(),
        e.username(),
        e.createdAt(),
        details,
        e.prevHash(),
        e.hash());
  }

  private static Entry withSeq(Entry e, long seq) {
    return new Entry(
        e.id(),
        e.realmId(),
        seq,
        e.type(),
        e.grantId(),
        e.userId(),
        e.username(),
        e.createdAt(),
        e.detailsJson(),
        e.prevHash(),
        e.hash());
  }

  private static Result verify(List<Entry> entries, long headSeq, String headHash) {
    AuditVerifier verifier = new AuditVerifier(headSeq, headHash);
    for (Entry e : entries) {
      verifier.accept(e);
    }
    return verifier.finish();
  }

  /** Verifies against the head an untampered store would hold for {@code original}. */
  private static Result verifyAgainstHeadOf(List<Entry> original, List<Entry> stored) {
    Entry last = original.get(original.size() - 1);
    return verify(stored, last.seq(), last.hash());
  }

  private static void assertBroken(
      Result result, long seq, String recordId, String problem, long intact) {
    assertFalse(result.valid(), result.toString());
    assertEquals(seq, result.firstBrokenSeq(), result.toString());
    assertEquals(recordId, result.firstBrokenRecordId(), result.toString());
    assertEquals(problem, result.problem());
    assertEquals(intact, result.records(), "records intact before the break");
  }

  @Test
  void aValidChainVerifies() {
    List<Entry> chain = chain(5);
    Result result = verifyAgainstHeadOf(chain, chain);
    assertTrue(result.valid(), result.toString());
    assertEquals(5, result.records());
    assertEquals(5, result.headSeq());
    assertEquals(chain.get(4).hash(), result.headHash());
    assertNull(result.firstBrokenSeq());
    assertEquals(
        Map.of("valid", true, "records", 5L, "headSeq", 5L, "headHash", chain.get(4).hash()),
        result.toMap());
  }

  @Test
  void anEmptyChainIsValidWithOrWithoutAHead() {
    Result noHead = verify(List.of(), 0, null);
    assertTrue(noHead.valid());
    assertEquals(0, noHead.records());
    assertEquals(AuditHasher.GENESIS, noHead.headHash());
    assertTrue(verify(List.of(), 0, AuditHasher.GENESIS).valid());
  }

  @Test
  void anEditedRecordIsAHashMismatch() {
    List<Entry> chain = chain(5);
    List<Entry> stored = new ArrayList<>(chain);
    stored.set(2, withDetails(chain.get(2), "{\"n\":3,\"reason\":\"nothing to see\"}"));
    assertBroken(verifyAgainstHeadOf(chain, stored), 3, "id-3", AuditVerifier.HASH_MISMATCH, 2);
  }

  @Test
  void anEditWithARecomputedHashBreaksTheNextLink() {
    List<Entry> chain = chain(5);
    List<Entry> stored = new ArrayList<>(chain);
    // A careful forger recomputes the edited record's own hash; the next record still names the old
    // one.
    stored.set(2, entry("id-3", 3, "{\"forged\":true}", chain.get(1).hash(), null));
    assertBroken(verifyAgainstHeadOf(chain, stored), 4, "id-4", AuditVerifier.LINK_BROKEN, 3);
  }

  @Test
  void aDeletedMiddleRecordIsAGap() {
    List<Entry> chain = chain(5);
    List<Entry> stored = new ArrayList<>(chain);
    stored.remove(2);
    Result result = verifyAgainstHeadOf(chain, stored);
    assertBroken(result, 4, "id-4", "sequence gap: record(s) missing before seq 4", 2);
    assertEquals(result.problem(), result.toMap().get("problem"));
  }

  @Test
  void aDeletedFirstRecordIsAGap() {
    List<Entry> chain = chain(3);
    assertBroken(
        verifyAgainstHeadOf(chain, chain.subList(1, 3)),
        2,
        "id-2",
        "sequence gap: record(s) missing before seq 2",
        0);
  }

  @Test
  void aDeletedMiddleRecordWithRenumberedSeqsBreaksTheLink() {
    List<Entry> chain = chain(5);
    List<Entry> stored = new ArrayList<>();
    stored.add(chain.get(0));
    stored.add(chain.get(1));
    stored.add(withSeq(chain.get(3), 3));
    stored.add(withSeq(chain.get(4), 4));
    assertBroken(verify(stored, 4, chain.get(4).hash()), 3, "id-4", AuditVerifier.LINK_BROKEN, 2);
  }

  @Test
  void aDeletedNewestRecordShowsAgainstTheHead() {
    List<Entry> chain = chain(5);
    Result result = verifyAgainstHeadOf(chain, chain.subList(0, 4));
    assertBroken(result, 5, null, AuditVerifier.HEAD_AHEAD, 4);
    assertTrue(result.toMap().containsKey("firstBrokenRecordId"), "the key is there, with null");
  }

  @Test
  void everyRecordDeletedShowsAgainstTheHead() {
    List<Entry> chain = chain(2);
    assertBroken(verifyAgainstHeadOf(chain, List.of()), 1, null, AuditVerifier.HEAD_AHEAD, 0);
  }

  @Test
  void swappedSeqsBreakTheLink() {
    List<Entry> chain = chain(5);
    // The store orders by seq, so rows 2 and 4 with swapped SEQ come back as 1, [4 as 2], 3, [2 as
    // 4], 5.
    List<Entry> stored =
        List.of(
            chain.get(0),
            withSeq(chain.get(3), 2),
            chain.get(2),
            withSeq(chain.get(1), 4),
            chain.get(4));
    assertBroken(verifyAgainstHeadOf(chain, stored), 2, "id-4", AuditVerifier.LINK_BROKEN, 1);
  }

  @Test
  void recordsFedOutOfOrderAreReported() {
    List<Entry> chain = chain(4);
    // Backwards: 1, 3, 2 shows the gap first; 1, 2, 1 goes back.
    assertBroken(
        verifyAgainstHeadOf(chain, List.of(chain.get(0), chain.get(2), chain.get(1), chain.get(3))),
        3,
        "id-3",
        "sequence gap: record(s) missing before seq 3",
        1);
    assertBroken(
        verifyAgainstHeadOf(chain, List.of(chain.get(0), chain.get(1), chain.get(0))),
        1,
        "id-1",
        AuditVerifier.OUT_OF_ORDER,
        2);
  }

  @Test
  void aDuplicateSeqIsOutOfOrder() {
    List<Entry> chain = chain(4);
    Entry copy = entry("id-dup", 3, "{\"n\":3}", chain.get(1).hash(), null);
    List<Entry> stored = List.of(chain.get(0), chain.get(1), chain.get(2), copy, chain.get(3));
    assertBroken(verifyAgainstHeadOf(chain, stored), 3, "id-dup", AuditVerifier.OUT_OF_ORDER, 3);
  }

  @Test
  void aFirstRecordNotLinkedToGenesisIsBroken() {
    Entry first = entry("id-1", 1, "{}", "f".repeat(64), null);
    assertBroken(verify(List.of(first), 1, first.hash()), 1, "id-1", AuditVerifier.LINK_BROKEN, 0);
  }

  @Test
  void aRecordBeyondTheHeadIsReported() {
    List<Entry> chain = chain(4);
    // The head was rolled back to 3 while record 4 stayed: 4 was never acknowledged by the head.
    assertBroken(verify(chain, 3, chain.get(2).hash()), 4, "id-4", AuditVerifier.HEAD_BEHIND, 3);
    assertBroken(verify(chain, 0, null), 1, "id-1", AuditVerifier.HEAD_BEHIND, 0);
  }

  @Test
  void aHeadWithAnotherHashIsReported() {
    List<Entry> chain = chain(3);
    assertBroken(verify(chain, 3, "e".repeat(64)), 3, "id-3", AuditVerifier.HEAD_MISMATCH, 3);
  }

  @Test
  void onlyTheFirstBreakCountsAndFeedingStops() {
    List<Entry> chain = chain(6);
    List<Entry> stored = new ArrayList<>(chain);
    stored.set(1, withDetails(chain.get(1), "{\"x\":1}"));
    stored.remove(4);
    AuditVerifier verifier = new AuditVerifier(6, chain.get(5).hash());
    assertTrue(verifier.accept(stored.get(0)));
    assertFalse(verifier.accept(stored.get(1)), "the caller may stop at the break");
    assertFalse(verifier.accept(stored.get(2)));
    assertBroken(verifier.finish(), 2, "id-2", AuditVerifier.HASH_MISMATCH, 1);
  }
}
