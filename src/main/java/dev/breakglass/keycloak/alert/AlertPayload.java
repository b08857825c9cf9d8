package dev.breakglass.keycloak.alert;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.AlertRules;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.keycloak.util.JsonSerialization;

/**
 * The body of an alert, the same for every channel: the audit record's facts as JSON, plus a
 * one-line {@code text} that Slack and Teams incoming webhooks show as is. Pure. User-supplied text
 * is JSON-escaped in the body and, in {@code text}, stripped of control characters and of the
 * characters Slack reads as markup, and shortened.
 */
public final class AlertPayload {

  public static final String SIGNATURE_HEADER = "X-BreakGlass-Signature";
  public static final String ID_HEADER = "X-BreakGlass-Id";
  public static final String EVENT_HEADER = "X-BreakGlass-Event";

  /** Longest piece of user text quoted in {@code text}; the details keep it whole. */
  static final int TEXT_FIELD_LIMIT = 200;

  private AlertPayload() {}

  /**
   * What the alert reports: one audit record. {@code seq} and {@code hash} are the record's, which
   * is the realm's chain head right after it.
   */
  public record Facts(
      String realm,
      String type,
      long seq,
      String hash,
      long time,
      String grantId,
      String userId,
      String username,
      boolean drill,
      Map<String, Object> details) {}

  public static String build(String alertId, Facts f) {
    ObjectNode node = JsonSerialization.mapper.createObjectNode();
    node.put("id", alertId);
    node.put("type", f.type());
    node.put("drill", f.drill());
    node.put("realm", f.realm());
    node.put("time", Instant.ofEpochMilli(f.time()).toString());
    node.put("seq", f.seq());
    node.set("chain", AuditTrail.chain(f.seq(), f.hash()));
    node.put("grantId", f.grantId());
    node.put("userId", f.userId());
    node.put("username", f.username());
    node.set(
        "details",
        JsonSerialization.mapper.valueToTree(f.details() == null ? Map.of() : f.details()));
    node.put("text", text(f));
    return node.toString();
  }

  /** A human sentence for chat tools: Slack's markup characters entity-escaped. */
  public static String text(Facts f) {
    return sentence(f, true);
  }

  /** The same sentence for e-mail subjects and bodies, where the template escapes. */
  public static String plainText(Facts f) {
    return sentence(f, false);
  }

  private static String sentence(Facts f, boolean slack) {
    Function<Object, String> clean = v -> clean(v, slack);
    Map<String, Object> d = f.details() == null ? Map.of() : f.details();
    String who = clean.apply(f.username() == null ? "unknown user" : f.username());
    String realm = clean.apply(f.realm());
    String prefix = (f.drill() ? "[DRILL] " : "") + "Break-glass ";
    String sentence =
        switch (f.type()) {
          case "BREAK_GLASS_ACTIVATED" ->
              prefix
                  + "ACTIVATED in "
                  + realm
                  + ": "
                  + who
                  + " holds "
                  + list(d.get("roles"), slack)
                  + " until "
                  + clean.apply(d.get("expiresAt"))
                  + " ("
                  + clean.apply(d.get("durationMinutes"))
                  + " min), ticket "
                  + clean.apply(d.get("ticket"))
                  + ". Reason: "
                  + clean.apply(d.get("reason"));
          case "BREAK_GLASS_USED" ->
              prefix
                  + "grant of "
                  + who
                  + " USED in "
                  + realm
                  + ": "
                  + clean.apply(d.get("use"))
                  + describeUse(d, slack)
                  + " (use "
                  + clean.apply(d.get(AlertRules.USE_NUMBER))
                  + ")";
          case "BREAK_GLASS_DENIED" ->
              prefix
                  + "DENIED in "
                  + realm
                  + ": "
                  + who
                  + " ("
                  + clean.apply(d.get("why"))
                  + ")"
                  + via(d, slack);
          case "BREAK_GLASS_EXPIRED" ->
              prefix
                  + "grant of "
                  + who
                  + " EXPIRED in "
                  + realm
                  + "; removed "
                  + list(d.get("rolesRemoved"), slack)
                  + " and ended the sessions";
          case "BREAK_GLASS_REVOKED" ->
              prefix
                  + "grant of "
                  + who
                  + " REVOKED in "
                  + realm
                  + " by "
                  + clean.apply(d.get("endedBy"))
                  + reasonSuffix(d.get("revokeReason"), slack);
          case "BREAK_GLASS_RELEASED" ->
              prefix
                  + "grant of "
                  + who
                  + " RELEASED early by its holder in "
                  + realm
                  + "; removed "
                  + list(d.get("rolesRemoved"), slack)
                  + " and ended the sessions";
          case "BREAK_GLASS_LIMIT" ->
              prefix
                  + "LIMIT in "
                  + realm
                  + ": "
                  + who
                  + (Boolean.TRUE.equals(d.get("refused")) ? " refused by the " : " passed the ")
                  + clean.apply(d.get("kind"))
                  + " limit ("
                  + clean.apply(d.get("limit"))
                  + ")"
                  + (d.get("activationsIn24h") == null
                      ? ""
                      : ": " + clean.apply(d.get("activationsIn24h")) + " activations in 24 h");
          case "BREAK_GLASS_DRIFT" ->
              prefix
                  + "DRIFT in "
                  + realm
                  + ": role "
                  + clean.apply(d.get("role"))
                  + " held by "
                  + clean.apply(d.get("kind"))
                  + " "
                  + clean.apply(d.get("subjectName"))
                  + " without an active grant"
                  + (Boolean.TRUE.equals(d.get("removed"))
                      ? "; mapping removed"
                      : "; mapping left in place (alert mode)");
          case "BREAK_GLASS_ATTESTED" ->
              prefix
                  + "grant of "
                  + who
                  + " ATTESTED in "
                  + realm
                  + (Boolean.TRUE.equals(d.get(AlertRules.ANY_NO))
                      ? " with a NO answer: review it"
                      : "");
          case "BREAK_GLASS_GOVERNANCE_CHANGED" ->
              prefix
                  + "GOVERNANCE CHANGED in "
                  + realm
                  + " by "
                  + who
                  + ": "
                  + clean.apply(d.get("what"))
                  + (Boolean.TRUE.equals(d.get("actorHoldsGrant"))
                      ? " (by the holder of an active grant"
                          + (Boolean.TRUE.equals(d.get("reverted")) ? "; reverted)" : ")")
                      : "");
          case "BREAK_GLASS_ATTESTATION_OVERDUE" ->
              prefix + "attestation OVERDUE in " + realm + " for the grant of " + who;
          case "BREAK_GLASS_REQUESTED" ->
              prefix
                  + "REQUEST in "
                  + realm
                  + ": "
                  + who
                  + " asks for "
                  + list(d.get("roles"), slack)
                  + " for "
                  + clean.apply(d.get("durationMinutes"))
                  + " min, ticket "
                  + clean.apply(d.get("ticket"))
                  + ". Reason: "
                  + clean.apply(d.get("reason"))
                  + ". Approvers ("
                  + clean.apply(d.get("approverGroup"))
                  + ") decide until "
                  + clean.apply(d.get("timesOutAt"))
                  + " at "
                  + clean.apply(d.get("decideAt"))
                  + " or "
                  + clean.apply(d.get("decideApi"));
          case "BREAK_GLASS_APPROVED" ->
              prefix
                  + "request of "
                  + who
                  + " APPROVED in "
                  + realm
                  + " by "
                  + clean.apply(d.get("approver"))
                  + reasonSuffix(d.get("comment"), slack);
          case "BREAK_GLASS_REJECTED" ->
              prefix
                  + "request of "
                  + who
                  + " REJECTED in "
                  + realm
                  + ("APPROVAL_TIMEOUT".equals(d.get("endReason"))
                      ? ": nobody approved it in time"
                      : " by " + clean.apply(d.get("rejectedBy")))
                  + reasonSuffix(d.get("comment"), slack);
          case "BREAK_GLASS_OVERRIDE" ->
              prefix
                  + "OVERRIDE in "
                  + realm
                  + ": nobody approved in time, so "
                  + who
                  + " activated alone "
                  + list(d.get("roles"), slack)
                  + " until "
                  + clean.apply(d.get("expiresAt"))
                  + " ("
                  + clean.apply(d.get("durationMinutes"))
                  + " min), ticket "
                  + clean.apply(d.get("ticket"))
                  + ". Reason: "
                  + clean.apply(d.get("reason"))
                  + ". A second person must attest it";
          default -> prefix + clean.apply(f.type()) + " in " + realm + " for " + who;
        };
    return sentence + (f.grantId() == null ? "" : " [grant " + clean.apply(f.grantId()) + "]");
  }

  /** {@code sha256=} and the lower-case hex HMAC-SHA256 of the body under the realm's secret. */
  public static String signature(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256="
          + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is required by every Java runtime", e);
    }
  }

  private static String describeUse(Map<String, Object> d, boolean slack) {
    if (d.get("operation") != null) {
      return " "
          + clean(d.get("operation"), slack)
          + " "
          + clean(d.get("resourcePath"), slack)
          + via(d, slack);
    }
    return via(d, slack);
  }

  private static String via(Map<String, Object> d, boolean slack) {
    String client = d.get("clientId") == null ? "" : " via " + clean(d.get("clientId"), slack);
    String ip = d.get("ipAddress") == null ? "" : " from " + clean(d.get("ipAddress"), slack);
    return client + ip;
  }

  private static String reasonSuffix(Object reason, boolean slack) {
    return reason == null || reason.toString().isBlank() ? "" : ": " + clean(reason, slack);
  }

  private static String list(Object value, boolean slack) {
    if (value instanceof Collection<?> items) {
      return items.isEmpty()
          ? "no roles"
          : String.join(", ", items.stream().map(v -> clean(v, slack)).toList());
    }
    return clean(value, slack);
  }

  /**
   * Text safe to show in chat and mail: control and format characters become spaces (no forged
   * lines, no bidi tricks), for Slack its markup characters are entity-escaped as Slack asks, and
   * the length is bounded.
   */
  static String clean(Object value, boolean slack) {
    if (value == null) {
      return "-";
    }
    String s = value.toString();
    StringBuilder out = new StringBuilder(Math.min(s.length(), TEXT_FIELD_LIMIT) + 16);
    int kept = 0;
    for (int i = 0; i < s.length() && kept < TEXT_FIELD_LIMIT; i++) {
      char c = s.charAt(i);
      kept++;
      int category = Character.getType(c);
      if (Character.isISOControl(c)
          || category == Character.FORMAT
          || category == Character.LINE_SEPARATOR
          || category == Character.PARAGRAPH_SEPARATOR) {
        out.append(' ');
      } else if (slack && c == '&') {
        out.append("&amp;");
      } else if (slack && c == '<') {
        out.append("&lt;");
      } else if (slack && c == '>') {
        out.append("&gt;");
      } else {
        out.append(c);
      }
    }
    if (kept < s.length()) {
      out.append("...");
    }
    return out.toString();
  }
}
