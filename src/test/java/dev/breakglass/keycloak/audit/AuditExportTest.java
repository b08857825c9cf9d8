package dev.breakglass.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.breakglass.keycloak.audit.AuditExport.Format;
import dev.breakglass.keycloak.audit.AuditExport.Row;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditExportTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T = Instant.parse("2026-03-01T10:15:30.123Z").toEpochMilli();

  private static Row row(long seq, String username, String details) {
    return new Row(
        "id-" + seq,
        "breakglass-demo",
        seq,
        "BREAK_GLASS_ACTIVATED",
        "grant-1",
        "user-1",
        username,
        T,
        details,
        "0".repeat(64),
        "a".repeat(64));
  }

  @Test
  void csvHasAHeaderAndOneLinePerRecord() {
    String csv = AuditExport.csv(List.of(row(1, "responder", "{\"a\":1}"), row(2, "alice", "{}")));
    List<List<String>> rows = CsvReader.parse(csv);
    assertEquals(3, rows.size());
    assertEquals(AuditExport.COLUMNS, rows.get(0));
    assertEquals(
        List.of(
            "id-1",
            "breakglass-demo",
            "1",
            "BREAK_GLASS_ACTIVATED",
            "grant-1",
            "user-1",
            "responder",
            "2026-03-01T10:15:30.123Z",
            "{\"a\":1}",
            "0".repeat(64),
            "a".repeat(64)),
        rows.get(1));
    assertTrue(
        csv.startsWith("id,realm,seq,type,grantId,userId,username,time,details,prevHash,hash\r\n"));
  }

  @Test
  void csvQuotesCommasQuotesAndLineBreaks() {
    String details = "{\"reason\":\"db down, \\\"really\\\"\",\"notes\":\"line1\\nline2\"}";
    Row tricky = row(1, "o\"brien,\nthe \"second\"\r\nline", details);
    String csv = AuditExport.csv(List.of(tricky));
    assertTrue(csv.contains("\"o\"\"brien,\nthe \"\"second\"\"\r\nline\""), csv);
    assertTrue(csv.contains("\"{\"\"reason\"\":"), "details JSON is quoted: " + csv);
    List<List<String>> rows = CsvReader.parse(csv);
    assertEquals(2, rows.size());
    assertEquals(tricky.username(), rows.get(1).get(6));
    assertEquals(details, rows.get(1).get(8), "the details column holds the details JSON");
  }

  @Test
  void csvNeutralisesFormulaCells() {
    for (String evil :
        List.of("=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "=1,2")) {
      List<List<String>> rows = CsvReader.parse(AuditExport.csv(List.of(row(1, evil, "{}"))));
      assertEquals("'" + evil, rows.get(1).get(6), evil);
    }
    // Harmless starts stay as they are, a formula character inside a cell too.
    assertEquals(
        "a=b", CsvReader.parse(AuditExport.csv(List.of(row(1, "a=b", "{}")))).get(1).get(6));
    assertEquals("'", AuditExport.neutraliseFormula("'"));
  }

  @Test
  void csvKeepsUnicodeAndShowsNullsAsEmptyCells() {
    Row r =
        new Row(
            "id-1",
            "réalm",
            1,
            "BREAK_GLASS_DRIFT",
            null,
            null,
            "Zoë 🚨 日本",
            T,
            null,
            "0".repeat(64),
            "b".repeat(64));
    List<String> cells = CsvReader.parse(AuditExport.csv(List.of(r))).get(1);
    assertEquals("réalm", cells.get(1));
    assertEquals("", cells.get(4));
    assertEquals("Zoë 🚨 日本", cells.get(6));
    assertEquals("", cells.get(8));
  }

  @Test
  void anEmptyExportIsTheHeaderOnly() {
    assertEquals(String.join(",", AuditExport.COLUMNS) + "\r\n", AuditExport.csv(List.of()));
    assertEquals("", AuditExport.jsonLines(List.of()));
  }

  @Test
  void jsonLinesHoldOneParsableObjectPerRecord() throws Exception {
    Row multiline = row(2, "evil\n{\"type\":\"forged\"}", "{\"notes\":\"a\\nb\",\"emoji\":\"🚨\"}");
    String jsonl = AuditExport.jsonLines(List.of(row(1, "responder", "{\"a\":1}"), multiline));
    assertTrue(jsonl.endsWith("\n"));
    String[] lines = jsonl.split("\n");
    assertEquals(2, lines.length, "a line break in a value stays escaped: " + jsonl);
    JsonNode second = JSON.readTree(lines[1]);
    assertEquals(multiline.username(), second.get("username").asText());
    assertEquals("a\nb", second.get("details").get("notes").asText());
    assertEquals("🚨", second.get("details").get("emoji").asText());
    assertEquals("2026-03-01T10:15:30.123Z", second.get("time").asText());
    assertEquals(2, second.get("seq").asLong());
    assertEquals(
        JSON.readTree(JSON.writeValueAsString(AuditExport.view(multiline))),
        second,
        "a line is the JSON view of the record");
  }

  @Test
  void theJsonViewParsesDetailsAndKeepsUnparsableText() {
    Map<String, Object> view = AuditExport.view(row(1, "responder", "{\"ticket\":\"INC-1\"}"));
    assertEquals(
        List.of(
            "id",
            "realm",
            "seq",
            "type",
            "grantId",
            "userId",
            "username",
            "time",
            "details",
            "prevHash",
            "hash"),
        List.copyOf(view.keySet()));
    assertEquals(Map.of("ticket", "INC-1"), view.get("details"));
    assertEquals("not json", AuditExport.view(row(1, "r", "not json")).get("details"));
    assertNull(AuditExport.view(row(1, "r", null)).get("details"));
  }

  @Test
  void formatsAreParsedAndUnknownOnesRefused() {
    assertEquals(Format.JSON, Format.parse(null));
    assertEquals(Format.JSON, Format.parse(""));
    assertEquals(Format.JSONL, Format.parse("jsonl"));
    assertEquals(Format.CSV, Format.parse(" CSV "));
    assertEquals("text/csv", Format.CSV.mediaType());
    assertEquals("application/x-ndjson", Format.JSONL.mediaType());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Format.parse("xml"));
    assertEquals("Parameter format must be one of json, jsonl, csv.", e.getMessage());
  }

  @Test
  void instantsAreIso8601() {
    assertNull(AuditExport.parseInstant("from", null));
    assertNull(AuditExport.parseInstant("from", " "));
    assertEquals(
        Instant.parse("2026-03-01T10:00:00Z"),
        AuditExport.parseInstant("from", "2026-03-01T10:00:00Z"));
    assertEquals(
        Instant.parse("2026-03-01T08:00:00Z"),
        AuditExport.parseInstant("to", "2026-03-01T10:00:00+02:00"));
    for (String bad :
        List.of(
            "yesterday",
            "2026-03-01",
            "1700000000",
            "2026-13-01T00:00:00Z",
            "<script>",
            "+999999999-12-31T23:59:59Z")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> AuditExport.parseInstant("to", bad));
      assertTrue(
          e.getMessage().startsWith("Parameter to must be an ISO-8601 instant"), e.getMessage());
      assertTrue(!e.getMessage().contains(bad), "the value is not echoed");
    }
  }
}
