package dev.breakglass.keycloak.ticket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.breakglass.keycloak.domain.TicketCheckPolicy;
import dev.breakglass.keycloak.domain.TicketCheckResult;
import dev.breakglass.keycloak.domain.TicketCheckResult.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TicketResponsesTest {

  private static final TicketCheckPolicy POLICY =
      new TicketCheckPolicy(
          "http",
          "https://x.example/{ticket}",
          null,
          "/incident/status",
          List.of("triggered", "acknowledged"),
          "/incident/title",
          false,
          null);

  private static TicketCheckResult classify(int status, String body) {
    return TicketResponses.classify(POLICY, status, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void openClosedUnknown() {
    TicketCheckResult open =
        classify(200, "{\"incident\":{\"status\":\"acknowledged\",\"title\":\"DB\\u0007 down\"}}");
    assertEquals(Outcome.OPEN, open.outcome());
    assertEquals("DB  down", open.title(), "control characters never reach the page");
    assertEquals(
        Outcome.CLOSED, classify(200, "{\"incident\":{\"status\":\"resolved\"}}").outcome());
    assertEquals(Outcome.UNKNOWN, classify(404, "").outcome());
  }

  @Test
  void numbersAndBooleansCompareAsText() {
    TicketCheckPolicy numeric =
        new TicketCheckPolicy("http", "u", null, "/state", List.of("1", "true"), null, false, null);
    assertEquals(
        Outcome.OPEN,
        TicketResponses.classify(numeric, 200, "{\"state\":1}".getBytes(StandardCharsets.UTF_8))
            .outcome());
    assertNull(
        TicketResponses.classify(numeric, 200, "{\"state\":true}".getBytes(StandardCharsets.UTF_8))
            .title());
  }

  @Test
  void failures() {
    assertEquals(Outcome.FAILED, classify(500, "{}").outcome());
    assertEquals(Outcome.FAILED, classify(302, "").outcome());
    assertEquals(Outcome.FAILED, classify(401, "").outcome());
    assertEquals(Outcome.FAILED, classify(200, "<html>ok</html>").outcome());
    assertEquals(Outcome.FAILED, classify(200, "{\"incident\":{}}").outcome());
    assertEquals(Outcome.FAILED, classify(200, "{\"incident\":{\"status\":{\"a\":1}}}").outcome());
    assertEquals(Outcome.FAILED, classify(200, "{\"incident\":{\"status\":null}}").outcome());
    assertEquals(
        Outcome.FAILED,
        TicketResponses.classify(POLICY, 200, new byte[TicketResponses.MAX_BODY_BYTES + 1])
            .outcome());
  }
}
