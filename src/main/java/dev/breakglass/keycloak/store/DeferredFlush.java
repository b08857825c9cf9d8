package dev.breakglass.keycloak.store;

import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import org.keycloak.models.KeycloakSession;

/**
 * Runs Keycloak model calls without Hibernate's automatic flush before each of their queries, which
 * dirty-checks every entity the transaction holds: a sweep that removes role mappings holder by
 * holder paid it at every look-up. Only for work whose queries read nothing the transaction still
 * holds unwritten (Keycloak writes a role mapping change at once); pending changes are written at
 * commit, or before the next query outside.
 */
public final class DeferredFlush {

  private DeferredFlush() {}

  public static void run(KeycloakSession session, Runnable work) {
    EntityManager em = Jpa.em(session);
    FlushModeType before = em.getFlushMode();
    em.setFlushMode(FlushModeType.COMMIT);
    try {
      work.run();
    } finally {
      em.setFlushMode(before);
    }
  }
}
