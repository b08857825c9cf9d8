package dev.breakglass.keycloak.domain;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A realm's break-glass policy, already validated. {@code approverGroup} is a group path, or empty
 * when the realm has no approvers. Immutable; every part (gate, activation, sweeper, listener)
 * works from one of these, never from the raw config map.
 */
public record BreakGlassPolicy(
    String eligibleGroup,
    List<String> grantableRoles,
    int defaultDurationMinutes,
    int maxDurationMinutes,
    Pattern ticketPattern,
    String ticketExample,
    int minReasonLength,
    DriftMode driftMode,
    AlertPolicy alerts,
    AttestationPolicy attestation,
    boolean requireSecondFactor,
    String approverGroup,
    ApprovalPolicy approval,
    LimitPolicy limits) {

  public BreakGlassPolicy {
    grantableRoles = List.copyOf(grantableRoles);
  }

  public boolean isGrantable(String role) {
    return grantableRoles.contains(role);
  }
}
