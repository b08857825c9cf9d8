package dev.breakglass.keycloak.ticket;

import dev.breakglass.keycloak.domain.TicketCheckPolicy;
import dev.breakglass.keycloak.domain.TicketCheckResult;
import org.keycloak.provider.Provider;

/** Asks whether a ticket (already matching the ticket pattern) names an open incident. */
public interface TicketCheckProvider extends Provider {

  /** Never throws for what the incident system does; returns FAILED with a short reason. */
  TicketCheckResult check(TicketCheckPolicy policy, String ticket);
}
