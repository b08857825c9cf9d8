import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a responder's break-glass login takes (login page, password, one-time code, activation
 * form, back to the app with a code), with no webhook and with a webhook that accepts connections
 * but never answers. Alerts are delivered off the request thread, so the two should not differ.
 * {@code java bench/LoginLatencyBench.java http://localhost:8480 50}. Each round activates for the
 * demo user responder and revokes the grant through the admin API (untimed); the policy is set
 * through the admin API with no cooldown and no limits, so no round is refused.
 */
public class LoginLatencyBench {

  static final String REALM = "breakglass-demo";
  static final String REDIRECT = "http://localhost:3000/callback";
  static final Pattern ACTION = Pattern.compile("<form[^>]*action=\"([^\"]+)\"");

  /** The demo authenticator's documented secret (README: ASCII text, SHA-1, 6 digits, 30 s). */
  static final byte[] DEMO_OTP_SECRET = "break-glass-demo-otp".getBytes(StandardCharsets.US_ASCII);

  static final String POLICY =
      "/admin/realms/" + REALM + "/authentication/required-actions/break-glass-activate/config";

  /** No cooldown, no cap on grants, no frequency alert, no approval: every round may activate. */
  static final String NO_LIMITS =
      "\"cooldownMinutes\":\"0\",\"maxActiveGrants\":\"0\",\"frequencyAlertPerDay\":\"0\","
          + "\"approval\":\"none\",";

  /** ops-console requires PKCE; the code is never exchanged, so one fixed challenge serves. */
  static final String PKCE_CHALLENGE =
      challenge("bench-verifier-bench-verifier-bench-verifier-0123");

  public static void main(String[] args) throws Exception {
    String base = args[0];
    int rounds = Integer.parseInt(args[1]);
    CountDownLatch never = new CountDownLatch(1);
    HttpServer hung = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    hung.createContext(
        "/hook",
        exchange -> {
          try {
            never.await(); // read, never answered: the channel hangs
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    hung.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r);
              t.setDaemon(true);
              return t;
            }));
    hung.start();
    String hookUrl = "http://127.0.0.1:" + hung.getAddress().getPort() + "/hook";

    Admin admin = new Admin(base);
    String original = admin.get(POLICY);
    if (!original.contains("\"config\":{")) {
      throw new IllegalStateException("Unexpected policy: " + original);
    }
    // Keys given twice: the later value wins in Keycloak's JSON reader, so ours go last.
    String noLimits = withKeys(original, NO_LIMITS);
    try {
      admin.put(POLICY, noLimits);
      revokeAll(admin);
      List<Long> none = measure(base, admin, rounds);
      String noneSteps = stepMedians();
      admin.put(
          POLICY,
          withKeys(
              noLimits,
              "\"webhookUrl\":\""
                  + hookUrl
                  + "\",\"webhookSecret\":\"bench-secret-0123456789\",\"alertOnUse\":\"every\","));
      List<Long> withHung = measure(base, admin, rounds);
      System.out.println("RESULT no-webhook " + stats(none));
      System.out.println("RESULT hung-webhook " + stats(withHung));
      System.out.println("STEPS no-webhook: " + noneSteps);
      System.out.println("STEPS hung-webhook: " + stepMedians());
    } finally {
      admin.put(POLICY, original);
      never.countDown();
      hung.stop(0);
    }
  }

  /** The steps of one login, timed one by one: where the time of a round goes. */
  static final String[] STEPS = {"login page", "password", "one-time code", "activation"};

  static final List<List<Long>> STEP_MILLIS = new ArrayList<>();

  static final int WARM_UP_ROUNDS = 20;

  static List<Long> measure(String base, Admin admin, int rounds) throws Exception {
    List<Long> millis = new ArrayList<>();
    // Warm-up rounds, not counted: the JIT compiles the login path before it is timed, or the
    // first setting measured pays for it.
    for (int i = 0; i < WARM_UP_ROUNDS; i++) {
      login(base, new long[STEPS.length]);
      revokeAll(admin);
    }
    STEP_MILLIS.clear();
    for (int i = 0; i < STEPS.length; i++) {
      STEP_MILLIS.add(new ArrayList<>());
    }
    for (int i = 0; i < rounds; i++) {
      long[] steps = new long[STEPS.length];
      long started = System.nanoTime();
      login(base, steps);
      millis.add((System.nanoTime() - started) / 1_000_000);
      for (int s = 0; s < steps.length; s++) {
        STEP_MILLIS.get(s).add(steps[s] / 1_000_000);
      }
      revokeAll(admin);
    }
    return millis;
  }

  /** Median of each step of the last {@link #measure}, e.g. "login page 12ms, password 95ms…". */
  static String stepMedians() {
    List<String> parts = new ArrayList<>();
    for (int s = 0; s < STEPS.length; s++) {
      List<Long> sorted = new ArrayList<>(STEP_MILLIS.get(s));
      sorted.sort(null);
      parts.add(STEPS[s] + " " + sorted.get((sorted.size() - 1) / 2) + "ms");
    }
    return String.join(", ", parts);
  }

  /** The policy JSON with {@code keys} (each {@code "k":"v",}) in place of the same keys. */
  static String withKeys(String policy, String keys) {
    String result = policy;
    Matcher key = Pattern.compile("\"([A-Za-z]+)\":\"[^\"]*\",").matcher(keys);
    while (key.find()) {
      result = result.replaceAll("\"" + key.group(1) + "\":\"[^\"]*\",?", "");
    }
    return result.replace("\"config\":{", "\"config\":{" + keys).replace(",}", "}");
  }

  /** One break-glass login as a browser does it, ending at the redirect back to the app. */
  static void login(String base, long[] steps) throws Exception {
    Browser http = new Browser();
    long mark = System.nanoTime();
    String auth =
        base
            + "/realms/"
            + REALM
            + "/protocol/openid-connect/auth?response_type=code&scope=openid&client_id=ops-console"
            + "&redirect_uri="
            + enc(REDIRECT)
            + "&code_challenge_method=S256&code_challenge="
            + PKCE_CHALLENGE;
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(auth)));
    steps[0] = System.nanoTime() - mark;
    mark = System.nanoTime();
    HttpResponse<String> otp =
        post(http, action(page), Map.of("username", "responder", "password", "responder"));
    steps[1] = System.nanoTime() - mark;
    mark = System.nanoTime();
    if (!otp.body().contains("name=\"otp\"")) {
      throw new IllegalStateException("No one-time code asked: " + otp.statusCode());
    }
    HttpResponse<String> form = post(http, action(otp), Map.of("otp", totp(DEMO_OTP_SECRET)));
    steps[2] = System.nanoTime() - mark;
    mark = System.nanoTime();
    if (!form.body().contains("name=\"reason\"")) {
      throw new IllegalStateException("No activation form: " + form.statusCode() + form.body());
    }
    HttpResponse<String> back =
        post(
            http,
            action(form),
            Map.of(
                "reason",
                "Benchmark: primary database failover needs admin",
                "ticket",
                "INC-4711",
                "roles",
                "emergency-admin",
                "duration",
                "15"));
    steps[3] = System.nanoTime() - mark;
    String location = back.headers().firstValue("Location").orElse("");
    if (!location.startsWith(REDIRECT)) {
      throw new IllegalStateException(
          "Activation did not return to the app: " + back.statusCode() + " " + back.body());
    }
  }

  static HttpResponse<String> post(Browser http, String url, Map<String, String> fields)
      throws Exception {
    StringBuilder body = new StringBuilder();
    fields.forEach(
        (k, v) ->
            body.append(body.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  /**
   * Keeps Keycloak's cookies by name, as a browser would on localhost. Java's CookieManager will
   * not: the host has no dot, and Keycloak marks its cookies Secure (browsers accept that on
   * localhost over http).
   */
  static final class Browser {
    private final HttpClient http =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, String> cookies = new LinkedHashMap<>();

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
      if (!cookies.isEmpty()) {
        request.header(
            "Cookie",
            String.join(
                "; ",
                cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
      }
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String setCookie : response.headers().allValues("Set-Cookie")) {
        String[] pair = setCookie.split(";", 2)[0].split("=", 2);
        if (pair.length == 2 && !pair[1].isEmpty()) {
          cookies.put(pair[0].trim(), pair[1]);
        }
      }
      // Follow redirects inside Keycloak; stop at the one back to the application.
      String location = response.headers().firstValue("Location").orElse(null);
      if (response.statusCode() / 100 == 3 && location != null && !location.startsWith(REDIRECT)) {
        return send(HttpRequest.newBuilder(response.uri().resolve(location)));
      }
      return response;
    }
  }

  static String action(HttpResponse<String> page) {
    Matcher m = ACTION.matcher(page.body());
    if (!m.find()) {
      throw new IllegalStateException("No form on page " + page.statusCode() + ": " + page.body());
    }
    return m.group(1).replace("&amp;", "&");
  }

  static void revokeAll(Admin admin) throws Exception {
    String grants = admin.get("/admin/realms/" + REALM + "/break-glass/grants?status=ACTIVE");
    Matcher ids = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"").matcher(grants);
    while (ids.find()) {
      admin.post(
          "/admin/realms/" + REALM + "/break-glass/grants/" + ids.group(1) + "/revoke", "{}");
    }
  }

  static String stats(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return "n="
        + sorted.size()
        + " median="
        + sorted.get((sorted.size() - 1) / 2)
        + "ms p95="
        + sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1)
        + "ms max="
        + sorted.get(sorted.size() - 1)
        + "ms";
  }

  static String challenge(String verifier) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RFC 6238 code of now: HMAC-SHA1 of the 30-second step, dynamic truncation, 6 digits. */
  static String totp(byte[] key) throws Exception {
    long step = System.currentTimeMillis() / 1000 / 30;
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA1"));
    byte[] hash = mac.doFinal(java.nio.ByteBuffer.allocate(8).putLong(step).array());
    int offset = hash[hash.length - 1] & 0x0f;
    int binary = java.nio.ByteBuffer.wrap(hash, offset, 4).getInt() & 0x7fffffff;
    return String.format("%06d", binary % 1_000_000);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /**
   * The admin REST API with a master-realm admin token, fetched per call (they are short-lived).
   */
  record Admin(String base) {
    String token() throws Exception {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(base + "/realms/master/protocol/openid-connect/token"))
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "grant_type=password&client_id=admin-cli&username=admin&password=admin"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      Matcher m = Pattern.compile("\"access_token\":\"([^\"]+)\"").matcher(r.body());
      if (!m.find()) {
        throw new IllegalStateException("No admin token: " + r.body());
      }
      return m.group(1);
    }

    String get(String path) throws Exception {
      return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    String put(String path, String json) throws Exception {
      return send(
          HttpRequest.newBuilder(URI.create(base + path))
              .header("Content-Type", "application/json")
              .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    String post(String path, String json) throws Exception {
      return send(
          HttpRequest.newBuilder(URI.create(base + path))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private String send(HttpRequest.Builder builder)
        throws IOException, InterruptedException, Exception {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  builder.header("Authorization", "Bearer " + token()).build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() >= 300) {
        throw new IllegalStateException(r.statusCode() + " " + r.body());
      }
      return r.body();
    }
  }
}
