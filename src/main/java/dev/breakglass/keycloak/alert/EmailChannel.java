package dev.breakglass.keycloak.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.breakglass.keycloak.domain.TextRules;
import dev.breakglass.keycloak.policy.RealmPolicies;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailTemplateProvider;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.storage.adapter.InMemoryUserAdapter;
import org.keycloak.util.JsonSerialization;

/**
 * E-mails an alert through the realm's SMTP settings and Keycloak's e-mail templates ({@code
 * break-glass-alert.ftl}, text and HTML, in the jar). The recipient is an address from the policy,
 * not a Keycloak user, so a transient user stands in for it. The realm is read in a short
 * transaction; the SMTP conversation happens after it has ended.
 */
final class EmailChannel {

  static final String TEMPLATE = "break-glass-alert.ftl";
  static final String SUBJECT_KEY = "breakGlassAlertSubject";

  private EmailChannel() {}

  static AlertDispatcher.Outcome send(
      KeycloakSessionFactory factory, AlertDispatcher.Claimed alert) {
    if (!alert.channels().emails().contains(alert.target())) {
      return new AlertDispatcher.Outcome(
          "address is no longer among the realm's alert e-mail addresses");
    }
    AtomicReference<AlertDispatcher.Outcome> outcome = new AtomicReference<>();
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          RealmModel realm = mailingRealm(session, alert, outcome);
          if (realm == null) {
            return;
          }
          enlist(session, realm, alert.target(), alert, outcome);
        });
    return outcome.get() == null ? new AlertDispatcher.Outcome("e-mail not sent") : outcome.get();
  }

  /** The alert's realm when it can send mail; otherwise null, with the outcome saying why. */
  private static RealmModel mailingRealm(
      KeycloakSession session,
      AlertDispatcher.Claimed alert,
      AtomicReference<AlertDispatcher.Outcome> outcome) {
    RealmModel realm = session.realms().getRealm(alert.realmId());
    if (realm == null) {
      outcome.set(new AlertDispatcher.Outcome("realm removed"));
      return null;
    }
    if (realm.getSmtpConfig() == null || realm.getSmtpConfig().get("host") == null) {
      outcome.set(
          new AlertDispatcher.Outcome(
              "realm "
                  + realm.getName()
                  + " has no SMTP server configured (Realm settings, Email)"));
      return null;
    }
    return realm;
  }

  /**
   * To an approver (the target is their user id): sent to the user's current address while they are
   * still in the policy's approver group.
   */
  static AlertDispatcher.Outcome sendToApprover(
      KeycloakSessionFactory factory, AlertDispatcher.Claimed alert) {
    AtomicReference<AlertDispatcher.Outcome> outcome = new AtomicReference<>();
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          RealmModel realm = mailingRealm(session, alert, outcome);
          if (realm == null) {
            return;
          }
          session.getContext().setRealm(realm);
          UserModel user = session.users().getUserById(realm, alert.target());
          GroupModel group =
              RealmPolicies.approverGroupPath(realm)
                  .map(path -> KeycloakModelUtils.findGroupByPath(session, realm, path))
                  .orElse(null);
          if (user == null || group == null || !user.isMemberOf(group)) {
            outcome.set(new AlertDispatcher.Outcome("recipient is no longer an approver"));
            return;
          }
          if (user.getEmail() == null || user.getEmail().isBlank()) {
            outcome.set(new AlertDispatcher.Outcome("approver has no e-mail address"));
            return;
          }
          enlist(session, realm, user.getEmail(), alert, outcome);
        });
    return outcome.get() == null ? new AlertDispatcher.Outcome("e-mail not sent") : outcome.get();
  }

  /** Renders the alert for {@code address} and sends it once the reading transaction has ended. */
  private static void enlist(
      KeycloakSession session,
      RealmModel realm,
      String address,
      AlertDispatcher.Claimed alert,
      AtomicReference<AlertDispatcher.Outcome> outcome) {
    session.getContext().setRealm(realm);
    InMemoryUserAdapter recipient =
        new InMemoryUserAdapter(session, realm, "break-glass-alert-recipient");
    recipient.setUsername("break-glass-alerts");
    recipient.setEmail(address);
    recipient.setEnabled(true);
    Map<String, Object> payload = parse(alert.payload());
    String sentence = AlertPayload.plainText(factsOf(payload));
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("alert", payload);
    attributes.put("alertText", sentence);
    attributes.put("alertDetails", detailLines(payload.get("details")));
    EmailTemplateProvider mail =
        session.getProvider(EmailTemplateProvider.class).setRealm(realm).setUser(recipient);
    // Sent once this read-only transaction has ended: no database transaction waits on the
    // SMTP server.
    session
        .getTransactionManager()
        .enlistAfterCompletion(
            new AbstractKeycloakTransaction() {
              @Override
              protected void commitImpl() {
                try {
                  mail.send(SUBJECT_KEY, List.of(sentence), TEMPLATE, attributes, address);
                  outcome.set(AlertDispatcher.Outcome.DELIVERED);
                } catch (EmailException e) {
                  Throwable cause = e.getCause() == null ? e : e.getCause();
                  outcome.set(
                      new AlertDispatcher.Outcome(
                          "e-mail to "
                              + address
                              + " failed: "
                              + cause.getClass().getSimpleName()
                              + (cause.getMessage() == null ? "" : " " + cause.getMessage())));
                }
              }

              @Override
              protected void rollbackImpl() {
                outcome.set(
                    new AlertDispatcher.Outcome("e-mail not sent: reading the realm failed"));
              }
            });
  }

  /** Key and value pairs for the template, values as compact text; the template escapes them. */
  private static List<Map<String, String>> detailLines(Object details) {
    List<Map<String, String>> lines = new ArrayList<>();
    if (details instanceof Map<?, ?> map) {
      map.forEach(
          (key, value) -> {
            String text;
            try {
              text = value instanceof String s ? s : JsonSerialization.writeValueAsString(value);
            } catch (IOException e) {
              text = String.valueOf(value);
            }
            // No control characters (a mail client may show them raw); the template HTML-escapes.
            lines.add(
                Map.of("name", String.valueOf(key), "value", TextRules.printable(text, 2000)));
          });
    }
    return lines;
  }

  /** The facts back from a stored payload, to word the e-mail without chat escaping. */
  @SuppressWarnings("unchecked")
  static AlertPayload.Facts factsOf(Map<String, Object> p) {
    Object details = p.get("details");
    return new AlertPayload.Facts(
        str(p.get("realm")),
        str(p.get("type")),
        p.get("seq") instanceof Number n ? n.longValue() : 0,
        p.get("chain") instanceof Map<?, ?> chain ? str(chain.get("hash")) : null,
        p.get("time") == null ? 0 : Instant.parse(p.get("time").toString()).toEpochMilli(),
        str(p.get("grantId")),
        str(p.get("userId")),
        str(p.get("username")),
        Boolean.TRUE.equals(p.get("drill")),
        details instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of());
  }

  private static String str(Object value) {
    return value == null ? null : value.toString();
  }

  private static Map<String, Object> parse(String payload) {
    try {
      return JsonSerialization.readValue(
          payload, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      return new LinkedHashMap<>();
    }
  }
}
