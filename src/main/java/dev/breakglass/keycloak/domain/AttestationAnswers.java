package dev.breakglass.keycloak.domain;

import java.util.LinkedHashMap;
import java.util.Map;

/** One person's attestation of an ended grant. */
public record AttestationAnswers(
    boolean necessary, boolean scopeCorrect, boolean allRemoved, String notes) {

  /** A "no" anywhere is allowed and recorded, and it is news: it raises an alert. */
  public boolean anyNo() {
    return !necessary || !scopeCorrect || !allRemoved;
  }

  /** The answers as stored and shown: yes/no as in the form. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put(AttestationValidator.NECESSARY, necessary ? "yes" : "no");
    map.put(AttestationValidator.SCOPE_CORRECT, scopeCorrect ? "yes" : "no");
    map.put(AttestationValidator.ALL_REMOVED, allRemoved ? "yes" : "no");
    map.put(AttestationValidator.NOTES, notes);
    return map;
  }
}
