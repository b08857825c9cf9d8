package dev.breakglass.keycloak.store;

import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.keycloak.models.KeycloakSession;

/**
 * What ending grants reads and writes of their holders in Keycloak's own tables, for many holders
 * at once: their user rows read in one query, which of them have stored sessions, role mappings
 * removed with one look-up and one delete per role, not-before moved and a required action added
 * with one statement each. Keycloak's model does each holder by holder, each removal with a look-up
 * and a write of the whole transaction, each required action with a read of all the holder's. These
 * statements bypass Keycloak's user cache and listeners: the caller tells them.
 */
public final class HolderRevocations {

  /** Users per statement: well inside every database's limit on bound parameters. */
  private static final int USERS_PER_STATEMENT = 500;

  /** How Keycloak's session table marks an offline session ({@code JpaSessionUtil}). */
  private static final String OFFLINE_FLAG = "1";

  private final EntityManager em;

  private HolderRevocations(EntityManager em) {
    this.em = em;
  }

  public static HolderRevocations of(KeycloakSession session) {
    return new HolderRevocations(Jpa.em(session));
  }

  /** The ids in slices of at most {@link #USERS_PER_STATEMENT}, one statement each. */
  private static List<List<String>> slices(Collection<String> userIds) {
    List<String> ids = List.copyOf(userIds);
    List<List<String>> slices = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += USERS_PER_STATEMENT) {
      slices.add(ids.subList(from, Math.min(ids.size(), from + USERS_PER_STATEMENT)));
    }
    return slices;
  }

  /**
   * Removes, for each user, the direct mappings of the given role ids; returns for each of those
   * users the role ids that were mapped and are now removed (empty when none was).
   */
  public Map<String, Set<String>> removeDirect(Map<String, Set<String>> roleIdsByUser) {
    Map<String, List<String>> usersByRole = new HashMap<>();
    Map<String, Set<String>> removed = new HashMap<>();
    roleIdsByUser.forEach(
        (userId, roleIds) -> {
          removed.put(userId, new HashSet<>());
          roleIds.forEach(
              roleId -> usersByRole.computeIfAbsent(roleId, r -> new ArrayList<>()).add(userId));
        });
    usersByRole.forEach(
        (roleId, userIds) -> {
          for (List<String> slice : slices(userIds)) {
            List<String> mapped =
                em.createQuery(
                        "select m.user.id from UserRoleMappingEntity m where m.roleId = :roleId"
                            + " and m.user.id in :userIds",
                        String.class)
                    .setParameter("roleId", roleId)
                    .setParameter("userIds", slice)
                    .getResultList();
            if (mapped.isEmpty()) {
              continue;
            }
            em.createQuery(
                    "delete from UserRoleMappingEntity m where m.roleId = :roleId and m.user.id in"
                        + " :userIds")
                .setParameter("roleId", roleId)
                .setParameter("userIds", mapped)
                .executeUpdate();
            mapped.forEach(userId -> removed.get(userId).add(roleId));
          }
        });
    return removed;
  }

  /**
   * Loads the users' rows into this transaction's persistence context with one query, so that
   * Keycloak's local user provider finds each of them there instead of reading it alone.
   */
  public void prefetchUsers(Collection<String> userIds) {
    for (List<String> slice : slices(userIds)) {
      em.createQuery("select u from UserEntity u where u.id in :userIds", Object.class)
          .setParameter("userIds", slice)
          .getResultList();
    }
  }

  /** Which of the users have rows of persisted sessions in the realm, online and offline. */
  public record StoredSessions(Set<String> online, Set<String> offline) {}

  /**
   * The users among {@code userIds} with any row in Keycloak's persisted user sessions of the realm
   * (expired ones included), online and offline: one query for all of them.
   */
  public StoredSessions storedSessions(String realmId, Collection<String> userIds) {
    Set<String> online = new HashSet<>();
    Set<String> offline = new HashSet<>();
    for (List<String> slice : slices(userIds)) {
      List<Object[]> rows =
          em.createQuery(
                  "select distinct s.userId, s.offline from PersistentUserSessionEntity s where"
                      + " s.realmId = :realmId and s.userId in :userIds",
                  Object[].class)
              .setParameter("realmId", realmId)
              .setParameter("userIds", slice)
              .setHint(Jpa.READ_ONLY, true)
              .getResultList();
      for (Object[] row : rows) {
        (OFFLINE_FLAG.equals(row[1]) ? offline : online).add((String) row[0]);
      }
    }
    return new StoredSessions(online, offline);
  }

  /** Moves the users' not-before (seconds): tokens issued before it are refused. */
  public void setNotBefore(Collection<String> userIds, int notBefore) {
    for (List<String> slice : slices(userIds)) {
      em.createQuery("update UserEntity u set u.notBefore = :notBefore where u.id in :userIds")
          .setParameter("notBefore", notBefore)
          .setParameter("userIds", slice)
          .executeUpdate();
    }
  }

  /** Adds the required action to each of the users that does not have it yet. */
  public void addRequiredAction(Collection<String> userIds, String action) {
    for (List<String> slice : slices(userIds)) {
      em.createQuery(
              "insert into UserRequiredActionEntity (user, action) select u, :action from"
                  + " UserEntity u where u.id in :userIds and not exists (select a.action from"
                  + " UserRequiredActionEntity a where a.user = u and a.action = :action)")
          .setParameter("action", action)
          .setParameter("userIds", slice)
          .executeUpdate();
    }
  }
}
