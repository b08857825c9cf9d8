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
    String lastUsedAt) {

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
        iso(g.getLastUsedAt()));
  }

  static String iso(Long epochMillis) {
    return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString();
  }
}
