package dev.breakglass.keycloak.ticket;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.breakglass.keycloak.domain.TextRules;
import dev.breakglass.keycloak.domain.TicketCheckPolicy;
import dev.breakglass.keycloak.domain.TicketCheckResult;
import java.io.IOException;

/** Classifies an incident system's answer. Pure apart from JSON parsing. */
public final class TicketResponses {

  /** More than this is no incident record: the answer is refused as FAILED. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  /** Titles are shown on the form, cut to this many characters. */
  public static final int MAX_TITLE_LENGTH = 200;

  private static final ObjectMapper JSON = new ObjectMapper();

  private TicketResponses() {}

  public static TicketCheckResult classify(TicketCheckPolicy policy, int status, byte[] body) {
    if (status == 404) {
      return TicketCheckResult.unknown();
    }
    if (status >= 300 && status < 400) {
      return TicketCheckResult.failed("redirect not followed (HTTP " + status + ")");
    }
    if (status < 200 || status >= 300) {
      return TicketCheckResult.failed("HTTP " + status);
    }
    if (body == null || body.length > MAX_BODY_BYTES) {
      return TicketCheckResult.failed("response larger than " + MAX_BODY_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      return TicketCheckResult.failed("response is not JSON");
    }
    if (root == null || root.isMissingNode()) {
      return TicketCheckResult.failed("response is not JSON");
    }
    JsonNode state = at(root, policy.openPointer());
    if (state == null || !state.isValueNode() || state.isNull()) {
      return TicketCheckResult.failed("no status at " + policy.openPointer());
    }
    if (!policy.openValues().contains(state.asText())) {
      return TicketCheckResult.closed();
    }
    String title = null;
    if (policy.titlePointer() != null) {
      JsonNode node = at(root, policy.titlePointer());
      if (node != null && node.isValueNode() && !node.isNull()) {
        title = TextRules.printable(node.asText(), MAX_TITLE_LENGTH);
      }
    }
    return TicketCheckResult.open(title);
  }

  /** The node at an RFC 6901 pointer, or null when there is none. */
  static JsonNode at(JsonNode root, String pointer) {
    JsonNode node;
    try {
      node = root.at(JsonPointer.compile(pointer));
    } catch (IllegalArgumentException e) {
      return null;
    }
    return node.isMissingNode() ? null : node;
  }
}
