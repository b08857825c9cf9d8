package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.breakglass.keycloak.audit.CsvReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every use evidenced: the audit trail verifies, exports in JSON, JSON Lines and CSV over a time
 * window, tells one grant's story, and shows itself broken when a row is edited, deleted or
 * reordered in the database. The shared test server's in-memory H2 is out of the test's reach, so
 * this runs its own server on a dev-file H2 in AUTO_SERVER mode, which the test opens over JDBC
 * while Keycloak runs.
 */
class AuditIT {

  private static final String BASE = BreakGlassAdmin.BASE;
  private static final int PORT = 8182;
  // Set explicitly: on 26.7.3 the dev-file database's default user is "" with an empty password.
  private static final String DB_USER = "sa";
  private static final String DB_PASSWORD = "password";

  private static KeycloakProcess kc;
  private static BreakGlassAdmin breakGlass;

  @BeforeAll
  static void startKeycloak() throws Exception {
    kc =
        KeycloakProcess.install(
            Path.of("target/audit-it"),
            PORT,
            // Keycloak adds DB_CLOSE_ON_EXIT=FALSE to an H2 URL unless told otherwise; H2 refuses
            // that with AUTO_SERVER.
            "--db-url-properties=;AUTO_SERVER=TRUE;DB_CLOSE_ON_EXIT=TRUE",
            "--db-username=" + DB_USER,
            "--db-password=" + DB_PASSWORD);
    // A fresh database each run: counts and seqs below depend on nothing a previous run left.
    deleteTree(kc.home().resolve("data/h2"));
    kc.start();
    // A fresh token per call: the tampering test outlives master's 60 s access tokens.
    breakGlass =
        BreakGlassAdmin.over(
            new AdminApi(
                kc.baseUrl(), () -> Oidc.passwordToken(kc.baseUrl(), "master", "admin", "admin")));
  }

  @AfterAll
  static void stopKeycloak() throws InterruptedException {
    if (kc != null) {
      kc.stop();
    }
  }

  private static AdminApi as(String user) {
    String token = Oidc.passwordToken(kc.baseUrl(), DemoRealm.REALM, user, user);
    return new AdminApi(kc.baseUrl(), () -> token);
  }

  /** Activates for responder and revokes at once: two records. */
  private static String activateAndRevoke(String why) {
    DemoRealm.activate(
        new Oidc(kc.baseUrl(), DemoRealm.REALM, DemoRealm.CLIENT, DemoRealm.REDIRECT),
        "responder",
        15);
    JsonNode active = breakGlass.activeGrants("responder");
    assertEquals(1, active.size(), active.toString());
    String grantId = active.get(0).get("id").asText();
    AdminApi.Result revoked = breakGlass.revoke(grantId, why);
    assertEquals(200, revoked.status(), revoked.body());
    return grantId;
  }

  private static JsonNode verify() {
    AdminApi.Result result = breakGlass.get("audit/verify");
    assertEquals(200, result.status(), result.body());
    return result.json();
  }

  private static List<JsonNode> allRecords() {
    List<JsonNode> records = new ArrayList<>();
    breakGlass.audit().forEach(records::add);
    return records;
  }

  private static JsonNode record(List<JsonNode> records, String grantId, String type) {
    return records.stream()
        .filter(
            r -> grantId.equals(r.path("grantId").asText()) && type.equals(r.get("type").asText()))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("No " + type + " record for " + grantId + " in " + records));
  }

  private static void assertBadRequest(String path) {
    AdminApi.Result result = breakGlass.get(path);
    assertEquals(400, result.status(), path + ": " + result.body());
    assertTrue(
        result.json().path("errorMessage").asText().startsWith("Parameter "),
        path + ": " + result.body());
  }

  @Test
  void theTrailVerifiesExportsAndTellsAGrantsStory() throws Exception {
    long before = verify().get("records").asLong();
    String grantId = activateAndRevoke("drill over");

    JsonNode verified = verify();
    assertTrue(verified.get("valid").asBoolean(), verified.toString());
    // Activation, its first use (the code exchange) and revocation.
    assertEquals(before + 3, verified.get("records").asLong(), verified.toString());
    assertEquals(before + 3, verified.get("headSeq").asLong());
    List<JsonNode> all = allRecords();
    assertEquals(all.get(all.size() - 1).get("hash").asText(), verified.get("headHash").asText());

    // A window from the activation (inclusive) to just after the revocation (exclusive end).
    JsonNode activated = record(all, grantId, "BREAK_GLASS_ACTIVATED");
    JsonNode used = record(all, grantId, "BREAK_GLASS_USED");
    JsonNode revoked = record(all, grantId, "BREAK_GLASS_REVOKED");
    Instant from = Instant.parse(activated.get("time").asText());
    Instant revokedAt = Instant.parse(revoked.get("time").asText());
    assertTrue(from.isBefore(revokedAt), "revoked after activated");
    String window = "from=" + from + "&to=" + revokedAt.plusMillis(1);

    AdminApi.Result json = breakGlass.get("audit?" + window);
    assertEquals(200, json.status(), json.body());
    assertTrue(json.contentType().startsWith("application/json"), json.contentType());
    assertEquals(
        List.of(activated, used, revoked),
        list(json.json()),
        "the window holds the grant's three records");
    assertEquals(
        json.json(), breakGlass.get("audit?format=json&" + window).json(), "json is the default");
    assertEquals(
        List.of(activated, used),
        list(breakGlass.get("audit?from=" + from + "&to=" + revokedAt).json()),
        "to is exclusive");
    assertEquals(
        List.of(used),
        list(breakGlass.get("audit?max=1&first=1&" + window).json()),
        "paging applies");

    AdminApi.Result jsonl = breakGlass.get("audit?format=jsonl&" + window);
    assertEquals(200, jsonl.status(), jsonl.body());
    assertTrue(jsonl.contentType().startsWith("application/x-ndjson"), jsonl.contentType());
    String[] lines = jsonl.body().split("\n");
    assertEquals(3, lines.length, jsonl.body());
    assertEquals(
        activated, Oidc.JSON.readTree(lines[0]), "a line is the record as GET audit shows it");
    assertEquals(used, Oidc.JSON.readTree(lines[1]));
    assertEquals(revoked, Oidc.JSON.readTree(lines[2]));

    AdminApi.Result csv = breakGlass.get("audit?format=csv&" + window);
    assertEquals(200, csv.status(), csv.body());
    assertTrue(csv.contentType().startsWith("text/csv"), csv.contentType());
    List<List<String>> rows = CsvReader.parse(csv.body());
    assertEquals(4, rows.size(), csv.body());
    List<String> header = rows.get(0);
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
        header);
    List<JsonNode> expectedRows = List.of(activated, used, revoked);
    for (int i = 0; i < expectedRows.size(); i++) {
      JsonNode expected = expectedRows.get(i);
      List<String> row = rows.get(i + 1);
      assertEquals(expected.get("seq").asText(), row.get(header.indexOf("seq")));
      assertEquals(expected.get("type").asText(), row.get(header.indexOf("type")));
      assertEquals(grantId, row.get(header.indexOf("grantId")));
      assertEquals(expected.get("hash").asText(), row.get(header.indexOf("hash")));
      assertEquals(
          expected.get("details"),
          Oidc.JSON.readTree(row.get(header.indexOf("details"))),
          "the details column holds the details JSON");
    }

    assertBadRequest("audit?from=yesterday");
    assertBadRequest("audit?to=2026-01-01");
    assertBadRequest("audit?format=xml");
    assertBadRequest("audit?format=csv&from=yesterday");
    assertBadRequest("audit?from=" + revokedAt + "&to=" + from);

    AdminApi.Result evidence = breakGlass.get("grants/" + grantId + "/evidence");
    assertEquals(200, evidence.status(), evidence.body());
    JsonNode story = evidence.json();
    assertEquals(breakGlass.grant(grantId), story.get("grant"), "the grant as GET grants/{id}");
    assertEquals(
        List.of(activated, used, revoked), list(story.get("records")), "its records in seq order");
    assertTrue(story.get("chain").get("valid").asBoolean(), story.toString());
    assertEquals(before + 3, story.get("chain").get("records").asLong());
    assertEquals(400, breakGlass.get("grants/not%20an%20id!/evidence").status());
    assertEquals(
        404, breakGlass.get("grants/00000000-0000-0000-0000-000000000000/evidence").status());

    // Reading needs view-users of this realm.
    AdminApi anonymous = new AdminApi(kc.baseUrl(), () -> null);
    AdminApi alice = as("alice");
    AdminApi auditor = as("auditor");
    for (String path :
        List.of(
            "audit/verify",
            "audit?format=csv",
            "audit?format=jsonl",
            "grants/" + grantId + "/evidence")) {
      assertEquals(401, anonymous.get(BASE + path).status(), path);
      assertEquals(403, alice.get(BASE + path).status(), path);
      assertEquals(200, auditor.get(BASE + path).status(), path);
    }
  }

  @Test
  void tamperingWithTheTableBreaksTheChain() throws Exception {
    for (int i = 0; i < 3; i++) {
      activateAndRevoke("round " + i);
    }
    List<JsonNode> records = allRecords();
    long last = records.get(records.size() - 1).get("seq").asLong();
    assertTrue(last >= 6, "enough records: " + last);
    assertEquals(last, records.size(), "seqs run 1.." + last);
    JsonNode valid = verify();
    assertTrue(valid.get("valid").asBoolean(), valid.toString());
    assertEquals(last, valid.get("records").asLong());
    String middleId = idAt(records, last - 3);

    try (Connection db = DriverManager.getConnection(jdbcUrl(), DB_USER, DB_PASSWORD)) {
      db.setAutoCommit(false);

      // 1. An edited row.
      String details = column(db, middleId, "DETAILS");
      update(
          db,
          "update BG_AUDIT set DETAILS = ? where ID = ?",
          "{\"reason\":\"nothing happened\"}",
          middleId);
      assertBroken(last - 3, middleId, "hash mismatch: record content was altered", last - 4);
      update(db, "update BG_AUDIT set DETAILS = ? where ID = ?", details, middleId);
      assertIntact(last);

      // 2. A deleted middle row.
      Map<String, Object> middle = row(db, middleId);
      update(db, "delete from BG_AUDIT where ID = ?", middleId);
      assertBroken(
          last - 2,
          idAt(records, last - 2),
          "sequence gap: record(s) missing before seq " + (last - 2),
          last - 4);
      insert(db, middle);
      assertIntact(last);

      // 3. Two rows swapping places (SEQ is unique per realm, so through a free value).
      long a = last - 4;
      long b = last - 2;
      swapSeq(db, idAt(records, a), b, idAt(records, b), a);
      assertBroken(a, idAt(records, b), "previous-hash link broken", a - 1);
      swapSeq(db, idAt(records, a), a, idAt(records, b), b);
      assertIntact(last);

      // 4. The newest row deleted: only the chain head still knows it existed.
      String newestId = idAt(records, last);
      Map<String, Object> newest = row(db, newestId);
      update(db, "delete from BG_AUDIT where ID = ?", newestId);
      JsonNode broken =
          assertBroken(
              last,
              null,
              "chain head does not match the last record: newest record(s) missing",
              last - 1);
      assertFalse(
          broken.hasNonNull("firstBrokenRecordId"), "a missing record has no id: " + broken);
      insert(db, newest);
      assertIntact(last);
    }
  }

  private static JsonNode assertBroken(long seq, String recordId, String problem, long intact) {
    JsonNode result = verify();
    assertFalse(result.get("valid").asBoolean(), "tampering shows: " + result);
    assertEquals(seq, result.get("firstBrokenSeq").asLong(), result.toString());
    if (recordId != null) {
      assertEquals(recordId, result.get("firstBrokenRecordId").asText(), result.toString());
    }
    assertEquals(problem, result.get("problem").asText(), result.toString());
    assertEquals(
        intact, result.get("records").asLong(), "records intact before the break: " + result);
    return result;
  }

  private static void assertIntact(long records) {
    JsonNode result = verify();
    assertTrue(result.get("valid").asBoolean(), "restored: " + result);
    assertEquals(records, result.get("records").asLong(), result.toString());
  }

  private static String jdbcUrl() {
    Path db = kc.home().resolve("data/h2/keycloakdb").toAbsolutePath();
    return "jdbc:h2:file:" + db + ";AUTO_SERVER=TRUE;NON_KEYWORDS=VALUE";
  }

  private static String idAt(List<JsonNode> records, long seq) {
    return records.stream()
        .filter(r -> r.get("seq").asLong() == seq)
        .findFirst()
        .orElseThrow(() -> new AssertionError("No record with seq " + seq))
        .get("id")
        .asText();
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> list = new ArrayList<>();
    array.forEach(list::add);
    return list;
  }

  private static String column(Connection db, String id, String column) throws SQLException {
    return (String) row(db, id).get(column);
  }

  private static Map<String, Object> row(Connection db, String id) throws SQLException {
    try (PreparedStatement select = db.prepareStatement("select * from BG_AUDIT where ID = ?")) {
      select.setString(1, id);
      try (ResultSet rs = select.executeQuery()) {
        assertTrue(rs.next(), "row " + id);
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
          row.put(rs.getMetaData().getColumnName(c), rs.getObject(c));
        }
        db.commit();
        return row;
      }
    }
  }

  /** One statement in its own transaction. */
  private static void update(Connection db, String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = db.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      assertEquals(1, statement.executeUpdate(), sql);
      db.commit();
    } catch (SQLException | RuntimeException e) {
      db.rollback();
      throw e;
    }
  }

  private static void insert(Connection db, Map<String, Object> row) throws SQLException {
    String sql =
        "insert into BG_AUDIT ("
            + String.join(", ", row.keySet())
            + ") values ("
            + String.join(", ", row.keySet().stream().map(k -> "?").toList())
            + ")";
    update(db, sql, row.values().toArray());
  }

  /** Gives row x seq xNew and row y seq yNew in one transaction, via a seq no row holds. */
  private static void swapSeq(Connection db, String x, long xNew, String y, long yNew)
      throws SQLException {
    try (PreparedStatement statement =
        db.prepareStatement("update BG_AUDIT set SEQ = ? where ID = ?")) {
      for (Object[] step : new Object[][] {{-1L, x}, {yNew, y}, {xNew, x}}) {
        statement.setLong(1, (Long) step[0]);
        statement.setString(2, (String) step[1]);
        assertEquals(1, statement.executeUpdate());
      }
      db.commit();
    } catch (SQLException | RuntimeException e) {
      db.rollback();
      throw e;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
