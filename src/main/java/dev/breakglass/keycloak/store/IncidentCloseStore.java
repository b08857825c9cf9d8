package dev.breakglass.keycloak.store;

import jakarta.persistence.EntityManager;
import org.keycloak.models.KeycloakSession;

/** Accepted incident-closed webhooks, in the caller's transaction. */
public final class IncidentCloseStore {

  private final EntityManager em;

  private IncidentCloseStore(EntityManager em) {
    this.em = em;
  }

  public static IncidentCloseStore of(KeycloakSession session) {
    return new IncidentCloseStore(Jpa.em(session));
  }

  public boolean seen(String realmId, String digest) {
    return em.find(IncidentCloseEntity.class, realmId + ":" + digest) != null;
  }

  /** Remembers a signature; the caller holds the realm's chain lock, so no duplicate can race. */
  public void remember(String realmId, String digest, String ticket, long now) {
    IncidentCloseEntity close = new IncidentCloseEntity();
    close.setId(realmId + ":" + digest);
    close.setRealmId(realmId);
    close.setTicket(ticket);
    close.setReceivedAt(now);
    em.persist(close);
    em.flush();
  }

  /** Forgets signatures older than the replay window: their sentAt is refused by then anyway. */
  public int forgetBefore(long before) {
    return em.createNamedQuery("bgIncidentClosesBefore")
        .setParameter("before", before)
        .executeUpdate();
  }

  public void removeRealm(String realmId) {
    em.createNamedQuery("bgIncidentClosesOfRealm").setParameter("realmId", realmId).executeUpdate();
  }
}
