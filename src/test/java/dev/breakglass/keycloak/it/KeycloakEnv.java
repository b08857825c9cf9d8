package dev.breakglass.keycloak.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docker/keycloak.env: the Keycloak options shared by the compose file, the Docker build, run.sh
 * and the integration tests. Strict on purpose: a line Compose and sh would read differently is an
 * error, not a guess.
 */
public final class KeycloakEnv {

  public static final Path FILE = Path.of("docker", "keycloak.env");

  private static final Pattern LINE = Pattern.compile("(KC_[A-Z0-9_]+)=([^\\s'\"`$\\\\#]*)");

  private KeycloakEnv() {}

  /** Variables in file order. */
  public static Map<String, String> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> vars = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new IllegalStateException(
            file + ":" + (i + 1) + ": not a plain KC_NAME=value line: " + line);
      }
      if (vars.put(m.group(1), m.group(2)) != null) {
        throw new IllegalStateException(file + ":" + (i + 1) + ": " + m.group(1) + " set twice");
      }
    }
    return vars;
  }

  /**
   * KC_HEALTH_ENABLED to health-enabled; KC_SPI_X__Y__Z to spi-x--y--z (Keycloak's own mapping).
   */
  public static String optionName(String variable) {
    return variable.substring("KC_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * The server options for the test framework: every variable but KC_BOOTSTRAP_*, since the
   * framework creates its own bootstrap admin.
   */
  public static Map<String, String> testServerOptions() {
    Map<String, String> options = new LinkedHashMap<>();
    read(FILE)
        .forEach(
            (name, value) -> {
              if (!name.startsWith("KC_BOOTSTRAP_")) {
                options.put(optionName(name), value);
              }
            });
    return options;
  }
}
