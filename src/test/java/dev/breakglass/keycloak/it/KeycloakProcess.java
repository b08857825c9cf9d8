package dev.breakglass.keycloak.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A Keycloak distribution this test starts and stops itself, for what the shared test server cannot
 * do: be stopped and started again on the same (file) database. Runs {@code kc.sh start-dev} with
 * the project's jar in {@code providers/} and the demo realm imported, on its own ports so it can
 * run beside the shared server.
 */
public final class KeycloakProcess implements AutoCloseable {

  private final Path home;
  private final int port;
  private final Path log;
  private final List<String> extraArgs;
  private final String mode;
  private Process process;

  private KeycloakProcess(Path home, int port, List<String> extraArgs, String mode) {
    this.home = home;
    this.port = port;
    this.log = home.resolve("test-server.log");
    this.extraArgs = extraArgs;
    this.mode = mode;
  }

  /** Unpacks the distribution into {@code dir} (once), then installs the provider and the realm. */
  public static KeycloakProcess install(Path target, int port, String... extraArgs)
      throws IOException {
    return install(target, port, "start-dev", extraArgs);
  }

  /**
   * As {@link #install}, for {@code kc.sh start} (production mode: a real database and cache
   * options go in {@code extraArgs}), as the nodes of a cluster run.
   */
  public static KeycloakProcess installNode(Path target, int port, String... extraArgs)
      throws IOException {
    return install(target, port, "start", extraArgs);
  }

  private static KeycloakProcess install(Path target, int port, String mode, String... extraArgs)
      throws IOException {
    Path dir = target.toAbsolutePath();
    Path zip = Path.of(required("kc.dist.zip"));
    Path jar = Path.of(required("breakglass.jar"));
    if (!Files.isDirectory(dir)) {
      unzip(zip, dir);
    }
    Path home;
    try (var children = Files.list(dir)) {
      home =
          children
              .filter(Files::isDirectory)
              .findFirst()
              .orElseThrow(() -> new IOException("Empty " + dir));
    }
    home.resolve("bin/kc.sh").toFile().setExecutable(true);
    // Each install starts from the realm file as it is now, not from a database an earlier run left
    // (the import skips a realm that exists).
    deleteRecursively(home.resolve("data/h2"));
    Files.copy(
        jar,
        home.resolve("providers").resolve(jar.getFileName()),
        StandardCopyOption.REPLACE_EXISTING);
    Path imports = Files.createDirectories(home.resolve("data/import"));
    Files.copy(
        Path.of("realm-config/breakglass-demo-realm.json"),
        imports.resolve("breakglass-demo-realm.json"),
        StandardCopyOption.REPLACE_EXISTING);
    return new KeycloakProcess(home, port, List.of(extraArgs), mode);
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The unpacked distribution's directory (kc.home.dir): its data/ holds a dev-file database. */
  public Path home() {
    return home;
  }

  public String baseUrl() {
    return "http://localhost:" + port;
  }

  public void start() throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                home.resolve("bin/kc.sh").toString(),
                mode,
                "--import-realm",
                "--http-port=" + port,
                "--http-management-port=" + (port + 1000)));
    command.addAll(extraArgs);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
    process = builder.start();
    HttpClient http = HttpClient.newHttpClient();
    Poll.until(
        "Keycloak on port " + port + " to answer",
        Duration.ofMinutes(4),
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError(
                "Keycloak exited with " + process.exitValue() + "; see " + log);
          }
          try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl() + "/realms/master")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
          } catch (IOException e) {
            return -1;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
          }
        },
        status -> status == 200);
  }

  /** A clean shutdown (SIGTERM), as an orchestrator stops a node. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * {@code kill -9} of the node: the JVM (a child of kc.sh) and the script, with no shutdown hook,
   * no clean close of connections or claims, as a crashed host.
   */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      List<ProcessHandle> jvm = process.descendants().toList();
      jvm.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      Poll.until(
          "the killed node's JVM to be gone",
          Duration.ofSeconds(10),
          () -> jvm.stream().anyMatch(ProcessHandle::isAlive),
          alive -> !alive);
    }
  }

  /** Whether the node's process runs (false once killed or stopped). */
  public boolean running() {
    return process != null && process.isAlive();
  }

  public String log() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(
          "System property " + property + " is not set (set by the failsafe configuration)");
    }
    return value;
  }

  private static void unzip(Path zip, Path target) throws IOException {
    Files.createDirectories(target);
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
        Path out = target.resolve(entry.getName()).normalize();
        if (!out.startsWith(target)) {
          throw new IOException("Zip entry outside the target: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          copy(in, out);
        }
      }
    }
  }

  private static void copy(InputStream in, Path out) throws IOException {
    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
  }
}
