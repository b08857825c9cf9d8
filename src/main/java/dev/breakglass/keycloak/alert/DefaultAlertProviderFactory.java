package dev.breakglass.keycloak.alert;

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
 * Owns this node's alert dispatcher. Commits kick it at once; a timer kicks it every {@code
 * poll-interval} milliseconds as well, so retries fall due and alerts left by a node that died are
 * picked up. The timer only kicks: delivery runs on the dispatcher's own thread, never on
 * Keycloak's timer thread or a request thread.
 */
public class DefaultAlertProviderFactory
    implements AlertProviderFactory, ServerInfoAwareProviderFactory {

  public static final String PROVIDER_ID = "default";
  public static final String TASK_NAME = "break-glass-alerts";
  static final String CONF_POLL_INTERVAL = "poll-interval";
  static final String CONF_RETRY_HOURS = "retry-hours";
  static final String CONF_TIMEOUT = "timeout";
  static final String CONF_OPERATOR_URL = "operator-webhook-url";
  static final String CONF_OPERATOR_SECRET = "operator-webhook-secret";
  static final String CONF_CHECKPOINT_INTERVAL = "checkpoint-interval";
  static final String CONF_DELIVERY_LAG = "delivery-lag-alert-seconds";
  static final String CONF_RETRY_FIRST_DELAY = "retry-first-delay";
  static final String CONF_RETRY_MAX_DELAY = "retry-max-delay";
  static final String CONF_CLAIM_TIMEOUT = "claim-timeout";
  public static final String CHECKPOINT_TASK = "break-glass-checkpoint";

  private static final Logger LOG = Logger.getLogger(DefaultAlertProviderFactory.class);

  private long pollIntervalMillis;
  private long retryHours;
  private int timeoutMillis;
  private long checkpointIntervalMillis;
  private long deliveryLagSeconds;
  private Backoff backoff;
  private long claimMillis;
  private OperatorChannel operator = OperatorChannel.OFF;
  private AlertDispatcher dispatcher;
  private KeycloakSessionFactory sessionFactory;

  @Override
  public AlertProvider create(KeycloakSession session) {
    return new DefaultAlertProvider(dispatcher);
  }

  @Override
  public void init(Config.Scope config) {
    pollIntervalMillis = Math.max(200, config.getLong(CONF_POLL_INTERVAL, 1000L));
    // At least a day: a weekend-long outage of a chat tool must not lose an activation alert.
    retryHours = Math.max(24, config.getLong(CONF_RETRY_HOURS, 48L));
    timeoutMillis = Math.max(500, Math.min(60_000, config.getInt(CONF_TIMEOUT, 5000)));
    checkpointIntervalMillis = Math.max(1000, config.getLong(CONF_CHECKPOINT_INTERVAL, 900_000L));
    // 0 turns the report off; a negative value is a typo, not "off".
    deliveryLagSeconds = config.getLong(CONF_DELIVERY_LAG, 600L);
    if (deliveryLagSeconds < 0) {
      throw new IllegalStateException(
          option(CONF_DELIVERY_LAG) + " must be 0 (off) or a number of seconds");
    }
    // Retry delays and the claim are settable so that a test can compress an outage of hours
    // into a minute; a value that would hammer a channel or resend a live node's alert stops the
    // start rather than being quietly raised.
    try {
      backoff =
          new Backoff(
              config.getLong(CONF_RETRY_FIRST_DELAY, Backoff.FIRST_DELAY_MILLIS),
              config.getLong(CONF_RETRY_MAX_DELAY, Backoff.MAX_DELAY_MILLIS));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          option(CONF_RETRY_FIRST_DELAY)
              + " / "
              + option(CONF_RETRY_MAX_DELAY)
              + ": "
              + e.getMessage(),
          e);
    }
    try {
      claimMillis =
          AlertDispatcher.claimMillis(config.getLong(CONF_CLAIM_TIMEOUT, null), timeoutMillis);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(option(CONF_CLAIM_TIMEOUT) + " " + e.getMessage(), e);
    }
    try {
      operator =
          OperatorChannel.of(config.get(CONF_OPERATOR_URL), config.get(CONF_OPERATOR_SECRET));
    } catch (IllegalArgumentException e) {
      // Refuse to start rather than run with the operator believing a channel is on that is not.
      throw new IllegalStateException(
          "Break-glass operator channel misconfigured (--spi-"
              + AlertSpi.NAME
              + "--"
              + PROVIDER_ID
              + "--...): "
              + e.getMessage(),
          e);
    }
  }

  private static String option(String name) {
    return "Break-glass option --spi-" + AlertSpi.NAME + "--" + PROVIDER_ID + "--" + name;
  }

  @Override
  public void postInit(KeycloakSessionFactory factory) {
    this.sessionFactory = factory;
    this.dispatcher =
        new AlertDispatcher(
            factory,
            operator,
            retryHours * 3_600_000L,
            timeoutMillis,
            backoff,
            claimMillis,
            deliveryLagSeconds);
    AlertOutbox.subscribe(factory, operator);
    factory.register(
        event -> {
          if (event instanceof PostMigrationEvent) {
            try (KeycloakSession session = factory.create()) {
              session
                  .getProvider(TimerProvider.class)
                  .schedule((Runnable) dispatcher::deliverSoon, pollIntervalMillis, TASK_NAME);
            }
            scheduleCheckpoints(factory);
            dispatcher.deliverSoon();
            LOG.infof(
                "Break-glass alert dispatcher started (poll every %d ms, retries for %d h after"
                    + " %d ms doubling up to %d ms, channel timeout %d ms, claim %d ms; operator"
                    + " webhook %s, chain checkpoint every %d ms, delivery-lag alert after %d s)",
                pollIntervalMillis,
                retryHours,
                backoff.firstDelayMillis(),
                backoff.maxDelayMillis(),
                timeoutMillis,
                claimMillis,
                operator.describe(),
                checkpointIntervalMillis,
                deliveryLagSeconds);
          }
        });
  }

  /**
   * The chain checkpoint runs whether or not an operator webhook is set: the audit log gets it
   * either way.
   */
  private void scheduleCheckpoints(KeycloakSessionFactory factory) {
    long interval = checkpointIntervalMillis;
    OperatorChannel channel = operator;
    ScheduledTask task =
        new ScheduledTask() {
          @Override
          public void run(KeycloakSession session) {
            if (Checkpoints.claim(factory, interval)) {
              int realms = Checkpoints.run(factory, channel);
              LOG.debugf("Break-glass chain checkpoint of %d realm(s)", realms);
            }
          }

          @Override
          public String getTaskName() {
            return CHECKPOINT_TASK;
          }
        };
    try (KeycloakSession session = factory.create()) {
      session
          .getProvider(TimerProvider.class)
          .schedule(
              new ClusterAwareScheduledTaskRunner(factory, task, interval),
              interval,
              CHECKPOINT_TASK);
    }
  }

  @Override
  public void close() {
    if (sessionFactory != null) {
      try (KeycloakSession session = sessionFactory.create()) {
        TimerProvider timer = session.getProvider(TimerProvider.class);
        if (timer != null) {
          timer.cancelTask(TASK_NAME);
          timer.cancelTask(CHECKPOINT_TASK);
        }
      } catch (RuntimeException e) {
        LOG.debug("Alert timer not cancelled at shutdown", e);
      }
    }
    if (dispatcher != null) {
      dispatcher.shutdown();
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
        .name(CONF_POLL_INTERVAL)
        .type("long")
        .defaultValue(1000L)
        .helpText(
            "Milliseconds between looks at the outbox for alerts due (retries, other nodes'"
                + " leftovers).")
        .add()
        .property()
        .name(CONF_RETRY_HOURS)
        .type("long")
        .defaultValue(48L)
        .helpText(
            "Hours an alert is retried, with exponential backoff, before it is given up (logged as"
                + " an error). At least 24.")
        .add()
        .property()
        .name(CONF_TIMEOUT)
        .type("int")
        .defaultValue(5000)
        .helpText("Milliseconds a webhook may take to connect and to answer.")
        .add()
        .property()
        .name(CONF_RETRY_FIRST_DELAY)
        .type("long")
        .defaultValue(Backoff.FIRST_DELAY_MILLIS)
        .helpText(
            "Milliseconds before the first retry of an alert a channel refused; each further retry"
                + " waits twice as long (plus up to 20 % jitter). At least 100.")
        .add()
        .property()
        .name(CONF_RETRY_MAX_DELAY)
        .type("long")
        .defaultValue(Backoff.MAX_DELAY_MILLIS)
        .helpText(
            "The longest wait between two attempts at one alert, in milliseconds. At least the"
                + " first delay, at most 3600000.")
        .add()
        .property()
        .name(CONF_CLAIM_TIMEOUT)
        .type("long")
        .helpText(
            "Milliseconds a node owns an alert it is sending; a node that dies meanwhile (or loses"
                + " the database) leaves its alerts to the others after this. Default and least:"
                + " 30000 or four channel timeouts, whichever is longer.")
        .add()
        .property()
        .name(CONF_OPERATOR_URL)
        .type(ProviderConfigProperty.STRING_TYPE)
        .helpText(
            "The operator's webhook (http or https): activations, ends, denials, drift, governance"
                + " changes, chain checkpoints and removed realms' trails go here whatever any"
                + " realm's policy says. Unset: the audit log only.")
        .add()
        .property()
        .name(CONF_OPERATOR_SECRET)
        .type(ProviderConfigProperty.PASSWORD)
        .secret(true)
        .helpText(
            "HMAC-SHA256 key (16 to 512 characters) signing the operator webhook's requests;"
                + " required with its URL.")
        .add()
        .property()
        .name(CONF_CHECKPOINT_INTERVAL)
        .type("long")
        .defaultValue(900_000L)
        .helpText(
            "Milliseconds between chain checkpoints (each realm's audit chain head to the audit log"
                + " and the operator webhook), once per interval across the cluster.")
        .add()
        .property()
        .name(CONF_DELIVERY_LAG)
        .type("long")
        .defaultValue(600L)
        .helpText(
            "Seconds an alert may wait in the outbox before a warning on the log and a message on"
                + " the operator webhook say that alerts are late; once per episode (until none"
                + " waits that long). 0: off.")
        .add()
        .build();
  }

  @Override
  public Map<String, String> getOperationalInfo() {
    // Never the secret; of the URL only scheme, host and port.
    return Map.ofEntries(
        Map.entry(CONF_POLL_INTERVAL, Long.toString(pollIntervalMillis)),
        Map.entry(CONF_RETRY_HOURS, Long.toString(retryHours)),
        Map.entry(CONF_TIMEOUT, Integer.toString(timeoutMillis)),
        Map.entry(CONF_RETRY_FIRST_DELAY, Long.toString(backoff.firstDelayMillis())),
        Map.entry(CONF_RETRY_MAX_DELAY, Long.toString(backoff.maxDelayMillis())),
        Map.entry(CONF_CLAIM_TIMEOUT, Long.toString(claimMillis)),
        Map.entry("operator-webhook", operator.describe()),
        Map.entry(CONF_CHECKPOINT_INTERVAL, Long.toString(checkpointIntervalMillis)),
        Map.entry(CONF_DELIVERY_LAG, Long.toString(deliveryLagSeconds)));
  }
}
