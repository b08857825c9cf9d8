package dev.breakglass.keycloak.userapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The console's static parts: both languages complete, the script writes text only. */
class ConsoleResourceTest {

  private static String resource(String name) throws IOException {
    try (InputStream in = ConsoleResource.class.getClassLoader().getResourceAsStream(name)) {
      assertTrue(in != null, name + " in the jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void bothLanguagesHaveTheSameKeys() {
    Map<String, String> en = ConsoleResource.bundle(ConsoleResource.LANGUAGES.get("en"));
    Map<String, String> de = ConsoleResource.bundle(ConsoleResource.LANGUAGES.get("de"));
    assertTrue(en.size() > 50, "English bundle read: " + en.size());
    assertEquals(en.keySet(), de.keySet());
    de.forEach((key, text) -> assertFalse(text.isBlank(), "German text of " + key));
    assertEquals("Jetzt beenden", de.get("endNow"), "read as UTF-8");
    assertEquals("Abgelehnt ({0}): {1}", de.get("error.status"));
  }

  @Test
  void everyTextTheScriptAsksForIsInTheBundles() throws IOException {
    Map<String, String> en = ConsoleResource.bundle(ConsoleResource.LANGUAGES.get("en"));
    String script = resource("console/console.js");
    Set<String> missing = new TreeSet<>();
    Matcher used = Pattern.compile("\\bt\\('([A-Za-z.]*[A-Za-z])'").matcher(script);
    while (used.find()) {
      if (!en.containsKey(used.group(1))) {
        missing.add(used.group(1));
      }
    }
    Matcher statuses = Pattern.compile("'(PENDING|ACTIVE|ENDED|CLOSED|REJECTED)'").matcher(script);
    while (statuses.find()) {
      if (!en.containsKey("status." + statuses.group(1))) {
        missing.add("status." + statuses.group(1));
      }
    }
    Matcher page =
        Pattern.compile("data-i18n=\"([A-Za-z.]+)\"").matcher(resource("console/index.html"));
    while (page.find()) {
      if (!en.containsKey(page.group(1))) {
        missing.add(page.group(1));
      }
    }
    assertTrue(missing.isEmpty(), "keys missing from the bundles: " + missing);
  }

  @Test
  void theScriptNeverWritesMarkup() throws IOException {
    String script = resource("console/console.js");
    for (String sink :
        new String[] {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("}) {
      assertFalse(script.contains(sink), "console.js uses " + sink);
    }
    String page = resource("console/index.html");
    assertFalse(
        Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(page).find(), "no inline script");
    assertFalse(page.contains("style="), "no inline style");
  }

  @Test
  void onlyTheListedAssetsAreServed() {
    assertEquals(Set.of("console.js", "console.css"), ConsoleResource.ASSETS.keySet());
    assertFalse(ConsoleResource.CSP.contains("unsafe"), ConsoleResource.CSP);
    assertTrue(ConsoleResource.CSP.contains("frame-ancestors 'none'"));
  }

  @Test
  void valuesPutIntoThePageAreEscaped() {
    assertEquals("a&amp;b&lt;c&gt;&quot;d&#39;", ConsoleResource.escape("a&b<c>\"d'"));
  }
}
