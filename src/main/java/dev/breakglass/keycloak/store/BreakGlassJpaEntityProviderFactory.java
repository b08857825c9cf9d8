package dev.breakglass.keycloak.store;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProvider;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderEvent;

/**
 * The extension's tables. Its id also names Liquibase's tracking table
 * (DATABASECHANGELOG_BREAKGLASS), so it must stay ten letters without punctuation. A removed
 * realm's rows go with it, in the removal's transaction.
 */
public class BreakGlassJpaEntityProviderFactory implements JpaEntityProviderFactory {

  /**
   * Published in a realm's removal, while its rows are still there and just before they go: the
   * last moment its trail can be read (the operator channel copies it out). Its own event, so the
   * order does not hang on which factory registered first.
   */
  public record RealmRowsRemoving(KeycloakSession session, RealmModel realm)
      implements ProviderEvent {
    @Override
    public KeycloakSession getKeycloakSession() {
      return session;
    }
  }

  public static final String PROVIDER_ID = "breakglass";

  private static final Logger LOG = Logger.getLogger(BreakGlassJpaEntityProviderFactory.class);

  private static final JpaEntityProvider INSTANCE = new BreakGlassJpaEntityProvider();

  @Override
  public JpaEntityProvider create(KeycloakSession session) {
    return INSTANCE;
  }

  @Override
  public void init(Config.Scope config) {}

  @Override
  public void postInit(KeycloakSessionFactory factory) {
    factory.register(
        event -> {
          if (event instanceof RealmModel.RealmRemovedEvent removed) {
            factory.publish(
                new RealmRowsRemoving(removed.getKeycloakSession(), removed.getRealm()));
            removeRealmRows(removed.getKeycloakSession(), removed.getRealm());
          }
        });
  }

  private static void removeRealmRows(KeycloakSession session, RealmModel realm) {
    GrantStore.of(session).removeRealm(realm.getId());
    AuditStore.of(session).removeRealm(realm.getId());
    DriftStore.of(session).removeRealm(realm.getId());
    DrillStore.of(session).removeRealm(realm.getId());
    IncidentCloseStore.of(session).removeRealm(realm.getId());
    GovernanceStore.of(session).removeRealm(realm.getId());
    int dropped = AlertStore.of(session).removeRealm(realm.getId());
    if (dropped > 0) {
      LOG.infof(
          "Dropped %d break-glass alert(s) of removed realm %s (the operator's are kept)",
          dropped, realm.getName());
    }
  }

  @Override
  public void close() {}

  @Override
  public String getId() {
    return PROVIDER_ID;
  }
}
