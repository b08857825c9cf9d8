package dev.breakglass.keycloak.sweeper;

import org.keycloak.models.KeycloakSession;

public class DefaultExpiryProvider implements ExpiryProvider {

  private final KeycloakSession session;
  private final int batchSize;

  public DefaultExpiryProvider(KeycloakSession session, int batchSize) {
    this.session = session;
    this.batchSize = batchSize;
  }

  @Override
  public ExpirySweeper.Result sweepNow() {
    return ExpirySweeper.sweep(session.getKeycloakSessionFactory(), batchSize);
  }

  @Override
  public void close() {}
}
