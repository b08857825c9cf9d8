package dev.breakglass.keycloak.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What the responder typed into the activation form, untouched (a posted list may hold nulls). */
public record ActivationInput(String reason, String ticket, List<String> roles, String duration) {
  public ActivationInput {
    roles = roles == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(roles));
  }
}
