package dev.breakglass.keycloak.audit;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.keycloak.util.JsonSerialization;

/**
 * The audit export's formats: the JSON view of a record (the shape of {@code GET audit}), JSON
 * Lines and CSV. Pure: no JPA, no HTTP.
 */
public final class AuditExport {

  /** Export formats, by their {@code format} parameter value. */
  public enum Format {
    JSON("application/json"),
    JSONL("application/x-ndjson"),
    CSV("text/csv");

    private final String mediaType;

    Format(String mediaType) {
      this.mediaType = mediaType;
    }

    public String mediaType() {
      return mediaType;
    }

    /** Null or blank means JSON, the format of old clients. */
    public static Format parse(String value) {
      if (value == null || value.isBlank()) {
        return JSON;
      }
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Parameter format must be one of json, jsonl, csv.");
      }
    }
  }

  /** One record as exported. */
  public record Row(
      String id,
      String realm,
      long seq,
      String type,
      String grantId,
      String userId,
      String username,
      long createdAt,
      String detailsJson,
      String prevHash,
      String hash) {}

  static final List<String> COLUMNS =
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
          "hash");

  private AuditExport() {}

  /**
   * An ISO-8601 instant ({@code 2026-01-31T12:00:00Z}, or with an offset such as {@code +02:00}),
   * or null when absent. The message names the parameter, never echoes the value.
   */
  public static Instant parseInstant(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String text = value.trim();
    try {
      Instant instant = parseIso(text);
      instant.toEpochMilli(); // records hold epoch millis: an instant beyond them is no bound
      return instant;
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "Parameter " + name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z.");
    }
  }

  private static Instant parseIso(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return OffsetDateTime.parse(text).toInstant();
    }
  }

  /** The JSON view of a record: details as JSON, or as the stored text if that is not JSON. */
  public static Map<String, Object> view(Row r) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", r.id());
    view.put("realm", r.realm());
    view.put("seq", r.seq());
    view.put("type", r.type());
    view.put("grantId", r.grantId());
    view.put("userId", r.userId());
    view.put("username", r.username());
    view.put("time", Instant.ofEpochMilli(r.createdAt()).toString());
    Object details;
    try {
      details =
          r.detailsJson() == null ? null : JsonSerialization.readValue(r.detailsJson(), Map.class);
    } catch (IOException e) {
      details = r.detailsJson();
    }
    view.put("details", details);
    view.put("prevHash", r.prevHash());
    view.put("hash", r.hash());
    return view;
  }

  /** One JSON object per line; JSON escapes line breaks inside values, so a line is a record. */
  public static String jsonLines(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    for (Row row : rows) {
      try {
        out.append(JsonSerialization.writeValueAsString(view(row))).append('\n');
      } catch (IOException e) {
        throw new IllegalStateException("Audit record " + row.id() + " could not be serialised", e);
      }
    }
    return out.toString();
  }

  /**
   * RFC 4180: a header row, CRLF line ends, fields quoted when they hold a quote, comma or line
   * break.
   */
  public static String csv(List<Row> rows) {
    StringBuilder out = new StringBuilder();
    appendLine(out, COLUMNS);
    for (Row r : rows) {
      appendLine(
          out,
          Arrays.asList(
              r.id(),
              r.realm(),
              Long.toString(r.seq()),
              r.type(),
              r.grantId(),
              r.userId(),
              r.username(),
              Instant.ofEpochMilli(r.createdAt()).toString(),
              r.detailsJson(),
              r.prevHash(),
              r.hash()));
    }
    return out.toString();
  }

  private static void appendLine(StringBuilder out, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(csvCell(cells.get(i)));
    }
    out.append("\r\n");
  }

  /** A null is an empty cell. */
  static String csvCell(String value) {
    if (value == null || value.isEmpty()) {
      return "";
    }
    String v = neutraliseFormula(value);
    boolean quote =
        v.indexOf('"') >= 0 || v.indexOf(',') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0;
    return quote ? '"' + v.replace("\"", "\"\"") + '"' : v;
  }

  /**
   * A spreadsheet runs a cell that starts with = + - @ as a formula (tab and carriage return are
   * also read as such by some): a leading apostrophe makes it text. A user name or reason is user
   * text, so it may start with anything.
   */
  static String neutraliseFormula(String value) {
    char first = value.charAt(0);
    return first == '='
            || first == '+'
            || first == '-'
            || first == '@'
            || first == '\t'
            || first == '\r'
        ? "'" + value
        : value;
  }
}
