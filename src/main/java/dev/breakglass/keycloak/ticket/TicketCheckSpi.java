package dev.breakglass.keycloak.ticket;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/**
 * SPI {@value #NAME}: checks that a ticket names an open incident. The policy key {@code
 * ticketCheck} picks the provider: {@code pattern} (the default) or {@code http}.
 */
public class TicketCheckSpi implements Spi {

  public static final String NAME = "break-glass-ticket-check";

  @Override
  public boolean isInternal() {
    return false;
  }

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public Class<? extends Provider> getProviderClass() {
    return TicketCheckProvider.class;
  }

  @Override
  public Class<? extends ProviderFactory> getProviderFactoryClass() {
    return TicketCheckProviderFactory.class;
  }
}
