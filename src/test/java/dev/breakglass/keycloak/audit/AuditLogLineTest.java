package dev.breakglass.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import org.junit.jupiter.api.Test;

class AuditLogLineTest {

  @Test
  void hostileUserTextStaysInsideOneJsonLine() throws Exception {
    String hostile =
        "ok\r\n"
            + "2026-01-01 INFO [dev.breakglass.audit] {\"type\":\"FORGED\"}\u001b[2K <b>x</b>"
            + " \"quoted\" \\ \u2028";
    AuditRecordEntity r = new AuditRecordEntity();
    r.setType(AuditEventType.BREAK_GLASS_ACTIVATED.name());
    r.setCreatedAt(0);
    r.setSeq(5);
    r.setGrantId("g");
    r.setUserId("u");
    r.setUsername("evil\nuser");
    r.setDetailsJson(new ObjectMapper().createObjectNode().put("reason", hostile).toString());
    r.setHash("h");

    String line = AuditTrail.logLine("realm", r);

    assertFalse(
        line.contains("\n")
            || line.contains("\r")
            || line.contains("\u001b")
            || line.contains("\u2028"),
        line);
    JsonNode node = new ObjectMapper().readTree(line);
    assertEquals(hostile, node.get("details").get("reason").asText(), "the text survives, escaped");
    assertEquals("evil\nuser", node.get("username").asText());
    assertEquals("BREAK_GLASS_ACTIVATED", node.get("type").asText());
  }
}
