package dev.breakglass.keycloak.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OperatorChannelTest {

  private static final String SECRET = "operator-secret-0123456789";

  @Test
  void unsetIsOffAndBlankIsUnset() {
    assertSame(OperatorChannel.OFF, OperatorChannel.of(null, null));
    assertSame(OperatorChannel.OFF, OperatorChannel.of(" ", ""));
    assertFalse(OperatorChannel.OFF.configured());
    assertEquals("off", OperatorChannel.OFF.describe());
  }

  @Test
  void aUrlWithASecretIsOn() {
    OperatorChannel channel =
        OperatorChannel.of("https://siem.example.org:8443/hook/T0K3N", SECRET);
    assertTrue(channel.configured());
    assertEquals("https://siem.example.org:8443/hook/T0K3N", channel.url());
  }

  @Test
  void halfAConfigurationIsRefusedNamingTheOptionNeverTheSecret() {
    for (String[] bad :
        new String[][] {
          {null, SECRET},
          {"https://siem.example.org/hook", null},
          {"https://siem.example.org/hook", "short"},
          {"ftp://siem.example.org/hook", SECRET},
          {"https://user:pw@siem.example.org/hook", SECRET},
          {"not a url", SECRET},
          {"/relative/hook", SECRET}
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> OperatorChannel.of(bad[0], bad[1]));
      assertTrue(e.getMessage().startsWith("operator-webhook-"), e.getMessage());
      assertFalse(e.getMessage().contains(SECRET), "the secret never appears in a message");
    }
  }

  @Test
  void describedAndPrintedWithoutSecretOrPath() {
    OperatorChannel channel =
        OperatorChannel.of("https://hooks.example.org/services/T0K3N", SECRET);
    assertEquals("https://hooks.example.org", channel.describe());
    assertFalse(channel.toString().contains(SECRET), channel.toString());
    assertFalse(channel.toString().contains("T0K3N"), channel.toString());
  }
}
