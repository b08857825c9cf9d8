package dev.breakglass.keycloak.expiry;

import org.keycloak.provider.ProviderFactory;

public interface ExpiryProviderFactory extends ProviderFactory<ExpiryProvider> {}
