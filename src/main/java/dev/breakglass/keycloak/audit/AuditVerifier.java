package dev.breakglass.keycloak.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks one realm's audit chain, fed record by record in the order the store returns them (by
 * seq), against the chain head read before the walk. Knows nothing of JPA or HTTP, so every kind of
 * tampering can be tested without a database. Stops at the first break: everything after it is
 * unverifiable anyway.
 *
 * <p>Per record, in this order: seq continuity (1, 2, 3, ...), the previous-hash link, the
 * recomputed hash, and that the record does not lie beyond the head. At the end: that the last
 * record is the head (seq and hash), which is what reveals deleted newest records.
 */
public final class AuditVerifier {

  public static final String HASH_MISMATCH = "hash mismatch: record content was altered";
  public static final String LINK_BROKEN = "previous-hash link broken";
  public static final String GAP = "sequence gap: record(s) missing before seq %d";
  public static final String OUT_OF_ORDER = "sequence out of order";
  public static final String HEAD_AHEAD =
      "chain head does not match the last record: newest record(s) missing";
  public static final String HEAD_BEHIND =
      "chain head does not match the last record: record(s) beyond the chain head";
  public static final String HEAD_MISMATCH = "chain head does not match the last record";

  /** One stored record, as read from the table. */
  public record Entry(
      String id,
      String realmId,
      long seq,
      String type,
      String grantId,
      String userId,
      String username,
      long createdAt,
      String detailsJson,
      String prevHash,
      String hash) {

    AuditHasher.Content content() {
      return new AuditHasher.Content(
          realmId, seq, type, grantId, userId, username, createdAt, detailsJson);
    }
  }

  /**
   * The outcome. {@code records} counts the records found intact (before the first break, if any).
   * For a break, {@code firstBrokenSeq} is the first seq that cannot be trusted and {@code
   * firstBrokenRecordId} the record found there (null when the record is missing).
   */
  public record Result(
      boolean valid,
      long records,
      long headSeq,
      String headHash,
      Long firstBrokenSeq,
      String firstBrokenRecordId,
      String problem) {

    /** The JSON shape of {@code GET audit/verify}. */
    public Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("valid", valid);
      map.put("records", records);
      map.put("headSeq", headSeq);
      map.put("headHash", headHash);
      if (!valid) {
        map.put("firstBrokenSeq", firstBrokenSeq);
        map.put("firstBrokenRecordId", firstBrokenRecordId);
        map.put("problem", problem);
      }
      return map;
    }
  }

  private final long headSeq;
  private final String headHash;
  private long lastSeq;
  private String lastHash = AuditHasher.GENESIS;
  private String lastId;
  private long intact;
  private Result broken;

  /**
   * @param headSeq the head's lastSeq, 0 when the realm has no head yet
   * @param headHash the head's lastHash, null when the realm has no head yet
   */
  public AuditVerifier(long headSeq, String headHash) {
    this.headSeq = headSeq;
    this.headHash = headHash == null ? AuditHasher.GENESIS : headHash;
  }

  /**
   * @return whether more records are worth feeding (false once the chain is broken)
   */
  public boolean accept(Entry e) {
    if (broken != null) {
      return false;
    }
    long expected = lastSeq + 1;
    if (e.seq() < expected) {
      // A duplicate seq or one going backwards: the store's order is not the chain's order.
      return breakAt(e.seq(), e.id(), OUT_OF_ORDER);
    }
    if (e.seq() > expected) {
      return breakAt(e.seq(), e.id(), String.format(GAP, e.seq()));
    }
    if (!lastHash.equals(e.prevHash())) {
      return breakAt(e.seq(), e.id(), LINK_BROKEN);
    }
    if (!AuditHasher.hash(e.content(), e.prevHash()).equals(e.hash())) {
      return breakAt(e.seq(), e.id(), HASH_MISMATCH);
    }
    if (e.seq() > headSeq) {
      // Intact, yet the head never recorded it: the head was rolled back, or the record forged.
      return breakAt(e.seq(), e.id(), HEAD_BEHIND);
    }
    lastSeq = e.seq();
    lastHash = e.hash();
    lastId = e.id();
    intact++;
    return true;
  }

  public Result finish() {
    if (broken != null) {
      return broken;
    }
    if (lastSeq < headSeq) {
      breakAt(lastSeq + 1, null, HEAD_AHEAD);
    } else if (!lastHash.equals(headHash)) {
      breakAt(lastSeq, lastId, HEAD_MISMATCH);
    } else {
      return new Result(true, intact, headSeq, headHash, null, null, null);
    }
    return broken;
  }

  private boolean breakAt(long seq, String recordId, String problem) {
    broken = new Result(false, intact, headSeq, headHash, seq, recordId, problem);
    return false;
  }
}
