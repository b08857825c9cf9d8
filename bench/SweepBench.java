import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Seeds Keycloak's embedded H2 database (while Keycloak is stopped) for the sweeper benchmark. Run
 * with the H2 jar of the distribution on the class path: java -cp h2.jar bench/SweepBench.java
 *
 * <pre>
 * java -cp h2.jar bench/SweepBench.java seed-users DB_PATH REALM COUNT
 * java -cp h2.jar bench/SweepBench.java seed-grants DB_PATH REALM ROLE COUNT [LATER LATER_SECONDS [SESSIONS]]
 * java -cp h2.jar bench/SweepBench.java sessions-left DB_PATH
 * </pre>
 *
 * COUNT grants expired a minute ago (the start-up sweep's); LATER more, for other users, due
 * LATER_SECONDS from now (a sweep of the running server's); SESSIONS true gives each holder one
 * online session, as stored by Keycloak's persistent sessions. Seeding writes rows directly, as a
 * fixture; the sweep under test runs inside Keycloak. The embedded dev database of Keycloak 26.7
 * has an empty user name and password.
 */
public class SweepBench {

  public static void main(String[] args) throws Exception {
    String db = args[1];
    try (Connection c =
        DriverManager.getConnection("jdbc:h2:file:" + db + ";NON_KEYWORDS=VALUE", "", "")) {
      c.setAutoCommit(false);
      switch (args[0]) {
        case "seed-users" -> seedUsers(c, realmId(c, args[2]), Integer.parseInt(args[3]));
        case "seed-grants" ->
            seedGrants(
                c,
                realmId(c, args[2]),
                args[3],
                Integer.parseInt(args[4]),
                args.length > 5 ? Integer.parseInt(args[5]) : 0,
                args.length > 6 ? Long.parseLong(args[6]) : 0,
                args.length > 7 && Boolean.parseBoolean(args[7]));
        case "sessions-left" -> System.out.println(sessionsLeft(c));
        default -> throw new IllegalArgumentException("Unknown command " + args[0]);
      }
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

  /** The ids of the stored sessions (online and offline) of bench users. */
  static final String BENCH_SESSIONS =
      "select USER_SESSION_ID from OFFLINE_USER_SESSION where USER_ID in (select ID from"
          + " USER_ENTITY where USERNAME like 'bench-user-%')";

  /** Sessions of bench users still stored, online or offline. */
  static int sessionsLeft(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from (" + BENCH_SESSIONS + ")")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  static void seedUsers(Connection c, String realmId, int count) throws SQLException {
    int existing;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select count(*) from USER_ENTITY where USERNAME like 'bench-user-%'")) {
      rs.next();
      existing = rs.getInt(1);
    }
    long now = System.currentTimeMillis();
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into USER_ENTITY (ID, USERNAME, EMAIL, EMAIL_CONSTRAINT, EMAIL_VERIFIED,"
                + " ENABLED, REALM_ID, CREATED_TIMESTAMP, NOT_BEFORE, FIRST_NAME, LAST_NAME) values"
                + " (?, ?, ?, ?, true, true, ?, ?, 0, 'Bench', 'User')")) {
      for (int i = existing; i < count; i++) {
        String id = UUID.randomUUID().toString();
        ps.setString(1, id);
        ps.setString(2, "bench-user-" + i);
        ps.setString(3, "bench-user-" + i + "@example.org");
        ps.setString(4, id);
        ps.setString(5, realmId);
        ps.setLong(6, now);
        ps.addBatch();
        if (i % 5000 == 0) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
    }
    System.out.println("users: " + Math.max(existing, count));
  }

  /**
   * Replaces all grants with COUNT active grants that expired a minute ago and LATER due in
   * LATER_SECONDS, each for its own user, with their role mappings.
   */
  static void seedGrants(
      Connection c,
      String realmId,
      String roleName,
      int count,
      int later,
      long laterSeconds,
      boolean sessions)
      throws SQLException {
    String roleId;
    try (PreparedStatement ps =
        c.prepareStatement(
            "select ID from KEYCLOAK_ROLE where NAME = ? and REALM_ID = ? and CLIENT_ROLE ="
                + " false")) {
      ps.setString(1, roleName);
      ps.setString(2, realmId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        roleId = rs.getString(1);
      }
    }
    try (Statement st = c.createStatement()) {
      st.executeUpdate("delete from BG_GRANT");
      st.executeUpdate("delete from USER_ROLE_MAPPING where ROLE_ID = '" + roleId + "'");
    }
    long now = System.currentTimeMillis();
    long expiredAt = now - 60_000;
    long laterAt = now + laterSeconds * 1000;
    try (PreparedStatement users =
            c.prepareStatement(
                "select ID, USERNAME from USER_ENTITY where REALM_ID = ? and USERNAME like"
                    + " 'bench-user-%' order by USERNAME limit ?");
        PreparedStatement grant =
            c.prepareStatement(
                "insert into BG_GRANT (ID, REALM_ID, USER_ID, USERNAME, ROLES, REASON, TICKET,"
                    + " STATUS, ACTIVATED_AT, EXPIRES_AT, DRILL, USES) values (?, ?, ?, ?, ?,"
                    + " 'benchmark grant for the sweeper', 'INC-1000', 'ACTIVE', ?, ?, false, 0)");
        PreparedStatement mapping =
            c.prepareStatement("insert into USER_ROLE_MAPPING (ROLE_ID, USER_ID) values (?, ?)")) {
      users.setString(1, realmId);
      users.setInt(2, count + later);
      int n = 0;
      List<String> holders = new ArrayList<>();
      try (ResultSet rs = users.executeQuery()) {
        while (rs.next()) {
          holders.add(rs.getString(1));
          long expiresAt = n < count ? expiredAt : laterAt;
          grant.setString(1, UUID.randomUUID().toString());
          grant.setString(2, realmId);
          grant.setString(3, rs.getString(1));
          grant.setString(4, rs.getString(2));
          grant.setString(5, "[\"" + roleName + "\"]");
          grant.setLong(6, Math.min(now, expiresAt) - 60_000);
          grant.setLong(7, expiresAt);
          grant.addBatch();
          mapping.setString(1, roleId);
          mapping.setString(2, rs.getString(1));
          mapping.addBatch();
          n++;
        }
      }
      grant.executeBatch();
      mapping.executeBatch();
      if (sessions) {
        seedSessions(c, realmId, holders);
      }
      System.out.println(
          "grants: "
              + Math.min(n, count)
              + " expired, "
              + Math.max(0, n - count)
              + " due in "
              + laterSeconds
              + " s");
      if (n < count + later) {
        throw new IllegalStateException("Only " + n + " bench users for " + (count + later));
      }
    }
  }

  /**
   * One online session for each of the {@code holders}, as Keycloak's persistent user sessions
   * store it (the session and its client session in the account console), started now: each holder
   * signed in to activate. Earlier bench sessions are removed first.
   */
  static void seedSessions(Connection c, String realmId, List<String> holders) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeUpdate(
          "delete from OFFLINE_CLIENT_SESSION where USER_SESSION_ID in (" + BENCH_SESSIONS + ")");
      st.executeUpdate(
          "delete from OFFLINE_USER_SESSION where USER_SESSION_ID in (" + BENCH_SESSIONS + ")");
    }
    String clientId;
    try (PreparedStatement ps =
        c.prepareStatement("select ID from CLIENT where REALM_ID = ? and CLIENT_ID = ?")) {
      ps.setString(1, realmId);
      ps.setString(2, "account-console");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        clientId = rs.getString(1);
      }
    }
    int now = (int) (System.currentTimeMillis() / 1000);
    try (PreparedStatement session =
            c.prepareStatement(
                "insert into OFFLINE_USER_SESSION (USER_SESSION_ID, USER_ID, REALM_ID, CREATED_ON,"
                    + " OFFLINE_FLAG, DATA, LAST_SESSION_REFRESH, VERSION, REMEMBER_ME) values (?,"
                    + " ?, ?, ?, '0', ?, ?, 0, false)");
        PreparedStatement client =
            c.prepareStatement(
                "insert into OFFLINE_CLIENT_SESSION (USER_SESSION_ID, CLIENT_ID, OFFLINE_FLAG,"
                    + " TIMESTAMP, DATA, CLIENT_STORAGE_PROVIDER, EXTERNAL_CLIENT_ID, VERSION,"
                    + " REALM_ID) values (?, ?, '0', ?, ?, 'local', 'local', 0, ?)")) {
      for (String holder : holders) {
        String id = UUID.randomUUID().toString();
        session.setString(1, id);
        session.setString(2, holder);
        session.setString(3, realmId);
        session.setInt(4, now);
        session.setString(
            5,
            "{\"ipAddress\":\"127.0.0.1\",\"authMethod\":\"openid-connect\","
                + "\"rememberMe\":false,\"started\":0,\"notes\":{\"AUTH_TIME\":\""
                + now
                + "\"},\"state\":\"LOGGED_IN\"}");
        session.setInt(6, now);
        session.addBatch();
        client.setString(1, id);
        client.setString(2, clientId);
        client.setInt(3, now);
        client.setString(
            4,
            "{\"authMethod\":\"openid-connect\",\"notes\":{\"clientId\":\""
                + clientId
                + "\",\"startedAt\":\""
                + now
                + "\"}}");
        client.setString(5, realmId);
        client.addBatch();
      }
      session.executeBatch();
      client.executeBatch();
    }
  }
}
