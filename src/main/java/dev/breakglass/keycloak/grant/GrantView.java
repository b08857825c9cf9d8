package dev.breakglass.keycloak.grant;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.breakglass.keycloak.store.GrantEntity;
import java.time.Instant;
import java.util.List;

/** The grant JSON of the admin API (DESIGN.md "Grant JSON"); times are ISO-8601 UTC. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record GrantView(
    String id,
    String realm,
    String userId,
    String username,
    List<String> roles,
    String reason,
    String ticket,
    String status,
    String activatedAt,
    String expiresAt,
    String endedAt,
    String endReason,
    String endedBy,
    String approver,
    boolean drill,
    long uses,
    String lastUsedAt,
    String rolesRemovedAt,
    Long expiryLagMillis) {

  public static GrantView of(GrantEntity g, String realmName) {
    return new GrantView(
        g.getId(),
        realmName,
        g.getUserId(),
        g.getUsername(),
        GrantService.roles(g),
        g.getReason(),
        g.getTicket(),
        g.getStatus(),
        iso(g.getActivatedAt()),
        iso(g.getExpiresAt()),
        iso(g.getEndedAt()),
        g.getEndReason(),
        g.getEndedBy(),
        g.getApprover(),
        g.isDrill(),
        g.getUses(),
        iso(g.getLastUsedAt()),
        iso(g.getRolesRemovedAt()),
        expiryLag(g));
  }

  /**
   * How long after its end the grant's roles were really gone: after {@code expiresAt} for an
   * expired grant, after {@code endedAt} for a revoked one. Null while the grant is active.
   */
  static Long expiryLag(GrantEntity g) {
    if (g.getRolesRemovedAt() == null || g.getEndedAt() == null) {
      return null;
    }
    long due = EndReason.EXPIRED.name().equals(g.getEndReason()) ? g.getExpiresAt() : g.getEndedAt();
    return Math.max(0, g.getRolesRemovedAt() - due);
  }

  static String iso(Long epochMillis) {
    return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString();
  }
}
