package dev.breakglass.keycloak.grant;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.ActivationRequest;
import dev.breakglass.keycloak.domain.AlertRules;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.domain.EndReason;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.drill.DrillService;
import dev.breakglass.keycloak.metrics.BreakGlassMetrics;
import dev.breakglass.keycloak.policy.GovernedRoles;
import dev.breakglass.keycloak.policy.PolicySnapshots;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.policy.TokenCapCoverage;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantEntity;
import dev.breakglass.keycloak.store.GrantStore;
import dev.breakglass.keycloak.store.HolderRevocations;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionProviderModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserProvider;
import org.keycloak.models.cache.UserCache;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.storage.StorageId;
import org.keycloak.util.JsonSerialization;

/** Creates and reads grants. Everything happens in the caller's transaction. */
public final class GrantService {

  /** Residual privileges kept with a grant and its end record; more are summarised by count. */
  static final int MAX_RESIDUAL_LISTED = 25;

  /** Keycloak's default session provider, which keeps every session in the session table. */
  private static final String PERSISTENT_SESSION_PROVIDER =
      "org.keycloak.models.sessions.infinispan.PersistentUserSessionProvider";

  private GrantService() {}

  /** Who asked and from where: recorded with the activation. */
  public record Origin(String clientId, String ipAddress) {}

  /**
   * How the requester authenticated in the activation flow ({@code password+otp}, {@code
   * password+webauthn}, {@code password}) and when (epoch millis): kept with the grant.
   */
  public record Authentication(String method, long at) {}

  /** Thrown when the user already holds an active grant: a second one would extend it silently. */
  public static final class AlreadyActiveException extends RuntimeException {
    private final transient GrantEntity active;

    public AlreadyActiveException(GrantEntity active) {
      super("User already holds active grant " + active.getId());
      this.active = active;
    }

    public GrantEntity active() {
      return active;
    }
  }

  /** Thrown when a role of the policy no longer exists in the realm. */
  public static final class RoleUnavailableException extends RuntimeException {
    public RoleUnavailableException(String role) {
      super("Grantable role no longer exists: " + role);
    }
  }

  /**
   * Creates an ACTIVE grant, maps its roles and records the activation, all in the current
   * transaction: either all of it commits or none of it does. The policy's limits are checked first
   * ({@link GrantLimits#check}); a refusal throws {@link GrantLimits.LimitReachedException} with
   * only its BREAK_GLASS_LIMIT record written, for the caller to commit.
   */
  public static GrantEntity activate(
      KeycloakSession session,
      RealmModel realm,
      UserModel user,
      ActivationRequest request,
      boolean drill,
      Origin origin,
      Authentication authentication) {
    return activate(session, realm, user, request, drill, origin, authentication, null);
  }

  /** As {@link #activate}, with {@code extraDetails} on the BREAK_GLASS_ACTIVATED record. */
  public static GrantEntity activate(
      KeycloakSession session,
      RealmModel realm,
      UserModel user,
      ActivationRequest request,
      boolean drill,
      Origin origin,
      Authentication authentication,
      Map<String, Object> extraDetails) {
    // Serialise activations of this realm across the cluster, so the check below cannot race.
    AuditTrail.lockChain(session, realm);
    if (request.durationMinutes() < 1) {
      throw new IllegalArgumentException("A grant lasts at least one minute");
    }
    // An active grant is named as such, before any limit: a second grant would extend it.
    Optional<GrantEntity> existing = findActive(session, realm, user.getId());
    if (existing.isPresent()) {
      throw new AlreadyActiveException(existing.get());
    }
    // Only a valid policy gets this far (eligibility refuses otherwise); its limits apply here,
    // under the lock, before anything of the grant is written.
    BreakGlassPolicy policy = RealmPolicies.load(session, realm).policy();
    if (policy != null) {
      GrantLimits.check(session, realm, user, policy, drill);
    }
    GrantEntity grant = new GrantEntity();
    grant.setId(KeycloakModelUtils.generateId());
    grant.setRealmId(realm.getId());
    grant.setUserId(user.getId());
    grant.setUsername(user.getUsername());
    grant.setRolesJson(toJson(request.roles()));
    grant.setReason(request.reason());
    grant.setTicket(request.ticket());
    grant.setDrill(drill);
    grant.setDurationMinutes(request.durationMinutes());
    if (authentication != null) {
      grant.setAuthMethod(authentication.method());
      grant.setAuthAt(authentication.at());
    }
    start(session, realm, user, grant, origin, extraDetails);
    return grant;
  }

  /**
   * Makes a grant ACTIVE from now for its {@code durationMinutes}: maps its roles, records the
   * activation (BREAK_GLASS_ACTIVATED, with {@code extraDetails}). Used by {@link #activate} and by
   * an approved or overridden request (already stored); a new grant is stored here. The caller
   * holds the chain lock. Nothing is changed when it throws.
   */
  public static void start(
      KeycloakSession session,
      RealmModel realm,
      UserModel user,
      GrantEntity grant,
      Origin origin,
      Map<String, Object> extraDetails) {
    Optional<GrantEntity> existing = findActive(session, realm, user.getId());
    if (existing.isPresent() && !existing.get().getId().equals(grant.getId())) {
      throw new AlreadyActiveException(existing.get());
    }
    List<String> roleNames = roles(grant);
    List<RoleModel> roles = new ArrayList<>();
    for (String name : roleNames) {
      RoleModel role = RealmPolicies.resolveRole(realm, name);
      if (role == null) {
        throw new RoleUnavailableException(name);
      }
      roles.add(role);
    }

    long now = DbClock.nowMillis(session);
    int durationMinutes = grant.getDurationMinutes();
    grant.setRoleIdsJson(toJson(roles.stream().map(RoleModel::getId).toList()));
    grant.setStatus(GrantStatus.ACTIVE.name());
    grant.setActivatedAt(now);
    grant.setExpiresAt(now + durationMinutes * 60_000L);
    GrantStore.of(session).persistIfNew(grant);

    roles.forEach(user::grantRole);
    PossibleHolders.forget(session, realm, user.getId());
    // The policy in force is the baseline a holder's later edit is put back to, and the roles
    // granted stay governed whatever later happens to the policy.
    PolicySnapshots.accept(session, realm);
    // Whichever client the holder uses, its tokens end with the grant.
    List<String> repaired = TokenCapCoverage.ensure(realm);
    if (!repaired.isEmpty()) {
      Map<String, Object> change = new LinkedHashMap<>();
      change.put("what", "token cap");
      change.put("repaired", repaired);
      change.put("detectedBy", "activation");
      AuditTrail.append(
          session,
          realm,
          AuditEventType.BREAK_GLASS_GOVERNANCE_CHANGED,
          new AuditTrail.Subject(null, null, "system"),
          change);
    }

    Map<String, Object> details = new LinkedHashMap<>();
    details.put("roles", roleNames);
    details.put("reason", grant.getReason());
    details.put("ticket", grant.getTicket());
    details.put("durationMinutes", durationMinutes);
    details.put("activatedAt", Instant.ofEpochMilli(grant.getActivatedAt()).toString());
    details.put("expiresAt", Instant.ofEpochMilli(grant.getExpiresAt()).toString());
    details.put("drill", grant.isDrill());
    if (origin != null) {
      details.put("clientId", origin.clientId());
      details.put("ipAddress", origin.ipAddress());
    }
    if (grant.getAuthMethod() != null) {
      Map<String, Object> authentication = new LinkedHashMap<>();
      authentication.put("method", grant.getAuthMethod());
      authentication.put(
          "at",
          grant.getAuthAt() == null ? null : Instant.ofEpochMilli(grant.getAuthAt()).toString());
      details.put("authentication", authentication);
    }
    if (extraDetails != null) {
      details.putAll(extraDetails);
    }
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_ACTIVATED,
        new AuditTrail.Subject(grant.getId(), user.getId(), user.getUsername()),
        details);
    // Every activation counts towards the frequency alert: direct, approved or overridden.
    BreakGlassPolicy policy = RealmPolicies.load(session, realm).policy();
    if (policy != null) {
      GrantLimits.noteFrequency(session, realm, policy, grant);
    }
  }

  /**
   * Ends an ACTIVE grant: removes its role mappings, ends the holder's sessions (online and
   * offline), moves not-before to now so older tokens are refused, and records why. Idempotent: a
   * grant that is no longer ACTIVE is returned as it is, with no second record.
   */
  public static GrantEntity end(
      KeycloakSession session,
      RealmModel realm,
      GrantEntity grant,
      EndReason reason,
      String endedBy,
      Map<String, Object> extraDetails) {
    // The chain lock serialises ending with activation and with a concurrent end on another node.
    AuditTrail.lockChain(session, realm);
    GrantStore.of(session).refresh(grant);
    if (!GrantStatus.ACTIVE.name().equals(grant.getStatus())) {
      return grant;
    }
    long now = DbClock.nowMillis(session);
    Ending ending =
        new Ending(session, realm, now, attestationAsked(realm), new HashSet<>(), Map.of(), null);
    UserModel holder = session.users().getUserById(realm, grant.getUserId());
    Revocation revoked = revoke(ending, grant, rolesToTake(realm, grant, holder), holder);
    List<Map<String, Object>> residual =
        close(
            grant,
            now,
            DbClock.nowMillis(session),
            reason,
            endedBy,
            ResidualPrivileges.of(session, realm, grant));
    AuditTrail.append(
        session,
        realm,
        endType(reason),
        subject(grant),
        endDetails(revoked, now, reason, endedBy, residual, extraDetails));
    afterEnd(session, realm, grant);
    return grant;
  }

  /**
   * {@link #end} for a batch of grants of one realm, in the caller's transaction, which then holds
   * their changes all or none: one chain lock, one read of the grants, one read of their use
   * records, one pass over each holder's sessions, and their records appended in order. Those of
   * {@code grantIds} no longer ACTIVE (or of another realm) are left as they are; returns the
   * grants it ended.
   */
  public static List<GrantEntity> endAll(
      KeycloakSession session,
      RealmModel realm,
      List<String> grantIds,
      EndReason reason,
      String endedBy) {
    AuditTrail.lockChain(session, realm);
    List<GrantEntity> grants = GrantStore.of(session).activeAmong(realm.getId(), grantIds);
    if (grants.isEmpty()) {
      return List.of();
    }
    long now = DbClock.nowMillis(session);
    boolean attest = attestationAsked(realm);
    Map<String, UserModel> holders = loadHolders(session, realm, grants);
    // Read once per grant.
    Map<String, List<RoleModel>> rolesByGrant = new HashMap<>();
    for (GrantEntity grant : grants) {
      rolesByGrant.put(grant.getId(), rolesToTake(realm, grant, holders.get(grant.getUserId())));
    }
    Map<String, Set<String>> removedTogether =
        revokeTogether(session, realm, grants, rolesByGrant, holders, attest);
    Ending ending =
        new Ending(
            session,
            realm,
            now,
            attest,
            new HashSet<>(),
            removedTogether,
            storedSessions(session, realm, holders.keySet()));
    List<Revocation> revocations = new ArrayList<>(grants.size());
    for (GrantEntity grant : grants) {
      revocations.add(
          revoke(ending, grant, rolesByGrant.get(grant.getId()), holders.get(grant.getUserId())));
    }
    Map<String, List<Map<String, Object>>> residual =
        ResidualPrivileges.ofAll(session, realm, grants);
    long rolesRemovedAt = DbClock.nowMillis(session);
    List<AuditTrail.Entry> entries = new ArrayList<>(grants.size());
    for (Revocation revoked : revocations) {
      GrantEntity grant = revoked.grant();
      List<Map<String, Object>> listed =
          close(grant, now, rolesRemovedAt, reason, endedBy, residual.get(grant.getId()));
      entries.add(
          new AuditTrail.Entry(
              endType(reason),
              subject(grant),
              endDetails(revoked, now, reason, endedBy, listed, null)));
    }
    AuditTrail.appendAll(session, realm, entries);
    grants.forEach(grant -> afterEnd(session, realm, grant));
    // Last: the statement leaves the holders' loaded rows with their old not-before, and Keycloak
    // writes every column of a user it changes, so a change after it would put the old one back.
    HolderRevocations.of(session).setNotBefore(removedTogether.keySet(), (int) (now / 1000));
    return grants;
  }

  /**
   * The grants' holders by id. Those kept in Keycloak's own user table without a federation link
   * come from the local user provider, all their rows read in one query and none through the user
   * cache: {@link #revokeTogether} has the cache forget them, and forgetting a cached user reads it
   * again. Any other holder comes through Keycloak's user model, federation included.
   */
  private static Map<String, UserModel> loadHolders(
      KeycloakSession session, RealmModel realm, List<GrantEntity> grants) {
    Set<String> ids = new LinkedHashSet<>();
    grants.forEach(grant -> ids.add(grant.getUserId()));
    UserProvider local = session.getProvider(UserProvider.class);
    Set<String> localIds =
        local == null
            ? Set.of()
            : ids.stream().filter(StorageId::isLocalStorage).collect(Collectors.toSet());
    if (!localIds.isEmpty()) {
      HolderRevocations.of(session).prefetchUsers(localIds);
    }
    Map<String, UserModel> holders = new HashMap<>();
    for (String id : ids) {
      UserModel user = null;
      if (localIds.contains(id)) {
        user = local.getUserById(realm, id);
        if (user != null && user.getFederationLink() != null) {
          user = null;
        }
      }
      if (user == null) {
        user = session.users().getUserById(realm, id);
      }
      if (user != null) {
        holders.put(id, user);
      }
    }
    return holders;
  }

  /**
   * Keycloak's persistent user sessions (its default) find a user's sessions, online and offline,
   * only through their rows in the session table, so one query tells which holders have any to end.
   * Null with any other session provider: each holder is asked.
   */
  private static HolderRevocations.StoredSessions storedSessions(
      KeycloakSession session, RealmModel realm, Set<String> holderIds) {
    if (holderIds.isEmpty()
        || !PERSISTENT_SESSION_PROVIDER.equals(session.sessions().getClass().getName())) {
      return null;
    }
    return HolderRevocations.of(session).storedSessions(realm.getId(), holderIds);
  }

  /** What ending a grant did to its holder: the roles taken away, and whether the user exists. */
  private record Revocation(GrantEntity grant, List<String> rolesRemoved, boolean userPresent) {}

  /**
   * For the grants' holders kept in Keycloak's own user table, removes the grants' role mappings
   * (one statement per role for the whole batch) and, when {@code askAttestation}, adds the
   * attestation action (one statement): Keycloak's model does both holder by holder, each removal
   * with a look-up and a write of the whole transaction; {@link #endAll} moves their not-before
   * last, in one statement. Keycloak's user cache (across the cluster) forgets each of these
   * holders, and its role-revoked listeners hear of each removal, as from the model. Returns the
   * role ids removed per holder so handled; holders of a federation provider are left to {@link
   * #revoke} one by one.
   */
  private static Map<String, Set<String>> revokeTogether(
      KeycloakSession session,
      RealmModel realm,
      List<GrantEntity> grants,
      Map<String, List<RoleModel>> rolesByGrant,
      Map<String, UserModel> holders,
      boolean askAttestation) {
    Map<String, Set<String>> roleIdsByUser = new HashMap<>();
    Map<String, RoleModel> rolesById = new HashMap<>();
    for (GrantEntity grant : grants) {
      UserModel user = holders.get(grant.getUserId());
      if (user == null
          || user.getFederationLink() != null
          || !StorageId.isLocalStorage(user.getId())) {
        continue;
      }
      Set<String> roleIds = roleIdsByUser.computeIfAbsent(user.getId(), id -> new HashSet<>());
      for (RoleModel role : rolesByGrant.get(grant.getId())) {
        roleIds.add(role.getId());
        rolesById.put(role.getId(), role);
      }
    }
    if (roleIdsByUser.isEmpty()) {
      return Map.of();
    }
    HolderRevocations writes = HolderRevocations.of(session);
    Map<String, Set<String>> removed = writes.removeDirect(roleIdsByUser);
    if (askAttestation) {
      writes.addRequiredAction(roleIdsByUser.keySet(), BreakGlassIds.ATTEST_ACTION);
    }
    UserCache cache = session.getProvider(UserCache.class);
    removed.forEach(
        (userId, roleIds) -> {
          UserModel user = holders.get(userId);
          if (cache != null) {
            cache.evict(realm, user);
          }
          roleIds.forEach(id -> RoleModel.RoleRevokedEvent.fire(rolesById.get(id), user, session));
        });
    return removed;
  }

  /**
   * The grant's roles to take from its holder; none, and not read, when the holder no longer exists
   * (a grant whose roles cannot be read still ends then).
   */
  private static List<RoleModel> rolesToTake(
      RealmModel realm, GrantEntity grant, UserModel holder) {
    return holder == null ? List.of() : grantedRoles(realm, grant);
  }

  /**
   * What ending grants in one transaction shares: its database time, whether attestation is asked,
   * the holders already done ({@code holdersDone}, filled as they are), the role ids removed
   * together per holder ({@code removedTogether}, whose not-before and attestation are written
   * together too), and which holders have stored sessions ({@code stored}, null: unknown).
   */
  private record Ending(
      KeycloakSession session,
      RealmModel realm,
      long now,
      boolean askAttestation,
      Set<String> holdersDone,
      Map<String, Set<String>> removedTogether,
      HolderRevocations.StoredSessions stored) {}

  /**
   * Removes the grant's {@code roles} from its holder, unless already removed together with other
   * holders'; ends the holder's sessions, moves their not-before and asks for attestation, once per
   * holder. With stored sessions known, only the kinds the holder has are looked up.
   */
  private static Revocation revoke(
      Ending ending, GrantEntity grant, List<RoleModel> roles, UserModel user) {
    KeycloakSession session = ending.session();
    RealmModel realm = ending.realm();
    HolderRevocations.StoredSessions stored = ending.stored();
    List<String> removed = new ArrayList<>();
    if (user == null) {
      return new Revocation(grant, removed, false);
    }
    Set<String> together = ending.removedTogether().get(user.getId());
    if (together != null) {
      // Each removal listed once, by the first of the holder's grants that held the role.
      for (RoleModel role : roles) {
        if (together.remove(role.getId())) {
          removed.add(GovernedRoles.qualifiedName(role));
        }
      }
    } else {
      for (RoleModel role : roles) {
        if (user.hasDirectRole(role)) {
          user.deleteRoleMapping(role);
          removed.add(GovernedRoles.qualifiedName(role));
        }
      }
    }
    if (ending.holdersDone().add(user.getId())) {
      if (together == null) {
        session.users().setNotBeforeForUser(realm, user, (int) (ending.now() / 1000));
      }
      if (stored == null || stored.online().contains(user.getId())) {
        session.sessions().removeUserSessions(realm, user);
      }
      if (stored == null || stored.offline().contains(user.getId())) {
        session
            .sessions()
            .getOfflineUserSessionsStream(realm, user)
            .toList()
            .forEach(offline -> session.sessions().removeOfflineUserSession(realm, offline));
      }
      if (ending.askAttestation()) {
        if (together == null) {
          user.addRequiredAction(BreakGlassIds.ATTEST_ACTION);
        }
        PossibleHolders.attestationOwedAfterCommit(session, realm);
      }
    }
    return new Revocation(grant, removed, true);
  }

  /** Marks the grant ENDED; returns the residual privileges as listed (at most 25). */
  private static List<Map<String, Object>> close(
      GrantEntity grant,
      long now,
      long rolesRemovedAt,
      EndReason reason,
      String endedBy,
      List<Map<String, Object>> residual) {
    List<Map<String, Object>> listed = residual == null ? List.of() : residual;
    if (listed.size() > MAX_RESIDUAL_LISTED) {
      listed = listed.subList(0, MAX_RESIDUAL_LISTED);
    }
    grant.setResidualPrivilegesJson(toJson(listed));
    grant.setRolesRemovedAt(rolesRemovedAt);
    grant.setStatus(GrantStatus.ENDED.name());
    grant.setEndedAt(now);
    grant.setEndReason(reason.name());
    grant.setEndedBy(endedBy);
    return listed;
  }

  private static Map<String, Object> endDetails(
      Revocation revoked,
      long now,
      EndReason reason,
      String endedBy,
      List<Map<String, Object>> residual,
      Map<String, Object> extraDetails) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("endReason", reason.name());
    details.put("endedBy", endedBy);
    details.put("endedAt", Instant.ofEpochMilli(now).toString());
    details.put("expiresAt", Instant.ofEpochMilli(revoked.grant().getExpiresAt()).toString());
    details.put("rolesRemoved", revoked.rolesRemoved());
    details.put("userPresent", revoked.userPresent());
    details.put("residualPrivileges", residual);
    if (extraDetails != null) {
      details.putAll(extraDetails);
    }
    return details;
  }

  private static AuditEventType endType(EndReason reason) {
    return switch (reason) {
      case EXPIRED -> AuditEventType.BREAK_GLASS_EXPIRED;
      case RELEASED -> AuditEventType.BREAK_GLASS_RELEASED;
      default -> AuditEventType.BREAK_GLASS_REVOKED;
    };
  }

  private static AuditTrail.Subject subject(GrantEntity grant) {
    return new AuditTrail.Subject(grant.getId(), grant.getUserId(), grant.getUsername());
  }

  private static void afterEnd(KeycloakSession session, RealmModel realm, GrantEntity grant) {
    BreakGlassMetrics.grantEndedAfterCommit(session, realm, GrantView.expiryLag(grant));
    if (grant.isDrill()) {
      DrillService.grantEnded(session, grant);
    }
  }

  /**
   * The holder ends their own ACTIVE grant now ({@code endReason=RELEASED}, BREAK_GLASS_RELEASED):
   * everything an expiry does happens at once. Empty when the user holds no active grant.
   */
  public static Optional<GrantEntity> release(
      KeycloakSession session, RealmModel realm, UserModel user, Map<String, Object> origin) {
    AuditTrail.lockChain(session, realm);
    Optional<GrantEntity> active = findActive(session, realm, user.getId());
    return active.map(
        grant -> end(session, realm, grant, EndReason.RELEASED, user.getUsername(), origin));
  }

  /** Holders attest on their next login only where the realm has the attestation action on. */
  private static boolean attestationAsked(RealmModel realm) {
    RequiredActionProviderModel attest =
        realm.getRequiredActionProviderByAlias(BreakGlassIds.ATTEST_ACTION);
    return attest != null && attest.isEnabled();
  }

  /**
   * Records one use of an ACTIVE grant (a login, a token, a refresh, an admin action) in the
   * current transaction: the grant's use count and last use, and a BREAK_GLASS_USED record whose
   * {@code useNumber} says which use this is. A grant that ended meanwhile records nothing.
   */
  public static boolean recordUse(
      KeycloakSession session, RealmModel realm, GrantEntity grant, Map<String, Object> use) {
    // Under the chain lock, so concurrent uses on several nodes count 1, 2, 3, never 2, 2.
    AuditTrail.lockChain(session, realm);
    GrantStore.of(session).refresh(grant);
    if (!GrantStatus.ACTIVE.name().equals(grant.getStatus())) {
      return false;
    }
    long now = DbClock.nowMillis(session);
    grant.setUses(grant.getUses() + 1);
    grant.setLastUsedAt(now);
    Map<String, Object> details = new LinkedHashMap<>(use);
    details.put(AlertRules.USE_NUMBER, grant.getUses());
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_USED,
        new AuditTrail.Subject(grant.getId(), grant.getUserId(), grant.getUsername()),
        details);
    return true;
  }

  public static Optional<GrantEntity> findActive(
      KeycloakSession session, RealmModel realm, String userId) {
    return GrantStore.of(session).findActive(realm.getId(), userId);
  }

  /** The realm's ACTIVE grants by holder: one query for a look over every holder. */
  public static Map<String, GrantEntity> activeByUser(KeycloakSession session, RealmModel realm) {
    Map<String, GrantEntity> byUser = new HashMap<>();
    for (GrantEntity grant : GrantStore.of(session).activeInRealm(realm.getId())) {
      byUser.putIfAbsent(grant.getUserId(), grant);
    }
    return byUser;
  }

  /** A page of the realm's grants, newest first, optionally of one status and one user. */
  public static List<GrantEntity> list(
      KeycloakSession session,
      RealmModel realm,
      GrantStatus status,
      String userId,
      int first,
      int max) {
    return GrantStore.of(session).list(realm.getId(), status, userId, first, max);
  }

  /** A grant of this realm, or empty: another realm's grant is as good as unknown. */
  public static Optional<GrantEntity> find(
      KeycloakSession session, RealmModel realm, String grantId) {
    return GrantStore.of(session).findInRealm(realm.getId(), grantId);
  }

  /**
   * A removed user's grants go, in the removal's transaction; the audit trail keeps their story,
   * ending with why an active grant ended.
   */
  public static void userRemoved(KeycloakSession session, RealmModel realm, UserModel user) {
    GrantStore grants = GrantStore.of(session);
    for (GrantEntity grant : grants.ofUser(realm.getId(), user.getId())) {
      if (GrantStatus.ACTIVE.name().equals(grant.getStatus())) {
        AuditTrail.append(
            session,
            realm,
            AuditEventType.BREAK_GLASS_REVOKED,
            new AuditTrail.Subject(grant.getId(), user.getId(), user.getUsername()),
            Map.of("endReason", EndReason.USER_DELETED.name()));
      }
      grants.remove(grant);
    }
    DrillService.userRemoved(session, realm, user);
  }

  public static List<String> roles(GrantEntity grant) {
    try {
      return JsonSerialization.readValue(
          grant.getRolesJson(), new TypeReference<List<String>>() {});
    } catch (IOException e) {
      throw new IllegalStateException("Grant " + grant.getId() + " has unreadable roles", e);
    }
  }

  /**
   * The grant's roles as they are now, by id: a renamed role is still found; a deleted one is gone.
   * Grants from before role ids were kept fall back to the names.
   */
  public static List<RoleModel> grantedRoles(RealmModel realm, GrantEntity grant) {
    List<RoleModel> roles = new ArrayList<>();
    if (grant.getRoleIdsJson() != null) {
      for (String id : readList(grant.getRoleIdsJson(), grant)) {
        RoleModel role = realm.getRoleById(id);
        if (role != null) {
          roles.add(role);
        }
      }
      return roles;
    }
    for (String name : roles(grant)) {
      RoleModel role = RealmPolicies.resolveRole(realm, name);
      if (role != null) {
        roles.add(role);
      }
    }
    return roles;
  }

  /** The ids of the grant's roles (empty for grants from before role ids were kept). */
  public static List<String> grantedRoleIds(GrantEntity grant) {
    return grant.getRoleIdsJson() == null ? List.of() : readList(grant.getRoleIdsJson(), grant);
  }

  /**
   * A granted role was unassigned from its holder by someone else: the grant ends with it
   * (ROLE_REMOVED, by whom), rather than stay ACTIVE with evidence that no longer holds.
   */
  public static void rolesUnassigned(
      KeycloakSession session, RealmModel realm, String userId, String by) {
    Optional<GrantEntity> active = findActive(session, realm, userId);
    UserModel user = session.users().getUserById(realm, userId);
    if (active.isEmpty() || user == null) {
      return;
    }
    List<String> gone =
        grantedRoles(realm, active.get()).stream()
            .filter(role -> !user.hasDirectRole(role))
            .map(GovernedRoles::qualifiedName)
            .toList();
    if (!gone.isEmpty()) {
      end(
          session,
          realm,
          active.get(),
          EndReason.ROLE_REMOVED,
          by,
          Map.of("rolesUnassigned", gone));
    }
  }

  /** A granted role is being deleted: every grant holding it ends (ROLE_REMOVED), on the record. */
  public static void roleRemoved(KeycloakSession session, RealmModel realm, RoleModel role) {
    for (GrantEntity grant : activeHolding(session, realm, role)) {
      end(
          session,
          realm,
          grant,
          EndReason.ROLE_REMOVED,
          "role deleted",
          Map.of("roleDeleted", GovernedRoles.qualifiedName(role)));
    }
  }

  /** Active grants of the realm holding this role. */
  public static List<GrantEntity> activeHolding(
      KeycloakSession session, RealmModel realm, RoleModel role) {
    // By the stored id: while a role is being deleted, the realm may no longer resolve it.
    String name = GovernedRoles.qualifiedName(role);
    return GrantStore.of(session).activeInRealm(realm.getId()).stream()
        .filter(
            g ->
                g.getRoleIdsJson() != null
                    ? grantedRoleIds(g).contains(role.getId())
                    : roles(g).contains(name))
        .toList();
  }

  private static List<String> readList(String json, GrantEntity grant) {
    try {
      return JsonSerialization.readValue(json, new TypeReference<List<String>>() {});
    } catch (IOException e) {
      throw new IllegalStateException("Grant " + grant.getId() + " has unreadable roles", e);
    }
  }

  static String toJson(List<?> roles) {
    try {
      return JsonSerialization.writeValueAsString(roles);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
