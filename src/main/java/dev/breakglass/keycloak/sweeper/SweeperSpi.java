package dev.breakglass.keycloak.sweeper;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/**
 * SPI {@value #NAME}: server options such as {@code
 * --spi-break-glass-expiry--default--interval=500}.
 */
public class SweeperSpi implements Spi {

  public static final String NAME = "break-glass-expiry";

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
    return SweeperProvider.class;
  }

  @Override
  public Class<? extends ProviderFactory> getProviderFactoryClass() {
    return SweeperProviderFactory.class;
  }
}
