package dev.breakglass.keycloak.audit;

import java.util.ArrayList;
import java.util.List;

/** A strict RFC 4180 reader for the tests, so they do not trust the writer's own idea of CSV. */
public final class CsvReader {

  private CsvReader() {}

  /**
   * Rows of cells; fails on anything RFC 4180 does not allow (bare quotes, bare CR or LF, no final
   * CRLF).
   */
  public static List<List<String>> parse(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> current = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '"' && cell.length() == 0) {
        i++;
        while (true) {
          if (i >= text.length()) {
            throw new AssertionError("Unterminated quoted field");
          }
          char q = text.charAt(i);
          if (q == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
            cell.append('"');
            i += 2;
          } else if (q == '"') {
            i++;
            break;
          } else {
            cell.append(q);
            i++;
          }
        }
        if (i < text.length() && text.charAt(i) != ',' && text.charAt(i) != '\r') {
          throw new AssertionError("Text after a closing quote at " + i);
        }
      } else if (c == ',') {
        current.add(cell.toString());
        cell.setLength(0);
        i++;
      } else if (c == '\r') {
        if (i + 1 >= text.length() || text.charAt(i + 1) != '\n') {
          throw new AssertionError("Bare CR at " + i);
        }
        current.add(cell.toString());
        cell.setLength(0);
        rows.add(current);
        current = new ArrayList<>();
        i += 2;
      } else if (c == '\n' || c == '"') {
        throw new AssertionError("Unquoted " + (c == '"' ? "quote" : "LF") + " at " + i);
      } else {
        cell.append(c);
        i++;
      }
    }
    if (cell.length() > 0 || !current.isEmpty()) {
      throw new AssertionError("Last line not terminated by CRLF");
    }
    return rows;
  }
}
