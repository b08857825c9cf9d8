package dev.breakglass.keycloak.alert;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/**
 * SPI {@value #NAME}: server options such as {@code
 * --spi-break-glass-alerts--default--retry-hours=48}.
 */
public class AlertSpi implements Spi {

  public static final String NAME = "break-glass-alerts";

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
    return AlertProvider.class;
  }

  @Override
  public Class<? extends ProviderFactory> getProviderFactoryClass() {
    return AlertProviderFactory.class;
  }
}
