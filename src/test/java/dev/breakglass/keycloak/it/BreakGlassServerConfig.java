package dev.breakglass.keycloak.it;

import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/**
 * One server configuration shared by every integration test: the distribution with our provider,
 * the options of docker/keycloak.env, which run.sh and the Docker image use as well (metrics on:
 * the metrics test reads them), and the overdue escalation looking every 2 s instead of every
 * minute, so a test with a 36-second attestation deadline needs no long wait.
 */
public class BreakGlassServerConfig implements KeycloakServerConfig {

  @Override
  public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
    return config
        .dependencyCurrentProject()
        .options(KeycloakEnv.testServerOptions())
        .spiOption("break-glass-expiry", "default", "overdue-interval", "2000");
  }
}
