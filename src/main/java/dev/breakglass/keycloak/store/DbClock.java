package dev.breakglass.keycloak.store;

import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;

/**
 * The database's clock: the one clock every node of a cluster shares. Grant times are stamped and
 * compared with it, so a node whose clock drifts neither ends grants early nor late.
 */
public final class DbClock {

  private static final Logger LOG = Logger.getLogger(DbClock.class);
  private static volatile boolean warnedFallback;

  private DbClock() {}

  public static long nowMillis(KeycloakSession session) {
    EntityManager em = Jpa.em(session);
    try {
      // Reads no table: nothing pending needs to be written first.
      Object value =
          em.createNativeQuery("select CURRENT_TIMESTAMP")
              .setFlushMode(FlushModeType.COMMIT)
              .getSingleResult();
      Instant now = toInstant(value);
      if (now != null) {
        return now.toEpochMilli();
      }
    } catch (RuntimeException e) {
      LOG.debug("Database clock not readable", e);
    }
    if (!warnedFallback) {
      warnedFallback = true;
      LOG.warn("Break-glass cannot read the database clock; using this node's clock instead");
    }
    return Time.currentTimeMillis();
  }

  static Instant toInstant(Object value) {
    if (value instanceof Timestamp t) {
      return t.toInstant();
    }
    if (value instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (value instanceof ZonedDateTime z) {
      return z.toInstant();
    }
    if (value instanceof Instant i) {
      return i;
    }
    return null;
  }
}
