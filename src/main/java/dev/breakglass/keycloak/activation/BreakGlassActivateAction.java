package dev.breakglass.keycloak.activation;

import dev.breakglass.keycloak.domain.ActivationInput;
import dev.breakglass.keycloak.domain.ActivationValidator;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.domain.FieldError;
import dev.breakglass.keycloak.domain.HumanTime;
import dev.breakglass.keycloak.domain.Ineligibility;
import dev.breakglass.keycloak.drill.DrillService;
import dev.breakglass.keycloak.grant.Eligibility;
import dev.breakglass.keycloak.grant.GrantLimits;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.DrillEntity;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.keycloak.authentication.InitiatedActionSupport;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.events.EventType;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.FormMessage;

/**
 * The activation form: reason, ticket, roles and duration. On a valid submission it creates the
 * grant (see {@link GrantService#activate}); on any error it shows the form again with the message
 * next to the field and what the responder typed. With {@code ticketCheck=http} the incident is
 * checked first and shown for confirmation ({@link IncidentCheck}). Also usable as an
 * application-initiated action ({@code kc_action=break-glass-activate}), where it checks
 * eligibility itself.
 */
public class BreakGlassActivateAction implements RequiredActionProvider {

  public static final String TEMPLATE = "break-glass-activate.ftl";
  public static final String EVENT_DETAIL_GRANT_ID = "break_glass_grant_id";
  public static final String ERROR_INVALID_INPUT = "break_glass_invalid_input";
  public static final String ERROR_ALREADY_ACTIVE = "break_glass_already_active";

  private static final Logger LOG = Logger.getLogger(BreakGlassActivateAction.class);

  @Override
  public InitiatedActionSupport initiatedActionSupport() {
    return InitiatedActionSupport.SUPPORTED;
  }

  @Override
  public void evaluateTriggers(RequiredActionContext context) {
    // Added per login by the gate, never standing on the user.
  }

  @Override
  public void requiredActionChallenge(RequiredActionContext context) {
    BreakGlassPolicy policy = admissiblePolicy(context);
    // Fresh authentication first, then a login waiting for approval goes on waiting.
    if (policy == null
        || !FreshAuthentication.challenge(context, policy)
        || ApprovalWait.resume(context, policy)) {
      return;
    }
    LoginFormsProvider form = context.form();
    GrantService.findActive(context.getSession(), context.getRealm(), context.getUser().getId())
        .ifPresent(
            active ->
                form.setError(
                    "breakGlassAlreadyActive", shownTime(context, active.getExpiresAt())));
    context.challenge(render(context, form, policy, blankInput(context, policy), null));
  }

  @Override
  public void processAction(RequiredActionContext context) {
    BreakGlassPolicy policy = admissiblePolicy(context);
    // A login waiting for approval re-asks here too (its page's refresh goes to the action URL).
    if (policy == null
        || !FreshAuthentication.process(context, policy, () -> requiredActionChallenge(context))
        || ApprovalWait.resume(context, policy)) {
      return;
    }
    MultivaluedMap<String, String> params = context.getHttpRequest().getDecodedFormParameters();
    ActivationInput input =
        new ActivationInput(
            params.getFirst(ActivationValidator.FIELD_REASON),
            params.getFirst(ActivationValidator.FIELD_TICKET),
            params.get(ActivationValidator.FIELD_ROLES),
            params.getFirst(ActivationValidator.FIELD_DURATION));

    ActivationValidator.Result result = ActivationValidator.validate(policy, input);
    if (!result.isValid()) {
      IncidentCheck.forget(context);
      refuse(context, policy, input, result.errors(), ERROR_INVALID_INPUT);
      return;
    }
    // The incident must be open (ticketCheck): before anything is granted or requested.
    IncidentCheck.Verdict verdict =
        IncidentCheck.decide(
            context, result.request().ticket(), params.getFirst(IncidentCheck.FIELD_CONFIRM));
    if (verdict instanceof IncidentCheck.Refuse refusal) {
      refuse(
          context,
          policy,
          input,
          List.of(new FieldError(ActivationValidator.FIELD_TICKET, refusal.messageKey())),
          refusal.error());
      return;
    }
    if (verdict instanceof IncidentCheck.Confirm confirm) {
      context.challenge(render(context, context.form(), policy, input, confirm));
      return;
    }
    Map<String, Object> ticketDetails = ((IncidentCheck.Proceed) verdict).details();

    GrantEntity grant;
    Optional<DrillEntity> drill =
        DrillService.scheduledFor(
            context.getSession(), context.getRealm(), context.getUser().getId());
    try {
      if (policy.approval().required()) {
        ApprovalWait.request(
            context,
            policy,
            result.request(),
            drill.isPresent(),
            new GrantService.Origin(clientId(context), context.getConnection().getRemoteAddr()),
            FreshAuthentication.verified(context));
        return;
      }
      grant =
          GrantService.activate(
              context.getSession(),
              context.getRealm(),
              context.getUser(),
              result.request(),
              drill.isPresent(),
              new GrantService.Origin(clientId(context), context.getConnection().getRemoteAddr()),
              FreshAuthentication.verified(context),
              ticketDetails.isEmpty() ? null : ticketDetails);
    } catch (GrantService.AlreadyActiveException e) {
      context
          .form()
          .setError("breakGlassAlreadyActive", shownTime(context, e.active().getExpiresAt()));
      refuse(context, policy, input, List.of(), ERROR_ALREADY_ACTIVE);
      return;
    } catch (GrantLimits.LimitReachedException e) {
      LimitRefusal.show(context, e.refusal());
      return;
    } catch (GrantService.RoleUnavailableException e) {
      LOG.warnf(
          "Break-glass activation in realm %s refused: %s",
          context.getRealm().getName(), e.getMessage());
      refuse(
          context,
          policy,
          input,
          List.of(new FieldError(ActivationValidator.FIELD_ROLES, "breakGlassRoleUnavailable")),
          ERROR_INVALID_INPUT);
      return;
    }

    if (drill.isPresent()) {
      DrillService.started(drill.get(), grant);
    }
    context.getSession().setAttribute(BreakGlassIds.ACTIVATING_GRANT_ATTRIBUTE, grant.getId());
    context.getAuthenticationSession().setAuthNote(BreakGlassIds.ACTIVATED_NOTE, grant.getId());
    FreshAuthentication.markEmergency(context.getAuthenticationSession());
    // Carried by the CUSTOM_REQUIRED_ACTION event Keycloak emits when this action completes.
    context
        .getEvent()
        .detail(EVENT_DETAIL_GRANT_ID, grant.getId())
        .detail("break_glass", AuditEventType.BREAK_GLASS_ACTIVATED.name())
        .detail("break_glass_expires_at", Instant.ofEpochMilli(grant.getExpiresAt()).toString());
    context.success();
  }

  /**
   * The valid policy when this user may activate; otherwise the refusal is shown and null returned.
   */
  private static BreakGlassPolicy admissiblePolicy(RequiredActionContext context) {
    UserModel user = context.getUser();
    Eligibility.Decision decision =
        Eligibility.decide(
            context.getSession(), context.getRealm(), user, Eligibility.Step.ACTIVATION);
    if (decision.eligible()) {
      return decision.policy();
    }
    Ineligibility refusal = decision.refusal();
    Eligibility.recordRefusal(
        context.getSession(),
        context.getRealm(),
        user,
        refusal,
        clientId(context),
        context.getConnection().getRemoteAddr());
    context
        .getEvent()
        .clone()
        .event(EventType.CUSTOM_REQUIRED_ACTION_ERROR)
        .detail("break_glass", AuditEventType.BREAK_GLASS_DENIED.name())
        .error(refusal.error());
    Response page =
        context
            .form()
            .setError(refusal.messageKey())
            .setStatus(Response.Status.FORBIDDEN)
            .createForm(BreakGlassIds.DENIED_TEMPLATE);
    context.challenge(page);
    return null;
  }

  private static void refuse(
      RequiredActionContext context,
      BreakGlassPolicy policy,
      ActivationInput input,
      List<FieldError> errors,
      String error) {
    context
        .getEvent()
        .clone()
        .event(EventType.CUSTOM_REQUIRED_ACTION_ERROR)
        .detail("fields", String.join(",", errors.stream().map(FieldError::field).toList()))
        .error(error);
    LoginFormsProvider form = context.form();
    for (FieldError fieldError : errors) {
      form.addError(
          new FormMessage(
              fieldError.field(),
              fieldError.message(),
              messageParameters(policy, fieldError.message())));
    }
    context.challenge(render(context, form, policy, input, null));
  }

  private static Object[] messageParameters(BreakGlassPolicy policy, String messageKey) {
    return switch (messageKey) {
      case "breakGlassReasonTooShort" -> new Object[] {policy.minReasonLength()};
      case "breakGlassDurationTooLong" -> new Object[] {policy.maxDurationMinutes()};
      case "breakGlassDurationRequired" -> new Object[] {policy.defaultDurationMinutes()};
      case "breakGlassTicketInvalid" -> new Object[] {policy.ticketExample()};
      default -> new Object[0];
    };
  }

  /**
   * The form before anything was typed: the default duration, and the role ticked when it is the
   * only one offered (a choice of one is no choice; the server still checks the allow-list).
   */
  private static ActivationInput blankInput(
      RequiredActionContext context, BreakGlassPolicy policy) {
    List<String> offered =
        policy.grantableRoles().stream()
            .filter(name -> RealmPolicies.resolveRole(context.getRealm(), name) != null)
            .toList();
    return new ActivationInput(
        "",
        "",
        offered.size() == 1 ? offered : List.of(),
        Integer.toString(policy.defaultDurationMinutes()));
  }

  /** A moment as the responder reads it: in the page's language, to the minute, in UTC. */
  private static String shownTime(RequiredActionContext context, Long epochMillis) {
    return HumanTime.format(
        epochMillis, context.getSession().getContext().resolveLocale(context.getUser()));
  }

  /** The form's model; FreeMarker escapes every value, so typed text is echoed safely. */
  private static Response render(
      RequiredActionContext context,
      LoginFormsProvider form,
      BreakGlassPolicy policy,
      ActivationInput input,
      IncidentCheck.Confirm incident) {
    List<Map<String, Object>> roles = new ArrayList<>();
    for (String name : policy.grantableRoles()) {
      RoleModel role = RealmPolicies.resolveRole(context.getRealm(), name);
      if (role == null) {
        continue;
      }
      Map<String, Object> option = new LinkedHashMap<>();
      option.put("name", name);
      option.put("description", role.getDescription() == null ? "" : role.getDescription());
      option.put("selected", input.roles().contains(name));
      roles.add(option);
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("roles", roles);
    model.put("reason", nullToEmpty(input.reason()));
    model.put("ticket", nullToEmpty(input.ticket()));
    model.put("duration", nullToEmpty(input.duration()));
    model.put("maxDuration", policy.maxDurationMinutes());
    model.put("defaultDuration", policy.defaultDurationMinutes());
    model.put("ticketExample", policy.ticketExample());
    model.put("minReasonLength", policy.minReasonLength());
    if (incident != null) {
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("ticket", incident.ticket());
      shown.put("title", incident.title() == null ? "" : incident.title());
      model.put("incident", shown);
    }
    model.put(
        "drill",
        DrillService.scheduledFor(
                context.getSession(), context.getRealm(), context.getUser().getId())
            .isPresent());
    return form.setAttribute("breakGlass", model).createForm(TEMPLATE);
  }

  private static String clientId(RequiredActionContext context) {
    return context.getAuthenticationSession().getClient().getClientId();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  @Override
  public void close() {}
}
