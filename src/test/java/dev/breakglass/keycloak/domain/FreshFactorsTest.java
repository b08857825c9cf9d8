package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FreshFactorsTest {

  @Test
  void aCookieAloneIsNoFreshFactor() {
    FreshFactors factors =
        FreshFactors.fromAuthenticators(List.of("auth-cookie", "break-glass-authenticator"));
    assertEquals(FreshFactors.NONE, factors);
    assertFalse(factors.satisfies(true));
    assertFalse(factors.satisfies(false));
    assertEquals("", factors.method());
  }

  @Test
  void passwordFormAndOtpFormMakePasswordPlusOtp() {
    FreshFactors factors =
        FreshFactors.fromAuthenticators(
            List.of("auth-username-password-form", "conditional-user-configured", "auth-otp-form"));
    assertTrue(factors.satisfies(true));
    assertEquals("password+otp", factors.method());
  }

  @Test
  void securityKeyCountsAsSecondFactor() {
    FreshFactors factors =
        FreshFactors.fromAuthenticators(List.of("auth-password-form", "webauthn-authenticator"));
    assertTrue(factors.satisfies(true));
    assertEquals("password+webauthn", factors.method());
  }

  @Test
  void passwordAloneSatisfiesOnlyWithoutTheSecondFactorRule() {
    FreshFactors factors = FreshFactors.fromAuthenticators(List.of("auth-username-password-form"));
    assertFalse(factors.satisfies(true));
    assertTrue(factors.satisfies(false));
    assertEquals("password", factors.method());
  }

  @Test
  void aSecondFactorWithoutThePasswordNeverSatisfies() {
    FreshFactors otpOnly = FreshFactors.fromAuthenticators(List.of("auth-cookie", "auth-otp-form"));
    assertFalse(otpOnly.satisfies(true));
    assertFalse(otpOnly.satisfies(false));
  }

  @Test
  void stepUpPlanAsksForWhatIsMissing() {
    assertEquals(
        new FreshFactors.Plan(true, true, null), FreshFactors.NONE.plan(true, true, false));
    assertEquals(
        new FreshFactors.Plan(true, false, null),
        new FreshFactors(false, true, false).plan(true, true, false));
    assertEquals(
        new FreshFactors.Plan(false, true, null),
        new FreshFactors(true, false, false).plan(true, true, false));
    assertEquals(
        new FreshFactors.Plan(true, false, null), FreshFactors.NONE.plan(false, true, false));
    assertTrue(new FreshFactors(true, true, false).plan(true, true, false).done());
    assertTrue(new FreshFactors(true, false, true).plan(true, false, true).done());
  }

  @Test
  void stepUpNeverOffersEnrolmentOrASecurityKey() {
    FreshFactors.Plan none = FreshFactors.NONE.plan(true, false, false);
    assertTrue(none.refused());
    assertEquals("no_second_factor", none.refusal());
    FreshFactors.Plan keyOnly = new FreshFactors(true, false, false).plan(true, false, true);
    assertTrue(keyOnly.refused());
    assertEquals("use_dedicated_flow", keyOnly.refusal());
    // Without the second-factor rule a user without any second factor still steps up by password.
    assertEquals(
        new FreshFactors.Plan(true, false, null), FreshFactors.NONE.plan(false, false, false));
  }

  @Test
  void withCombinesFlowAndStepUp() {
    FreshFactors flow = new FreshFactors(false, true, false);
    FreshFactors stepUp = new FreshFactors(true, false, false);
    assertEquals("password+otp", flow.with(stepUp).method());
  }
}
