package dev.breakglass.keycloak.domain;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a second person must approve an activation, and what happens when nobody answers in time.
 * {@code timeoutMinutes} and the fallback matter only when approval is required.
 */
public record ApprovalPolicy(
    boolean required,
    int timeoutMinutes,
    NoApproverFallback fallback,
    int fallbackMaxDurationMinutes) {

  public static final ApprovalPolicy NONE =
      new ApprovalPolicy(false, 15, NoApproverFallback.DENY, 30);

  /** What an unanswered request becomes once {@code timeoutMinutes} have passed. */
  public enum NoApproverFallback {
    /** The request is rejected ({@code endReason=APPROVAL_TIMEOUT}). */
    DENY,
    /**
     * The requester activates alone, for at most {@code fallbackMaxDurationMinutes}, with an
     * override alert to every approver and a second-person attestation afterwards.
     */
    SELF_ACTIVATE;

    public String configValue() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<NoApproverFallback> fromConfig(String value) {
      for (NoApproverFallback f : values()) {
        if (f.configValue().equals(value)) {
          return Optional.of(f);
        }
      }
      return Optional.empty();
    }
  }

  public long timeoutMillis() {
    return timeoutMinutes * 60_000L;
  }
}
