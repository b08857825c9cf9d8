package dev.breakglass.keycloak.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server on loopback, from Debian's packages (the cluster's one database).
 * Created in a temporary directory with trust authentication for the user {@code keycloak}, with
 * fsync off (a test database), and removed on close. As root it runs as the {@code postgres} user,
 * since PostgreSQL refuses to run as root.
 */
public final class PostgresServer implements AutoCloseable {

  private final Path bin;
  private final Path data;
  private final int port;
  private final boolean asPostgresUser;

  private PostgresServer(Path bin, Path data, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.data = data;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** Initialises and starts a server on {@code port} with an empty database {@code keycloak}. */
  public static PostgresServer start(int port) throws IOException, InterruptedException {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path data = Files.createTempDirectory("bg-postgres-");
    if (root) {
      run(List.of("chown", "postgres", data.toString()));
    }
    PostgresServer server = new PostgresServer(bin, data, port, root);
    server.pg(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.resolve("db").toString(),
            "-A",
            "trust",
            "-U",
            "keycloak",
            "--no-sync",
            "-E",
            "UTF8"));
    server.resume();
    server.pg(
        List.of(
            bin.resolve("createdb").toString(),
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(port),
            "-U",
            "keycloak",
            "keycloak"));
    return server;
  }

  /**
   * Stops the server as an operator's restart would ({@code pg_ctl stop -m fast}: open sessions are
   * cut, their transactions rolled back); {@link #resume()} starts it again on the same data.
   */
  public void pause() throws IOException, InterruptedException {
    stop("fast");
  }

  /** {@code pg_ctl stop} in a shutdown mode: fast (sessions cut) or immediate (a crash). */
  private void stop(String mode) throws IOException, InterruptedException {
    pgCtl("-m", mode, "-w", "stop");
  }

  /** Starts the server on its data directory and returns once it accepts connections. */
  public void resume() throws IOException, InterruptedException {
    pgCtl(
        "-l",
        data.resolve("log").toString(),
        "-w",
        "-o",
        "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1 -c fsync=off",
        "start");
  }

  /** {@code pg_ctl} on this server's data directory. */
  private void pgCtl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString()));
    command.addAll(List.of("-D", data.resolve("db").toString()));
    command.addAll(List.of(args));
    pg(command);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/keycloak";
  }

  /**
   * Runs SQL as {@code keycloak} in one transaction (psql {@code -c}) and returns the output rows,
   * unaligned and without headers: for seeding rows and for asserting on the product's tables.
   */
  public String sql(String statements) throws IOException, InterruptedException {
    return run(List.of(
            bin.resolve("psql").toString(),
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(port),
            "-U",
            "keycloak",
            "-d",
            "keycloak",
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-c",
            statements))
        .strip();
  }

  /** As {@link #sql}, for a query of one number. */
  public long count(String query) throws IOException, InterruptedException {
    return Long.parseLong(sql(query));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      stop("immediate");
    } finally {
      try (Stream<Path> files = Files.walk(data)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void pg(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full);
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("Failed: " + String.join(" ", command) + "\n" + output);
    }
    return output;
  }

  /** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/N/bin). */
  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      throw new IOException(
          "PostgreSQL is not installed: apt-get install -y postgresql (as .ci/run does)");
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
          .max(
              Comparator.comparingInt(
                  v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
          .map(v -> v.resolve("bin"))
          .orElseThrow(() -> new IOException("No initdb under " + root));
    }
  }
}
