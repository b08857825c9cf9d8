package dev.breakglass.keycloak.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitAndReleaseTextTest {

  private static String text(String type, Map<String, Object> details) {
    return AlertPayload.text(
        new AlertPayload.Facts("demo", type, 1, "h", 0, "g1", "u1", "responder", false, details));
  }

  @Test
  void aRefusalAndAFrequencyAlertSayWhichLimit() {
    Map<String, Object> refused = new LinkedHashMap<>();
    refused.put("kind", "cooldown");
    refused.put("limit", 30);
    refused.put("refused", true);
    assertEquals(
        "Break-glass LIMIT in demo: responder refused by the cooldown limit (30) [grant g1]",
        text("BREAK_GLASS_LIMIT", refused));
    Map<String, Object> frequency =
        Map.of("kind", "frequency", "limit", 1, "refused", false, "activationsIn24h", 2);
    assertEquals(
        "Break-glass LIMIT in demo: responder passed the frequency limit (1): 2 activations in 24"
            + " h [grant g1]",
        text("BREAK_GLASS_LIMIT", frequency));
  }

  @Test
  void anEarlyReleaseSaysWhatWasRemoved() {
    String released =
        text("BREAK_GLASS_RELEASED", Map.of("rolesRemoved", List.of("emergency-admin")));
    assertEquals(
        "Break-glass grant of responder RELEASED early by its holder in demo; removed"
            + " emergency-admin and ended the sessions [grant g1]",
        released);
  }
}
