package dev.breakglass.keycloak.store;

import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.EndReason;
import dev.breakglass.keycloak.domain.GrantStatus;
import jakarta.persistence.EntityManager;
import java.util.Map;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProvider;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * The grant store. Its id also names Liquibase's tracking table (DATABASECHANGELOG_BREAKGLASS), so
 * it must stay ten letters without punctuation.
 */
public class BreakGlassJpaEntityProviderFactory implements JpaEntityProviderFactory {

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
    factory.register(event -> {
      if (event instanceof RealmModel.RealmRemovedEvent removed) {
        removeRealmRows(removed.getKeycloakSession(), removed.getRealm());
      } else if (event instanceof UserModel.UserRemovedEvent removed) {
        removeUserGrants(removed.getKeycloakSession(), removed.getRealm(), removed.getUser());
      }
    });
  }

  private static void removeRealmRows(KeycloakSession session, RealmModel realm) {
    EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    em.createNamedQuery("bgDeleteGrantsByRealm").setParameter("realmId", realm.getId()).executeUpdate();
    em.createNamedQuery("bgDeleteAuditByRealm").setParameter("realmId", realm.getId()).executeUpdate();
    em.createNamedQuery("bgDeleteDriftByRealm").setParameter("realmId", realm.getId()).executeUpdate();
    em.createNamedQuery("bgDeleteDrillsByRealm").setParameter("realmId", realm.getId()).executeUpdate();
    int dropped = em.createNamedQuery("bgDeleteAlertsByRealm").setParameter("realmId", realm.getId()).executeUpdate();
    if (dropped > 0) {
      LOG.infof("Dropped %d break-glass alert(s) of removed realm %s", dropped, realm.getName());
    }
    AuditHeadEntity head = em.find(AuditHeadEntity.class, realm.getId());
    if (head != null) {
      em.remove(head);
    }
  }

  /** The grants go; the audit trail keeps the user's story, ending with why their grant ended. */
  private static void removeUserGrants(KeycloakSession session, RealmModel realm, UserModel user) {
    EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    em.createNamedQuery("bgGrantsByUser", GrantEntity.class)
        .setParameter("realmId", realm.getId())
        .setParameter("userId", user.getId())
        .getResultList()
        .forEach(grant -> {
          if (GrantStatus.ACTIVE.name().equals(grant.getStatus())) {
            AuditTrail.append(session, realm, AuditEventType.BREAK_GLASS_REVOKED,
                new AuditTrail.Subject(grant.getId(), user.getId(), user.getUsername()),
                Map.of("endReason", EndReason.USER_DELETED.name()));
          }
          em.remove(grant);
        });
    em.createNamedQuery("bgDeleteDrillsByUser").setParameter("realmId", realm.getId()).setParameter("userId", user.getId())
        .executeUpdate();
  }

  @Override
  public void close() {}

  @Override
  public String getId() {
    return PROVIDER_ID;
  }
}
