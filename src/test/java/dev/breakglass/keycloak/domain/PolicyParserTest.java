package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyParserTest {

  private static Map<String, String> valid() {
    Map<String, String> c = new HashMap<>();
    c.put(PolicyKeys.ELIGIBLE_GROUP, "/responders");
    c.put(PolicyKeys.GRANTABLE_ROLES, "emergency-admin##ops.restart");
    c.put(PolicyKeys.DEFAULT_DURATION, "30");
    c.put(PolicyKeys.MAX_DURATION, "60");
    c.put(PolicyKeys.TICKET_PATTERN, "INC-[0-9]+");
    c.put(PolicyKeys.TICKET_EXAMPLE, "INC-1");
    c.put(PolicyKeys.MIN_REASON_LENGTH, "20");
    return c;
  }

  @Test
  void validPolicyParses() {
    PolicyParser.Result r = PolicyParser.parse(valid());
    assertTrue(r.isValid(), r.errors().toString());
    assertEquals(List.of("emergency-admin", "ops.restart"), r.policy().grantableRoles());
    assertEquals(60, r.policy().maxDurationMinutes());
    assertTrue(r.policy().ticketPattern().matcher("INC-42").matches());
  }

  @Test
  void defaultsFillMissingOptionalKeys() {
    Map<String, String> c =
        Map.of(PolicyKeys.ELIGIBLE_GROUP, "/r", PolicyKeys.GRANTABLE_ROLES, "a");
    PolicyParser.Result r = PolicyParser.parse(c);
    assertTrue(r.isValid(), r.errors().toString());
    assertEquals(30, r.policy().defaultDurationMinutes());
    assertEquals("INC-12345", r.policy().ticketExample());
  }

  @Test
  void emptyConfigNamesEveryRequiredField() {
    PolicyParser.Result r = PolicyParser.parse(null);
    assertNull(r.policy());
    List<String> fields = r.errors().stream().map(FieldError::field).toList();
    assertTrue(fields.contains(PolicyKeys.ELIGIBLE_GROUP));
    assertTrue(fields.contains(PolicyKeys.GRANTABLE_ROLES));
  }

  @Test
  void multiValuesDropBlanksAndDuplicates() {
    assertEquals(List.of("a", "b"), PolicyParser.splitMulti(" a ##b####a##  "));
    assertEquals(List.of(), PolicyParser.splitMulti(""));
  }

  /** The scan that replaced a regular-expression split gives the same values, in the same order. */
  @Property
  void splitMultiIsTheSplitOnTheSeparator(
      @ForAll @StringLength(max = 40) @Chars({'a', 'b', ' ', '#', ','}) String value) {
    Set<String> expected = new LinkedHashSet<>();
    for (String part : value.split(Pattern.quote(PolicyKeys.MULTI_VALUE_SEPARATOR))) {
      if (!part.trim().isEmpty()) {
        expected.add(part.trim());
      }
    }
    assertEquals(List.copyOf(expected), PolicyParser.splitMulti(value), value);
  }

  @ParameterizedTest(name = "{0}={1} is refused")
  @CsvSource(
      delimiter = '|',
      value = {
        "maxDurationMinutes|0",
        "maxDurationMinutes|1441",
        "maxDurationMinutes|sixty",
        "defaultDurationMinutes|-1",
        "defaultDurationMinutes|61",
        "ticketPattern|INC-[0-9",
        "ticketExample|JIRA-1",
        "minReasonLength|0",
        "minReasonLength|x",
        "eligibleGroup|responders",
        "driftMode|delete",
        "alertOnUse|sometimes",
        "attestation|anyone",
        "attestationDeadlineHours|0",
        "attestationDeadlineHours|soon",
        "attestationDeadlineHours|NaN",
        "attestationReminderHours|-1",
        "blockActivationWhenOverdue|yes",
        "webhookUrl|ftp://hooks.example.org/x",
        "webhookUrl|not a url",
        "webhookUrl|https:///nohost",
        "webhookUrl|https://user:pw@hooks.example.org/x",
        "webhookUrl|https://hooks.example.org/x#frag",
        "alertEmails|soc.example.org",
        "alertEmails|soc@example.org##<x>@example.org",
        "alertEmails|a@b.org Bcc: x@y.org",
      })
  void badValueIsRefusedNamingTheField(String key, String value) {
    Map<String, String> c = valid();
    c.put(key, value);
    PolicyParser.Result r = PolicyParser.parse(c);
    assertFalse(r.isValid());
    assertTrue(r.errors().stream().anyMatch(e -> e.field().equals(key)), r.errors().toString());
    assertTrue(r.errors().stream().allMatch(e -> !e.message().isBlank()));
  }

  @Test
  void overlongPatternIsRefused() {
    Map<String, String> c = valid();
    c.put(PolicyKeys.TICKET_PATTERN, "a".repeat(201));
    assertFalse(PolicyParser.parse(c).isValid());
  }

  @Test
  void alertChannelsParse() {
    Map<String, String> c = valid();
    c.put(PolicyKeys.WEBHOOK_URL, "https://hooks.example.org/services/T1/B2");
    c.put(PolicyKeys.WEBHOOK_SECRET, "0123456789abcdef");
    c.put(PolicyKeys.ALERT_EMAILS, "soc@example.org##oncall+bg@example.org");
    c.put(PolicyKeys.ALERT_ON_USE, "every");
    PolicyParser.Result r = PolicyParser.parse(c);
    assertTrue(r.isValid(), r.errors().toString());
    AlertPolicy alerts = r.policy().alerts();
    assertTrue(alerts.hasWebhook());
    assertEquals(List.of("soc@example.org", "oncall+bg@example.org"), alerts.emails());
    assertEquals(UseAlerts.EVERY, alerts.useAlerts());
    assertFalse(alerts.toString().contains("0123456789abcdef"), "the secret is never printed");
  }

  @Test
  void addressWithALineBreakIsRefused() {
    Map<String, String> c = valid();
    c.put(PolicyKeys.ALERT_EMAILS, "a@b.org\r\nBcc: x@y.org");
    assertFalse(PolicyParser.parse(c).isValid());
  }

  @Test
  void noChannelsByDefault() {
    AlertPolicy alerts = PolicyParser.parse(valid()).policy().alerts();
    assertFalse(alerts.hasWebhook());
    assertFalse(alerts.hasEmail());
    assertEquals(UseAlerts.FIRST, alerts.useAlerts());
  }

  @ParameterizedTest(name = "webhook secret \"{0}\" is refused")
  @CsvSource(value = {"''", "short", "'0123456789abcde'"})
  void webhookNeedsAStrongEnoughSecret(String secret) {
    Map<String, String> c = valid();
    c.put(PolicyKeys.WEBHOOK_URL, "https://hooks.example.org/x");
    c.put(PolicyKeys.WEBHOOK_SECRET, secret);
    PolicyParser.Result r = PolicyParser.parse(c);
    assertFalse(r.isValid());
    assertTrue(
        r.errors().stream().anyMatch(e -> e.field().equals(PolicyKeys.WEBHOOK_SECRET)),
        r.errors().toString());
  }

  @Test
  void alertChannelsSurviveAnInvalidRestOfThePolicy() {
    Map<String, String> c = valid();
    c.remove(PolicyKeys.ELIGIBLE_GROUP);
    c.put(PolicyKeys.WEBHOOK_URL, "https://hooks.example.org/x");
    c.put(PolicyKeys.WEBHOOK_SECRET, "0123456789abcdef");
    c.put(PolicyKeys.ALERT_EMAILS, "soc@example.org##broken");
    assertFalse(PolicyParser.parse(c).isValid());
    AlertPolicy alerts = PolicyParser.alertsOf(c);
    assertTrue(
        alerts.hasWebhook(), "a drift must still reach the SOC when the group is misconfigured");
    assertEquals(List.of("soc@example.org"), alerts.emails(), "the valid address is kept");
  }

  @Test
  void attestationSettingsParse() {
    Map<String, String> c = valid();
    c.put(PolicyKeys.ATTESTATION, "holder-and-second");
    c.put(PolicyKeys.ATTESTATION_DEADLINE_HOURS, "0.5");
    c.put(PolicyKeys.BLOCK_WHEN_OVERDUE, "true");
    AttestationPolicy a = PolicyParser.parse(c).policy().attestation();
    assertEquals(AttestationPolicy.Requirement.HOLDER_AND_SECOND, a.requirement());
    assertEquals(30 * 60_000L, a.deadlineMillis());
    assertEquals(24 * 3_600_000L, a.reminderMillis(), "default reminder: a day");
    assertTrue(a.blockWhenOverdue());
    assertEquals(AttestationPolicy.DEFAULT, PolicyParser.parse(valid()).policy().attestation());
  }

  @Test
  void controlKeysDefaultToSecondFactorNoApprovalAndNoLimits() {
    BreakGlassPolicy p = PolicyParser.parse(valid()).policy();
    assertTrue(p.requireSecondFactor());
    assertFalse(p.approval().required());
    assertEquals(ApprovalPolicy.NoApproverFallback.DENY, p.approval().fallback());
    assertEquals(15, p.approval().timeoutMinutes());
    assertEquals(30, p.approval().fallbackMaxDurationMinutes());
    assertEquals(LimitPolicy.NONE, p.limits());
    assertEquals("", p.approverGroup());
  }

  @Test
  void approvalWithFallbackAndLimitsParse() {
    Map<String, String> c = valid();
    c.put(PolicyKeys.APPROVAL, "required");
    c.put(PolicyKeys.APPROVER_GROUP, "/approvers");
    c.put(PolicyKeys.APPROVAL_TIMEOUT, "5");
    c.put(PolicyKeys.NO_APPROVER_FALLBACK, "self-activate");
    c.put(PolicyKeys.FALLBACK_MAX_DURATION, "20");
    c.put(PolicyKeys.COOLDOWN, "10");
    c.put(PolicyKeys.MAX_ACTIVE_GRANTS, "3");
    c.put(PolicyKeys.FREQUENCY_ALERT_PER_DAY, "4");
    c.put(PolicyKeys.REQUIRE_SECOND_FACTOR, "false");
    PolicyParser.Result r = PolicyParser.parse(c);
    assertTrue(r.isValid(), r.errors().toString());
    assertEquals(
        new ApprovalPolicy(true, 5, ApprovalPolicy.NoApproverFallback.SELF_ACTIVATE, 20),
        r.policy().approval());
    assertEquals(new LimitPolicy(10, 3, 4), r.policy().limits());
    assertFalse(r.policy().requireSecondFactor());
    assertEquals("/approvers", r.policy().approverGroup());
  }

  @Test
  void approvalRequiredNeedsAnApproverGroup() {
    Map<String, String> c = valid();
    c.put(PolicyKeys.APPROVAL, "required");
    PolicyParser.Result r = PolicyParser.parse(c);
    assertFalse(r.isValid());
    assertEquals(PolicyKeys.APPROVER_GROUP, r.errors().get(0).field());
  }

  @Test
  void theDefaultFallbackDurationIsCappedByAShortMaximumButAnExplicitOneIsRefused() {
    Map<String, String> c = valid();
    c.put(PolicyKeys.DEFAULT_DURATION, "5");
    c.put(PolicyKeys.MAX_DURATION, "10");
    assertEquals(10, PolicyParser.parse(c).policy().approval().fallbackMaxDurationMinutes());
    c.put(PolicyKeys.FALLBACK_MAX_DURATION, "11");
    assertEquals(PolicyKeys.FALLBACK_MAX_DURATION, PolicyParser.parse(c).errors().get(0).field());
  }

  @ParameterizedTest
  @CsvSource({
    "requireSecondFactor, yes",
    "approval, sometimes",
    "approvalTimeoutMinutes, 0",
    "approvalTimeoutMinutes, 1441",
    "noApproverFallback, allow",
    "fallbackMaxDurationMinutes, -1",
    "cooldownMinutes, -1",
    "cooldownMinutes, 1441",
    "maxActiveGrants, 10001",
    "maxActiveGrants, many",
    "frequencyAlertPerDay, 1001",
    "frequencyAlertPerDay, 2.5"
  })
  void badControlValuesAreFieldErrors(String key, String value) {
    Map<String, String> c = valid();
    c.put(key, value);
    PolicyParser.Result r = PolicyParser.parse(c);
    assertFalse(r.isValid());
    assertEquals(key, r.errors().get(0).field(), r.errors().toString());
  }

  // --- incident-bound access ---------------------------------------------------------------------

  private static Map<String, String> httpCheck() {
    Map<String, String> c = valid();
    c.put(PolicyKeys.TICKET_CHECK, "http");
    c.put(PolicyKeys.TICKET_URL, "https://incidents.example.com/api/incidents/{ticket}");
    c.put(PolicyKeys.TICKET_OPEN_POINTER, "/incident/status");
    c.put(PolicyKeys.TICKET_OPEN_VALUES, "triggered, acknowledged");
    return c;
  }

  private static List<String> errorFields(Map<String, String> c) {
    return PolicyParser.parse(c).errors().stream().map(FieldError::field).toList();
  }

  @Test
  void ticketCheckDefaultsToThePatternFailingClosed() {
    TicketCheckPolicy check = PolicyParser.ticketCheckOf(valid());
    assertFalse(check.isHttp());
    assertFalse(check.failOpen());
    assertNull(check.webhookSecret());
  }

  @Test
  void httpTicketCheckParses() {
    Map<String, String> c = httpCheck();
    c.put(PolicyKeys.TICKET_AUTHORIZATION, "Token token=abc");
    c.put(PolicyKeys.TICKET_CHECK_FAILURE, "open");
    c.put(PolicyKeys.TICKET_TITLE_POINTER, "/incident/title");
    c.put(PolicyKeys.INCIDENT_WEBHOOK_SECRET, "0123456789abcdef");
    assertTrue(PolicyParser.parse(c).isValid(), PolicyParser.parse(c).errors().toString());
    TicketCheckPolicy check = PolicyParser.ticketCheckOf(c);
    assertTrue(check.isHttp());
    assertTrue(check.failOpen());
    assertEquals(List.of("triggered", "acknowledged"), check.openValues());
    assertEquals("/incident/title", check.titlePointer());
    assertEquals("0123456789abcdef", check.webhookSecret());
    assertFalse(check.toString().contains("abc"), "the authorization header is never printed");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''",
        "https://incidents.example.com/api/incidents",
        "ftp://incidents.example.com/{ticket}",
        "/api/incidents/{ticket}",
        "https://user:pw@incidents.example.com/{ticket}",
        "https://{ticket}.example.com/incident",
        "https://incidents.example.com/{ticket}#frag",
        "https://incidents.example.com/a b/{ticket}"
      })
  void httpTicketCheckRefusesUnusableUrls(String url) {
    Map<String, String> c = httpCheck();
    c.put(PolicyKeys.TICKET_URL, url);
    assertTrue(errorFields(c).contains(PolicyKeys.TICKET_URL), url);
  }

  @Test
  void ticketUrlMayCarryTheTicketInTheQuery() {
    Map<String, String> c = httpCheck();
    c.put(PolicyKeys.TICKET_URL, "http://127.0.0.1:8089/search?number={ticket}&limit=1");
    assertTrue(PolicyParser.parse(c).isValid(), PolicyParser.parse(c).errors().toString());
  }

  @ParameterizedTest
  @CsvSource({"''", "incident/status", "/a~2b", "/a~"})
  void httpTicketCheckRefusesBadPointers(String pointer) {
    Map<String, String> c = httpCheck();
    c.put(PolicyKeys.TICKET_OPEN_POINTER, pointer);
    assertTrue(errorFields(c).contains(PolicyKeys.TICKET_OPEN_POINTER), pointer);
  }

  @Test
  void httpTicketCheckNeedsOpenValuesAndValidChoices() {
    Map<String, String> c = httpCheck();
    c.put(PolicyKeys.TICKET_OPEN_VALUES, " , ");
    c.put(PolicyKeys.TICKET_CHECK_FAILURE, "maybe");
    c.put(PolicyKeys.TICKET_TITLE_POINTER, "title");
    List<String> fields = errorFields(c);
    assertTrue(fields.contains(PolicyKeys.TICKET_OPEN_VALUES), fields.toString());
    assertTrue(fields.contains(PolicyKeys.TICKET_CHECK_FAILURE), fields.toString());
    assertTrue(fields.contains(PolicyKeys.TICKET_TITLE_POINTER), fields.toString());
    c = valid();
    c.put(PolicyKeys.TICKET_CHECK, "jira");
    assertTrue(errorFields(c).contains(PolicyKeys.TICKET_CHECK));
  }

  @Test
  void incidentWebhookSecretMustBeLongEnoughAndIsASecret() {
    Map<String, String> c = valid();
    c.put(PolicyKeys.INCIDENT_WEBHOOK_SECRET, "short");
    assertTrue(errorFields(c).contains(PolicyKeys.INCIDENT_WEBHOOK_SECRET));
    assertTrue(PolicyKeys.isSecret(PolicyKeys.INCIDENT_WEBHOOK_SECRET));
    assertTrue(PolicyKeys.isSecret(PolicyKeys.TICKET_AUTHORIZATION));
    assertFalse(PolicyKeys.isSecret(PolicyKeys.TICKET_URL));
  }

  @Test
  void anInvalidTicketCheckNeverYieldsAnHttpCheckWithoutItsParts() {
    Map<String, String> c = httpCheck();
    c.remove(PolicyKeys.TICKET_URL);
    assertFalse(PolicyParser.parse(c).isValid());
    assertFalse(PolicyParser.ticketCheckOf(c).isHttp());
  }
}
