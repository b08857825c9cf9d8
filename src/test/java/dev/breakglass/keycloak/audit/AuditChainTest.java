package dev.breakglass.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.breakglass.keycloak.audit.AuditVerifier.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/** The paged walk over the chain, with the store replaced by a list. */
class AuditChainTest {

  /**
   * Pages of the stored entries after a seq, as the keyset query returns them; records each
   * request.
   */
  private static LongFunction<List<Entry>> store(
      List<Entry> stored, int pageSize, List<Long> requests) {
    return after -> {
      requests.add(after);
      return stored.stream().filter(e -> e.seq() > after).limit(pageSize).toList();
    };
  }

  @Test
  void walksEveryPageUntilAShortOne() {
    List<Entry> chain = AuditVerifierTest.chain(5);
    AuditVerifier verifier = new AuditVerifier(5, chain.get(4).hash());
    List<Long> requests = new ArrayList<>();
    AuditChain.feed(verifier, 2, store(chain, 2, requests));
    assertEquals(List.of(0L, 2L, 4L), requests);
    AuditVerifier.Result result = verifier.finish();
    assertTrue(result.valid(), result.toString());
    assertEquals(5, result.records());
  }

  @Test
  void aFullLastPageCostsOneEmptyRequest() {
    List<Entry> chain = AuditVerifierTest.chain(4);
    AuditVerifier verifier = new AuditVerifier(4, chain.get(3).hash());
    List<Long> requests = new ArrayList<>();
    AuditChain.feed(verifier, 2, store(chain, 2, requests));
    assertEquals(List.of(0L, 2L, 4L), requests);
    assertTrue(verifier.finish().valid());
  }

  @Test
  void stopsAtTheFirstBreak() {
    List<Entry> chain = new ArrayList<>(AuditVerifierTest.chain(9));
    chain.set(2, AuditVerifierTest.withDetails(chain.get(2), "{\"altered\":true}"));
    AuditVerifier verifier = new AuditVerifier(9, chain.get(8).hash());
    List<Long> requests = new ArrayList<>();
    AuditChain.feed(verifier, 2, store(chain, 2, requests));
    assertEquals(List.of(0L, 2L), requests, "no page is read after the break");
    AuditVerifier.Result result = verifier.finish();
    assertFalse(result.valid());
    assertEquals(3, result.firstBrokenSeq());
  }

  @Test
  void aGapAcrossAPageBoundaryIsFound() {
    List<Entry> chain = new ArrayList<>(AuditVerifierTest.chain(6));
    chain.remove(2);
    AuditVerifier verifier = new AuditVerifier(6, chain.get(4).hash());
    AuditChain.feed(verifier, 2, store(chain, 2, new ArrayList<>()));
    AuditVerifier.Result result = verifier.finish();
    assertEquals(4, result.firstBrokenSeq());
    assertEquals("sequence gap: record(s) missing before seq 4", result.problem());
  }
}
