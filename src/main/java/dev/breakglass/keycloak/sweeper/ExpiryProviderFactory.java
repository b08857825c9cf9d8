package dev.breakglass.keycloak.sweeper;

import org.keycloak.provider.ProviderFactory;

public interface ExpiryProviderFactory extends ProviderFactory<ExpiryProvider> {}
