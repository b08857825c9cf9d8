package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.breakglass.keycloak.domain.ApprovalPolicy.NoApproverFallback;
import dev.breakglass.keycloak.domain.RequestTransitions.Outcome;
import dev.breakglass.keycloak.domain.RequestTransitions.Refusal;
import dev.breakglass.keycloak.domain.RequestTransitions.Request;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RequestTransitionsTest {

  private static final long T0 = 1_800_000_000_000L;
  private static final ApprovalPolicy DENY =
      new ApprovalPolicy(true, 15, NoApproverFallback.DENY, 30);
  private static final ApprovalPolicy SELF =
      new ApprovalPolicy(true, 15, NoApproverFallback.SELF_ACTIVATE, 30);

  private static Request pending(int minutes) {
    return new Request(GrantStatus.PENDING, "requester", T0, minutes);
  }

  @Test
  void anApproverApprovesBeforeTheTimeoutAndTheClockStartsAtApproval() {
    long now = T0 + 5 * 60_000L;
    Outcome outcome = RequestTransitions.approve(pending(20), DENY, "approver", true, now);
    RequestTransitions.Approved approved =
        assertInstanceOf(RequestTransitions.Approved.class, outcome);
    assertEquals(now, approved.activatedAt());
    assertEquals(now + 20 * 60_000L, approved.expiresAt());
  }

  @Test
  void anApproverRejects() {
    assertInstanceOf(
        RequestTransitions.Rejected.class,
        RequestTransitions.reject(pending(20), DENY, "approver", true, T0 + 1));
  }

  @Test
  void theRequesterNeverDecidesTheirOwnRequestEvenAsAnApprover() {
    assertRefused(
        Refusal.OWN_REQUEST, RequestTransitions.approve(pending(20), DENY, "requester", true, T0));
    assertRefused(
        Refusal.OWN_REQUEST, RequestTransitions.reject(pending(20), DENY, "requester", true, T0));
  }

  @Test
  void aNonApproverIsRefused() {
    assertRefused(
        Refusal.NOT_APPROVER, RequestTransitions.approve(pending(20), DENY, "alice", false, T0));
    assertRefused(
        Refusal.NOT_APPROVER, RequestTransitions.reject(pending(20), DENY, "alice", false, T0));
  }

  @Test
  void aDecidedRequestIsNotDecidedAgain() {
    for (GrantStatus status :
        new GrantStatus[] {
          GrantStatus.ACTIVE, GrantStatus.REJECTED, GrantStatus.ENDED, GrantStatus.CLOSED
        }) {
      Request decided = new Request(status, "requester", T0, 20);
      assertRefused(
          Refusal.ALREADY_DECIDED, RequestTransitions.approve(decided, DENY, "approver", true, T0));
      assertRefused(
          Refusal.ALREADY_DECIDED, RequestTransitions.reject(decided, DENY, "approver", true, T0));
      assertRefused(
          Refusal.ALREADY_DECIDED, RequestTransitions.onTimeout(decided, SELF, true, 0, T0 + 1));
    }
  }

  @Test
  void aTimedOutRequestCannotBeDecided() {
    long timeout = T0 + 15 * 60_000L;
    assertRefused(
        Refusal.TIMED_OUT,
        RequestTransitions.approve(pending(20), DENY, "approver", true, timeout));
    assertRefused(
        Refusal.TIMED_OUT, RequestTransitions.reject(pending(20), SELF, "approver", true, timeout));
  }

  @Test
  void anUnknownRequestIsRefusedAsUnknown() {
    assertRefused(Refusal.UNKNOWN, RequestTransitions.approve(null, DENY, "approver", true, T0));
    assertRefused(Refusal.UNKNOWN, RequestTransitions.reject(null, DENY, "approver", true, T0));
    assertRefused(Refusal.UNKNOWN, RequestTransitions.onTimeout(null, DENY, true, 0, T0));
  }

  @Test
  void refusalsMapToTheirStatusCodes() {
    assertEquals(404, Refusal.UNKNOWN.httpStatus());
    assertEquals(403, Refusal.OWN_REQUEST.httpStatus());
    assertEquals(403, Refusal.NOT_APPROVER.httpStatus());
    assertEquals(409, Refusal.ALREADY_DECIDED.httpStatus());
    assertEquals(409, Refusal.TIMED_OUT.httpStatus());
  }

  @Test
  void beforeTheTimeoutTheRequestWaits() {
    Outcome outcome = RequestTransitions.onTimeout(pending(20), SELF, true, 0, T0 + 60_000L);
    assertEquals(new RequestTransitions.StillPending(T0 + 15 * 60_000L), outcome);
  }

  @Test
  void denyRejectsAtTheTimeoutWhetherOrNotTheRequesterWaits() {
    long timeout = T0 + 15 * 60_000L;
    assertInstanceOf(
        RequestTransitions.TimedOut.class,
        RequestTransitions.onTimeout(pending(20), DENY, true, 120_000L, timeout));
    assertInstanceOf(
        RequestTransitions.TimedOut.class,
        RequestTransitions.onTimeout(pending(20), DENY, false, 120_000L, timeout));
  }

  @Test
  void selfActivateOverridesForTheWaitingRequesterWithTheDurationCapped() {
    long timeout = T0 + 15 * 60_000L;
    Outcome outcome = RequestTransitions.onTimeout(pending(45), SELF, true, 120_000L, timeout);
    RequestTransitions.Override override =
        assertInstanceOf(RequestTransitions.Override.class, outcome);
    assertEquals(30, override.durationMinutes());
    assertEquals(timeout, override.activatedAt());
    assertEquals(timeout + 30 * 60_000L, override.expiresAt());
    // A shorter request keeps its own duration.
    assertEquals(
        10,
        ((RequestTransitions.Override)
                RequestTransitions.onTimeout(pending(10), SELF, true, 0, timeout))
            .durationMinutes());
  }

  @Test
  void selfActivateWithoutTheRequesterWaitsForTheGraceThenTimesOut() {
    long timeout = T0 + 15 * 60_000L;
    assertEquals(
        new RequestTransitions.StillPending(timeout + 120_000L),
        RequestTransitions.onTimeout(pending(20), SELF, false, 120_000L, timeout + 1));
    assertInstanceOf(
        RequestTransitions.TimedOut.class,
        RequestTransitions.onTimeout(pending(20), SELF, false, 120_000L, timeout + 120_000L));
  }

  /** Whatever the clock, the decider and the fallback: nothing but the table above happens. */
  @Property
  void onlyAnApproverOtherThanTheRequesterBeforeTheTimeoutActivates(
      @ForAll @LongRange(min = -60_000_000L, max = 60_000_000L) long offset,
      @ForAll boolean deciderIsRequester,
      @ForAll boolean deciderIsApprover,
      @ForAll boolean selfActivate,
      @ForAll @IntRange(min = 1, max = 600) int minutes) {
    ApprovalPolicy policy = selfActivate ? SELF : DENY;
    long now = T0 + offset;
    String decider = deciderIsRequester ? "requester" : "approver";
    Outcome outcome =
        RequestTransitions.approve(pending(minutes), policy, decider, deciderIsApprover, now);
    boolean allowed = !deciderIsRequester && deciderIsApprover && now < T0 + 15 * 60_000L;
    assertEquals(allowed, outcome instanceof RequestTransitions.Approved, outcome.toString());
    if (outcome instanceof RequestTransitions.Approved approved) {
      assertEquals(minutes * 60_000L, approved.expiresAt() - approved.activatedAt());
    }
  }

  /**
   * An override never lasts longer than the fallback maximum, and only with the requester there.
   */
  @Property
  void anOverrideIsCappedAndNeedsTheRequester(
      @ForAll @IntRange(min = 1, max = 600) int asked,
      @ForAll @IntRange(min = 1, max = 120) int cap,
      @ForAll boolean waiting,
      @ForAll @LongRange(min = 0, max = 10_000_000L) long late) {
    ApprovalPolicy policy = new ApprovalPolicy(true, 5, NoApproverFallback.SELF_ACTIVATE, cap);
    Outcome outcome =
        RequestTransitions.onTimeout(
            pending(asked), policy, waiting, 120_000L, T0 + 300_000L + late);
    if (outcome instanceof RequestTransitions.Override override) {
      assertTrue(waiting);
      assertEquals(Math.min(asked, cap), override.durationMinutes());
    } else {
      assertTrue(!waiting, outcome.toString());
    }
  }

  private static void assertRefused(Refusal expected, Outcome outcome) {
    assertEquals(new RequestTransitions.Refused(expected), outcome);
  }
}
