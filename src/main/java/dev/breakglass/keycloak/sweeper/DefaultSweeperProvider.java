package dev.breakglass.keycloak.sweeper;

import org.keycloak.models.KeycloakSession;

public class DefaultSweeperProvider implements SweeperProvider {

  private final KeycloakSession session;
  private final int batchSize;

  public DefaultSweeperProvider(KeycloakSession session, int batchSize) {
    this.session = session;
    this.batchSize = batchSize;
  }

  @Override
  public ExpiryJob.Result sweepNow() {
    return ExpiryJob.sweep(session.getKeycloakSessionFactory(), batchSize);
  }

  @Override
  public void close() {}
}
