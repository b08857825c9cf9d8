package dev.breakglass.keycloak.activation;

import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.LimitRules;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.events.EventType;

/**
 * The page of an activation refused by a limit (break-glass-limit.ftl): which limit, when to try
 * again where that is known, and who can help. The BREAK_GLASS_LIMIT record is already written;
 * this adds the Keycloak event and the page.
 */
final class LimitRefusal {

  static final String TEMPLATE = "break-glass-limit.ftl";

  /** A time as the page shows it: to the minute, in UTC, which the message says. */
  private static final DateTimeFormatter SHOWN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private LimitRefusal() {}

  static void show(RequiredActionContext context, LimitRules.Refusal refusal) {
    String kind = refusal.kind().id();
    context
        .getEvent()
        .clone()
        .event(EventType.CUSTOM_REQUIRED_ACTION_ERROR)
        .detail("break_glass", AuditEventType.BREAK_GLASS_LIMIT.name())
        .detail("break_glass_limit", kind)
        .detail(
            "break_glass_retry_at",
            refusal.retryAt() == null ? null : Instant.ofEpochMilli(refusal.retryAt()).toString())
        .error("break_glass_limit_" + kind);

    Map<String, Object> model = new LinkedHashMap<>();
    model.put("kind", kind);
    model.put("limit", refusal.limit());
    model.put("retryAt", refusal.retryAt() == null ? "" : SHOWN.format(ofMillis(refusal)));
    model.put(
        "retryAtIso",
        refusal.retryAt() == null ? "" : Instant.ofEpochMilli(refusal.retryAt()).toString());
    Response.Status status =
        refusal.kind() == LimitRules.Kind.COOLDOWN
            ? Response.Status.TOO_MANY_REQUESTS
            : Response.Status.CONFLICT;
    Response page =
        context
            .form()
            .setAttribute("breakGlassLimit", model)
            .setStatus(status)
            .createForm(TEMPLATE);
    context.challenge(page);
  }

  private static Instant ofMillis(LimitRules.Refusal refusal) {
    return Instant.ofEpochMilli(refusal.retryAt());
  }
}
