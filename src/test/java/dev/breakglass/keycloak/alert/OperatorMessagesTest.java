package dev.breakglass.keycloak.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorMessagesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The outbox's PAYLOAD column (VARCHAR(16000)). */
  private static final int PAYLOAD_COLUMN = 16_000;

  private static AuditRecordEntity record(long seq, String details) {
    AuditRecordEntity r = new AuditRecordEntity();
    r.setId("rec-" + seq);
    r.setRealmId("realm-id");
    r.setSeq(seq);
    r.setType("BREAK_GLASS_USED");
    r.setGrantId("g");
    r.setUserId("u");
    r.setUsername("responder");
    r.setCreatedAt(1_796_000_000_000L + seq);
    r.setDetailsJson(details);
    r.setPrevHash("p".repeat(64));
    r.setHash(Long.toHexString(seq).repeat(64).substring(0, 64));
    return r;
  }

  @Test
  void aCheckpointCarriesTheHeadAtTopLevelAndAsChain() throws Exception {
    ObjectNode checkpoint =
        OperatorMessages.checkpoint("breakglass-demo", "rid", 42, "h".repeat(64), 0);
    JsonNode body = JSON.readTree(OperatorMessages.payload("alert-9", checkpoint));
    assertEquals("alert-9", body.get("id").asText());
    assertEquals("BREAK_GLASS_CHECKPOINT", body.get("type").asText());
    assertEquals("breakglass-demo", body.get("realm").asText());
    assertEquals("rid", body.get("realmId").asText());
    assertEquals(42, body.get("seq").asLong());
    assertEquals(42, body.get("chain").get("seq").asLong());
    assertEquals("h".repeat(64), body.get("chain").get("hash").asText());
    assertEquals("1970-01-01T00:00:00Z", body.get("time").asText());
    assertTrue(body.get("text").asText().contains("seq 42"), body.get("text").asText());
    assertFalse(checkpoint.has("id"), "the logged message is not changed by the payload");
  }

  @Test
  void aTrailIsCutIntoPartsThatFitThePayloadColumnAndKeepEveryRecordInOrder() throws Exception {
    // Records with the largest details the audit trail stores (7,000 characters).
    String big = JSON.createObjectNode().put("reason", "x".repeat(6_980)).toString();
    List<String> payloads = new ArrayList<>();
    int[] number = {0};
    OperatorMessages.TrailParts parts =
        new OperatorMessages.TrailParts(
            OperatorMessages.PART_LIMIT,
            records ->
                payloads.add(
                    OperatorMessages.payload(
                        "a" + number[0],
                        OperatorMessages.trailPart("r", "rid", 0, ++number[0], records))));
    for (long seq = 1; seq <= 25; seq++) {
      parts.add(OperatorMessages.record(record(seq, seq % 5 == 0 ? big : "{\"use\":\"LOGIN\"}")));
    }
    int count = parts.finish();

    assertEquals(payloads.size(), count);
    assertTrue(count > 1, "large records force several parts");
    long expected = 1;
    for (int i = 0; i < payloads.size(); i++) {
      assertTrue(
          payloads.get(i).length() < PAYLOAD_COLUMN, "part fits: " + payloads.get(i).length());
      JsonNode part = JSON.readTree(payloads.get(i));
      assertEquals("BREAK_GLASS_REALM_TRAIL", part.get("type").asText());
      assertEquals(i + 1, part.get("part").asInt());
      for (JsonNode r : part.get("records")) {
        assertEquals(expected++, r.get("seq").asLong());
        assertTrue(r.get("details").isObject(), "details as JSON, as the export has them");
      }
      JsonNode last = part.get("records").get(part.get("records").size() - 1);
      assertEquals(last.get("seq").asLong(), part.get("chain").get("seq").asLong());
      assertEquals(last.get("hash").asText(), part.get("chain").get("hash").asText());
    }
    assertEquals(26, expected, "every record, once");
  }

  @Test
  void anEmptyTrailHasNoParts() {
    assertEquals(0, new OperatorMessages.TrailParts(100, p -> {}).finish());
  }

  @Test
  void theRemovalSaysWhatWasSentAndWhetherTheChainHeld() throws Exception {
    JsonNode ok =
        JSON.readTree(
            OperatorMessages.payload(
                "a", OperatorMessages.realmRemoved("r", "rid", 0, 9, "h9", 9, 2, true, null)));
    assertEquals("BREAK_GLASS_REALM_REMOVED", ok.get("type").asText());
    assertEquals(9, ok.get("chain").get("seq").asLong());
    assertEquals("h9", ok.get("chain").get("hash").asText());
    assertEquals(9, ok.get("records").asLong());
    assertEquals(2, ok.get("parts").asInt());
    assertTrue(ok.get("chainValid").asBoolean());
    assertFalse(ok.has("problem"));

    JsonNode broken =
        JSON.readTree(
            OperatorMessages.payload(
                "a",
                OperatorMessages.realmRemoved(
                    "r", "rid", 0, 9, "h9", 8, 1, false, "sequence gap")));
    assertEquals("sequence gap", broken.get("problem").asText());
    assertTrue(broken.get("text").asText().contains("did NOT verify"), broken.toString());
  }

  @Test
  void aStoredPayloadNamesItsRealmForLogsAfterTheRealmIsGone() {
    assertEquals(
        "gone-realm",
        OperatorMessages.realmOf(
            OperatorMessages.payload(
                "a", OperatorMessages.checkpoint("gone-realm", "rid", 1, "h", 0))));
    assertEquals(null, OperatorMessages.realmOf("not json"));
  }
}
