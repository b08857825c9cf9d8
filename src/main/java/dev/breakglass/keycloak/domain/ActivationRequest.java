package dev.breakglass.keycloak.domain;

import java.util.List;

/** A validated activation: trimmed text, known roles without duplicates, a duration in range. */
public record ActivationRequest(
    String reason, String ticket, List<String> roles, int durationMinutes) {
  public ActivationRequest {
    roles = List.copyOf(roles);
  }
}
