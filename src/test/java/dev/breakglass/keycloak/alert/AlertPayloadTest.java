package dev.breakglass.keycloak.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.breakglass.keycloak.domain.AuditEventType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertPayloadTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static AlertPayload.Facts activation(String reason, String username, boolean drill) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("roles", List.of("emergency-admin"));
    details.put("reason", reason);
    details.put("ticket", "INC-4711");
    details.put("durationMinutes", 15);
    details.put("expiresAt", "2026-11-27T12:00:00Z");
    return new AlertPayload.Facts(
        "breakglass-demo",
        "BREAK_GLASS_ACTIVATED",
        7,
        "a".repeat(64),
        1_796_000_000_000L,
        "g-1",
        "u-1",
        username,
        drill,
        details);
  }

  @Test
  void bodyCarriesTheFactsAndTheStableId() throws Exception {
    JsonNode body =
        JSON.readTree(
            AlertPayload.build(
                "alert-1", activation("Database down, failing over", "responder", false)));
    assertEquals("alert-1", body.get("id").asText());
    assertEquals("BREAK_GLASS_ACTIVATED", body.get("type").asText());
    assertEquals("breakglass-demo", body.get("realm").asText());
    assertEquals(7, body.get("seq").asLong());
    // The realm's chain head right after this record: anchored wherever the alert lands.
    assertEquals(7, body.get("chain").get("seq").asLong());
    assertEquals("a".repeat(64), body.get("chain").get("hash").asText());
    assertEquals("g-1", body.get("grantId").asText());
    assertEquals("INC-4711", body.get("details").get("ticket").asText());
    assertFalse(body.get("drill").asBoolean());
    String text = body.get("text").asText();
    assertTrue(
        text.startsWith(
            "Break-glass ACTIVATED in breakglass-demo: responder holds emergency-admin"),
        text);
    assertTrue(text.contains("ticket INC-4711"), text);
    assertTrue(text.endsWith("[grant g-1]"), text);
  }

  @Test
  void hostileTextIsEscapedInBodyAndNeutralisedInText() throws Exception {
    String hostile =
        "line1\r\n"
            + "FORGED {\"type\":\"x\"} <script>alert(1)</script> & \u001b[31mred\u001b[0m"
            + " \u202Eevil\u2028next";
    String body = AlertPayload.build("a", activation(hostile, "bob\nroot", false));
    assertFalse(body.contains("\n") || body.contains("\r"), "one line of JSON");
    JsonNode node = JSON.readTree(body);
    assertEquals(
        hostile,
        node.get("details").get("reason").asText(),
        "the body keeps the exact text, JSON-escaped");
    String text = node.get("text").asText();
    assertFalse(text.contains("<") || text.contains(">"), text);
    assertTrue(text.contains("&lt;script&gt;") && text.contains("&amp;"), text);
    assertTrue(text.chars().noneMatch(Character::isISOControl), "no control characters in text");
    assertFalse(text.contains("\u202E"), "no bidi override");
    assertFalse(text.contains("\u2028"), "no Unicode line separator");
    assertTrue(text.contains("bob root"), text);
  }

  @Test
  void plainTextKeepsCharactersButNotControls() {
    String text = AlertPayload.plainText(activation("a < b & c\nd", "responder", false));
    assertTrue(text.contains("a < b & c d"), text);
  }

  @Test
  void longTextIsShortenedInTextOnly() throws Exception {
    String reason = "x".repeat(1000);
    JsonNode node = JSON.readTree(AlertPayload.build("a", activation(reason, "responder", false)));
    assertEquals(1000, node.get("details").get("reason").asText().length());
    assertTrue(
        node.get("text").asText().contains("x".repeat(AlertPayload.TEXT_FIELD_LIMIT) + "..."));
    assertFalse(node.get("text").asText().contains("x".repeat(AlertPayload.TEXT_FIELD_LIMIT + 1)));
  }

  @Test
  void drillsSayDrill() throws Exception {
    JsonNode node =
        JSON.readTree(
            AlertPayload.build(
                "a", activation("Quarterly break-glass drill run", "responder", true)));
    assertTrue(node.get("drill").asBoolean());
    assertTrue(node.get("text").asText().startsWith("[DRILL] "));
  }

  @Test
  void signatureIsHmacSha256OfTheBody() {
    // RFC 4231, test case 2.
    assertEquals(
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        AlertPayload.signature("Jefe", "what do ya want for nothing?"));
  }

  @Test
  void everyEventTypeHasASentence() {
    for (var type : AuditEventType.values()) {
      String text =
          AlertPayload.text(
              new AlertPayload.Facts(
                  "r", type.name(), 1, "h", 0, null, null, "u", false, Map.of()));
      assertTrue(text.startsWith("Break-glass "), text);
      assertTrue(text.contains(" in r"), text);
    }
  }
}
