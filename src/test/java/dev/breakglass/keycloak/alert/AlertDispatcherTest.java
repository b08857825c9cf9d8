package dev.breakglass.keycloak.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class AlertDispatcherTest {

  private static final long MINUTE = 60_000;

  @Test
  void lagIsReportedOncePerEpisodeNotOncePerLook() {
    AlertDispatcher.LagWatch watch = new AlertDispatcher.LagWatch(5 * MINUTE);
    long created = 1_000_000;
    assertFalse(watch.shouldReport(created, created + 5 * MINUTE), "at the limit: not late yet");
    assertTrue(watch.shouldReport(created, created + 5 * MINUTE + 1), "over the limit");
    watch.reported();
    for (int look = 1; look <= 100; look++) {
      assertFalse(watch.shouldReport(created, created + 5 * MINUTE + look * 1000L), "look " + look);
    }
    // Another alert is now the oldest and still late: the same episode.
    assertFalse(watch.shouldReport(created + 1000, created + 20 * MINUTE));
  }

  @Test
  void aNewEpisodeAfterTheBacklogClearsIsReportedAgain() {
    AlertDispatcher.LagWatch watch = new AlertDispatcher.LagWatch(MINUTE);
    assertTrue(watch.shouldReport(0L, 2 * MINUTE));
    watch.reported();
    assertFalse(watch.shouldReport(null, 3 * MINUTE), "nothing waits: the episode is over");
    assertTrue(watch.shouldReport(3 * MINUTE, 5 * MINUTE), "a second outage is a new episode");
  }

  @Test
  void aReportThatDidNotCommitIsTriedAgain() {
    AlertDispatcher.LagWatch watch = new AlertDispatcher.LagWatch(MINUTE);
    assertTrue(watch.shouldReport(0L, 2 * MINUTE));
    // no reported(): the database was away
    assertTrue(watch.shouldReport(0L, 2 * MINUTE + 1000));
  }

  @Test
  void zeroTurnsTheReportOff() {
    AlertDispatcher.LagWatch off = new AlertDispatcher.LagWatch(0);
    assertFalse(off.enabled());
    assertFalse(off.shouldReport(0L, Long.MAX_VALUE / 2));
  }

  @Test
  void nodesSeeingTheSameEpisodeWriteTheSameRow() {
    assertEquals(AlertDispatcher.lagReportId("alert-1"), AlertDispatcher.lagReportId("alert-1"));
    assertNotEquals(AlertDispatcher.lagReportId("alert-1"), AlertDispatcher.lagReportId("alert-2"));
    assertEquals(36, AlertDispatcher.lagReportId("alert-1").length(), "fits the ID column");
  }

  @Test
  void theOperatorMessageSaysHowLateWithoutAnyAlertsContent() {
    ObjectNode message =
        OperatorMessages.deliveryLag(
            "demo", "realm-id", 0, "alert-1", "BREAK_GLASS_ACTIVATED", 905, 42, 600);
    assertEquals(OperatorMessages.DELIVERY_LAG, message.get("type").asText());
    String text = OperatorMessages.text(message);
    assertEquals(
        "Break-glass alerts are late: 42 waiting, the oldest (BREAK_GLASS_ACTIVATED of realm demo)"
            + " for 905 s, over the limit of 600 s; check the alert channels",
        text);
  }

  @Test
  void aClaimOutlastsTheSlowestSendAndDefaultsToHalfAMinute() {
    assertEquals(30_000, AlertDispatcher.claimMillis(null, 5_000));
    assertEquals(4 * 30_000, AlertDispatcher.claimMillis(null, 30_000), "four timeouts");
    assertEquals(MINUTE, AlertDispatcher.claimMillis(MINUTE, 5_000), "longer is allowed");
    // Shorter than an SMTP exchange or four webhook timeouts: a live node's alert would be resent.
    IllegalArgumentException shortClaim =
        assertThrows(
            IllegalArgumentException.class, () -> AlertDispatcher.claimMillis(29_999L, 500));
    assertTrue(shortClaim.getMessage().contains("30000"), shortClaim.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> AlertDispatcher.claimMillis(60_000L, 20_000));
    assertThrows(IllegalArgumentException.class, () -> AlertDispatcher.claimMillis(-1L, 5_000));
  }
}
