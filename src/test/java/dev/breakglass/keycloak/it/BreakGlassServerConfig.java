package dev.breakglass.keycloak.it;

import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/** One server configuration shared by every integration test: the distribution with our provider. */
public class BreakGlassServerConfig implements KeycloakServerConfig {

  @Override
  public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
    return config.dependencyCurrentProject();
  }
}
