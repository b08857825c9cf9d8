package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class TicketCheckPolicyTest {

  private static final String PATH_TEMPLATE =
      "https://incidents.example.com:8443/api/v2/{ticket}/view";
  private static final String QUERY_TEMPLATE = "http://127.0.0.1:9999/search?q={ticket}&x=1";

  @Test
  void plainTicketsStayReadable() {
    assertEquals(
        "https://incidents.example.com:8443/api/v2/INC-4711/view",
        TicketCheckPolicy.url(PATH_TEMPLATE, "INC-4711"));
  }

  @Test
  void pathCharactersAreEncoded() {
    assertEquals(
        "https://incidents.example.com:8443/api/v2/%2E%2E%2F%3F%23%25%40evil%2Ecom/view",
        TicketCheckPolicy.url(PATH_TEMPLATE, "../?#%@evil.com"));
    assertEquals("%C3%A4%20", TicketCheckPolicy.encode("ä "));
  }

  /** No ticket, whatever it holds, changes the scheme, host, port, or the path around it. */
  @Property(tries = 2000)
  void noTicketChangesHostOrPathStructure(@ForAll @StringLength(min = 1, max = 80) String ticket) {
    for (String template : new String[] {PATH_TEMPLATE, QUERY_TEMPLATE}) {
      URI expected = URI.create(template.replace("{ticket}", "x"));
      URI built = URI.create(TicketCheckPolicy.url(template, ticket));
      assertEquals(expected.getScheme(), built.getScheme());
      assertEquals(expected.getHost(), built.getHost());
      assertEquals(expected.getPort(), built.getPort());
      assertNull(built.getRawFragment());
      assertNull(built.getRawUserInfo());
      String prefix = template.substring(0, template.indexOf("{ticket}"));
      String suffix = template.substring(template.indexOf("{ticket}") + "{ticket}".length());
      String url = built.toString();
      assertTrue(url.startsWith(prefix) && url.endsWith(suffix), url);
      String inserted = url.substring(prefix.length(), url.length() - suffix.length());
      assertTrue(inserted.matches("[A-Za-z0-9_%-]*"), inserted);
      assertEquals(built.normalize(), built, "no dot segment: " + url);
    }
  }

  @Test
  void pointerRules() {
    assertNull(TicketCheckPolicy.pointerProblem(""));
    assertNull(TicketCheckPolicy.pointerProblem("/incident/status"));
    assertNull(TicketCheckPolicy.pointerProblem("/fields/a~1b/~0x/0"));
    assertTrue(TicketCheckPolicy.pointerProblem("status") != null);
    assertTrue(TicketCheckPolicy.pointerProblem("/a~") != null);
  }
}
