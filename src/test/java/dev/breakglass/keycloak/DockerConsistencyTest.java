package dev.breakglass.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.breakglass.keycloak.it.ContainerImages;
import dev.breakglass.keycloak.it.KeycloakEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * Keeps docker/ honest against the build that is tested, without an engine (the *ContainerIT tests
 * run the image where one runs): the same Keycloak version, the same provider jar, the same shared
 * options, the same image names as the tests and .ci/, and the rules of issue 14 (no syntax line,
 * no Maven in the build, one command, ports on 127.0.0.1 only, pinned images, alerts that mail).
 */
class DockerConsistencyTest {

  private static final Path POM = Path.of("pom.xml");
  private static final Path DOCKERFILE = Path.of("docker", "Dockerfile");
  private static final Path COMPOSE = Path.of("docker", "docker-compose.yml");
  private static final Path DOCKERIGNORE = Path.of("docker", "Dockerfile.dockerignore");
  private static final Path CI_RUN = Path.of(".ci", "run");
  private static final Path CI_IMAGES = Path.of(".ci", "images.sh");

  private static String distVersion;
  private static String jarName;
  private static String dockerfile;
  private static JsonNode compose;

  @BeforeAll
  static void read() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(POM.toFile());
    distVersion =
        pom.getElementsByTagName("keycloak.dist.version").item(0).getTextContent().strip();
    jarName = pom.getElementsByTagName("finalName").item(0).getTextContent().strip() + ".jar";
    dockerfile = Files.readString(DOCKERFILE);
    compose = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
  }

  @Test
  void thePomNamesWhatTheDockerFilesMustMatch() {
    assertTrue(distVersion.matches("\\d+\\.\\d+\\.\\d+"), distVersion);
    assertEquals("keycloak-breakglass.jar", jarName);
  }

  @Test
  void theDockerfileBuildsOnTheTestedKeycloak() {
    Matcher arg = Pattern.compile("(?m)^ARG KEYCLOAK_VERSION=(\\S+)$").matcher(dockerfile);
    assertTrue(arg.find(), "ARG KEYCLOAK_VERSION in the Dockerfile");
    assertEquals(distVersion, arg.group(1), "Dockerfile's Keycloak = keycloak.dist.version");

    List<String> keycloakBases = new ArrayList<>();
    Matcher from =
        Pattern.compile("(?m)^FROM\\s+(quay\\.io/keycloak/keycloak:\\S+)").matcher(dockerfile);
    while (from.find()) {
      keycloakBases.add(from.group(1));
    }
    assertFalse(keycloakBases.isEmpty(), "a Keycloak base image");
    for (String base : keycloakBases) {
      String tag = base.substring(base.indexOf(':') + 1);
      assertTrue(
          tag.equals("${KEYCLOAK_VERSION}") || tag.equals(distVersion), "base image " + base);
    }
  }

  @Test
  void theDockerfileInstallsTheJarMavenBuilds() {
    assertTrue(
        dockerfile.contains("target/" + jarName + " /opt/keycloak/providers/"),
        "Dockerfile copies target/" + jarName + " into /opt/keycloak/providers/");
    assertTrue(
        dockerfile.contains("COPY realm-config/ /opt/keycloak/data/import/"),
        "demo realm for --import-realm");
  }

  @Test
  void theImageIsBuiltForPostgresWithHealthAndMetricsFromTheSharedOptions() {
    Matcher build = Pattern.compile("kc\\.sh build([^\\n]*)").matcher(dockerfile);
    assertTrue(build.find(), "kc.sh build in the Dockerfile");
    assertTrue(build.group(1).contains("--db=postgres"), build.group(0));
    assertTrue(
        build.group(1).contains("--health-enabled=\"${KC_HEALTH_ENABLED}\""), build.group(0));
    assertTrue(
        build.group(1).contains("--metrics-enabled=\"${KC_METRICS_ENABLED}\""), build.group(0));
    assertTrue(
        dockerfile.contains(". /tmp/keycloak.env")
            && dockerfile.contains("COPY docker/keycloak.env /tmp/keycloak.env"),
        "the build reads docker/keycloak.env");

    Map<String, String> shared = KeycloakEnv.read(KeycloakEnv.FILE);
    assertEquals("true", shared.get("KC_HEALTH_ENABLED"));
    assertEquals("true", shared.get("KC_METRICS_ENABLED"));
  }

  @Test
  void theSharedOptionsFileIsReadTheSameBySh() throws Exception {
    // KeycloakEnv.read refuses quotes, spaces and $; sh's `read` also needs the last line ended.
    String text = Files.readString(KeycloakEnv.FILE);
    assertTrue(text.endsWith("\n"), "keycloak.env ends with a newline");
    assertFalse(KeycloakEnv.read(KeycloakEnv.FILE).isEmpty());
    assertTrue(
        Files.readString(Path.of("run.sh")).contains("docker/keycloak.env"),
        "run.sh reads the shared options");
  }

  @Test
  void composeBuildsThatImageOnTheSameVersionAndUsesTheSharedOptions() {
    JsonNode keycloak = compose.path("services").path("keycloak");
    assertFalse(keycloak.isMissingNode(), "a keycloak service");
    assertEquals("..", keycloak.path("build").path("context").asText());
    assertEquals("docker/Dockerfile", keycloak.path("build").path("dockerfile").asText());
    assertEquals(
        distVersion,
        keycloak.path("build").path("args").path("KEYCLOAK_VERSION").asText(),
        "compose's KEYCLOAK_VERSION build argument = keycloak.dist.version");
    assertTrue(
        keycloak.path("env_file").toString().contains("keycloak.env"),
        "keycloak reads keycloak.env");
    // The demo realm is imported by the image's own command (checked below), not repeated here.

    // Compose must not set again what keycloak.env sets (two sources drift apart).
    Map<String, String> shared = KeycloakEnv.read(KeycloakEnv.FILE);
    keycloak
        .path("environment")
        .fieldNames()
        .forEachRemaining(
            name ->
                assertFalse(
                    shared.containsKey(name),
                    name + " is set in keycloak.env, not in the compose file"));

    // Every Keycloak image named in the compose file is the one built here or the tested version.
    String image = keycloak.path("image").asText();
    compose
        .path("services")
        .fields()
        .forEachRemaining(
            service -> {
              String used = service.getValue().path("image").asText();
              if (used.startsWith("quay.io/keycloak/keycloak")) {
                assertEquals("quay.io/keycloak/keycloak:" + distVersion, used, service.getKey());
              } else if (used.startsWith("keycloak-breakglass")) {
                assertEquals(
                    image, used, service.getKey() + " uses the image built from the Dockerfile");
              }
            });
    assertNotNull(compose.path("services").get("postgres"), "a PostgreSQL service");
    assertNotNull(compose.path("services").get("mailpit"), "a mail catcher");
  }

  @Test
  void theDockerfileBuildsWithoutARegistryOrMaven() {
    // A syntax line makes BuildKit pull its frontend; Maven inside the build needs the proxy's CA
    // and resolves every test dependency: the jar is built on the host and copied.
    assertFalse(dockerfile.matches("(?s)(?i).*^#\\s*syntax\\s*=.*"), "no # syntax= line");
    assertFalse(
        Pattern.compile("(?mi)^\\s*RUN\\b.*\\bmvn\\b").matcher(dockerfile).find(), "no mvn");
    Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(dockerfile);
    while (from.find()) {
      assertTrue(
          from.group(1).startsWith("quay.io/keycloak/keycloak:") || from.group(1).equals("builder"),
          "only Keycloak bases (the ones .ci/images.sh stands in for): " + from.group(1));
    }
    assertFalse(dockerfile.contains("RUN --mount"), "no BuildKit-only RUN options");
  }

  @Test
  void theImageHasOneCommandAndComposeDoesNotRepeatIt() {
    Matcher cmd = Pattern.compile("(?m)^CMD (.*)$").matcher(dockerfile);
    assertTrue(cmd.find(), "a CMD");
    assertEquals("[\"start\", \"--optimized\", \"--import-realm\"]", cmd.group(1));
    assertTrue(compose.path("services").path("keycloak").path("command").isMissingNode());
  }

  @Test
  void theBuildContextLetsThroughWhatTheDockerfileCopies() throws Exception {
    List<String> allowed = new ArrayList<>();
    for (String line : Files.readAllLines(DOCKERIGNORE)) {
      if (line.startsWith("!")) {
        allowed.add(line.substring(1));
      }
    }
    assertTrue(Files.readAllLines(DOCKERIGNORE).contains("*"), "everything else ignored");
    Matcher copy = Pattern.compile("(?m)^COPY\\s+(?!--from)(\\S+)\\s").matcher(dockerfile);
    int copies = 0;
    while (copy.find()) {
      assertTrue(allowed.contains(copy.group(1)), copy.group(1) + " is let through");
      copies++;
    }
    assertEquals(allowed.size(), copies, "nothing else is sent: " + allowed);
    assertEquals(
        List.of("docker/Dockerfile", "docker/keycloak.env", "realm-config", "target/" + jarName),
        ContainerImages.INPUTS,
        "the tests' image inputs: the Dockerfile and what it copies");
  }

  @Test
  void composePublishesOnLoopbackOnlyAndPinsEveryImage() {
    compose
        .path("services")
        .fields()
        .forEachRemaining(
            service -> {
              String image = service.getValue().path("image").asText();
              assertTrue(image.contains(":") && !image.endsWith(":latest"), "pinned: " + image);
              for (JsonNode port : service.getValue().path("ports")) {
                assertTrue(
                    port.asText().startsWith("127.0.0.1:"),
                    service.getKey() + " publishes " + port.asText() + " beyond 127.0.0.1");
              }
            });
    assertTrue(
        compose.path("services").path("keycloak").path("ports").toString().contains(":9000:9000"),
        "the management port is published (on loopback)");
  }

  @Test
  void theTestsAndCiUseTheImagesComposeNames() throws Exception {
    JsonNode services = compose.path("services");
    assertEquals(ContainerImages.PROJECT, services.path("keycloak").path("image").asText());
    assertEquals(ContainerImages.POSTGRES, services.path("postgres").path("image").asText());
    String images = Files.readString(CI_IMAGES);
    assertTrue(images.contains("POSTGRES=" + ContainerImages.POSTGRES), ".ci/images.sh makes it");
    assertTrue(images.contains("KEYCLOAK=quay.io/keycloak/keycloak:${KEYCLOAK_VERSION}"));
    assertTrue(images.contains("<keycloak.dist.version>"), "the version comes from the pom");

    String run = Files.readString(CI_RUN);
    assertTrue(run.contains("-t " + ContainerImages.PROJECT + " ."), "CI builds the tests' image");
    assertTrue(run.contains(ContainerImages.INPUTS_LABEL + "="), "with the label the tests read");
    assertTrue(
        run.contains("export " + ContainerImages.REQUIRE_ENGINE + "=true"),
        "in CI a container test never skips");
    assertTrue(run.strip().contains("\nmvn -B verify\n"), "then the README's test command");
  }

  @Test
  void composeMakesTheAlertsMail() throws Exception {
    JsonNode demoMail = compose.path("services").path("demo-mail");
    assertFalse(demoMail.path("environment").path("ALERT_EMAILS").asText().isBlank());
    assertEquals("mailpit", demoMail.path("environment").path("SMTP_HOST").asText());
    assertTrue(demoMail.path("volumes").toString().contains("./demo-mail.sh:"));
    String script = Files.readString(Path.of("docker", "demo-mail.sh"));
    assertTrue(script.contains("config.alertEmails=$ALERT_EMAILS"), "sets the policy's addresses");
    assertTrue(script.contains("smtpServer="), "and the realm's SMTP server");
  }
}
