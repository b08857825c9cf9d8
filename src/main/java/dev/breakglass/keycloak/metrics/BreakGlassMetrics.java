package dev.breakglass.keycloak.metrics;

import dev.breakglass.keycloak.audit.AuditRecorded;
import dev.breakglass.keycloak.domain.AlertStatus;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.store.AfterCommit;
import dev.breakglass.keycloak.store.AlertStore;
import dev.breakglass.keycloak.store.GrantStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Micrometer meters on Keycloak's registry (shown at the management port's {@code /metrics} with
 * {@code --metrics-enabled=true}). Counters and the expiry-lag summary count what this node saw,
 * after commit; Prometheus sums them over nodes. The gauges read the shared database, so every node
 * reports the cluster's truth; they are cached for a few seconds so a scrape costs little.
 */
public final class BreakGlassMetrics {

  private static final Logger LOG = Logger.getLogger(BreakGlassMetrics.class);
  private static final long SNAPSHOT_MILLIS = 2_000;
  private static final AtomicBoolean GAUGES = new AtomicBoolean();

  private static volatile KeycloakSessionFactory factory;
  private static volatile Snapshot snapshot = Snapshot.EMPTY;

  private BreakGlassMetrics() {}

  /** Counts of the shared tables at one moment. */
  record Snapshot(long takenAt, Map<String, Long> grants, long overdue, Map<String, Long> alerts) {
    static final Snapshot EMPTY = new Snapshot(0, Map.of(), 0, Map.of());
  }

  private static MeterRegistry registry() {
    return Metrics.globalRegistry;
  }

  /** Counts each audit record appended on this node, once its transaction has committed. */
  public static void subscribe(KeycloakSessionFactory sessionFactory) {
    sessionFactory.register(
        event -> {
          if (event instanceof AuditRecorded recorded) {
            String realm = recorded.realm().getName();
            AuditEventType type = recorded.type();
            AfterCommit.run(recorded.session(), () -> recorded(realm, type));
          }
        });
  }

  static void recorded(String realm, AuditEventType type) {
    String name =
        switch (type) {
          case BREAK_GLASS_ACTIVATED -> "breakglass.activations";
          case BREAK_GLASS_DENIED -> "breakglass.denials";
          case BREAK_GLASS_DRIFT -> "breakglass.drift.detections";
          case BREAK_GLASS_ATTESTATION_OVERDUE -> "breakglass.attestation.overdue.alerts";
          default -> null;
        };
    if (name != null) {
      Counter.builder(name).tag("realm", realm).register(registry()).increment();
    }
  }

  /** Records how long the ended grant's roles outlived its end, once the end has committed. */
  public static void grantEndedAfterCommit(
      KeycloakSession session, RealmModel realm, Long lagMillis) {
    if (lagMillis == null) {
      return;
    }
    String realmName = realm.getName();
    AfterCommit.run(
        session,
        () ->
            DistributionSummary.builder("breakglass.expiry.lag")
                .description("Seconds between a grant's end and its roles really being gone")
                .baseUnit("seconds")
                .tag("realm", realmName)
                .register(registry())
                .record(lagMillis / 1000.0));
  }

  public static void alertAttemptFailed(String realm, String channel) {
    Counter.builder("breakglass.alert.delivery.failures")
        .tag("realm", realm)
        .tag("channel", channel)
        .register(registry())
        .increment();
  }

  /** This node reported an episode of alerts waiting longer than the delivery-lag limit. */
  public static void deliveryLagEpisode() {
    Counter.builder("breakglass.alert.delivery.lag.episodes")
        .description("Episodes of alerts waiting longer than the delivery-lag limit")
        .register(registry())
        .increment();
  }

  /** Registers the database-backed gauges once per node. */
  public static void registerGauges(KeycloakSessionFactory sessionFactory) {
    factory = sessionFactory;
    if (!GAUGES.compareAndSet(false, true)) {
      return;
    }
    gauge(
        "breakglass.grants.active",
        "Grants active now",
        s -> s.grants().getOrDefault(GrantStatus.ACTIVE.name(), 0L));
    gauge(
        "breakglass.grants.unattested",
        "Grants ended but not yet closed by attestation",
        s -> s.grants().getOrDefault(GrantStatus.ENDED.name(), 0L));
    gauge(
        "breakglass.grants.overdue",
        "Ended grants past their attestation deadline",
        Snapshot::overdue);
    gauge(
        "breakglass.alerts.backlog",
        "Alerts waiting in the outbox",
        s -> s.alerts().getOrDefault(AlertStatus.PENDING.name(), 0L));
    gauge(
        "breakglass.alerts.failed",
        "Alerts given up after the retry window",
        s -> s.alerts().getOrDefault(AlertStatus.FAILED.name(), 0L));
  }

  private static void gauge(String name, String description, ToDoubleFunction<Snapshot> value) {
    Gauge.builder(name, () -> value.applyAsDouble(current()))
        .description(description)
        .register(registry());
  }

  private static Snapshot current() {
    Snapshot s = snapshot;
    if (System.currentTimeMillis() - s.takenAt() < SNAPSHOT_MILLIS || factory == null) {
      return s;
    }
    synchronized (BreakGlassMetrics.class) {
      if (System.currentTimeMillis() - snapshot.takenAt() < SNAPSHOT_MILLIS) {
        return snapshot;
      }
      try {
        KeycloakModelUtils.runJobInTransaction(
            factory,
            session -> {
              GrantStore grants = GrantStore.of(session);
              snapshot =
                  new Snapshot(
                      System.currentTimeMillis(),
                      grants.countByStatus(),
                      grants.countOverdue(null),
                      AlertStore.of(session).countByStatus());
            });
      } catch (RuntimeException e) {
        LOG.debug("Break-glass gauges not refreshed", e);
      }
      return snapshot;
    }
  }
}
