package dev.breakglass.keycloak.drift;

import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.DriftMode;
import dev.breakglass.keycloak.domain.Hashes;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.policy.GovernedRoles;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.DriftEntity;
import dev.breakglass.keycloak.store.DriftStore;
import dev.breakglass.keycloak.store.GrantEntity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Finds governed roles held without an active grant: mapped to a user directly, to a group, or
 * inside a composite role. Each new drift is recorded ({@code BREAK_GLASS_DRIFT}) once; in remove
 * mode the mapping is removed as well. Runs in the caller's transaction.
 */
public final class DriftReconciler {

  private static final Logger LOG = Logger.getLogger(DriftReconciler.class);

  /**
   * Where a governed role is held: a user's direct mapping, a group's mapping, a composite role.
   */
  public enum Kind {
    USER,
    GROUP,
    COMPOSITE
  }

  /** A governed role held without a grant: {@code role} names it, {@code roleId} identifies it. */
  record Finding(Kind kind, String subjectId, String subjectName, String roleId, String role) {
    String key(String realmId) {
      return Hashes.sha256(realmId + "|" + kind + "|" + subjectId + "|" + roleId);
    }
  }

  private DriftReconciler() {}

  /** What an admin change may have touched: one user, one group, composite roles, or everything. */
  public record Scope(Kind kind, String subjectId) {
    public static final Scope ALL = new Scope(null, null);
    public static final Scope COMPOSITES = new Scope(Kind.COMPOSITE, null);

    public static Scope user(String userId) {
      return new Scope(Kind.USER, userId);
    }

    public static Scope group(String groupId) {
      return new Scope(Kind.GROUP, groupId);
    }

    boolean covers(Kind k) {
      return kind == null || kind == k;
    }

    boolean covers(DriftEntity known) {
      return covers(Kind.valueOf(known.getKind()))
          && (subjectId == null || subjectId.equals(known.getSubjectId()));
    }
  }

  /** Reconciles the whole realm. Returns how many drifts were newly recorded. */
  public static int reconcile(KeycloakSession session, RealmModel realm, String trigger) {
    return reconcile(session, realm, Scope.ALL, trigger);
  }

  /**
   * Reconciles what {@code scope} covers. The look is taken without a lock; only when it finds a
   * change (new drift, drift gone, a mapping to remove) is the realm's chain locked and the look
   * taken again, so concurrent reconciliations record each drift once. Returns how many drifts were
   * newly recorded.
   */
  public static int reconcile(
      KeycloakSession session, RealmModel realm, Scope scope, String trigger) {
    RealmPolicies.Loaded loaded = RealmPolicies.load(session, realm);
    // An invalid policy never lowers protection: the last valid policy's roles, removed on sight.
    List<RoleModel> governed =
        loaded.isValid()
            ? GovernedRoles.of(session, realm)
            : GovernedRoles.remembered(session, realm);
    DriftMode mode = loaded.isValid() ? loaded.policy().driftMode() : DriftMode.REMOVE;
    if (governed.isEmpty()) {
      return 0;
    }
    if (!look(session, realm, governed, scope).changed(mode)) {
      return 0;
    }
    AuditTrail.lockChain(session, realm);
    Look look = look(session, realm, governed, scope);
    DriftStore store = DriftStore.of(session);
    Map<String, DriftEntity> known = new LinkedHashMap<>(look.known());

    int recorded = 0;
    long now = DbClock.nowMillis(session);
    boolean remove = mode == DriftMode.REMOVE;
    for (Map.Entry<String, Finding> entry : look.current().entrySet()) {
      Finding finding = entry.getValue();
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
      details.put("mode", mode.configValue());
      details.put("removed", removed);
      String userId = finding.kind() == Kind.USER ? finding.subjectId() : null;
      String username = finding.kind() == Kind.USER ? finding.subjectName() : null;
      AuditTrail.append(
          session,
          realm,
          AuditEventType.BREAK_GLASS_DRIFT,
          new AuditTrail.Subject(null, userId, username),
          details);
      recorded++;
      DriftEntity row = known.remove(entry.getKey());
      if (removed) {
        if (row != null) {
          store.remove(row);
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
        store.persist(row);
      }
    }
    // Drift that is gone (mapping removed, or now backed by a grant) may be reported again if it
    // returns.
    known.keySet().stream()
        .filter(key -> !look.current().containsKey(key))
        .forEach(key -> store.remove(known.get(key)));
    if (recorded > 0) {
      LOG.warnf(
          "Break-glass drift in realm %s: %d new finding(s) (%s, mode %s)",
          realm.getName(), recorded, trigger, mode.configValue());
    }
    return recorded;
  }

  /** Drift found now and drift already reported, by key, within one scope. */
  private record Look(Map<String, Finding> current, Map<String, DriftEntity> known) {
    boolean changed(DriftMode mode) {
      return !known.keySet().equals(current.keySet())
          || (mode == DriftMode.REMOVE && !current.isEmpty());
    }
  }

  private static Look look(
      KeycloakSession session, RealmModel realm, List<RoleModel> governed, Scope scope) {
    Map<String, Finding> current =
        findDrift(session, realm, governed, scope).stream()
            .collect(
                Collectors.toMap(
                    f -> f.key(realm.getId()),
                    Function.identity(),
                    (a, b) -> a,
                    LinkedHashMap::new));
    DriftStore store = DriftStore.of(session);
    List<DriftEntity> rows =
        scope.kind() != null && scope.subjectId() != null
            ? store.ofSubject(realm.getId(), scope.kind().name(), scope.subjectId())
            : store.ofRealm(realm.getId());
    Map<String, DriftEntity> known =
        rows.stream()
            .filter(scope::covers)
            .collect(
                Collectors.toMap(
                    DriftEntity::getId, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    return new Look(current, known);
  }

  static List<Finding> findDrift(
      KeycloakSession session, RealmModel realm, List<RoleModel> governed, Scope scope) {
    DriftStore store = DriftStore.of(session);
    List<Finding> findings = new ArrayList<>();
    // A look over every holder reads the active grants once, not once per holder.
    Map<String, GrantEntity> activeByUser =
        scope.covers(Kind.USER) && scope.subjectId() == null
            ? GrantService.activeByUser(session, realm)
            : null;
    for (RoleModel role : governed) {
      String name = GovernedRoles.qualifiedName(role);
      String roleId = role.getId();
      if (scope.covers(Kind.USER)) {
        Stream<UserModel> holders =
            scope.subjectId() == null
                ? session.users().getRoleMembersStream(realm, role)
                : Stream.ofNullable(session.users().getUserById(realm, scope.subjectId()))
                    .filter(u -> u.hasDirectRole(role));
        holders
            .filter(user -> !backedByGrant(session, realm, user, roleId, activeByUser))
            .forEach(
                user ->
                    findings.add(
                        new Finding(Kind.USER, user.getId(), user.getUsername(), roleId, name)));
      }
      if (scope.covers(Kind.GROUP)) {
        Stream<GroupModel> groups =
            scope.subjectId() == null
                ? session.groups().getGroupsByRoleStream(realm, role, null, null)
                : Stream.ofNullable(session.groups().getGroupById(realm, scope.subjectId()))
                    .filter(g -> g.hasDirectRole(role));
        groups.forEach(
            group ->
                findings.add(
                    new Finding(
                        Kind.GROUP,
                        group.getId(),
                        KeycloakModelUtils.buildGroupPath(group),
                        roleId,
                        name)));
      }
      if (scope.covers(Kind.COMPOSITE)) {
        store.compositeParentIds(role.getId()).stream()
            .map(realm::getRoleById)
            .filter(Objects::nonNull)
            .forEach(
                parent ->
                    findings.add(
                        new Finding(
                            Kind.COMPOSITE, parent.getId(), roleName(parent), roleId, name)));
      }
    }
    return findings;
  }

  /** {@code activeByUser}: the realm's active grants by holder, or null to look this one up. */
  private static boolean backedByGrant(
      KeycloakSession session,
      RealmModel realm,
      UserModel user,
      String roleId,
      Map<String, GrantEntity> activeByUser) {
    Optional<GrantEntity> active =
        activeByUser != null
            ? Optional.ofNullable(activeByUser.get(user.getId()))
            : GrantService.findActive(session, realm, user.getId());
    return active.isPresent()
        && GrantService.grantedRoles(realm, active.get()).stream()
            .anyMatch(r -> r.getId().equals(roleId));
  }

  private static boolean removeMapping(KeycloakSession session, RealmModel realm, Finding finding) {
    RoleModel role = realm.getRoleById(finding.roleId());
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
        // No session or token of the power it never should have had survives.
        session.users().setNotBeforeForUser(realm, user, (int) (DbClock.nowMillis(session) / 1000));
        session.sessions().removeUserSessions(realm, user);
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
    return GovernedRoles.qualifiedName(role);
  }
}
