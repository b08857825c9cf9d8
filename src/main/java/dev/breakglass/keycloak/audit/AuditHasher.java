package dev.breakglass.keycloak.audit;

import dev.breakglass.keycloak.domain.Hashes;

/**
 * The hash chain of the audit trail. Each record's hash covers its canonical content and the
 * previous record's hash, so editing, deleting or reordering any record breaks every later link.
 * Pure and deterministic: the verifier recomputes exactly this.
 */
public final class AuditHasher {

  /** The hash that stands before the first record of a realm's chain. */
  public static final String GENESIS = "0".repeat(64);

  private AuditHasher() {}

  /** The fields a record's hash covers. */
  public record Content(
      String realmId,
      long seq,
      String type,
      String grantId,
      String userId,
      String username,
      long createdAt,
      String detailsJson) {}

  public static String hash(Content c, String previousHash) {
    // Length-prefixed fields: no separator inside a value can make two records hash alike.
    StringBuilder canonical = new StringBuilder();
    append(canonical, c.realmId());
    append(canonical, Long.toString(c.seq()));
    append(canonical, c.type());
    append(canonical, c.grantId());
    append(canonical, c.userId());
    append(canonical, c.username());
    append(canonical, Long.toString(c.createdAt()));
    append(canonical, c.detailsJson());
    append(canonical, previousHash);
    return Hashes.sha256(canonical.toString());
  }

  private static void append(StringBuilder sb, String value) {
    String v = value == null ? "" : value;
    sb.append(value == null ? -1 : v.length()).append(':').append(v).append(';');
  }
}
