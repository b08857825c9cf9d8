package dev.breakglass.keycloak.ticket;

import org.keycloak.provider.ProviderFactory;

public interface TicketCheckProviderFactory extends ProviderFactory<TicketCheckProvider> {}
