package dev.breakglass.keycloak.store;

import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;

/**
 * Work that must happen only once the session's transaction has committed (a log line, a meter, a
 * kick to the alert dispatcher), and not at all when it rolls back.
 */
public final class AfterCommit {

  private AfterCommit() {}

  public static void run(KeycloakSession session, Runnable action) {
    session
        .getTransactionManager()
        .enlistAfterCompletion(
            new AbstractKeycloakTransaction() {
              @Override
              protected void commitImpl() {
                action.run();
              }

              @Override
              protected void rollbackImpl() {
                // Nothing happened, so nothing follows.
              }
            });
  }
}
