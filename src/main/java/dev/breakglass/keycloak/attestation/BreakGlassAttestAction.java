package dev.breakglass.keycloak.attestation;

import dev.breakglass.keycloak.audit.AuditChain;
import dev.breakglass.keycloak.domain.AttestationValidator;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.FieldError;
import dev.breakglass.keycloak.grant.GrantAttestations;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.grant.GrantView;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.keycloak.authentication.InitiatedActionSupport;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.events.EventType;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.Constants;
import org.keycloak.models.utils.FormMessage;

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
    // A backstop for grants that ended while this action was not yet enabled in the realm.
    if (!GrantAttestations.awaitingHolder(
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
    if (isActivating(context) && !mustAttestBeforeActivating(context)) {
      // A responder activating in a crisis gets their token first; the attestation waits for the
      // next login.
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
   * This login is a break-glass activation: the activation is still to come (the gate's flow, or
   * the application-initiated action), or it has just happened in this login.
   */
  private static boolean isActivating(RequiredActionContext context) {
    var authSession = context.getAuthenticationSession();
    return authSession.getRequiredActions().contains(BreakGlassIds.ACTIVATE_ACTION)
        || BreakGlassIds.ACTIVATE_ACTION.equals(authSession.getClientNote(Constants.KC_ACTION))
        || authSession.getAuthNote(BreakGlassIds.ACTIVATED_NOTE) != null;
  }

  /**
   * The policy blocks activation while an attestation is overdue: then attesting first is the way
   * through.
   */
  private static boolean mustAttestBeforeActivating(RequiredActionContext context) {
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
    model.put("activatedAt", iso(grant.getActivatedAt()));
    model.put("expiresAt", iso(grant.getExpiresAt()));
    model.put("endedAt", iso(grant.getEndedAt()));
    model.put("endReason", grant.getEndReason());
    model.put("uses", grant.getUses());
    model.put("drill", grant.isDrill());
    model.put("actions", adminActions(context, grant));
    model.put("residual", GrantView.residualPrivileges(grant));
    model.put("waiting", waiting);
    model.put("necessary", typed.getOrDefault(AttestationValidator.NECESSARY, ""));
    model.put("scopeCorrect", typed.getOrDefault(AttestationValidator.SCOPE_CORRECT, ""));
    model.put("allRemoved", typed.getOrDefault(AttestationValidator.ALL_REMOVED, ""));
    String notes = typed.get(AttestationValidator.NOTES);
    model.put("notes", notes == null ? "" : notes);
    return form.setAttribute("attest", model).createForm(TEMPLATE);
  }

  /** What the holder did with the privilege: their admin actions under this grant. */
  private static List<Map<String, String>> adminActions(
      RequiredActionContext context, GrantEntity grant) {
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
      Map<String, String> action = new LinkedHashMap<>();
      action.put("time", iso(r.getCreatedAt()));
      action.put("use", String.valueOf(details.getOrDefault("use", "")));
      action.put(
          "what",
          details.get("operation") == null
              ? String.valueOf(details.getOrDefault("clientId", ""))
              : details.get("operation") + " " + details.getOrDefault("resourcePath", ""));
      actions.add(action);
    }
    return actions;
  }

  private static String iso(Long millis) {
    return millis == null ? "" : Instant.ofEpochMilli(millis).toString();
  }

  @Override
  public void close() {}
}
