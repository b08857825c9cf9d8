package dev.breakglass.keycloak.activation;

import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.FieldError;
import dev.breakglass.keycloak.domain.PolicyKeys;
import dev.breakglass.keycloak.policy.RealmPolicies;
import java.util.List;
import org.keycloak.Config;
import org.keycloak.authentication.RequiredActionFactory;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionConfigModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.userprofile.ValidationException;
import org.keycloak.validate.ValidationError;

/**
 * The activation required action. Its per-realm config is the realm's break-glass policy: the admin
 * console renders and saves it natively (Authentication, Required actions, configure).
 */
public class BreakGlassActivateActionFactory implements RequiredActionFactory {

  public static final String PROVIDER_ID = BreakGlassIds.ACTIVATE_ACTION;

  private static final BreakGlassActivateAction SINGLETON = new BreakGlassActivateAction();

  private static final List<ProviderConfigProperty> POLICY_PROPERTIES =
      ProviderConfigurationBuilder.create()
          .property()
          .name(PolicyKeys.ELIGIBLE_GROUP)
          .label("Eligible group")
          .helpText(
              "Members of this group (and its subgroups) may activate break-glass access. Everyone"
                  + " else is refused.")
          .type(ProviderConfigProperty.GROUP_TYPE)
          .required(true)
          .add()
          .property()
          .name(PolicyKeys.APPROVER_GROUP)
          .label("Approver group")
          .helpText(
              "Members of this group decide requests when approval is required, and give the"
                  + " second attestation of a grant (holder-and-second), never for their own grant,"
                  + " and only if they were members before the grant began and its holder did not"
                  + " create or change their account during it.")
          .type(ProviderConfigProperty.GROUP_TYPE)
          .add()
          .property()
          .name(PolicyKeys.GRANTABLE_ROLES)
          .label("Grantable roles")
          .helpText(
              "Roles a responder may request: a realm role name, or clientId.roleName for a client"
                  + " role. These roles are governed: any other mapping of them is drift.")
          .type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
          .required(true)
          .add()
          .property()
          .name(PolicyKeys.DEFAULT_DURATION)
          .label("Default duration (minutes)")
          .helpText("Duration prefilled on the activation form.")
          .type(ProviderConfigProperty.INTEGER_TYPE)
          .defaultValue(PolicyKeys.DEFAULT_DEFAULT_DURATION)
          .add()
          .property()
          .name(PolicyKeys.MAX_DURATION)
          .label("Maximum duration (minutes)")
          .helpText(
              "Longest grant a responder may request, at most "
                  + PolicyKeys.LIMIT_MAX_DURATION_MINUTES
                  + " minutes.")
          .type(ProviderConfigProperty.INTEGER_TYPE)
          .defaultValue(PolicyKeys.DEFAULT_MAX_DURATION)
          .add()
          .property()
          .name(PolicyKeys.TICKET_PATTERN)
          .label("Ticket pattern")
          .helpText("Regular expression the whole incident ticket reference must match.")
          .type(ProviderConfigProperty.STRING_TYPE)
          .defaultValue(PolicyKeys.DEFAULT_TICKET_PATTERN)
          .add()
          .property()
          .name(PolicyKeys.TICKET_EXAMPLE)
          .label("Ticket example")
          .helpText("Shown to responders next to the ticket field; must match the pattern.")
          .type(ProviderConfigProperty.STRING_TYPE)
          .defaultValue(PolicyKeys.DEFAULT_TICKET_EXAMPLE)
          .add()
          .property()
          .name(PolicyKeys.MIN_REASON_LENGTH)
          .label("Minimum reason length")
          .helpText("Fewest characters a reason may have.")
          .type(ProviderConfigProperty.INTEGER_TYPE)
          .defaultValue(PolicyKeys.DEFAULT_MIN_REASON_LENGTH)
          .add()
          .property()
          .name(PolicyKeys.DRIFT_MODE)
          .label("Drift mode")
          .helpText(
              "A grantable role mapped any other way (console, API, group, composite) is drift and"
                  + " always recorded. alert: record and alert only; remove: also remove the"
                  + " mapping. Tokens never carry a governed role without an active grant.")
          .type(ProviderConfigProperty.LIST_TYPE)
          .options("alert", "remove")
          .defaultValue(PolicyKeys.DEFAULT_DRIFT_MODE)
          .add()
          .property()
          .name(PolicyKeys.WEBHOOK_URL)
          .label("Alert webhook URL")
          .helpText(
              "Alerts are POSTed here as JSON, signed with HMAC-SHA256 (header"
                  + " X-BreakGlass-Signature). A Slack or Teams incoming-webhook URL works as is:"
                  + " the payload's text field is shown. Leave empty for no webhook.")
          .type(ProviderConfigProperty.STRING_TYPE)
          .add()
          .property()
          .name(PolicyKeys.WEBHOOK_SECRET)
          .label("Alert webhook secret")
          .helpText(
              "Key of the HMAC-SHA256 signature over each webhook body, at least "
                  + PolicyKeys.MIN_WEBHOOK_SECRET_LENGTH
                  + " characters. Required with a webhook URL.")
          .type(ProviderConfigProperty.PASSWORD)
          .secret(true)
          .add()
          .property()
          .name(PolicyKeys.ALERT_EMAILS)
          .label("Alert e-mail addresses")
          .helpText(
              "Alerts are also e-mailed here through the realm's SMTP settings (Realm settings,"
                  + " Email).")
          .type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
          .add()
          .property()
          .name(PolicyKeys.ALERT_ON_USE)
          .label("Alert on use")
          .helpText(
              "Activation, denial, expiry, revocation and drift always alert. Uses of a grant"
                  + " (logins, tokens, admin actions) are always recorded; first: alert on a"
                  + " grant's first use; every: on each use; none: record only.")
          .type(ProviderConfigProperty.LIST_TYPE)
          .options("first", "every", "none")
          .defaultValue(PolicyKeys.DEFAULT_ALERT_ON_USE)
          .add()
          .property()
          .name(PolicyKeys.ATTESTATION)
          .label("Attestation")
          .helpText(
              "Who closes an ended grant. holder: its holder attests on their next login."
                  + " holder-and-second: also a second person (incident owner, approver; never the"
                  + " holder) through the admin API.")
          .type(ProviderConfigProperty.LIST_TYPE)
          .options("holder", "holder-and-second")
          .defaultValue(PolicyKeys.DEFAULT_ATTESTATION)
          .add()
          .property()
          .name(PolicyKeys.ATTESTATION_DEADLINE_HOURS)
          .label("Attestation deadline (hours)")
          .helpText(
              "An ended grant not closed this long after its end is overdue:"
                  + " BREAK_GLASS_ATTESTATION_OVERDUE is alerted. Decimals allowed (0.5 = 30"
                  + " minutes).")
          .type(ProviderConfigProperty.STRING_TYPE)
          .defaultValue(PolicyKeys.DEFAULT_ATTESTATION_DEADLINE_HOURS)
          .add()
          .property()
          .name(PolicyKeys.ATTESTATION_REMINDER_HOURS)
          .label("Overdue reminder interval (hours)")
          .helpText("An overdue grant is alerted again this often until it is closed.")
          .type(ProviderConfigProperty.STRING_TYPE)
          .defaultValue(PolicyKeys.DEFAULT_ATTESTATION_REMINDER_HOURS)
          .add()
          .property()
          .name(PolicyKeys.BLOCK_WHEN_OVERDUE)
          .label("Block activation while an attestation is overdue")
          .helpText(
              "Off by default: refusing emergency access during a crisis is itself a risk. On: a"
                  + " responder with an overdue attestation must attest before activating again.")
          .type(ProviderConfigProperty.BOOLEAN_TYPE)
          .defaultValue("false")
          .add()
          .property()
          .name(PolicyKeys.REQUIRE_SECOND_FACTOR)
          .label("Require a second factor")
          .helpText(
              "On (the default): activation needs the password and a second factor (an"
                  + " authenticator app code, or a security key) entered in the activation flow"
                  + " itself; an SSO session alone never activates. Off: the password alone, still"
                  + " entered afresh.")
          .type(ProviderConfigProperty.BOOLEAN_TYPE)
          .defaultValue(PolicyKeys.DEFAULT_REQUIRE_SECOND_FACTOR)
          .add()
          .property()
          .name(PolicyKeys.APPROVAL)
          .label("Approval")
          .helpText(
              "none: a valid request activates at once. required: it waits for a member of the"
                  + " approver group (never the requester) to approve it in the console or the"
                  + " user API; roles and duration start at approval.")
          .type(ProviderConfigProperty.LIST_TYPE)
          .options("none", "required")
          .defaultValue(PolicyKeys.DEFAULT_APPROVAL)
          .add()
          .property()
          .name(PolicyKeys.APPROVAL_TIMEOUT)
          .label("Approval timeout (minutes)")
          .helpText("How long a request waits for an approver before the fallback applies.")
          .type(ProviderConfigProperty.INTEGER_TYPE)
          .defaultValue(PolicyKeys.DEFAULT_APPROVAL_TIMEOUT)
          .add()
          .property()
          .name(PolicyKeys.NO_APPROVER_FALLBACK)
          .label("When nobody approves")
          .helpText(
              "deny: the request is rejected (APPROVAL_TIMEOUT). self-activate: the waiting"
                  + " requester activates alone for at most the fallback duration; every approver"
                  + " is alerted (BREAK_GLASS_OVERRIDE) and the grant needs a second-person"
                  + " attestation.")
          .type(ProviderConfigProperty.LIST_TYPE)
          .options("deny", "self-activate")
          .defaultValue(PolicyKeys.DEFAULT_NO_APPROVER_FALLBACK)
          .add()
          .property()
          .name(PolicyKeys.FALLBACK_MAX_DURATION)
          .label("Fallback maximum duration (minutes)")
          .helpText("Longest grant the self-activate fallback gives; at most the maximum duration.")
          .type(ProviderConfigProperty.INTEGER_TYPE)
          .defaultValue(PolicyKeys.DEFAULT_FALLBACK_MAX_DURATION)
          .add()
          .property()
          .name(PolicyKeys.COOLDOWN)
          .label("Cooldown (minutes)")
          .helpText(
              "Minutes after one user's last activation before they may activate again; 0 for none."
                  + " Drills neither start nor wait for a cooldown. A refusal shows when to try"
                  + " again and is a BREAK_GLASS_LIMIT record (kind cooldown).")
          .type(ProviderConfigProperty.INTEGER_TYPE)
          .defaultValue("0")
          .add()
          .property()
          .name(PolicyKeys.MAX_ACTIVE_GRANTS)
          .label("Maximum active grants")
          .helpText(
              "Active and pending grants the realm may have at once, drills included (a drill holds"
                  + " real roles); a pending request holds its place until decided; 0 for no limit."
                  + " A refusal is a BREAK_GLASS_LIMIT record (kind concurrency).")
          .type(ProviderConfigProperty.INTEGER_TYPE)
          .defaultValue("0")
          .add()
          .property()
          .name(PolicyKeys.FREQUENCY_ALERT_PER_DAY)
          .label("Frequency alert (activations per day)")
          .helpText(
              "Alert (never block) when one user's activations in the last 24 hours, the new one"
                  + " included and drills not counted, exceed this number: a BREAK_GLASS_LIMIT"
                  + " record (kind frequency); 0 for none.")
          .type(ProviderConfigProperty.INTEGER_TYPE)
          .defaultValue("0")
          .add()
          .property()
          .name(PolicyKeys.TICKET_CHECK)
          .label("Ticket check")
          .helpText(
              "pattern: the ticket pattern alone. http: the incident system must also name the"
                  + " ticket an open incident (GET of the ticket URL); the responder confirms the"
                  + " incident's title before anything is granted.")
          .type(ProviderConfigProperty.LIST_TYPE)
          .options("pattern", "http")
          .defaultValue(PolicyKeys.DEFAULT_TICKET_CHECK)
          .add()
          .property()
          .name(PolicyKeys.TICKET_URL)
          .label("Ticket URL")
          .helpText(
              "http check: the incident's JSON, with {ticket} where the (percent-encoded) ticket"
                  + " goes, in the path or query, e.g."
                  + " https://example.atlassian.net/rest/api/3/issue/{ticket}. No redirects are"
                  + " followed; 3 s at most.")
          .type(ProviderConfigProperty.STRING_TYPE)
          .add()
          .property()
          .name(PolicyKeys.TICKET_AUTHORIZATION)
          .label("Ticket authorization header")
          .helpText(
              "http check: the Authorization header value sent to the incident system, e.g."
                  + " Token token=... or Basic .... Never shown again and never logged.")
          .type(ProviderConfigProperty.PASSWORD)
          .secret(true)
          .add()
          .property()
          .name(PolicyKeys.TICKET_OPEN_POINTER)
          .label("Ticket status pointer")
          .helpText("http check: JSON pointer (RFC 6901) to the status, e.g. /incident/status.")
          .type(ProviderConfigProperty.STRING_TYPE)
          .add()
          .property()
          .name(PolicyKeys.TICKET_OPEN_VALUES)
          .label("Open status values")
          .helpText(
              "http check: comma-separated statuses that mean open, e.g. triggered,acknowledged.")
          .type(ProviderConfigProperty.STRING_TYPE)
          .add()
          .property()
          .name(PolicyKeys.TICKET_TITLE_POINTER)
          .label("Ticket title pointer")
          .helpText(
              "http check, optional: JSON pointer to the incident's title, shown to the responder"
                  + " to confirm, e.g. /incident/title.")
          .type(ProviderConfigProperty.STRING_TYPE)
          .add()
          .property()
          .name(PolicyKeys.TICKET_CHECK_FAILURE)
          .label("When the incident system cannot answer")
          .helpText(
              "closed (the default): nothing activates. open: activation goes on, the activation"
                  + " record says the check failed (ticketCheck.result=FAILED) and is alerted.")
          .type(ProviderConfigProperty.LIST_TYPE)
          .options("closed", "open")
          .defaultValue(PolicyKeys.DEFAULT_TICKET_CHECK_FAILURE)
          .add()
          .property()
          .name(PolicyKeys.INCIDENT_WEBHOOK_SECRET)
          .label("Incident webhook secret")
          .helpText(
              "Key of the HMAC-SHA256 signature the incident system puts on POST"
                  + " /realms/{realm}/break-glass/incidents/{ticket}/closed; closing an incident"
                  + " then ends every grant on its ticket. At least "
                  + PolicyKeys.MIN_WEBHOOK_SECRET_LENGTH
                  + " characters; empty: no webhook.")
          .type(ProviderConfigProperty.PASSWORD)
          .secret(true)
          .add()
          .build();

  @Override
  public String getId() {
    return PROVIDER_ID;
  }

  @Override
  public String getDisplayText() {
    return "Break-glass activation";
  }

  @Override
  public RequiredActionProvider create(KeycloakSession session) {
    return SINGLETON;
  }

  @Override
  public boolean isConfigurable() {
    return true;
  }

  @Override
  public List<ProviderConfigProperty> getConfigMetadata() {
    return POLICY_PROPERTIES;
  }

  @Override
  public void validateConfig(
      KeycloakSession session, RealmModel realm, RequiredActionConfigModel model) {
    RealmPolicies.Loaded checked = RealmPolicies.check(session, realm, model.getConfig());
    if (checked.isValid()) {
      return;
    }
    ValidationException.ValidationExceptionBuilder errors =
        new ValidationException.ValidationExceptionBuilder();
    for (FieldError error : checked.errors()) {
      errors.accept(new ValidationError(PROVIDER_ID, error.field(), error.message()));
    }
    throw errors.build();
  }

  @Override
  public void init(Config.Scope config) {}

  @Override
  public void postInit(KeycloakSessionFactory factory) {}

  @Override
  public void close() {}
}
