package dev.breakglass.keycloak.attestation;

import dev.breakglass.keycloak.audit.AuditChain;
import dev.breakglass.keycloak.domain.AttestationValidator;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.EndReason;
import dev.breakglass.keycloak.domain.FieldError;
import dev.breakglass.keycloak.domain.HumanTime;
import dev.breakglass.keycloak.grant.GrantAttestations;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.grant.GrantView;
import dev.breakglass.keycloak.grant.PossibleHolders;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.keycloak.authentication.InitiatedActionSupport;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.events.EventType;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.Constants;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.FormMessage;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * The attestation form, shown on the holder's next login after a grant ends: the grant's own
 * evidence (reason, ticket, roles, start and end, what was done under it) and three yes/no
 * questions. Each ended grant is attested in turn, oldest first; a "no" is allowed, recorded and
 * alerted.
 */
public class BreakGlassAttestAction implements RequiredActionProvider {

  public static final String TEMPLATE = "break-glass-attest.ftl";
  public static final String FIELD_GRANT_ID = "grantId";
  private static final int MAX_ACTIONS_SHOWN = 50;

  /** Uses, ends and attestations of one grant; the actions shown are among the first of them. */
  private static final int MAX_RECORDS_READ = 1000;

  @Override
  public InitiatedActionSupport initiatedActionSupport() {
    return InitiatedActionSupport.SUPPORTED;
  }

  @Override
  public void evaluateTriggers(RequiredActionContext context) {
    // A backstop for grants that ended while this action was not yet enabled in the realm, or
    // whose holder had the action taken off their account; ordinary users skip the look-up.
    if (PossibleHolders.mayOweUnaskedAttestation(
            context.getSession(), context.getRealm(), context.getUser())
        && !GrantAttestations.awaitingHolder(
                context.getSession(), context.getRealm(), context.getUser().getId())
            .isEmpty()) {
      context.getUser().addRequiredAction(BreakGlassAttestActionFactory.PROVIDER_ID);
    }
  }

  @Override
  public void requiredActionChallenge(RequiredActionContext context) {
    List<GrantEntity> waiting =
        GrantAttestations.awaitingHolder(
            context.getSession(), context.getRealm(), context.getUser().getId());
    if (waiting.isEmpty()) {
      context.success();
      return;
    }
    if (isBreakGlassLogin(context) && !mustAttestBeforeActivating(context)) {
      // A responder on the break-glass path, activating or back for a token of the grant they
      // hold, gets it first; the attestation waits for the next ordinary login.
      context.ignore();
      return;
    }
    context.challenge(render(context, context.form(), waiting.get(0), waiting.size(), Map.of()));
  }

  @Override
  public void processAction(RequiredActionContext context) {
    List<GrantEntity> waiting =
        GrantAttestations.awaitingHolder(
            context.getSession(), context.getRealm(), context.getUser().getId());
    if (waiting.isEmpty()) {
      context.success();
      return;
    }
    MultivaluedMap<String, String> params = context.getHttpRequest().getDecodedFormParameters();
    Map<String, String> values = new LinkedHashMap<>();
    params.forEach((name, list) -> values.put(name, list.isEmpty() ? null : list.get(0)));
    String grantId = values.get(FIELD_GRANT_ID);
    GrantEntity grant =
        grantId == null
            ? null
            : GrantService.find(
                    context.getSession(), context.getRealm(), grantId.length() > 36 ? "-" : grantId)
                .orElse(null);
    if (grant == null) {
      refuse(context, waiting, values, List.of(), "breakGlassAttestUnknownGrant");
      return;
    }
    AttestationValidator.Result result =
        AttestationValidator.validate(values, Set.of(FIELD_GRANT_ID));
    if (!result.isValid()) {
      refuse(context, List.of(grant), values, result.errors(), null);
      return;
    }
    try {
      GrantAttestations.attestAsHolder(
          context.getSession(),
          context.getRealm(),
          grant,
          context.getUser().getId(),
          result.answers(),
          RealmPolicies.attestation(context.getRealm()));
    } catch (GrantAttestations.RefusedException e) {
      refuse(context, waiting, values, List.of(), e.refusal().messageKey());
      return;
    }
    context
        .getEvent()
        .detail("break_glass", AuditEventType.BREAK_GLASS_ATTESTED.name())
        .detail("break_glass_grant_id", grant.getId());
    List<GrantEntity> rest =
        waiting.stream().filter(g -> !g.getId().equals(grant.getId())).toList();
    if (rest.isEmpty()) {
      context.success();
    } else {
      // The next ended grant, at once: each is attested on its own.
      context.challenge(
          render(
              context,
              context.form().setInfo("breakGlassAttestNext"),
              rest.get(0),
              rest.size(),
              Map.of()));
    }
  }

  /**
   * This login is on the break-glass path: it passed the gate (the dedicated flow, whether or not
   * an activation follows: the gate adds none while a grant is active), it is the
   * application-initiated activation, or a grant was activated in it.
   */
  private static boolean isBreakGlassLogin(RequiredActionContext context) {
    AuthenticationSessionModel authSession = context.getAuthenticationSession();
    return passedTheGate(context.getRealm(), authSession)
        || activationPending(authSession)
        || authSession.getAuthNote(BreakGlassIds.ACTIVATED_NOTE) != null;
  }

  private static boolean activationPending(AuthenticationSessionModel authSession) {
    return authSession.getRequiredActions().contains(BreakGlassIds.ACTIVATE_ACTION)
        || BreakGlassIds.ACTIVATE_ACTION.equals(authSession.getClientNote(Constants.KC_ACTION));
  }

  /**
   * The login's flow ran the break-glass authenticator and it let the user through. Keycloak keeps
   * each execution's outcome in the authentication session until the flow is reset.
   */
  private static boolean passedTheGate(RealmModel realm, AuthenticationSessionModel authSession) {
    for (Map.Entry<String, AuthenticationSessionModel.ExecutionStatus> status :
        authSession.getExecutionStatus().entrySet()) {
      if (status.getValue() != AuthenticationSessionModel.ExecutionStatus.SUCCESS) {
        continue;
      }
      AuthenticationExecutionModel execution =
          realm.getAuthenticationExecutionById(status.getKey());
      if (execution != null && BreakGlassIds.AUTHENTICATOR.equals(execution.getAuthenticator())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The policy blocks activation while an attestation is overdue: then attesting first is the way
   * through. Only an activation is blocked; a login for the grant already held is not.
   */
  private static boolean mustAttestBeforeActivating(RequiredActionContext context) {
    if (!activationPending(context.getAuthenticationSession())) {
      return false;
    }
    RealmPolicies.Loaded loaded = RealmPolicies.load(context.getSession(), context.getRealm());
    return loaded.isValid()
        && loaded.policy().attestation().blockWhenOverdue()
        && GrantAttestations.hasOverdue(
            context.getSession(),
            context.getRealm(),
            context.getUser().getId(),
            loaded.policy().attestation());
  }

  /** Shows the form again with the messages, never acting on the refused input. */
  private static void refuse(
      RequiredActionContext context,
      List<GrantEntity> candidates,
      Map<String, String> values,
      List<FieldError> errors,
      String messageKey) {
    context
        .getEvent()
        .clone()
        .event(EventType.CUSTOM_REQUIRED_ACTION_ERROR)
        .detail("break_glass", "attestation_refused")
        .error(
            messageKey == null ? "break_glass_invalid_input" : "break_glass_attestation_refused");
    LoginFormsProvider form = context.form();
    if (messageKey != null) {
      form.setError(messageKey);
    }
    for (FieldError error : errors) {
      form.addError(new FormMessage(error.field(), error.message()));
    }
    List<GrantEntity> waiting =
        GrantAttestations.awaitingHolder(
            context.getSession(), context.getRealm(), context.getUser().getId());
    GrantEntity shown =
        candidates.stream()
            .filter(g -> waiting.stream().anyMatch(w -> w.getId().equals(g.getId())))
            .findFirst()
            .orElse(waiting.isEmpty() ? null : waiting.get(0));
    if (shown == null) {
      context.success();
      return;
    }
    context.challenge(render(context, form, shown, waiting.size(), values));
  }

  /** The form's model; FreeMarker escapes every value. */
  private static Response render(
      RequiredActionContext context,
      LoginFormsProvider form,
      GrantEntity grant,
      int waiting,
      Map<String, String> typed) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("grantId", grant.getId());
    model.put("reason", grant.getReason());
    model.put("ticket", grant.getTicket());
    model.put("roles", GrantService.roles(grant));
    Locale locale = context.getSession().getContext().resolveLocale(context.getUser());
    model.put("activatedAt", HumanTime.format(grant.getActivatedAt(), locale));
    model.put("expiresAt", HumanTime.format(grant.getExpiresAt(), locale));
    model.put("endedAt", HumanTime.format(grant.getEndedAt(), locale));
    model.put("endReasonKey", endReasonKey(grant.getEndReason()));
    model.put("uses", grant.getUses());
    model.put("drill", grant.isDrill());
    model.put("actions", uses(context, grant, locale));
    model.put("residual", GrantView.residualPrivileges(grant));
    model.put("waiting", waiting);
    model.put("necessary", typed.getOrDefault(AttestationValidator.NECESSARY, ""));
    model.put("scopeCorrect", typed.getOrDefault(AttestationValidator.SCOPE_CORRECT, ""));
    model.put("allRemoved", typed.getOrDefault(AttestationValidator.ALL_REMOVED, ""));
    String notes = typed.get(AttestationValidator.NOTES);
    model.put("notes", notes == null ? "" : notes);
    return form.setAttribute("attest", model).createForm(TEMPLATE);
  }

  /**
   * What the holder did with the privilege, oldest first: each use as a message key in plain words
   * (never Keycloak's event names) with what it concerned, at a time the reader can read.
   */
  private static List<Map<String, String>> uses(
      RequiredActionContext context, GrantEntity grant, Locale locale) {
    List<Map<String, String>> actions = new ArrayList<>();
    List<AuditRecordEntity> records =
        AuditChain.recordsOfGrant(
            context.getSession(), context.getRealm(), grant.getId(), 0, MAX_RECORDS_READ);
    for (AuditRecordEntity r : records) {
      if (!AuditEventType.BREAK_GLASS_USED.name().equals(r.getType())
          || actions.size() >= MAX_ACTIONS_SHOWN) {
        continue;
      }
      Map<String, Object> details = AuditChain.details(r);
      String use = String.valueOf(details.getOrDefault("use", ""));
      boolean admin = "ADMIN".equals(use);
      Map<String, String> action = new LinkedHashMap<>();
      action.put("time", HumanTime.format(r.getCreatedAt(), locale));
      action.put(
          "key", admin ? adminUseKey(String.valueOf(details.get("operation"))) : tokenUseKey(use));
      action.put(
          "target", String.valueOf(details.getOrDefault(admin ? "resourcePath" : "clientId", "")));
      actions.add(action);
    }
    return actions;
  }

  private static final Set<String> TOKEN_USES =
      Set.of("LOGIN", "CODE_TO_TOKEN", "REFRESH_TOKEN", "TOKEN_EXCHANGE");
  private static final Set<String> ADMIN_OPERATIONS =
      Set.of("CREATE", "UPDATE", "DELETE", "ACTION");

  private static String tokenUseKey(String use) {
    return "breakGlassUse_" + (TOKEN_USES.contains(use) ? use : "OTHER");
  }

  private static String adminUseKey(String operation) {
    return "breakGlassUse_ADMIN_" + (ADMIN_OPERATIONS.contains(operation) ? operation : "OTHER");
  }

  /** The end reason in plain words; an unknown one is shown as "ended". */
  private static String endReasonKey(String endReason) {
    if (endReason != null) {
      for (EndReason known : EndReason.values()) {
        if (known.name().equals(endReason)) {
          return "breakGlassEnd_" + known.name();
        }
      }
    }
    return "breakGlassEnd_OTHER";
  }

  @Override
  public void close() {}
}
