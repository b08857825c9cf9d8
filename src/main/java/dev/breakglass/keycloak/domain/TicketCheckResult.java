package dev.breakglass.keycloak.domain;

/**
 * What the incident system said about a ticket. {@code title} only with OPEN (may be null); {@code
 * why} only with FAILED, a short fixed text (never the response body).
 */
public record TicketCheckResult(Outcome outcome, String title, String why) {

  public enum Outcome {
    OPEN,
    CLOSED,
    UNKNOWN,
    FAILED
  }

  public static TicketCheckResult open(String title) {
    return new TicketCheckResult(Outcome.OPEN, title, null);
  }

  public static TicketCheckResult closed() {
    return new TicketCheckResult(Outcome.CLOSED, null, null);
  }

  public static TicketCheckResult unknown() {
    return new TicketCheckResult(Outcome.UNKNOWN, null, null);
  }

  public static TicketCheckResult failed(String why) {
    return new TicketCheckResult(Outcome.FAILED, null, why);
  }
}
