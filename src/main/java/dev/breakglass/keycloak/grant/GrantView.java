package dev.breakglass.keycloak.grant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.breakglass.keycloak.domain.GrantTimes;
import dev.breakglass.keycloak.store.GrantEntity;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.util.JsonSerialization;

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
    Long expiryLagMillis,
    String closedAt,
    Map<String, Object> attestation,
    List<Map<String, Object>> residualPrivileges,
    String requestedAt,
    Integer durationMinutes,
    String decidedAt,
    String decisionComment,
    boolean override,
    Map<String, Object> authentication) {

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
        activated(g) ? iso(g.getActivatedAt()) : null,
        activated(g) ? iso(g.getExpiresAt()) : null,
        iso(g.getEndedAt()),
        g.getEndReason(),
        g.getEndedBy(),
        g.getApprover(),
        g.isDrill(),
        g.getUses(),
        iso(g.getLastUsedAt()),
        iso(g.getRolesRemovedAt()),
        expiryLag(g),
        iso(g.getClosedAt()),
        attestation(g),
        residualPrivileges(g),
        iso(g.getRequestedAt()),
        g.getDurationMinutes(),
        iso(g.getDecidedAt()),
        g.getDecisionComment(),
        g.isOverrideActivation(),
        authentication(g));
  }

  /** A PENDING request, or one rejected before it ever activated, has no activation times. */
  static boolean activated(GrantEntity g) {
    return g.getActivatedAt() > 0;
  }

  /** How and when the holder authenticated in the activation flow; null for older grants. */
  static Map<String, Object> authentication(GrantEntity g) {
    if (g.getAuthMethod() == null) {
      return null;
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("method", g.getAuthMethod());
    view.put("at", iso(g.getAuthAt()));
    return view;
  }

  /**
   * Who attested and how: {@code holder} and {@code second} (null until given), and overdue
   * escalations.
   */
  static Map<String, Object> attestation(GrantEntity g) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("holder", answers(g.getAttestation(), g.getAttestedAt(), g.getUsername()));
    view.put(
        "second",
        answers(g.getSecondAttestation(), g.getSecondAttestedAt(), g.getSecondAttestedBy()));
    view.put("overdueAlerts", g.getOverdueAlerts());
    view.put("lastOverdueAlertAt", iso(g.getOverdueAlertedAt()));
    return view;
  }

  private static Map<String, Object> answers(String json, Long at, String by) {
    if (json == null || at == null) {
      return null;
    }
    Map<String, Object> answers = new LinkedHashMap<>();
    try {
      answers.putAll(
          JsonSerialization.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {}));
    } catch (IOException e) {
      answers.put("unreadable", true);
    }
    answers.put("by", by);
    answers.put("attestedAt", iso(at));
    return answers;
  }

  /**
   * What was created or granted under the grant and still existed at its end; empty while the grant
   * is active (it is taken at the end).
   */
  public static List<Map<String, Object>> residualPrivileges(GrantEntity g) {
    if (g.getResidualPrivilegesJson() == null) {
      return List.of();
    }
    try {
      return JsonSerialization.readValue(
          g.getResidualPrivilegesJson(), new TypeReference<List<Map<String, Object>>>() {});
    } catch (IOException e) {
      return List.of(Map.of("unreadable", true));
    }
  }

  /** See {@link GrantTimes#expiryLag}. */
  public static Long expiryLag(GrantEntity g) {
    return GrantTimes.expiryLag(
        g.getEndReason(), g.getExpiresAt(), g.getEndedAt(), g.getRolesRemovedAt());
  }

  static String iso(Long epochMillis) {
    return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString();
  }
}
