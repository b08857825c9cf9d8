package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The images the *ContainerIT tests run: the project's own, built from docker/Dockerfile, and the
 * PostgreSQL the compose file names. Where no container engine runs these tests are skipped, unless
 * {@value #REQUIRE_ENGINE} is true (.ci/run sets it): there a missing engine is a failure.
 */
public final class ContainerImages {

  /** The tag docker-compose.yml gives the image (DockerConsistencyTest checks they agree). */
  public static final String PROJECT = "keycloak-breakglass:local";

  /** The PostgreSQL of docker-compose.yml (.ci/images.sh makes it from Debian's packages). */
  public static final String POSTGRES = "postgres:15";

  public static final String REQUIRE_ENGINE = "BREAKGLASS_REQUIRE_DOCKER";

  private static final Logger LOG = Logger.getLogger(ContainerImages.class);
  private static final Path JAR = Path.of("target", "keycloak-breakglass.jar");

  /** Label of the project image: the digest of the files it was built from. */
  public static final String INPUTS_LABEL = "dev.breakglass.inputs-sha256";

  /** Those files, in this order (folders: their files in name order). */
  public static final List<String> INPUTS =
      List.of("docker/Dockerfile", "docker/keycloak.env", "realm-config", JAR.toString());

  private ContainerImages() {}

  /** Whether a container engine answers (the tests start their containers only then). */
  static boolean engineAnswers() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  /**
   * Skips the calling test when no engine answers, or fails it where an engine is required. Called
   * per test (not per class), so the reports show each skip with this message.
   */
  static void requireEngine() {
    boolean available = engineAnswers();
    if (!available && "true".equals(System.getenv(REQUIRE_ENGINE))) {
      fail("No container engine answers, and " + REQUIRE_ENGINE + "=true: start dockerd first");
    }
    assumeTrue(
        available,
        "Skipped: no container engine (Docker or a compatible socket) answers on this machine;"
            + " .ci/run starts one");
  }

  /**
   * The project's image, built from docker/Dockerfile unless an image of that tag was built from
   * exactly these inputs (the label {@value #INPUTS_LABEL}, which .ci/run sets the same way), so a
   * stale image is never what is tested.
   */
  static String project() throws IOException {
    String inputs = inputsDigest();
    if (inputs.equals(label(PROJECT, INPUTS_LABEL))) {
      return PROJECT;
    }
    LOG.infof("Building %s from docker/Dockerfile (no image of these inputs)", PROJECT);
    // The files Dockerfile.dockerignore lets through, sent to the engine's own builder.
    return new ImageFromDockerfile(PROJECT, false)
        .withDockerfilePath("docker/Dockerfile")
        .withFileFromPath("docker/Dockerfile", Path.of("docker", "Dockerfile"))
        .withFileFromPath("target/keycloak-breakglass.jar", JAR)
        .withFileFromPath("realm-config", Path.of("realm-config"))
        .withFileFromPath("docker/keycloak.env", Path.of("docker", "keycloak.env"))
        .withBuildImageCmdModifier(build -> build.withLabels(Map.of(INPUTS_LABEL, inputs)))
        .get();
  }

  /**
   * What {@code sha256sum FILES | sha256sum} prints (first field) in the repository root, FILES
   * being {@link #INPUTS} with each folder's files in name order: .ci/run labels its build so.
   */
  static String inputsDigest() throws IOException {
    StringBuilder sums = new StringBuilder();
    for (String input : INPUTS) {
      List<Path> files;
      try (Stream<Path> listed = Files.walk(Path.of(input))) {
        files = listed.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path file : files) {
        sums.append(sha256(Files.readAllBytes(file))).append("  ").append(file).append('\n');
      }
    }
    return sha256(sums.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String label(String image, String name) {
    try {
      Map<String, String> labels =
          DockerClientFactory.instance()
              .client()
              .inspectImageCmd(image)
              .exec()
              .getConfig()
              .getLabels();
      return labels == null ? null : labels.get(name);
    } catch (RuntimeException e) {
      return null; // no such image
    }
  }

  /** The admin API of a server in a container, as the bootstrap admin (a fresh token per call). */
  static AdminApi adminApi(String baseUrl) {
    return new AdminApi(baseUrl, () -> Oidc.passwordToken(baseUrl, "master", "admin", "admin"));
  }

  /** GET on a plain URL: the status and the body. */
  static AdminApi.Result get(String url) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      return new AdminApi.Result(response.statusCode(), response.body(), null);
    } catch (IOException e) {
      return new AdminApi.Result(-1, e.toString(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The status of a grant, by the admin API. */
  static JsonNode grant(AdminApi api, String id) {
    AdminApi.Result result = api.get(BreakGlassAdmin.BASE + "grants/" + id);
    if (result.status() != 200) {
      throw new AssertionError(result.status() + " " + result.body());
    }
    return result.json();
  }
}
