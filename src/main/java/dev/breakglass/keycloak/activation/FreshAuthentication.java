package dev.breakglass.keycloak.activation;

import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.domain.FreshFactors;
import dev.breakglass.keycloak.grant.Eligibility;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.DbClock;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.credential.CredentialInput;
import org.keycloak.credential.CredentialModel;
import org.keycloak.events.Errors;
import org.keycloak.events.EventType;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserCredentialModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.OTPCredentialModel;
import org.keycloak.models.utils.FormMessage;
import org.keycloak.services.managers.BruteForceProtector;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.sessions.CommonClientSessionModel;

/**
 * Invariant 8: activation needs the password and (when the policy requires it) a second factor
 * entered in this very authentication session, never an SSO cookie alone, whichever way the user
 * arrived (the dedicated flow, or {@code kc_action=break-glass-activate} from any client).
 *
 * <p>What the flow verified is read from the authentication session's execution statuses (which
 * authenticators succeeded in it); whatever is missing the activation action asks for itself on a
 * step-up page (password and/or one-time code), checked with the user's credential manager, so a
 * reused code is refused when the realm's OTP policy says codes are single-use. At most {@link
 * #MAX_FAILURES} wrong attempts per authentication session; each is audited (BREAK_GLASS_DENIED)
 * and counted by Keycloak's brute-force protection when the realm has it on. The step-up never
 * enrols a factor: a user without one is refused at the gate.
 */
public final class FreshAuthentication {

  public static final String STEPUP_TEMPLATE = "break-glass-stepup.ftl";

  /** Hidden field that marks a post as the step-up page's. */
  public static final String FIELD_STAGE = "breakGlassStage";

  public static final String STAGE_STEPUP = "stepup";
  public static final String FIELD_PASSWORD = "password";
  public static final String FIELD_OTP = "otp";

  /** Wrong step-up attempts allowed per authentication session. */
  public static final int MAX_FAILURES = 3;

  /** The {@code acr} of an emergency session's tokens, mapped to {@link #EMERGENCY_LOA}. */
  public static final String EMERGENCY_ACR = "break-glass";

  /** Level of authentication set on activation; the realm's {@code acr.loa.map} names it. */
  public static final int EMERGENCY_LOA = 3;

  public static final String ERROR_WRONG_PASSWORD = "break_glass_stepup_wrong_password";
  public static final String ERROR_WRONG_OTP = "break_glass_stepup_wrong_otp";
  public static final String ERROR_MALFORMED = "break_glass_stepup_malformed";
  public static final String ERROR_LOCKED = "break_glass_stepup_locked";
  public static final String ERROR_MISSING = "break_glass_fresh_auth_missing";
  public static final String ERROR_USE_DEDICATED_FLOW = "break_glass_use_dedicated_flow";

  private static final String NOTE_PASSWORD = "break-glass.fresh.password";
  private static final String NOTE_OTP = "break-glass.fresh.otp";
  private static final String NOTE_AT = "break-glass.fresh.at";
  private static final String NOTE_FAILURES = "break-glass.fresh.failures";

  private static final int MAX_PASSWORD_LENGTH = 1024;
  private static final Pattern OTP_SHAPE = Pattern.compile("[0-9]{6,10}");

  private static final Logger LOG = Logger.getLogger(FreshAuthentication.class);

  private FreshAuthentication() {}

  /**
   * The fresh authentication of the current authentication session, or null when the password (and
   * the second factor the policy requires) were not entered in it. For code that stores it, such as
   * a PENDING request waiting for approval.
   */
  public static GrantService.Authentication verified(RequiredActionContext context) {
    RealmPolicies.Loaded loaded = RealmPolicies.load(context.getSession(), context.getRealm());
    if (!loaded.isValid()) {
      return null;
    }
    return authentication(context, loaded.policy());
  }

  /**
   * For {@code requiredActionChallenge}: true when the activation form may be shown; otherwise the
   * step-up page (or a refusal) is shown and false returned.
   */
  public static boolean challenge(RequiredActionContext context, BreakGlassPolicy policy) {
    if (authentication(context, policy) != null) {
      return true;
    }
    if (!refusedAfterTooManyFailures(context)) {
      showStepUp(context, policy, List.of(), null);
    }
    return false;
  }

  /**
   * For {@code processAction}: true when the post may go on to the activation. A step-up post is
   * handled here (and {@code showForm} renders the activation form once it succeeds); any other
   * post without a fresh authentication is a forgery: refused, recorded, never a grant.
   */
  public static boolean process(
      RequiredActionContext context, BreakGlassPolicy policy, Runnable showForm) {
    MultivaluedMap<String, String> params = context.getHttpRequest().getDecodedFormParameters();
    boolean stepUpPost = STAGE_STEPUP.equals(params.getFirst(FIELD_STAGE));
    if (!stepUpPost) {
      if (authentication(context, policy) != null) {
        return true;
      }
      if (refusedAfterTooManyFailures(context)) {
        return false;
      }
      deny(context, "fresh_authentication_missing", ERROR_MISSING, ERROR_MISSING);
      showStepUp(context, policy, List.of(), "breakGlassStepUpRequired");
      return false;
    }
    if (authentication(context, policy) != null) {
      showForm.run();
      return false;
    }
    stepUp(context, policy, params, showForm);
    return false;
  }

  /** Marks the session as an emergency one: its tokens carry {@link #EMERGENCY_ACR}. */
  public static void markEmergency(AuthenticationSessionModel authSession) {
    authSession.setAuthNote(Constants.LEVEL_OF_AUTHENTICATION, Integer.toString(EMERGENCY_LOA));
  }

  private static void stepUp(
      RequiredActionContext context,
      BreakGlassPolicy policy,
      MultivaluedMap<String, String> params,
      Runnable showForm) {
    AuthenticationSessionModel authSession = context.getAuthenticationSession();
    UserModel user = context.getUser();
    FreshFactors.Plan plan = plan(context, policy);
    if (plan.refused()) {
      showStepUp(context, policy, List.of(), null);
      return;
    }
    if (refusedAfterTooManyFailures(context)) {
      return;
    }
    BruteForceProtector protector = context.getSession().getProvider(BruteForceProtector.class);
    RealmModel realm = context.getRealm();
    if (realm.isBruteForceProtected()
        && protector != null
        && (protector.isTemporarilyDisabled(context.getSession(), realm, user)
            || protector.isPermanentlyLockedOut(context.getSession(), realm, user))) {
      deny(context, "user_locked_out", Errors.USER_TEMPORARILY_DISABLED, ERROR_LOCKED);
      refusalPage(context, "breakGlassStepUpLocked");
      return;
    }

    String password = params.getFirst(FIELD_PASSWORD);
    String otp = params.getFirst(FIELD_OTP);
    List<FormMessage> missing = new ArrayList<>();
    if (plan.askPassword() && isBlank(password)) {
      missing.add(new FormMessage(FIELD_PASSWORD, "breakGlassStepUpPasswordMissing"));
    }
    if (plan.askOtp() && isBlank(otp)) {
      missing.add(new FormMessage(FIELD_OTP, "breakGlassStepUpOtpMissing"));
    }
    if (!missing.isEmpty()) {
      showStepUp(context, policy, missing, null);
      return;
    }
    // Oversized or misshapen values are checked against nothing: a failed attempt all the same.
    if ((plan.askPassword() && password.length() > MAX_PASSWORD_LENGTH)
        || (plan.askOtp() && !OTP_SHAPE.matcher(otp.trim()).matches())) {
      fail(context, policy, "stepup_malformed", ERROR_MALFORMED, protector);
      return;
    }
    if (plan.askPassword()) {
      if (!user.credentialManager().isValid(UserCredentialModel.password(password))) {
        fail(context, policy, "stepup_wrong_password", ERROR_WRONG_PASSWORD, protector);
        return;
      }
      authSession.setAuthNote(NOTE_PASSWORD, "true");
    }
    if (plan.askOtp()) {
      if (!validOtp(user, otp.trim())) {
        fail(context, policy, "stepup_wrong_otp", ERROR_WRONG_OTP, protector);
        return;
      }
      authSession.setAuthNote(NOTE_OTP, "true");
    }
    if (realm.isBruteForceProtected() && protector != null) {
      protector.successfulLogin(realm, user, context.getConnection(), context.getUriInfo(), null);
    }
    if (authentication(context, policy) == null) {
      showStepUp(context, policy, List.of(), null);
      return;
    }
    showForm.run();
  }

  /** After {@link #MAX_FAILURES} wrong attempts this authentication session is refused for good. */
  private static boolean refusedAfterTooManyFailures(RequiredActionContext context) {
    if (failures(context.getAuthenticationSession()) < MAX_FAILURES) {
      return false;
    }
    deny(context, "stepup_attempts_exhausted", ERROR_LOCKED, ERROR_LOCKED);
    refusalPage(context, "breakGlassStepUpLocked");
    return true;
  }

  /** Any of the user's OTP credentials; Keycloak's provider refuses a code already used. */
  private static boolean validOtp(UserModel user, String code) {
    for (CredentialModel credential :
        user.credentialManager()
            .getStoredCredentialsByTypeStream(OTPCredentialModel.TYPE)
            .toList()) {
      CredentialInput input =
          new UserCredentialModel(credential.getId(), OTPCredentialModel.TYPE, code);
      if (user.credentialManager().isValid(input)) {
        return true;
      }
    }
    return false;
  }

  private static void fail(
      RequiredActionContext context,
      BreakGlassPolicy policy,
      String why,
      String error,
      BruteForceProtector protector) {
    AuthenticationSessionModel authSession = context.getAuthenticationSession();
    int failures = failures(authSession) + 1;
    authSession.setAuthNote(NOTE_FAILURES, Integer.toString(failures));
    deny(context, why, Errors.INVALID_USER_CREDENTIALS, error);
    RealmModel realm = context.getRealm();
    if (realm.isBruteForceProtected() && protector != null) {
      protector.failedLogin(
          realm, context.getUser(), context.getConnection(), context.getUriInfo(), null);
    }
    if (failures >= MAX_FAILURES) {
      refusalPage(context, "breakGlassStepUpLocked");
      return;
    }
    String message =
        ERROR_WRONG_OTP.equals(error) ? "breakGlassStepUpWrongOtp" : "breakGlassStepUpWrong";
    showStepUp(context, policy, List.of(), message);
  }

  private static GrantService.Authentication authentication(
      RequiredActionContext context, BreakGlassPolicy policy) {
    FreshFactors factors = factors(context);
    if (!factors.satisfies(policy.requireSecondFactor())) {
      return null;
    }
    AuthenticationSessionModel authSession = context.getAuthenticationSession();
    String at = authSession.getAuthNote(NOTE_AT);
    long when;
    if (at == null) {
      when = DbClock.nowMillis(context.getSession());
      authSession.setAuthNote(NOTE_AT, Long.toString(when));
    } else {
      when = Long.parseLong(at);
    }
    return new GrantService.Authentication(factors.method(), when);
  }

  /** Factors entered in this authentication session: by the flow's authenticators, or here. */
  private static FreshFactors factors(RequiredActionContext context) {
    AuthenticationSessionModel authSession = context.getAuthenticationSession();
    RealmModel realm = context.getRealm();
    List<String> succeeded = new ArrayList<>();
    for (Map.Entry<String, CommonClientSessionModel.ExecutionStatus> status :
        authSession.getExecutionStatus().entrySet()) {
      if (status.getValue() != CommonClientSessionModel.ExecutionStatus.SUCCESS) {
        continue;
      }
      AuthenticationExecutionModel execution =
          realm.getAuthenticationExecutionById(status.getKey());
      if (execution != null && execution.getAuthenticator() != null) {
        succeeded.add(execution.getAuthenticator());
      }
    }
    FreshFactors stepUp =
        new FreshFactors(
            "true".equals(authSession.getAuthNote(NOTE_PASSWORD)),
            "true".equals(authSession.getAuthNote(NOTE_OTP)),
            false);
    return FreshFactors.fromAuthenticators(succeeded).with(stepUp);
  }

  private static FreshFactors.Plan plan(RequiredActionContext context, BreakGlassPolicy policy) {
    UserModel user = context.getUser();
    return factors(context)
        .plan(
            policy.requireSecondFactor(),
            Eligibility.hasOtp(user),
            Eligibility.hasSecurityKey(user));
  }

  private static void showStepUp(
      RequiredActionContext context,
      BreakGlassPolicy policy,
      List<FormMessage> fieldErrors,
      String message) {
    FreshFactors.Plan plan = plan(context, policy);
    if (plan.refused()) {
      boolean keyOnly = FreshFactors.Plan.USE_DEDICATED_FLOW.equals(plan);
      deny(
          context,
          plan.refusal(),
          keyOnly ? ERROR_USE_DEDICATED_FLOW : "break_glass_no_second_factor",
          keyOnly ? ERROR_USE_DEDICATED_FLOW : "break_glass_no_second_factor");
      refusalPage(context, keyOnly ? "breakGlassUseDedicatedFlow" : "breakGlassNoSecondFactor");
      return;
    }
    LoginFormsProvider form = context.form();
    for (FormMessage error : fieldErrors) {
      form.addError(error);
    }
    if (message != null) {
      form.setError(message);
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("askPassword", plan.askPassword());
    model.put("askOtp", plan.askOtp());
    model.put("attemptsLeft", MAX_FAILURES - failures(context.getAuthenticationSession()));
    model.put("stage", STAGE_STEPUP);
    context.challenge(form.setAttribute("breakGlassStepUp", model).createForm(STEPUP_TEMPLATE));
  }

  private static void refusalPage(RequiredActionContext context, String messageKey) {
    Response page =
        context
            .form()
            .setError(messageKey)
            .setStatus(Response.Status.FORBIDDEN)
            .createForm(BreakGlassIds.DENIED_TEMPLATE);
    context.challenge(page);
  }

  /** A BREAK_GLASS_DENIED record and Keycloak's own error event, in this transaction. */
  private static void deny(
      RequiredActionContext context, String why, String eventError, String code) {
    KeycloakSession session = context.getSession();
    RealmModel realm = context.getRealm();
    UserModel user = context.getUser();
    String clientId = context.getAuthenticationSession().getClient().getClientId();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("why", why);
    details.put("step", "fresh_authentication");
    details.put("clientId", clientId);
    details.put("ipAddress", context.getConnection().getRemoteAddr());
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_DENIED,
        new AuditTrail.Subject(null, user.getId(), user.getUsername()),
        details);
    context
        .getEvent()
        .clone()
        .event(EventType.CUSTOM_REQUIRED_ACTION_ERROR)
        .detail("break_glass", AuditEventType.BREAK_GLASS_DENIED.name())
        .detail("break_glass_error", code)
        .error(eventError);
    LOG.debugf("Break-glass fresh authentication refused in realm %s: %s", realm.getName(), why);
  }

  private static int failures(AuthenticationSessionModel authSession) {
    String note = authSession.getAuthNote(NOTE_FAILURES);
    try {
      return note == null ? 0 : Integer.parseInt(note);
    } catch (NumberFormatException e) {
      return MAX_FAILURES;
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
