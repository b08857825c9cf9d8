package dev.breakglass.keycloak.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * How a realm checks that a ticket names an open incident. {@code pattern}: the ticket pattern
 * only. {@code http}: a GET of {@code urlTemplate} with the ticket put in place of {@value
 * #PLACEHOLDER}; open when the JSON value at {@code openPointer} is one of {@code openValues}.
 * {@code authorization} is a secret: {@link #toString()} never prints it.
 */
public record TicketCheckPolicy(
    String mode,
    String urlTemplate,
    String authorization,
    String openPointer,
    List<String> openValues,
    String titlePointer,
    boolean failOpen,
    String webhookSecret) {

  public static final String MODE_PATTERN = "pattern";
  public static final String MODE_HTTP = "http";
  public static final String PLACEHOLDER = "{ticket}";

  /** Today's behaviour: the pattern alone, fail closed, no webhook. */
  public static final TicketCheckPolicy PATTERN_ONLY =
      new TicketCheckPolicy(MODE_PATTERN, null, null, null, List.of(), null, false, null);

  public TicketCheckPolicy {
    openValues = openValues == null ? List.of() : List.copyOf(openValues);
  }

  public boolean isHttp() {
    return MODE_HTTP.equals(mode);
  }

  /**
   * The URL to ask for {@code ticket}: every character but ASCII letters, digits, {@code -} and
   * {@code _} is percent-encoded (UTF-8), so no ticket can add a path segment, a dot segment, a
   * query, a fragment or an escape of its own: scheme, host, port and the text around the
   * placeholder stay the template's.
   */
  public static String url(String template, String ticket) {
    return template.replace(PLACEHOLDER, encode(ticket));
  }

  static String encode(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /**
   * Null when {@code template} is usable: an absolute http(s) URL with a host, no user-info, no
   * fragment, and {@value #PLACEHOLDER} in its path or query (never in the host).
   */
  public static String urlTemplateProblem(String template) {
    if (template.length() > PolicyKeys.LIMIT_WEBHOOK_URL_LENGTH) {
      return "Ticket URL must be at most " + PolicyKeys.LIMIT_WEBHOOK_URL_LENGTH + " characters.";
    }
    if (!template.contains(PLACEHOLDER)) {
      return "Ticket URL must contain {ticket} where the ticket goes, in its path or query.";
    }
    String marker = "bgticketmarker";
    URI uri;
    try {
      uri = new URI(template.replace(PLACEHOLDER, marker));
    } catch (URISyntaxException e) {
      return "Ticket URL is not a valid URL.";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return "Ticket URL must start with https:// (or http://).";
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      return "Ticket URL must name a host.";
    }
    if (uri.getRawUserInfo() != null) {
      return "Ticket URL must not contain credentials; use the ticket authorization header.";
    }
    if (uri.getRawFragment() != null) {
      return "Ticket URL must not contain a fragment (#...).";
    }
    if (uri.getHost().contains(marker) || uri.getRawAuthority().contains(marker)) {
      return "{ticket} must be in the ticket URL's path or query, never in its host.";
    }
    return null;
  }

  /** Null when {@code pointer} is an RFC 6901 JSON pointer: empty, or "/"-separated tokens. */
  public static String pointerProblem(String pointer) {
    if (pointer.isEmpty()) {
      return null;
    }
    if (!pointer.startsWith("/")) {
      return "A JSON pointer starts with / (for example /incident/status).";
    }
    for (int i = 0; i < pointer.length(); i++) {
      if (pointer.charAt(i) == '~') {
        char next = i + 1 < pointer.length() ? pointer.charAt(i + 1) : ' ';
        if (next != '0' && next != '1') {
          return "In a JSON pointer ~ must be followed by 0 (for ~) or 1 (for /).";
        }
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "TicketCheckPolicy[mode="
        + mode
        + ", url="
        + urlTemplate
        + ", openPointer="
        + openPointer
        + ", openValues="
        + openValues
        + ", failOpen="
        + failOpen
        + "]";
  }
}
