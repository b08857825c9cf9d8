package dev.breakglass.keycloak.store;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

/** The session's entity manager: the one way into Keycloak's database, for the stores only. */
final class Jpa {

  /** Read-only hint: Hibernate keeps no snapshot of what a long read loads. */
  static final String READ_ONLY = "org.hibernate.readOnly";

  private Jpa() {}

  static EntityManager em(KeycloakSession session) {
    return session.getProvider(JpaConnectionProvider.class).getEntityManager();
  }
}
