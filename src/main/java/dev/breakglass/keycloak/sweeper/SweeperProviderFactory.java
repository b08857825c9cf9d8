package dev.breakglass.keycloak.sweeper;

import org.keycloak.provider.ProviderFactory;

public interface SweeperProviderFactory extends ProviderFactory<SweeperProvider> {}
