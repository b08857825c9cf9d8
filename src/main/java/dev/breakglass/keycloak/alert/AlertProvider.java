package dev.breakglass.keycloak.alert;

import org.keycloak.provider.Provider;

/** Delivers the alerts waiting in the outbox. */
public interface AlertProvider extends Provider {

  /** Asks this node to deliver due alerts soon, off the caller's thread. Never blocks. */
  void deliverSoon();

  /** Delivers every alert due now, in this call (for tests and tools). */
  AlertDispatcher.Result deliverNow();
}
