package dev.breakglass.keycloak.it;

import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/**
 * One server configuration shared by every integration test: the distribution with our provider,
 * and the options of docker/keycloak.env, which run.sh and the Docker image use as well.
 */
public class BreakGlassServerConfig implements KeycloakServerConfig {

  @Override
  public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
    return config.dependencyCurrentProject().options(KeycloakEnv.testServerOptions());
  }
}
