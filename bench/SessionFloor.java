import jakarta.persistence.EntityManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;

/**
 * Benchmark probe, never deployed: what Keycloak's own session API costs, with none of the
 * extension's work, to set beside the sweeper's rows with sessions. Once Keycloak has started and
 * the file {@code -Dbench.session-floor.go} exists (bench/run.sh creates it as long after start as
 * the sweep it is compared with came), it ends the stored online sessions of every user of realm
 * {@code -Dbench.session-floor.realm} that has one, through {@code
 * UserSessionProvider.removeUserSessions}, {@code -Dbench.session-floor.batch} users per
 * transaction (default 25, the sweeper's), and logs the time. Without the properties it does
 * nothing. It has no endpoint: bench/run.sh copies it into the bench server for one start and
 * removes it after.
 */
public class SessionFloor implements EventListenerProviderFactory {

  private static final Logger LOG = Logger.getLogger(SessionFloor.class);

  private Path go;
  private String realmName;
  private int batch;

  @Override
  public void init(Config.Scope config) {
    String goFile = System.getProperty("bench.session-floor.go");
    go = goFile == null ? null : Path.of(goFile);
    realmName = System.getProperty("bench.session-floor.realm");
    batch = Integer.getInteger("bench.session-floor.batch", 25);
  }

  @Override
  public void postInit(KeycloakSessionFactory factory) {
    if (realmName == null || go == null) {
      return;
    }
    factory.register(
        event -> {
          if (event instanceof PostMigrationEvent) {
            Thread probe = new Thread(() -> measure(factory), "bench-session-floor");
            probe.setDaemon(true);
            probe.start();
          }
        });
  }

  private void measure(KeycloakSessionFactory factory) {
    try {
      while (!Files.exists(go)) {
        Thread.sleep(100);
      }
      String[] realmId = new String[1];
      List<String> holders =
          KeycloakModelUtils.runJobInTransactionWithResult(
              factory,
              session -> {
                realmId[0] = session.realms().getRealmByName(realmName).getId();
                EntityManager em =
                    session.getProvider(JpaConnectionProvider.class).getEntityManager();
                return em.createQuery(
                        "select distinct s.userId from PersistentUserSessionEntity s"
                            + " where s.realmId = :realm and s.offline = '0'",
                        String.class)
                    .setParameter("realm", realmId[0])
                    .getResultList();
              });
      long started = System.nanoTime();
      for (int i = 0; i < holders.size(); i += batch) {
        List<String> slice = holders.subList(i, Math.min(holders.size(), i + batch));
        KeycloakModelUtils.runJobInTransaction(
            factory,
            session -> {
              RealmModel realm = session.realms().getRealm(realmId[0]);
              session.getContext().setRealm(realm);
              for (String id : slice) {
                UserModel user = session.users().getUserById(realm, id);
                if (user != null) {
                  session.sessions().removeUserSessions(realm, user);
                }
              }
            });
      }
      LOG.infof(
          "Session floor: Keycloak ended the stored online sessions of %d users in %.1f ms, %d"
              + " users per transaction",
          holders.size(), (System.nanoTime() - started) / 1e6, batch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("Session floor failed", e);
    }
  }

  @Override
  public EventListenerProvider create(KeycloakSession session) {
    return null; // a listener no realm enables: the factory is here for its start-up hook
  }

  @Override
  public void close() {}

  @Override
  public String getId() {
    return "bench-session-floor";
  }
}
