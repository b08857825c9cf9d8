package dev.breakglass.keycloak.sweeper;

import org.keycloak.provider.Provider;

/** Ends expired grants and reconciles drift, on a schedule and on demand. */
public interface SweeperProvider extends Provider {

  /** Ends every grant due now, in this call. */
  ExpiryJob.Result sweepNow();
}
