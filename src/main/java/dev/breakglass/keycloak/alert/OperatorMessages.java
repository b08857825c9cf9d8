package dev.breakglass.keycloak.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.keycloak.util.JsonSerialization;

/**
 * The operator channel's own messages, beyond the audit records it forwards: the periodic chain
 * checkpoint, and a removed realm's trail and last head. Each is a JSON object that is logged on
 * the audit logger as it is and, with an {@code id} and a {@code text}, sent to the operator's
 * webhook. Pure.
 */
public final class OperatorMessages {

  public static final String CHECKPOINT = "BREAK_GLASS_CHECKPOINT";
  public static final String REALM_TRAIL = "BREAK_GLASS_REALM_TRAIL";
  public static final String REALM_REMOVED = "BREAK_GLASS_REALM_REMOVED";
  public static final String DELIVERY_LAG = "BREAK_GLASS_DELIVERY_LAG";

  /**
   * Characters of records in one trail part: with the envelope it stays well inside the outbox's
   * 16,000-character payload column, and one record (details at most 7,000) always fits.
   */
  static final int PART_LIMIT = 12_000;

  private OperatorMessages() {}

  /** A realm's chain head at {@code at}: what the exported trail must agree with. */
  public static ObjectNode checkpoint(
      String realm, String realmId, long seq, String hash, long at) {
    ObjectNode node = envelope(CHECKPOINT, realm, realmId, at);
    node.put("seq", seq);
    node.put("hash", hash);
    node.set("chain", AuditTrail.chain(seq, hash));
    return node;
  }

  /**
   * One part of a removed realm's trail: its records in seq order, as the export has them. {@code
   * chain} is the head after the part's last record.
   */
  public static ObjectNode trailPart(
      String realm, String realmId, long at, int part, List<ObjectNode> records) {
    ObjectNode node = envelope(REALM_TRAIL, realm, realmId, at);
    JsonNode last = records.get(records.size() - 1);
    node.put("part", part);
    node.put("firstSeq", records.get(0).get("seq").asLong());
    node.put("lastSeq", last.get("seq").asLong());
    node.set("chain", AuditTrail.chain(last.get("seq").asLong(), last.get("hash").asText()));
    ArrayNode array = node.putArray("records");
    records.forEach(array::add);
    return node;
  }

  /**
   * The last word on a removed realm: its final head, how many records and trail parts were sent,
   * and whether the chain verified when it was read.
   */
  public static ObjectNode realmRemoved(
      String realm,
      String realmId,
      long at,
      long seq,
      String hash,
      long records,
      int parts,
      boolean valid,
      String problem) {
    ObjectNode node = envelope(REALM_REMOVED, realm, realmId, at);
    node.put("seq", seq);
    node.put("hash", hash);
    node.set("chain", AuditTrail.chain(seq, hash));
    node.put("records", records);
    node.put("parts", parts);
    node.put("chainValid", valid);
    if (problem != null) {
      node.put("problem", problem);
    }
    return node;
  }

  /**
   * Alerts have waited longer than the limit: the oldest (its realm, event and age) and how many
   * wait. Sent once per episode; it says nothing of any alert's content.
   */
  public static ObjectNode deliveryLag(
      String realm,
      String realmId,
      long at,
      String oldestId,
      String oldestType,
      long oldestAgeSeconds,
      long waiting,
      long limitSeconds) {
    ObjectNode node = envelope(DELIVERY_LAG, realm, realmId, at);
    node.put("oldestAlertId", oldestId);
    node.put("oldestEvent", oldestType);
    node.put("oldestAgeSeconds", oldestAgeSeconds);
    node.put("waiting", waiting);
    node.put("limitSeconds", limitSeconds);
    return node;
  }

  /** The operator's copy: the logged message with the alert's id and a sentence for chat tools. */
  public static String payload(String alertId, ObjectNode message) {
    ObjectNode node = JsonSerialization.mapper.createObjectNode();
    node.put("id", alertId);
    node.setAll(message);
    node.put("text", text(message));
    return node.toString();
  }

  /** One audit record as the export has it (details as JSON, not as a string). */
  public static ObjectNode record(AuditRecordEntity r) {
    ObjectNode node = JsonSerialization.mapper.createObjectNode();
    node.put("id", r.getId());
    node.put("seq", r.getSeq());
    node.put("type", r.getType());
    node.put("time", Instant.ofEpochMilli(r.getCreatedAt()).toString());
    node.put("grantId", r.getGrantId());
    node.put("userId", r.getUserId());
    node.put("username", r.getUsername());
    try {
      node.set(
          "details",
          r.getDetailsJson() == null
              ? JsonSerialization.mapper.createObjectNode()
              : JsonSerialization.mapper.readTree(r.getDetailsJson()));
    } catch (IOException e) {
      node.put("details", r.getDetailsJson());
    }
    node.put("prevHash", r.getPrevHash());
    node.put("hash", r.getHash());
    return node;
  }

  /** The realm name a stored operator payload names, for logs once the realm is gone. */
  static String realmOf(String payload) {
    try {
      return JsonSerialization.mapper.readTree(payload).path("realm").asText(null);
    } catch (IOException e) {
      return null;
    }
  }

  static String text(ObjectNode m) {
    String realm = AlertPayload.clean(m.path("realm").asText(), true);
    String head = "seq " + m.path("seq").asLong() + ", hash " + m.path("hash").asText();
    return switch (m.path("type").asText()) {
      case CHECKPOINT -> "Break-glass chain checkpoint of realm " + realm + ": " + head;
      case REALM_TRAIL ->
          "Break-glass trail of removed realm "
              + realm
              + ", part "
              + m.path("part").asInt()
              + ": records "
              + m.path("firstSeq").asLong()
              + " to "
              + m.path("lastSeq").asLong();
      case REALM_REMOVED ->
          "Break-glass realm "
              + realm
              + " REMOVED; its trail of "
              + m.path("records").asLong()
              + " record(s) went out in "
              + m.path("parts").asInt()
              + " part(s), last "
              + head
              + (m.path("chainValid").asBoolean() ? "" : "; the chain did NOT verify");
      case DELIVERY_LAG ->
          "Break-glass alerts are late: "
              + m.path("waiting").asLong()
              + " waiting, the oldest ("
              + AlertPayload.clean(m.path("oldestEvent").asText(), true)
              + " of realm "
              + realm
              + ") for "
              + m.path("oldestAgeSeconds").asLong()
              + " s, over the limit of "
              + m.path("limitSeconds").asLong()
              + " s; check the alert channels";
      default -> "Break-glass " + AlertPayload.clean(m.path("type").asText(), true);
    };
  }

  private static ObjectNode envelope(String type, String realm, String realmId, long at) {
    ObjectNode node = JsonSerialization.mapper.createObjectNode();
    node.put("type", type);
    node.put("realm", realm);
    node.put("realmId", realmId);
    node.put("time", Instant.ofEpochMilli(at).toString());
    return node;
  }

  /**
   * Cuts a stream of records into parts of at most {@code limit} characters of JSON (a record
   * larger than that goes alone), handing each part on as it fills: a long trail is never held
   * whole.
   */
  public static final class TrailParts {
    private final int limit;
    private final Consumer<List<ObjectNode>> onPart;
    private List<ObjectNode> current = new ArrayList<>();
    private int size;
    private int parts;

    public TrailParts(int limit, Consumer<List<ObjectNode>> onPart) {
      this.limit = limit;
      this.onPart = onPart;
    }

    public void add(ObjectNode record) {
      int length = record.toString().length() + 1;
      if (!current.isEmpty() && size + length > limit) {
        emit();
      }
      current.add(record);
      size += length;
    }

    /** Hands on the last part; returns how many parts there were. */
    public int finish() {
      if (!current.isEmpty()) {
        emit();
      }
      return parts;
    }

    private void emit() {
      parts++;
      onPart.accept(current);
      current = new ArrayList<>();
      size = 0;
    }
  }
}
