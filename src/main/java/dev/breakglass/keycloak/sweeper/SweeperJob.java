package dev.breakglass.keycloak.sweeper;

import org.keycloak.models.KeycloakSessionFactory;

/**
 * One periodic job of the sweeper. It runs at most once per {@link #intervalMillis} across the
 * cluster (see {@link JobClaims}) and opens its own bounded transactions.
 */
interface SweeperJob {

  /** The job's row in BG_JOB, which holds its last run for the whole cluster. */
  String name();

  long intervalMillis();

  void run(KeycloakSessionFactory factory);
}
