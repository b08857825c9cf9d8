package dev.breakglass.keycloak.theme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every language speaks every message, with the same placeholders. */
class MessageBundlesTest {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\d+}");

  private static Properties load(String language) throws IOException {
    Properties messages = new Properties();
    String path = "/theme-resources/messages/messages_" + language + ".properties";
    try (InputStream in = MessageBundlesTest.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new AssertionError(path + " missing");
      }
      // Keycloak reads theme messages as UTF-8.
      messages.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
    return messages;
  }

  private static Set<String> placeholders(String text) {
    Set<String> found = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      found.add(m.group());
    }
    return found;
  }

  @Test
  void germanHasEveryEnglishKeyWithTheSamePlaceholders() throws IOException {
    Properties en = load("en");
    Properties de = load("de");
    assertEquals(
        new TreeSet<>(en.stringPropertyNames()),
        new TreeSet<>(de.stringPropertyNames()),
        "same keys");
    for (String key : en.stringPropertyNames()) {
      assertEquals(placeholders(en.getProperty(key)), placeholders(de.getProperty(key)), key);
      assertFalse(de.getProperty(key).isBlank(), key);
    }
  }

  @Test
  void noKeyIsSetTwice() throws IOException {
    // Properties keeps the last of two lines silently; a merge can leave both behind.
    for (String language : List.of("en", "de")) {
      String path = "/theme-resources/messages/messages_" + language + ".properties";
      Set<String> seen = new TreeSet<>();
      try (InputStream in = MessageBundlesTest.class.getResourceAsStream(path)) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
          int eq = line.indexOf('=');
          if (!line.isBlank() && !line.startsWith("#") && eq > 0) {
            assertTrue(
                seen.add(line.substring(0, eq).strip()),
                language + ": " + line.substring(0, eq) + " twice");
          }
        }
      }
    }
  }

  @Test
  void germanIsReallyGerman() throws IOException {
    // A copy of the English file would pass the key check; the texts must differ where words are.
    Properties en = load("en");
    Properties de = load("de");
    assertFalse(
        en.getProperty("breakGlassActivateTitle")
            .equals(de.getProperty("breakGlassActivateTitle")));
    assertFalse(en.getProperty("breakGlassBanner").equals(de.getProperty("breakGlassBanner")));
  }
}
