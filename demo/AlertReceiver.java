import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The demo's alert receiver: webhook endpoints on 127.0.0.1 that check each delivery's
 * X-BreakGlass-Signature (HMAC-SHA256 of the body) and print it as one line. {@code /alerts} is the
 * realm's webhook (the demo policy's secret), {@code /operator} the operator channel (run.sh's demo
 * operator secret), which still hears a realm whose policy was cleared. Demo only; run with {@code
 * java demo/AlertReceiver.java [port]} (Java 17, nothing to download). The port is the first
 * argument, else ALERT_PORT, else 8089; the secrets are ALERT_SECRET and ALERT_OPERATOR_SECRET,
 * else the demo's.
 */
public final class AlertReceiver {

  /** The demo realm's webhook secret (realm-config/breakglass-demo-realm.json): demo only. */
  static final String DEMO_SECRET = "demo-only-webhook-secret-not-for-production";

  /** The operator channel's secret that run.sh passes to Keycloak: demo only. */
  static final String DEMO_OPERATOR_SECRET = "demo-only-operator-secret-not-for-production";

  private static final int MAX_BODY = 1 << 20;
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  public static void main(String[] args) throws IOException {
    String portText = args.length > 0 ? args[0] : env("ALERT_PORT", "8089");
    int port;
    try {
      port = Integer.parseInt(portText.trim());
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      System.err.println("[alerts] the port must be a number from 0 to 65535, not: " + portText);
      System.exit(2);
    }
    byte[] realmSecret = env("ALERT_SECRET", DEMO_SECRET).getBytes(StandardCharsets.UTF_8);
    byte[] operatorSecret =
        env("ALERT_OPERATOR_SECRET", DEMO_OPERATOR_SECRET).getBytes(StandardCharsets.UTF_8);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    } catch (IOException e) {
      System.err.println("[alerts] cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
      System.exit(1);
      return;
    }
    server.createContext("/alerts", exchange -> handle(exchange, "realm", realmSecret));
    server.createContext("/operator", exchange -> handle(exchange, "operator", operatorSecret));
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    System.out.println(
        "[alerts] listening on "
            + base
            + "/alerts (realm webhook) and "
            + base
            + "/operator (operator channel); signatures checked with the demo secrets");
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static void handle(HttpExchange exchange, String channel, byte[] secret)
      throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(MAX_BODY + 1);
      }
      if (body.length > MAX_BODY) {
        exchange.sendResponseHeaders(413, -1);
        return;
      }
      boolean signed =
          signatureMatches(
              secret, body, exchange.getRequestHeaders().getFirst("X-BreakGlass-Signature"));
      System.out.println(describe(channel, new String(body, StandardCharsets.UTF_8), signed));
      // A forged delivery is refused; ours are acknowledged so the outbox marks them delivered.
      exchange.sendResponseHeaders(signed ? 204 : 401, -1);
    }
  }

  static boolean signatureMatches(byte[] secret, byte[] body, String header) {
    if (header == null) {
      return false;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
      // Constant-time, so timing tells a forger nothing about the right signature.
      return MessageDigest.isEqual(
          expected.getBytes(StandardCharsets.US_ASCII),
          header.trim().getBytes(StandardCharsets.US_ASCII));
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * One line: time, channel, type, user, ticket, grant, what changed or why refused when the alert
   * says, and whether the signature holds.
   */
  static String describe(String channel, String body, boolean signed) {
    String prefix = "[alerts] " + now() + " " + channel + ": ";
    Map<String, Object> alert;
    try {
      alert = new Json(body).object();
    } catch (RuntimeException e) {
      return prefix + "unreadable delivery (not JSON), signature " + ok(signed);
    }
    Map<?, ?> details = alert.get("details") instanceof Map<?, ?> d ? d : Map.of();
    Object ticket = details.get("ticket");
    Object because = details.get("what") != null ? details.get("what") : details.get("why");
    return prefix
        + (Boolean.TRUE.equals(alert.get("drill")) ? "[DRILL] " : "")
        + clean(alert.get("type"))
        + " user="
        + clean(alert.get("username"))
        + " ticket="
        + clean(ticket)
        + " grant="
        + clean(alert.get("grantId"))
        + (because == null ? "" : " (" + clean(because) + ")")
        + " signature "
        + ok(signed);
  }

  private static String ok(boolean signed) {
    return signed ? "ok" : "BAD (not from this realm's secret: refused)";
  }

  private static String now() {
    return LocalTime.now().format(CLOCK);
  }

  /** Delivered text is untrusted: no control characters reach the terminal, and it stays short. */
  static String clean(Object value) {
    if (value == null) {
      return "-";
    }
    String s = value.toString();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && i < 120; i++) {
      char c = s.charAt(i);
      out.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? ' ' : c);
    }
    return s.length() > 120 ? out + "..." : out.toString();
  }

  /** Just enough JSON for an alert body: objects, arrays, strings, numbers, booleans, null. */
  static final class Json {
    private final String s;
    private int i;

    Json(String s) {
      this.s = s;
    }

    Map<String, Object> object() {
      Object value = value();
      skipSpace();
      if (!(value instanceof Map<?, ?>) || i != s.length()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) value;
      return map;
    }

    private Object value() {
      skipSpace();
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end");
      }
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> map = new LinkedHashMap<>();
        i++;
        skipSpace();
        if (peek('}')) {
          return map;
        }
        do {
          skipSpace();
          String key = string();
          skipSpace();
          expect(':');
          map.put(key, value());
          skipSpace();
        } while (peek(','));
        expect('}');
        return map;
      }
      if (c == '[') {
        List<Object> list = new ArrayList<>();
        i++;
        skipSpace();
        if (peek(']')) {
          return list;
        }
        do {
          list.add(value());
          skipSpace();
        } while (peek(','));
        expect(']');
        return list;
      }
      if (c == '"') {
        return string();
      }
      for (String word : List.of("true", "false", "null")) {
        if (s.startsWith(word, i)) {
          i += word.length();
          return word.equals("null") ? null : Boolean.valueOf(word);
        }
      }
      int start = i;
      while (i < s.length() && "+-.eE0123456789".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException("unexpected " + c);
      }
      return s.substring(start, i);
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw new IllegalArgumentException("unterminated string");
        }
        char c = s.charAt(i++);
        if (c == '"') {
          return out.toString();
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> out.append(e);
        }
      }
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private boolean peek(char c) {
      if (i < s.length() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw new IllegalArgumentException("expected " + c + " at " + i);
      }
    }
  }
}
