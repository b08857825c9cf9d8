package dev.breakglass.keycloak.alert;

import org.keycloak.provider.ProviderFactory;

public interface AlertProviderFactory extends ProviderFactory<AlertProvider> {}
