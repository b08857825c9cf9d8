package dev.breakglass.keycloak.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Which credentials the user entered in the current authentication (this very flow, not an earlier
 * session): the password, a one-time code, a security key. Decides what a step-up still has to ask
 * for and names the method recorded on the grant ({@code password+otp}, {@code password+webauthn},
 * {@code password}).
 */
public record FreshFactors(boolean password, boolean otp, boolean webauthn) {

  /** Keycloak authenticators that check the password. */
  public static final Set<String> PASSWORD_AUTHENTICATORS =
      Set.of("auth-username-password-form", "auth-password-form");

  /** Keycloak authenticators that check a one-time code of the user's OTP credential. */
  public static final Set<String> OTP_AUTHENTICATORS =
      Set.of("auth-otp-form", "auth-conditional-otp-form");

  /** Keycloak's second-factor security-key authenticator (not the passwordless one). */
  public static final Set<String> WEBAUTHN_AUTHENTICATORS = Set.of("webauthn-authenticator");

  public static final FreshFactors NONE = new FreshFactors(false, false, false);

  /** The factors behind the authenticators that succeeded in this authentication session. */
  public static FreshFactors fromAuthenticators(Collection<String> succeeded) {
    boolean password = false;
    boolean otp = false;
    boolean webauthn = false;
    for (String id : succeeded) {
      password |= PASSWORD_AUTHENTICATORS.contains(id);
      otp |= OTP_AUTHENTICATORS.contains(id);
      webauthn |= WEBAUTHN_AUTHENTICATORS.contains(id);
    }
    return new FreshFactors(password, otp, webauthn);
  }

  public FreshFactors with(FreshFactors more) {
    return new FreshFactors(password || more.password, otp || more.otp, webauthn || more.webauthn);
  }

  public boolean secondFactor() {
    return otp || webauthn;
  }

  /** Enough for activation: always the password, and a second factor when the policy says so. */
  public boolean satisfies(boolean requireSecondFactor) {
    return password && (!requireSecondFactor || secondFactor());
  }

  /** The method recorded on the grant, e.g. {@code password+otp}; "" when nothing was entered. */
  public String method() {
    List<String> parts = new ArrayList<>();
    if (password) {
      parts.add("password");
    }
    if (otp) {
      parts.add("otp");
    }
    if (webauthn) {
      parts.add("webauthn");
    }
    return String.join("+", parts);
  }

  /**
   * What the step-up page has to ask for. It can ask for the password and a one-time code, never
   * for a security key (that needs the dedicated flow's WebAuthn step), and it never lets anyone
   * enrol a factor: a user whose only second factor is a security key, or who has none, cannot be
   * stepped up here.
   */
  public Plan plan(boolean requireSecondFactor, boolean hasOtp, boolean hasWebauthn) {
    if (satisfies(requireSecondFactor)) {
      return Plan.DONE;
    }
    boolean askOtp = requireSecondFactor && !secondFactor();
    if (askOtp && !hasOtp) {
      return hasWebauthn ? Plan.USE_DEDICATED_FLOW : Plan.NO_SECOND_FACTOR;
    }
    return new Plan(!password, askOtp, null);
  }

  /**
   * The step-up's plan: the fields to show, or why it cannot be done here ({@code refusal}, one of
   * {@link #NO_SECOND_FACTOR} or {@link #USE_DEDICATED_FLOW}).
   */
  public record Plan(boolean askPassword, boolean askOtp, String refusal) {
    public static final Plan DONE = new Plan(false, false, null);
    public static final Plan NO_SECOND_FACTOR = new Plan(false, false, "no_second_factor");
    public static final Plan USE_DEDICATED_FLOW = new Plan(false, false, "use_dedicated_flow");

    public boolean done() {
      return refusal == null && !askPassword && !askOtp;
    }

    public boolean refused() {
      return refusal != null;
    }
  }
}
