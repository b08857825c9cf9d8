package dev.breakglass.keycloak.domain;

import java.util.List;

/**
 * Where a realm's alerts go. The JSON log line on the audit logger is always written; these are the
 * channels beyond it. A null {@code webhookUrl} or an empty {@code emails} list turns that channel
 * off.
 */
public record AlertPolicy(
    String webhookUrl, String webhookSecret, List<String> emails, UseAlerts useAlerts) {

  public static final AlertPolicy NONE = new AlertPolicy(null, null, List.of(), UseAlerts.FIRST);

  public AlertPolicy {
    emails = List.copyOf(emails);
  }

  public boolean hasWebhook() {
    return webhookUrl != null && webhookSecret != null;
  }

  public boolean hasEmail() {
    return !emails.isEmpty();
  }

  @Override
  public String toString() {
    // Never print the secret.
    return "AlertPolicy[webhook="
        + (webhookUrl != null)
        + ", emails="
        + emails.size()
        + ", useAlerts="
        + useAlerts
        + "]";
  }
}
