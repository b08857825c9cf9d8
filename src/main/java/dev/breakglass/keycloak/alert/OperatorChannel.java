package dev.breakglass.keycloak.alert;

import java.net.URI;
import java.util.Locale;

/**
 * The operator's webhook, set in Keycloak's server options and nowhere else: no realm admin can
 * see, change or silence it. Both null: off (the JSON audit log, the other half of the operator
 * channel, is always written). Pure.
 */
public record OperatorChannel(String url, String secret) {

  public static final OperatorChannel OFF = new OperatorChannel(null, null);

  static final int MIN_SECRET = 16;
  static final int MAX_SECRET = 512;

  /**
   * From the server options; a URL without a usable secret (or the reverse) is refused, so a typo
   * never leaves the operator believing a channel is on that is not.
   *
   * @throws IllegalArgumentException with a message naming the option, never the secret
   */
  public static OperatorChannel of(String url, String secret) {
    String u = blankToNull(url);
    String s = blankToNull(secret);
    if (u == null && s == null) {
      return OFF;
    }
    if (u == null) {
      throw new IllegalArgumentException(
          "operator-webhook-secret is set but operator-webhook-url is not");
    }
    URI uri;
    try {
      uri = URI.create(u);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("operator-webhook-url is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException("operator-webhook-url must be an http or https URL");
    }
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException(
          "operator-webhook-url must not carry credentials; the secret signs each request");
    }
    if (s == null || s.length() < MIN_SECRET || s.length() > MAX_SECRET) {
      throw new IllegalArgumentException(
          "operator-webhook-secret must be "
              + MIN_SECRET
              + " to "
              + MAX_SECRET
              + " characters when operator-webhook-url is set");
    }
    return new OperatorChannel(u, s);
  }

  public boolean configured() {
    return url != null && secret != null;
  }

  /** Scheme, host and port only: a webhook path is often a secret itself (Slack, Teams). */
  public String describe() {
    if (!configured()) {
      return "off";
    }
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  @Override
  public String toString() {
    return "OperatorChannel[" + describe() + "]";
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
