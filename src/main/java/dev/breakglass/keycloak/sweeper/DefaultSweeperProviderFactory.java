package dev.breakglass.keycloak.sweeper;

import dev.breakglass.keycloak.metrics.BreakGlassMetrics;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.provider.ServerInfoAwareProviderFactory;
import org.keycloak.services.scheduled.ClusterAwareScheduledTaskRunner;
import org.keycloak.timer.ScheduledTask;
import org.keycloak.timer.TimerProvider;

/**
 * Schedules the sweeper. At start-up (after the database migration, before the first request) it
 * first ends every grant that expired while Keycloak was down, then sweeps every {@code interval}
 * milliseconds, once per interval across the cluster.
 */
public class DefaultSweeperProviderFactory
    implements SweeperProviderFactory, ServerInfoAwareProviderFactory {

  public static final String PROVIDER_ID = "default";
  public static final String TASK_NAME = "break-glass-expiry";
  static final String CONF_INTERVAL = "interval";
  static final String CONF_DRIFT_INTERVAL = "drift-interval";
  static final String CONF_BATCH_SIZE = "batch-size";

  /**
   * Grants ended per transaction whose holders have sessions to end (four times as many whose
   * holders have none): large enough that commits stop dominating, small enough that the
   * transaction (and its persistence context, checked for changes before each query) stays short.
   */
  static final int DEFAULT_BATCH_SIZE = 25;

  static final String CONF_OVERDUE_INTERVAL = "overdue-interval";
  static final String CONF_APPROVAL_INTERVAL = "approval-interval";
  static final String CONF_APPROVAL_GRACE = "approval-grace";

  private static final Logger LOG = Logger.getLogger(DefaultSweeperProviderFactory.class);

  private long intervalMillis;
  private long driftIntervalMillis;
  private long overdueIntervalMillis;
  private long approvalIntervalMillis;
  private long approvalGraceMillis;
  private int batchSize;
  private KeycloakSessionFactory sessionFactory;

  @Override
  public SweeperProvider create(KeycloakSession session) {
    return new DefaultSweeperProvider(session, batchSize);
  }

  @Override
  public void init(Config.Scope config) {
    intervalMillis = Math.max(100, config.getLong(CONF_INTERVAL, 500L));
    driftIntervalMillis = Math.max(1000, config.getLong(CONF_DRIFT_INTERVAL, 30_000L));
    batchSize = Math.max(1, Math.min(500, config.getInt(CONF_BATCH_SIZE, DEFAULT_BATCH_SIZE)));
    overdueIntervalMillis = Math.max(1000, config.getLong(CONF_OVERDUE_INTERVAL, 60_000L));
    approvalIntervalMillis = Math.max(1000, config.getLong(CONF_APPROVAL_INTERVAL, 5_000L));
    approvalGraceMillis = Math.max(0, config.getLong(CONF_APPROVAL_GRACE, 120_000L));
  }

  @Override
  public void postInit(KeycloakSessionFactory factory) {
    this.sessionFactory = factory;
    BreakGlassMetrics.subscribe(factory);
    factory.register(
        event -> {
          if (event instanceof PostMigrationEvent) {
            catchUp(factory);
            schedule(factory);
            BreakGlassMetrics.registerGauges(factory);
          }
        });
  }

  private void catchUp(KeycloakSessionFactory factory) {
    // Governance first (policy baseline, token cap in place, drift), then what expired meanwhile.
    new DriftJob(driftIntervalMillis).run(factory);
    ExpiryJob.Result result = ExpiryJob.sweep(factory, batchSize);
    LOG.infof(
        "Break-glass start-up sweep ended %d expired grant(s) in %.1f ms (%d failed; %.1f ms of"
            + " CPU)",
        result.ended(), result.tookMillis(), result.failed(), result.cpuMillis());
  }

  private void schedule(KeycloakSessionFactory factory) {
    List<SweeperJob> jobs =
        List.of(
            new ExpiryJob(intervalMillis, batchSize),
            new DriftJob(driftIntervalMillis),
            new OverdueJob(overdueIntervalMillis),
            new ApprovalTimeoutJob(approvalIntervalMillis, approvalGraceMillis));
    ScheduledTask task =
        new ScheduledTask() {
          @Override
          public void run(KeycloakSession session) {
            for (SweeperJob job : jobs) {
              if (JobClaims.tryClaim(factory, job.name(), job.intervalMillis())) {
                job.run(factory);
              } else if (job instanceof ExpiryJob) {
                LOG.trace(
                    "Break-glass sweep skipped: the cluster already swept within the interval");
              }
            }
          }

          @Override
          public String getTaskName() {
            return TASK_NAME;
          }
        };
    try (KeycloakSession session = factory.create()) {
      TimerProvider timer = session.getProvider(TimerProvider.class);
      // The runner's lock lives at least a second; the job claims keep the pace.
      timer.schedule(
          new ClusterAwareScheduledTaskRunner(factory, task, Math.max(1000, intervalMillis)),
          intervalMillis,
          TASK_NAME);
    }
    LOG.infof(
        "Break-glass sweeper scheduled every %d ms (drift reconciliation every %d ms)",
        intervalMillis, driftIntervalMillis);
  }

  @Override
  public void close() {
    if (sessionFactory == null) {
      return;
    }
    try (KeycloakSession session = sessionFactory.create()) {
      TimerProvider timer = session.getProvider(TimerProvider.class);
      if (timer != null) {
        timer.cancelTask(TASK_NAME);
      }
    } catch (RuntimeException e) {
      LOG.debug("Sweeper not cancelled at shutdown", e);
    }
  }

  @Override
  public String getId() {
    return PROVIDER_ID;
  }

  @Override
  public List<ProviderConfigProperty> getConfigMetadata() {
    return ProviderConfigurationBuilder.create()
        .property()
        .name(CONF_INTERVAL)
        .type("long")
        .defaultValue(500L)
        .helpText(
            "Milliseconds between expiry sweeps (cluster-wide). A role outlives its grant by about"
                + " this much at most.")
        .add()
        .property()
        .name(CONF_DRIFT_INTERVAL)
        .type("long")
        .defaultValue(30_000L)
        .helpText(
            "Milliseconds between full drift reconciliations (admin events are checked at once).")
        .add()
        .property()
        .name(CONF_OVERDUE_INTERVAL)
        .type("long")
        .defaultValue(60_000L)
        .helpText("Milliseconds between looks for grants past their attestation deadline.")
        .add()
        .property()
        .name(CONF_APPROVAL_INTERVAL)
        .type("long")
        .defaultValue(5_000L)
        .helpText("Milliseconds between looks for approval requests past their timeout.")
        .add()
        .property()
        .name(CONF_APPROVAL_GRACE)
        .type("long")
        .defaultValue(120_000L)
        .helpText(
            "With noApproverFallback=self-activate: milliseconds after the timeout that a request"
                + " waits for its requester to come back for the fallback before it times out.")
        .add()
        .property()
        .name(CONF_BATCH_SIZE)
        .type("int")
        .defaultValue(DEFAULT_BATCH_SIZE)
        .helpText(
            "Expired grants ended per transaction whose holders have stored sessions to end; four"
                + " times as many whose holders have none; at most 500 either way. A batch that"
                + " fails is ended again grant by grant.")
        .add()
        .build();
  }

  @Override
  public Map<String, String> getOperationalInfo() {
    return Map.of(
        CONF_INTERVAL,
        Long.toString(intervalMillis),
        CONF_DRIFT_INTERVAL,
        Long.toString(driftIntervalMillis),
        CONF_OVERDUE_INTERVAL,
        Long.toString(overdueIntervalMillis),
        CONF_APPROVAL_INTERVAL,
        Long.toString(approvalIntervalMillis),
        CONF_APPROVAL_GRACE,
        Long.toString(approvalGraceMillis),
        CONF_BATCH_SIZE,
        Integer.toString(batchSize));
  }
}
