package dev.breakglass.keycloak.it;

import java.nio.file.Path;
import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder.LogHandlers;

/**
 * One server configuration shared by every integration test: the distribution with our provider,
 * the options of docker/keycloak.env, which run.sh and the Docker image use as well (metrics on:
 * the metrics test reads them), and the overdue escalation looking every 2 s instead of every
 * minute, so a test with a 36-second attestation deadline needs no long wait; unanswered approval
 * requests are looked at every second, and a self-activate request whose requester left times out 5
 * s after its timeout instead of 2 minutes. The operator channel points at {@link #OPERATOR_PORT}
 * on localhost, where only {@code OperatorChannelIT} listens (for the other tests its alerts just
 * wait and are retried), with a chain checkpoint every 3 s; the server also logs to {@link
 * #LOG_FILE}, where tests read the audit log lines.
 */
public class BreakGlassServerConfig implements KeycloakServerConfig {

  static final int OPERATOR_PORT = 18099;
  static final String OPERATOR_SECRET = "it-operator-secret-0123456789";
  static final Path LOG_FILE = Path.of("target", "keycloak-it-server.log").toAbsolutePath();

  @Override
  public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
    config.log().handlers(LogHandlers.CONSOLE, LogHandlers.FILE);
    return config
        .dependencyCurrentProject()
        .options(KeycloakEnv.testServerOptions())
        .option("log-file", LOG_FILE.toString())
        .spiOption("break-glass-expiry", "default", "overdue-interval", "2000")
        .spiOption("break-glass-expiry", "default", "approval-interval", "1000")
        .spiOption("break-glass-expiry", "default", "approval-grace", "5000")
        .spiOption(
            "break-glass-alerts",
            "default",
            "operator-webhook-url",
            "http://127.0.0.1:" + OPERATOR_PORT + "/hook")
        .spiOption("break-glass-alerts", "default", "operator-webhook-secret", OPERATOR_SECRET)
        .spiOption("break-glass-alerts", "default", "checkpoint-interval", "3000");
  }
}
