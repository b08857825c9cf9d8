package dev.breakglass.keycloak.store;

import org.keycloak.models.KeycloakSession;

/** The shared last-run times of the cluster's periodic jobs. */
public final class JobStore {

  private JobStore() {}

  /**
   * Moves the job's last run to {@code now} if it ran at or before {@code threshold}: true only on
   * the one node whose update hit the row.
   */
  public static boolean claimRun(KeycloakSession session, String job, long now, long threshold) {
    return Jpa.em(session)
            .createNamedQuery("bgClaimJobRun")
            .setParameter("now", now)
            .setParameter("name", job)
            .setParameter("threshold", threshold)
            .executeUpdate()
        == 1;
  }
}
