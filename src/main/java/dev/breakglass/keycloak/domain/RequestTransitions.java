package dev.breakglass.keycloak.domain;

/**
 * The life of a request that waits for a second person (DESIGN.md "approval"). Pure: the caller
 * reads the request and the clock under the realm's chain lock, asks here what may happen, and
 * applies the answer. Every transition leaves PENDING; everything else is refused with a reason.
 *
 * <pre>
 * PENDING --approve (an approver, not the requester, before the timeout)--> ACTIVE
 * PENDING --reject  (an approver, not the requester, before the timeout)--> REJECTED (REJECTED)
 * PENDING --timeout, fallback deny-------------------------------------> REJECTED (APPROVAL_TIMEOUT)
 * PENDING --timeout, fallback self-activate, requester waiting----------> ACTIVE (override)
 * PENDING --timeout + grace, self-activate, requester gone--------------> REJECTED (APPROVAL_TIMEOUT)
 * </pre>
 */
public final class RequestTransitions {

  private RequestTransitions() {}

  /** A request as read under the lock; {@code durationMinutes} is what was asked for. */
  public record Request(
      GrantStatus status, String requesterId, long requestedAt, int durationMinutes) {}

  /** Why an attempt is refused; {@code httpStatus} is what the user API answers. */
  public enum Refusal {
    UNKNOWN(404, "No such request in this realm."),
    OWN_REQUEST(403, "You cannot decide your own request."),
    NOT_APPROVER(403, "Only members of the policy's approver group decide requests."),
    ALREADY_DECIDED(409, "The request has already been decided."),
    TIMED_OUT(409, "The request has timed out: it can no longer be decided.");

    private final int httpStatus;
    private final String text;

    Refusal(int httpStatus, String text) {
      this.httpStatus = httpStatus;
      this.text = text;
    }

    public int httpStatus() {
      return httpStatus;
    }

    public String text() {
      return text;
    }
  }

  /** What happens to a request. */
  public sealed interface Outcome
      permits Approved, Rejected, TimedOut, Override, StillPending, Refused {}

  /** Becomes ACTIVE now; the clock starts at the approval. */
  public record Approved(long activatedAt, long expiresAt) implements Outcome {}

  /** Rejected by an approver. */
  public record Rejected() implements Outcome {}

  /** Nobody answered: REJECTED with {@link EndReason#APPROVAL_TIMEOUT}. */
  public record TimedOut() implements Outcome {}

  /** Nobody answered and the requester is there: ACTIVE alone, for a capped duration. */
  public record Override(int durationMinutes, long activatedAt, long expiresAt)
      implements Outcome {}

  /** Nothing happens yet; the request waits until {@code until}. */
  public record StillPending(long until) implements Outcome {}

  public record Refused(Refusal refusal) implements Outcome {}

  /** When an unanswered request times out. */
  public static long timesOutAt(Request request, ApprovalPolicy policy) {
    return request.requestedAt() + policy.timeoutMillis();
  }

  /**
   * An approver's approval. {@code request} null: unknown in this realm. {@code deciderIsApprover}:
   * the decider is a member of the policy's approver group.
   */
  public static Outcome approve(
      Request request,
      ApprovalPolicy policy,
      String deciderId,
      boolean deciderIsApprover,
      long now) {
    Refusal refusal = decidable(request, policy, deciderId, deciderIsApprover, now);
    if (refusal != null) {
      return new Refused(refusal);
    }
    return new Approved(now, now + request.durationMinutes() * 60_000L);
  }

  /** An approver's rejection: refused on the same grounds as an approval. */
  public static Outcome reject(
      Request request,
      ApprovalPolicy policy,
      String deciderId,
      boolean deciderIsApprover,
      long now) {
    Refusal refusal = decidable(request, policy, deciderId, deciderIsApprover, now);
    return refusal != null ? new Refused(refusal) : new Rejected();
  }

  /**
   * What the timeout does to a request. {@code requesterWaiting}: the requester is on the waiting
   * page right now, the only place an override may happen. Without them, a {@code self-activate}
   * request is kept for {@code graceMillis} after its timeout (they may come back for the fallback)
   * and then times out like a {@code deny} one.
   */
  public static Outcome onTimeout(
      Request request,
      ApprovalPolicy policy,
      boolean requesterWaiting,
      long graceMillis,
      long now) {
    if (request == null) {
      return new Refused(Refusal.UNKNOWN);
    }
    if (request.status() != GrantStatus.PENDING) {
      return new Refused(Refusal.ALREADY_DECIDED);
    }
    long timeout = timesOutAt(request, policy);
    if (now < timeout) {
      return new StillPending(timeout);
    }
    if (policy.fallback() == ApprovalPolicy.NoApproverFallback.DENY) {
      return new TimedOut();
    }
    if (requesterWaiting) {
      int minutes =
          Math.max(1, Math.min(request.durationMinutes(), policy.fallbackMaxDurationMinutes()));
      return new Override(minutes, now, now + minutes * 60_000L);
    }
    long graceEnds = timeout + Math.max(0, graceMillis);
    return now < graceEnds ? new StillPending(graceEnds) : new TimedOut();
  }

  private static Refusal decidable(
      Request request,
      ApprovalPolicy policy,
      String deciderId,
      boolean deciderIsApprover,
      long now) {
    if (request == null) {
      return Refusal.UNKNOWN;
    }
    // Who may decide is checked before the state: a non-approver learns nothing about a request.
    if (request.requesterId().equals(deciderId)) {
      return Refusal.OWN_REQUEST;
    }
    if (!deciderIsApprover) {
      return Refusal.NOT_APPROVER;
    }
    if (request.status() != GrantStatus.PENDING) {
      return Refusal.ALREADY_DECIDED;
    }
    if (now >= timesOutAt(request, policy)) {
      return Refusal.TIMED_OUT;
    }
    return null;
  }
}
