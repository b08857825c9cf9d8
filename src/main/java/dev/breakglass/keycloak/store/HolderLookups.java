package dev.breakglass.keycloak.store;

import dev.breakglass.keycloak.domain.GrantStatus;
import jakarta.persistence.EntityManager;
import java.util.List;
import org.keycloak.models.KeycloakSession;

/**
 * The realm-wide reads behind the ordinary-user fast path: what any open grant of a realm holds,
 * and who still owes an attestation. Each is read once per node and policy (or per minute), never
 * per login or token.
 */
public final class HolderLookups {

  /** The roles of one open (ACTIVE or PENDING) grant: by id once started, by name before. */
  public record OpenGrantRoles(String roleIdsJson, String rolesJson) {}

  private final EntityManager em;

  private HolderLookups(EntityManager em) {
    this.em = em;
  }

  public static HolderLookups of(KeycloakSession session) {
    return new HolderLookups(Jpa.em(session));
  }

  public List<OpenGrantRoles> openGrantRoles(String realmId) {
    return em.createQuery(
            "select g.roleIdsJson, g.rolesJson from GrantEntity g where g.realmId = :realmId and"
                + " g.status in :open",
            Object[].class)
        .setParameter("realmId", realmId)
        .setParameter("open", List.of(GrantStatus.ACTIVE.name(), GrantStatus.PENDING.name()))
        .setHint(Jpa.READ_ONLY, true)
        .getResultStream()
        .map(row -> new OpenGrantRoles((String) row[0], (String) row[1]))
        .toList();
  }

  /** Users of the realm with an ended grant they have not attested yet. */
  public List<String> usersAwaitingAttestation(String realmId) {
    return em.createQuery(
            "select distinct g.userId from GrantEntity g where g.realmId = :realmId and"
                + " g.status = :ended and g.attestedAt is null",
            String.class)
        .setParameter("realmId", realmId)
        .setParameter("ended", GrantStatus.ENDED.name())
        .setHint(Jpa.READ_ONLY, true)
        .getResultList();
  }
}
