package dev.breakglass.keycloak.domain;

/**
 * Why a user may not activate break-glass access now. Each carries the {@code why} of its
 * BREAK_GLASS_DENIED record, the login theme's message key and the Keycloak event error.
 */
public enum Ineligibility {
  /** The realm's policy is invalid or the activation action is not enabled: fail closed. */
  POLICY_UNAVAILABLE("policy_unavailable", "breakGlassUnavailable", "break_glass_unavailable"),
  /** Not a member of the policy's eligible group. */
  NOT_ELIGIBLE("not_eligible", "breakGlassNotEligible", "break_glass_not_eligible"),
  /** The policy blocks activation while one of the user's attestations is overdue. */
  ATTESTATION_OVERDUE(
      "attestation_overdue", "breakGlassAttestationOverdue", "break_glass_attestation_overdue"),
  /**
   * The policy requires a second factor and the user has none (no OTP, no security key). Never
   * enrolled inside the break-glass flow: someone holding only the password would enrol their own.
   */
  NO_SECOND_FACTOR("no_second_factor", "breakGlassNoSecondFactor", "break_glass_no_second_factor");

  private final String why;
  private final String messageKey;
  private final String error;

  Ineligibility(String why, String messageKey, String error) {
    this.why = why;
    this.messageKey = messageKey;
    this.error = error;
  }

  public String why() {
    return why;
  }

  public String messageKey() {
    return messageKey;
  }

  public String error() {
    return error;
  }
}
