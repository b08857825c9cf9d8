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

  private static final Logger LOG = Logger.getLogger(DefaultAlertProviderFactory.class);

  private long pollIntervalMillis;
  private long retryHours;
  private int timeoutMillis;
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
  }

  @Override
  public void postInit(KeycloakSessionFactory factory) {
    this.sessionFactory = factory;
    this.dispatcher = new AlertDispatcher(factory, retryHours * 3_600_000L, timeoutMillis);
    AlertOutbox.subscribe(factory);
    factory.register(
        event -> {
          if (event instanceof PostMigrationEvent) {
            try (KeycloakSession session = factory.create()) {
              session
                  .getProvider(TimerProvider.class)
                  .schedule((Runnable) dispatcher::deliverSoon, pollIntervalMillis, TASK_NAME);
            }
            dispatcher.deliverSoon();
            LOG.infof(
                "Break-glass alert dispatcher started (poll every %d ms, retries for %d h, channel"
                    + " timeout %d ms)",
                pollIntervalMillis, retryHours, timeoutMillis);
          }
        });
  }

  @Override
  public void close() {
    if (sessionFactory != null) {
      try (KeycloakSession session = sessionFactory.create()) {
        TimerProvider timer = session.getProvider(TimerProvider.class);
        if (timer != null) {
          timer.cancelTask(TASK_NAME);
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
        .build();
  }

  @Override
  public Map<String, String> getOperationalInfo() {
    return Map.of(
        CONF_POLL_INTERVAL,
        Long.toString(pollIntervalMillis),
        CONF_RETRY_HOURS,
        Long.toString(retryHours),
        CONF_TIMEOUT,
        Integer.toString(timeoutMillis));
  }
}
