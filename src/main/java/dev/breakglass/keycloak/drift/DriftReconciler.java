package dev.breakglass.keycloak.drift;

import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.domain.DriftMode;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.DriftEntity;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Finds governed roles held without an active grant: mapped to a user directly, to a group, or
 * inside a composite role. Each new drift is recorded ({@code BREAK_GLASS_DRIFT}) once; in
 * remove mode the mapping is removed as well. Runs in the caller's transaction.
 */
public final class DriftReconciler {

  private static final Logger LOG = Logger.getLogger(DriftReconciler.class);

  /** Where a governed role is held: a user's direct mapping, a group's mapping, a composite role. */
  public enum Kind {
    USER,
    GROUP,
    COMPOSITE
  }

  record Finding(Kind kind, String subjectId, String subjectName, String role) {
    String key(String realmId) {
      return sha256(realmId + "|" + kind + "|" + subjectId + "|" + role);
    }
  }

  private DriftReconciler() {}

  /** Reconciles every realm, each in its own transaction. */
  public static void reconcileAll(KeycloakSessionFactory factory, String trigger) {
    List<String> realmIds = KeycloakModelUtils.runJobInTransactionWithResult(factory,
        session -> session.realms().getRealmsStream().map(RealmModel::getId).toList());
    for (String realmId : realmIds) {
      try {
        KeycloakModelUtils.runJobInTransaction(factory, session -> {
          RealmModel realm = session.realms().getRealm(realmId);
          if (realm != null) {
            session.getContext().setRealm(realm);
            reconcile(session, realm, trigger);
          }
        });
      } catch (RuntimeException e) {
        LOG.errorf(e, "Break-glass drift reconciliation failed for realm %s", realmId);
      }
    }
  }

  /** Returns how many drifts were newly recorded. */
  public static int reconcile(KeycloakSession session, RealmModel realm, String trigger) {
    RealmPolicies.Loaded loaded = RealmPolicies.load(session, realm);
    if (!loaded.isValid()) {
      return 0; // no valid policy, no governed roles: nothing to reconcile against
    }
    BreakGlassPolicy policy = loaded.policy();
    AuditTrail.lockChain(session, realm);
    EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();

    Map<String, Finding> current = findDrift(session, realm, policy).stream()
        .collect(Collectors.toMap(f -> f.key(realm.getId()), Function.identity(), (a, b) -> a, LinkedHashMap::new));
    Map<String, DriftEntity> known = em.createNamedQuery("bgDriftByRealm", DriftEntity.class)
        .setParameter("realmId", realm.getId())
        .getResultStream()
        .collect(Collectors.toMap(DriftEntity::getId, Function.identity()));

    int recorded = 0;
    long now = DbClock.nowMillis(session);
    for (Map.Entry<String, Finding> entry : current.entrySet()) {
      Finding finding = entry.getValue();
      boolean remove = policy.driftMode() == DriftMode.REMOVE;
      if (known.containsKey(entry.getKey()) && !remove) {
        continue; // already reported, and alert mode leaves it standing
      }
      boolean removed = remove && removeMapping(session, realm, finding);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("kind", finding.kind().name());
      details.put("subjectId", finding.subjectId());
      details.put("subjectName", finding.subjectName());
      details.put("role", finding.role());
      details.put("trigger", trigger);
      details.put("mode", policy.driftMode().configValue());
      details.put("removed", removed);
      String userId = finding.kind() == Kind.USER ? finding.subjectId() : null;
      String username = finding.kind() == Kind.USER ? finding.subjectName() : null;
      AuditTrail.append(session, realm, AuditEventType.BREAK_GLASS_DRIFT, new AuditTrail.Subject(null, userId, username), details);
      recorded++;
      DriftEntity row = known.remove(entry.getKey());
      if (removed) {
        if (row != null) {
          em.remove(row);
        }
      } else if (row == null) {
        row = new DriftEntity();
        row.setId(entry.getKey());
        row.setRealmId(realm.getId());
        row.setKind(finding.kind().name());
        row.setSubjectId(finding.subjectId());
        row.setSubjectName(finding.subjectName());
        row.setRoleName(finding.role());
        row.setFirstSeen(now);
        em.persist(row);
      }
    }
    // Drift that is gone (mapping removed, or now backed by a grant) may be reported again if it returns.
    known.keySet().stream().filter(key -> !current.containsKey(key)).forEach(key -> em.remove(known.get(key)));
    if (recorded > 0) {
      LOG.warnf("Break-glass drift in realm %s: %d new finding(s) (%s, mode %s)", realm.getName(), recorded, trigger,
          policy.driftMode().configValue());
    }
    return recorded;
  }

  static List<Finding> findDrift(KeycloakSession session, RealmModel realm, BreakGlassPolicy policy) {
    EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    java.util.ArrayList<Finding> findings = new java.util.ArrayList<>();
    for (String name : policy.grantableRoles()) {
      RoleModel role = RealmPolicies.resolveRole(realm, name);
      if (role == null) {
        continue;
      }
      session.users().getRoleMembersStream(realm, role)
          .filter(user -> !backedByGrant(session, realm, user, name))
          .forEach(user -> findings.add(new Finding(Kind.USER, user.getId(), user.getUsername(), name)));
      session.groups().getGroupsByRoleStream(realm, role, null, null)
          .forEach(group -> findings.add(new Finding(Kind.GROUP, group.getId(), KeycloakModelUtils.buildGroupPath(group), name)));
      em.createQuery("select c.parentRole.id from CompositeRoleEntity c where c.childRole.id = :id", String.class)
          .setParameter("id", role.getId())
          .getResultStream()
          .map(realm::getRoleById)
          .filter(java.util.Objects::nonNull)
          .forEach(parent -> findings.add(new Finding(Kind.COMPOSITE, parent.getId(), roleName(parent), name)));
    }
    return findings;
  }

  private static boolean backedByGrant(KeycloakSession session, RealmModel realm, UserModel user, String role) {
    Optional<GrantEntity> active = GrantService.findActive(session, realm, user.getId());
    return active.isPresent() && GrantService.roles(active.get()).contains(role);
  }

  private static boolean removeMapping(KeycloakSession session, RealmModel realm, Finding finding) {
    RoleModel role = RealmPolicies.resolveRole(realm, finding.role());
    if (role == null) {
      return false;
    }
    switch (finding.kind()) {
      case USER -> {
        UserModel user = session.users().getUserById(realm, finding.subjectId());
        if (user == null) {
          return false;
        }
        user.deleteRoleMapping(role);
        session.users().setNotBeforeForUser(realm, user, (int) (DbClock.nowMillis(session) / 1000));
        return true;
      }
      case GROUP -> {
        GroupModel group = session.groups().getGroupById(realm, finding.subjectId());
        if (group == null) {
          return false;
        }
        group.deleteRoleMapping(role);
        return true;
      }
      case COMPOSITE -> {
        RoleModel parent = realm.getRoleById(finding.subjectId());
        if (parent == null) {
          return false;
        }
        parent.removeCompositeRole(role);
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private static String roleName(RoleModel role) {
    return role.isClientRole() && role.getContainer() instanceof org.keycloak.models.ClientModel client
        ? client.getClientId() + "." + role.getName()
        : role.getName();
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
