import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Side-by-side benchmark of ordinary traffic: realm A is the demo realm as shipped (the extension's
 * listener, token-cap scope, flows, required actions and policy), realm B the same realm with all
 * of that removed. The same ordinary user ({@code alice}, not eligible) signs in to both, requests
 * interleaved with a second series on B, the control that shows the noise floor.
 *
 * <p>Commands (JDK only; {@code seed} needs the distribution's H2 jar on the class path):
 *
 * <pre>
 * java bench/AbBench.java realms DEMO_JSON OUT_DIR          writes A's and B's realm files
 * java -cp h2.jar bench/AbBench.java seed DB USERS GRANTS   while Keycloak is stopped
 * java bench/AbBench.java run BASE_URL ROUNDS WARMUP        prints the results table
 * </pre>
 */
public class AbBench {

  static final String REALM_A = "breakglass-demo";
  static final String REALM_B = "breakglass-plain";
  static final String USER = "alice";
  static final String REDIRECT = "http://localhost:3000/callback";
  static final String TOKEN_CAP_MAPPER = "break-glass-token-cap";

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "realms" -> writeRealms(Path.of(args[1]), Path.of(args[2]));
      case "seed" -> seed(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "run" -> run(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("Unknown command " + args[0]);
    }
  }

  // ---------------------------------------------------------------- realms

  /** A: the demo realm plus the bench clients. B: A without anything of the extension. */
  @SuppressWarnings("unchecked")
  static void writeRealms(Path demo, Path outDir) throws Exception {
    Map<String, Object> a = (Map<String, Object>) Json.parse(Files.readString(demo));
    List<Object> clients = (List<Object>) a.get("clients");
    clients.add(
        client(
            "bench-service", Map.of("serviceAccountsEnabled", true, "standardFlowEnabled", false)));
    clients.add(
        client(
            "bench-password",
            Map.of("directAccessGrantsEnabled", true, "standardFlowEnabled", false)));
    clients.add(
        client(
            "bench-web",
            Map.of(
                "standardFlowEnabled",
                true,
                "directAccessGrantsEnabled",
                false,
                "redirectUris",
                new ArrayList<>(List.of("http://localhost:3000/*")))));
    Files.createDirectories(outDir);
    Files.writeString(outDir.resolve(REALM_A + "-realm.json"), Json.write(a));

    Map<String, Object> b = (Map<String, Object>) Json.parse(Json.write(a));
    b.put("realm", REALM_B);
    b.put("displayName", "Break-glass benchmark: the same realm without the extension");
    ((List<Object>) b.get("eventsListeners")).remove("break-glass");
    ((List<Object>) b.get("clientScopes"))
        .removeIf(s -> "break-glass".equals(((Map<String, Object>) s).get("name")));
    ((List<Object>) b.get("defaultDefaultClientScopes")).remove("break-glass");
    // The demo lists only its own flows; without the key Keycloak creates its built-in ones, as
    // it does for A next to the listed ones.
    b.remove("authenticationFlows");
    ((List<Object>) b.get("requiredActions"))
        .removeIf(
            r -> ((String) ((Map<String, Object>) r).get("providerId")).startsWith("break-glass"));
    ((Map<String, Object>) b.get("attributes")).remove("acr.loa.map");
    // The extension's console client goes; ops-console stays, without the break-glass login
    // flow and theme.
    ((List<Object>) b.get("clients"))
        .removeIf(c -> "break-glass-console".equals(((Map<String, Object>) c).get("clientId")));
    for (Object c : (List<Object>) b.get("clients")) {
      Map<String, Object> client = (Map<String, Object>) c;
      client.remove("authenticationFlowBindingOverrides");
      Object attributes = client.get("attributes");
      if (attributes instanceof Map<?, ?> m) {
        m.remove("login_theme");
      }
      Object uris = client.get("redirectUris");
      if (uris != null) {
        ((List<Object>) uris).removeIf(u -> ((String) u).startsWith("/realms/"));
      }
    }
    // The demo's users name their realm's default role; in B it is B's own, or alice would lose
    // its composites (offline_access, uma_authorization, the account roles) and B's tokens would
    // carry fewer roles than A's.
    String bJson =
        Json.write(b)
            .replace("\"default-roles-" + REALM_A + "\"", "\"default-roles-" + REALM_B + "\"");
    for (String name :
        List.of(
            "\"break-glass\"",
            "break-glass-activate",
            "break-glass-attest",
            "break-glass-authenticator",
            TOKEN_CAP_MAPPER,
            "break-glass-console")) {
      if (bJson.contains(name)) {
        throw new IllegalStateException("Realm B still names " + name);
      }
    }
    Files.writeString(outDir.resolve(REALM_B + "-realm.json"), bJson);
    System.out.println("realm files written to " + outDir);
  }

  static Map<String, Object> client(String clientId, Map<String, Object> extra) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("clientId", clientId);
    c.put("enabled", true);
    c.put("protocol", "openid-connect");
    c.put("publicClient", false);
    c.put("secret", clientId + "-secret");
    c.put("implicitFlowEnabled", false);
    c.putAll(extra);
    return c;
  }

  // ---------------------------------------------------------------- seed

  /**
   * USERS users in both realms (the user table the same size), and GRANTS ended and closed grants
   * in realm A, as years of history leave them. Rows are written directly, as a fixture.
   */
  static void seed(String db, int users, int grants) throws SQLException {
    try (Connection c =
        DriverManager.getConnection("jdbc:h2:file:" + db + ";NON_KEYWORDS=VALUE", "", "")) {
      c.setAutoCommit(false);
      for (String realm : List.of(REALM_A, REALM_B)) {
        seedUsers(c, realm, realmId(c, realm), users);
      }
      seedEndedGrants(c, realmId(c, REALM_A), grants);
      c.commit();
    }
  }

  static String realmId(Connection c, String realm) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select ID from REALM where NAME = ?")) {
      ps.setString(1, realm);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("No realm " + realm);
        }
        return rs.getString(1);
      }
    }
  }

  static void seedUsers(Connection c, String realm, String realmId, int count) throws SQLException {
    long now = System.currentTimeMillis();
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into USER_ENTITY (ID, USERNAME, EMAIL, EMAIL_CONSTRAINT, EMAIL_VERIFIED,"
                + " ENABLED, REALM_ID, CREATED_TIMESTAMP, NOT_BEFORE, FIRST_NAME, LAST_NAME)"
                + " values (?, ?, ?, ?, true, true, ?, ?, 0, 'Bench', 'User')")) {
      for (int i = 0; i < count; i++) {
        String id = UUID.randomUUID().toString();
        ps.setString(1, id);
        ps.setString(2, "ab-user-" + i);
        ps.setString(3, "ab-user-" + i + "@example.org");
        ps.setString(4, id);
        ps.setString(5, realmId);
        ps.setLong(6, now);
        ps.addBatch();
        if (i % 5000 == 4999) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
    System.out.println(realm + ": " + count + " users seeded");
  }

  static void seedEndedGrants(Connection c, String realmId, int count) throws SQLException {
    String roleId;
    try (PreparedStatement ps =
        c.prepareStatement(
            "select ID from KEYCLOAK_ROLE where NAME = 'emergency-admin' and REALM_ID = ?")) {
      ps.setString(1, realmId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        roleId = rs.getString(1);
      }
    }
    long day = 86_400_000L;
    long now = System.currentTimeMillis();
    try (PreparedStatement users =
            c.prepareStatement(
                "select ID, USERNAME from USER_ENTITY where REALM_ID = ? and USERNAME like"
                    + " 'ab-user-%' order by USERNAME limit ?");
        PreparedStatement grant =
            c.prepareStatement(
                "insert into BG_GRANT (ID, REALM_ID, USER_ID, USERNAME, ROLES, ROLE_IDS, REASON,"
                    + " TICKET, STATUS, ACTIVATED_AT, EXPIRES_AT, ENDED_AT, END_REASON, ENDED_BY,"
                    + " ROLES_REMOVED_AT, ATTESTED_AT, CLOSED_AT, DRILL, USES) values (?, ?, ?, ?,"
                    + " '[\"emergency-admin\"]', ?, 'benchmark history: an ended grant', ?,"
                    + " 'ENDED', ?, ?, ?, 'EXPIRED', 'system', ?, ?, ?, false, 1)")) {
      users.setString(1, realmId);
      users.setInt(2, count);
      int n = 0;
      try (ResultSet rs = users.executeQuery()) {
        while (rs.next()) {
          // Spread over the last 1,000 days, each 30 minutes long and closed a day later.
          long activated = now - (n + 2) * day;
          long ended = activated + 1_800_000L;
          grant.setString(1, UUID.randomUUID().toString());
          grant.setString(2, realmId);
          grant.setString(3, rs.getString(1));
          grant.setString(4, rs.getString(2));
          grant.setString(5, "[\"" + roleId + "\"]");
          grant.setString(6, "INC-" + (10_000 + n));
          grant.setLong(7, activated);
          grant.setLong(8, ended);
          grant.setLong(9, ended);
          grant.setLong(10, ended);
          grant.setLong(11, ended + day);
          grant.setLong(12, ended + day);
          grant.addBatch();
          n++;
        }
      }
      grant.executeBatch();
      System.out.println(REALM_A + ": " + n + " ended grants seeded");
    }
  }

  // ---------------------------------------------------------------- run

  interface Flow {
    /** One timed request (or, for the code flow, one whole login); throws on any failure. */
    void once(Target target) throws Exception;
  }

  /** A realm and the state a flow keeps per series (the refresh token). */
  static final class Target {
    final String base;
    final String realm;
    String refreshToken;

    Target(String base, String realm) {
      this.base = base;
      this.realm = realm;
    }

    String tokenUrl() {
      return base + "/realms/" + realm + "/protocol/openid-connect/token";
    }
  }

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  static void run(String base, int rounds, int warmup) throws Exception {
    Admin admin = new Admin(base);
    String before = assertRealms(admin);
    System.out.println("CHECK " + before);

    Map<String, Flow> flows = new LinkedHashMap<>();
    flows.put("refresh-token grant", AbBench::refresh);
    flows.put("client-credentials grant", AbBench::clientCredentials);
    flows.put("password grant", AbBench::password);
    flows.put("authorization-code login", AbBench::codeLogin);

    for (Map.Entry<String, Flow> e : flows.entrySet()) {
      Flow flow = e.getValue();
      Target a = new Target(base, REALM_A);
      Target b = new Target(base, REALM_B);
      Target b2 = new Target(base, REALM_B);
      for (Target t : List.of(a, b, b2)) {
        t.refreshToken = passwordTokens(t).get("refresh_token");
      }
      for (int i = 0; i < warmup; i++) {
        flow.once(a);
        flow.once(b);
        flow.once(b2);
      }
      long[][] t = rotate(flow, List.of(a, b, b2), rounds);
      long[] timesA = t[0];
      long[] timesB = t[1];
      long[] timesB2 = t[2];
      double[] interval = p99RatioInterval(timesA, timesB);
      System.out.println(
          String.format(
              Locale.ROOT,
              "ROW | %s | %s | %s | %s | %s | %s | %s | %+.1f%% .. %+.1f%% | %s | %s | %s |",
              e.getKey(),
              ms(median(timesA)),
              ms(median(timesB)),
              pct(median(timesA), median(timesB)),
              ms(p99(timesA)),
              ms(p99(timesB)),
              pct(p99(timesA), p99(timesB)),
              interval[0],
              interval[1],
              pct(median(timesB2), median(timesB)),
              pct(p99(timesB2), p99(timesB)),
              rounds));
    }
    String after = assertRealms(admin);
    if (!after.equals(before)) {
      throw new IllegalStateException("The realms changed during the run: " + after);
    }
  }

  /**
   * Rounds of one request to each target, the order turning through all six of three targets (A B
   * B', A B' B, B A B' …), so each is first, second and third equally often and all three share
   * whatever the machine does meanwhile; nanoseconds per request, one row per target.
   */
  static long[][] rotate(Flow flow, List<Target> targets, int rounds) throws Exception {
    int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    long[][] times = new long[targets.size()][rounds];
    for (int i = 0; i < rounds; i++) {
      for (int k : orders[i % orders.length]) {
        times[k][i] = timed(flow, targets.get(k));
      }
    }
    return times;
  }

  /**
   * The 95% interval of (p99(A) - p99(B)) / p99(B) in percent, by resampling each series 2,000
   * times (fixed seed): how finely this run's p99 ratio can tell a difference at all.
   */
  static double[] p99RatioInterval(long[] a, long[] b) {
    java.util.Random random = new java.util.Random(42);
    int resamples = 2000;
    double[] ratios = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      long pa = p99(resample(a, random));
      long pb = p99(resample(b, random));
      ratios[r] = (pa - pb) * 100.0 / pb;
    }
    java.util.Arrays.sort(ratios);
    return new double[] {ratios[(int) (0.025 * resamples)], ratios[(int) (0.975 * resamples) - 1]};
  }

  static long[] resample(long[] v, java.util.Random random) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[random.nextInt(v.length)];
    }
    return out;
  }

  static long timed(Flow flow, Target target) throws Exception {
    long t0 = System.nanoTime();
    flow.once(target);
    return System.nanoTime() - t0;
  }

  static void refresh(Target t) throws Exception {
    Map<String, String> tokens =
        tokenRequest(
            t,
            "grant_type=refresh_token&client_id=bench-password&client_secret=bench-password-secret"
                + "&refresh_token="
                + enc(t.refreshToken));
    t.refreshToken = tokens.get("refresh_token");
  }

  static void clientCredentials(Target t) throws Exception {
    tokenRequest(
        t,
        "grant_type=client_credentials&client_id=bench-service&client_secret=bench-service-secret");
  }

  static void password(Target t) throws Exception {
    passwordTokens(t);
  }

  static Map<String, String> passwordTokens(Target t) throws Exception {
    return tokenRequest(
        t,
        "grant_type=password&client_id=bench-password&client_secret=bench-password-secret"
            + "&scope=openid&username="
            + USER
            + "&password="
            + USER);
  }

  /**
   * A whole browser login with no cookies from before: the login page, the form posted, the
   * redirect back with a code, the code exchanged by the app.
   */
  static void codeLogin(Target t) throws Exception {
    Map<String, String> cookies = new LinkedHashMap<>();
    String auth =
        t.base
            + "/realms/"
            + t.realm
            + "/protocol/openid-connect/auth?response_type=code&scope=openid&client_id=bench-web"
            + "&redirect_uri="
            + enc(REDIRECT)
            + "&state="
            + UUID.randomUUID()
            + "&nonce="
            + UUID.randomUUID();
    HttpResponse<String> page = browse(cookies, HttpRequest.newBuilder(URI.create(auth)));
    Matcher form = Pattern.compile("<form[^>]*action=\"([^\"]+)\"").matcher(page.body());
    if (!form.find()) {
      throw new IllegalStateException("No login form: " + page.statusCode());
    }
    HttpResponse<String> back =
        browse(
            cookies,
            HttpRequest.newBuilder(URI.create(form.group(1).replace("&amp;", "&")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "username=" + USER + "&password=" + USER + "&credentialId=")));
    String location = back.headers().firstValue("Location").orElse("");
    Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(location);
    if (!location.startsWith(REDIRECT) || !code.find()) {
      throw new IllegalStateException(
          "Login did not return to the app: " + back.statusCode() + " " + location);
    }
    tokenRequest(
        t,
        "grant_type=authorization_code&client_id=bench-web&client_secret=bench-web-secret"
            + "&redirect_uri="
            + enc(REDIRECT)
            + "&code="
            + code.group(1));
  }

  /** Sends with the round's cookies; follows redirects inside Keycloak, not the one to the app. */
  static HttpResponse<String> browse(Map<String, String> cookies, HttpRequest.Builder request)
      throws Exception {
    if (!cookies.isEmpty()) {
      request.header(
          "Cookie",
          String.join(
              "; ",
              cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    for (String setCookie : response.headers().allValues("Set-Cookie")) {
      String[] pair = setCookie.split(";", 2)[0].split("=", 2);
      if (pair.length == 2 && !pair[1].isEmpty()) {
        cookies.put(pair[0].trim(), pair[1]);
      }
    }
    String location = response.headers().firstValue("Location").orElse(null);
    if (response.statusCode() / 100 == 3 && location != null && !location.startsWith(REDIRECT)) {
      return browse(cookies, HttpRequest.newBuilder(response.uri().resolve(location)));
    }
    return response;
  }

  static Map<String, String> tokenRequest(Target t, String form) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(t.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          t.realm + " token endpoint: " + r.statusCode() + " " + r.body());
    }
    Map<String, String> values = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\"(access_token|refresh_token)\":\"([^\"]+)\"").matcher(r.body());
    while (m.find()) {
      values.put(m.group(1), m.group(2));
    }
    if (!values.containsKey("access_token")) {
      throw new IllegalStateException("No access token: " + r.body());
    }
    return values;
  }

  /**
   * A carries the extension and B nothing of it: the listener, the required actions, and the
   * token-cap mapper among the mappers Keycloak evaluates for each bench client's tokens of alice.
   * Returns a summary, compared before and after the run (the extension must not add itself to B).
   */
  static String assertRealms(Admin admin) throws Exception {
    StringBuilder summary = new StringBuilder();
    Set<String> rolesOfUser = new HashSet<>();
    for (String realm : List.of(REALM_A, REALM_B)) {
      boolean extension = realm.equals(REALM_A);
      String r = "/admin/realms/" + realm;
      String events = admin.get(r + "/events/config");
      String actions = admin.get(r + "/authentication/required-actions");
      String scopes = admin.get(r + "/client-scopes");
      String userId = firstId(admin.get(r + "/users?exact=true&username=" + USER));
      check(events.contains("\"break-glass\"") == extension, realm + " event listener");
      check(actions.contains("\"break-glass-activate\"") == extension, realm + " required actions");
      check(scopes.contains(TOKEN_CAP_MAPPER) == extension, realm + " client scopes");
      summary.append(realm).append(": listener=").append(extension);
      String roles =
          names(admin.get(r + "/users/" + userId + "/role-mappings/realm/composite"))
              .replace("default-roles-" + realm, "default-roles");
      check(!roles.contains("default-roles-"), realm + " alice's default role: " + roles);
      rolesOfUser.add(roles);
      summary.append(" roles of ").append(USER).append('=').append(roles);
      for (String clientId : List.of("bench-service", "bench-password", "bench-web")) {
        String id = firstId(admin.get(r + "/clients?clientId=" + clientId));
        String mappers =
            admin.get(
                r
                    + "/clients/"
                    + id
                    + "/evaluate-scopes/protocol-mappers?scope=openid&userId="
                    + userId);
        boolean capped = mappers.contains(TOKEN_CAP_MAPPER);
        check(capped == extension, realm + " " + clientId + " token mappers: " + mappers);
        String defaults = admin.get(r + "/clients/" + id + "/default-client-scopes");
        summary.append(' ').append(clientId).append("=").append(names(defaults));
      }
      summary.append("; ");
    }
    // The same roles in both, so both realms' tokens carry the same roles for the mappers to map.
    check(rolesOfUser.size() == 1, USER + "'s roles differ between the realms: " + summary);
    return summary.toString();
  }

  static String names(String json) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("\"name\":\"([^\"]+)\"").matcher(json);
    while (m.find()) {
      names.add(m.group(1));
    }
    Collections.sort(names);
    return String.join(",", names);
  }

  static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("Realm check failed: " + what);
    }
  }

  static String firstId(String json) {
    Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("Not found: " + json);
    }
    return m.group(1);
  }

  static long median(long[] v) {
    long[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Nearest rank. */
  static long p99(long[] v) {
    long[] s = v.clone();
    java.util.Arrays.sort(s);
    return s[(int) Math.ceil(0.99 * s.length) - 1];
  }

  static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  static String pct(long x, long y) {
    return String.format(Locale.ROOT, "%+.1f%%", (x - y) * 100.0 / y);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The admin REST API with a fresh master-realm admin token per call (they live 60 s). */
  record Admin(String base) {
    String get(String path) throws Exception {
      HttpResponse<String> t =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(base + "/realms/master/protocol/openid-connect/token"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "grant_type=password&client_id=admin-cli&username=admin&password=admin"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher m = Pattern.compile("\"access_token\":\"([^\"]+)\"").matcher(t.body());
      if (!m.find()) {
        throw new IllegalStateException("No admin token: " + t.body());
      }
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .header("Authorization", "Bearer " + m.group(1))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
      }
      return r.body();
    }
  }

  // ---------------------------------------------------------------- JSON

  /** Just enough JSON for a realm file: objects keep their order; numbers stay as written. */
  static final class Json {
    private final String s;
    private int i;

    private Json(String s) {
      this.s = s;
    }

    static Object parse(String text) {
      Json p = new Json(text);
      Object v = p.value();
      p.ws();
      if (p.i != text.length()) {
        throw new IllegalArgumentException("Trailing content at " + p.i);
      }
      return v;
    }

    private void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private Object value() {
      ws();
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (s.charAt(i) == '}') {
          i++;
          return m;
        }
        while (true) {
          ws();
          String k = string();
          ws();
          expect(':');
          m.put(k, value());
          ws();
          if (s.charAt(i) == ',') {
            i++;
          } else {
            expect('}');
            return m;
          }
        }
      }
      if (c == '[') {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (s.charAt(i) == ']') {
          i++;
          return l;
        }
        while (true) {
          l.add(value());
          ws();
          if (s.charAt(i) == ',') {
            i++;
          } else {
            expect(']');
            return l;
          }
        }
      }
      if (c == '"') {
        return string();
      }
      for (String literal : List.of("true", "false", "null")) {
        if (s.startsWith(literal, i)) {
          i += literal.length();
          return literal.equals("null") ? null : Boolean.valueOf(literal);
        }
      }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException("Unexpected '" + c + "' at " + i);
      }
      return new Number(s.substring(start, i));
    }

    private void expect(char c) {
      if (s.charAt(i) != c) {
        throw new IllegalArgumentException("Expected '" + c + "' at " + i);
      }
      i++;
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> b.append(e);
          }
        } else {
          b.append(c);
        }
      }
    }

    record Number(String text) {}

    @SuppressWarnings("unchecked")
    static String write(Object v) {
      if (v == null) {
        return "null";
      }
      if (v instanceof Boolean || v instanceof Number) {
        return v instanceof Number n ? n.text() : v.toString();
      }
      if (v instanceof String str) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : str.toCharArray()) {
          switch (c) {
            case '"' -> b.append("\\\"");
            case '\\' -> b.append("\\\\");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            default -> {
              if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
              } else {
                b.append(c);
              }
            }
          }
        }
        return b.append('"').toString();
      }
      if (v instanceof Map<?, ?> m) {
        List<String> parts = new ArrayList<>();
        ((Map<String, Object>) m).forEach((k, x) -> parts.add(write(k) + ":" + write(x)));
        return "{" + String.join(",", parts) + "}";
      }
      List<String> parts = new ArrayList<>();
      for (Object x : (List<Object>) v) {
        parts.add(write(x));
      }
      return "[" + String.join(",", parts) + "]";
    }
  }
}
