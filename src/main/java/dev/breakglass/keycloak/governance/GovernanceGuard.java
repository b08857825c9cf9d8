package dev.breakglass.keycloak.governance;

import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.policy.GovernedRoles;
import dev.breakglass.keycloak.policy.PolicySnapshots;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.policy.TokenCapCoverage;
import dev.breakglass.keycloak.store.GovernanceStore;
import dev.breakglass.keycloak.store.GovernedRoleEntity;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OTPPolicy;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionProviderModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Guards what governs break-glass access (DESIGN.md invariant 7). Every admin change to that
 * surface, by anyone, becomes a BREAK_GLASS_GOVERNANCE_CHANGED record, which always alerts. A
 * change by the holder of an active grant is reverted in the same transaction (Keycloak's admin
 * events cannot veto a request): the request answers as usual, and nothing of it stays.
 *
 * <p>The surface: the policy and both required actions; the break-glass flow and its executions;
 * the event listener and the realm's event settings, and clearing stored events; the token-cap
 * scope on clients and among the realm's defaults; the governed roles (name, composites); the
 * eligible group's members.
 */
public final class GovernanceGuard {

  private static final Logger LOG = Logger.getLogger(GovernanceGuard.class);

  private static final Pattern ROLE_BY_ID = Pattern.compile("^roles-by-id/([^/]+)(/.*)?$");
  private static final Pattern MEMBERSHIP = Pattern.compile("^users/([^/]+)/groups/([^/]+)$");

  private GovernanceGuard() {}

  /** Who made a change, and whether they hold an active grant (in their own realm). */
  public record Actor(String userId, String username, String realmName, boolean holdsGrant) {
    static final Actor SYSTEM = new Actor(null, "system", null, false);
  }

  /** Whether the realm has break-glass set up at all: other realms are none of our business. */
  public static boolean governs(RealmModel realm) {
    return realm.getRequiredActionProviderByAlias(BreakGlassIds.ACTIVATE_ACTION) != null
        || !RealmPolicies.rawConfig(realm).isEmpty();
  }

  /** Looks at one admin change; records (and for a holder, reverts) what touches the surface. */
  public static void onAdminEvent(KeycloakSession session, RealmModel realm, AdminEvent event) {
    if (event.getError() != null || !governs(realm)) {
      return;
    }
    ResourceType type = event.getResourceType();
    String path = event.getResourcePath() == null ? "" : event.getResourcePath();
    if (type == null) {
      return;
    }
    Actor actor = actor(session, event.getAuthDetails());
    switch (type) {
      case REQUIRED_ACTION_CONFIG, REQUIRED_ACTION -> {
        if (path.contains(BreakGlassIds.ACTIVATE_ACTION)
            || path.contains(BreakGlassIds.ATTEST_ACTION)) {
          policyChanged(session, realm, event, actor);
        }
      }
      case REALM -> realmChanged(session, realm, event, actor, path);
      case AUTH_FLOW, AUTH_EXECUTION, AUTH_EXECUTION_FLOW, AUTHENTICATOR_CONFIG ->
          flowChecked(session, realm, event, actor);
      case CLIENT -> {
        bindingsChecked(session, realm, event, actor);
        tokenCapChecked(session, realm, event, actor);
      }
      case CLIENT_SCOPE, CLIENT_SCOPE_MAPPING, CLIENT_SCOPE_CLIENT_MAPPING, PROTOCOL_MAPPER ->
          tokenCapChecked(session, realm, event, actor);
      case REALM_ROLE, CLIENT_ROLE -> governedRoleChanged(session, realm, event, actor, path);
      case GROUP_MEMBERSHIP -> eligibleGroupChanged(session, realm, event, actor, path);
      default -> {
        if (path.equals("events") || path.equals("admin-events")) {
          record(session, realm, actor, event, "stored " + path + " cleared", Map.of(), false);
        } else if (path.contains("default-default-client-scopes")) {
          tokenCapChecked(session, realm, event, actor);
        }
      }
    }
  }

  /**
   * The periodic check for what no admin event reported (an import, a change made while Keycloak
   * was down, straight in the database): a policy that changed or broke, a token cap not in place.
   */
  public static void reconcile(KeycloakSession session, RealmModel realm) {
    if (!governs(realm)) {
      return;
    }
    Map<String, String> before = PolicySnapshots.lastValid(session, realm).orElse(null);
    boolean validityChanged = PolicySnapshots.accept(session, realm);
    // Stored snapshots leave out empty values; compare like with like.
    Map<String, String> now = new TreeMap<>();
    RealmPolicies.rawConfig(realm)
        .forEach(
            (key, value) -> {
              if (value != null) {
                now.put(key, value);
              }
            });
    if (before != null
        && (validityChanged
            || (RealmPolicies.load(session, realm).isValid() && !before.equals(now)))) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("changes", PolicySnapshots.diff(before, now));
      details.put("policyValid", RealmPolicies.load(session, realm).isValid());
      details.put("detectedBy", "reconciliation");
      record(session, realm, Actor.SYSTEM, null, "policy", details, false);
    }
    List<String> repaired = TokenCapCoverage.ensure(realm);
    if (!repaired.isEmpty()) {
      record(session, realm, Actor.SYSTEM, null, "token cap", Map.of("repaired", repaired), false);
    }
    Map<String, String> bound = PolicySnapshots.boundClients(realm);
    Map<String, String> lastBound = PolicySnapshots.lastBoundClients(session, realm);
    if (!bound.equals(lastBound) && !lastBound.isEmpty()) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("before", clientIds(realm, lastBound));
      details.put("after", clientIds(realm, bound));
      details.put("detectedBy", "reconciliation");
      record(
          session,
          realm,
          Actor.SYSTEM,
          null,
          "clients bound to the break-glass flow",
          details,
          false);
    }
    PolicySnapshots.acceptBoundClients(session, realm);
    Map<String, Map<String, Object>> lastFlows = PolicySnapshots.lastFlowState(session, realm);
    Map<String, Map<String, Object>> flows = PolicySnapshots.flowState(realm);
    if (!lastFlows.isEmpty() && !lastFlows.equals(flows)) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("changes", flowChanges(lastFlows, flows));
      details.put("detectedBy", "reconciliation");
      record(session, realm, Actor.SYSTEM, null, "break-glass flow", details, false);
    }
    PolicySnapshots.acceptFlowState(session, realm);
  }

  /** A governed role is being deleted: on the record (its grants end in the grant service). */
  public static void roleRemoved(KeycloakSession session, RealmModel realm, RoleModel role) {
    boolean governed =
        GovernanceStore.of(session).governedRoles(realm.getId()).stream()
            .anyMatch(g -> g.getRoleId().equals(role.getId()));
    if (governed) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("roleId", role.getId());
      details.put("role", GovernedRoles.qualifiedName(role));
      record(session, realm, Actor.SYSTEM, null, "governed role deleted", details, false);
    }
  }

  private static void policyChanged(
      KeycloakSession session, RealmModel realm, AdminEvent event, Actor actor) {
    Map<String, String> before = PolicySnapshots.lastValid(session, realm).orElse(Map.of());
    Map<String, String> after = new LinkedHashMap<>(RealmPolicies.rawConfig(realm));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("changes", PolicySnapshots.diff(before, after));
    boolean reverted = false;
    if (actor.holdsGrant()) {
      reverted = PolicySnapshots.restore(session, realm);
      reverted |= restoreActions(realm);
    } else {
      boolean validityChanged = PolicySnapshots.accept(session, realm);
      details.put("policyValid", RealmPolicies.load(session, realm).isValid());
      if (validityChanged && !RealmPolicies.load(session, realm).isValid()) {
        details.put(
            "governedRolesKept",
            GovernedRoles.remembered(session, realm).stream()
                .map(GovernedRoles::qualifiedName)
                .toList());
      }
    }
    details.put("actionsEnabled", actionsEnabled(realm));
    record(session, realm, actor, event, "policy", details, reverted);
  }

  /** Both required actions registered and enabled again; true if anything had to be done. */
  private static boolean restoreActions(RealmModel realm) {
    boolean changed = false;
    int priority = 5;
    for (String alias : List.of(BreakGlassIds.ACTIVATE_ACTION, BreakGlassIds.ATTEST_ACTION)) {
      RequiredActionProviderModel action = realm.getRequiredActionProviderByAlias(alias);
      if (action == null) {
        action = new RequiredActionProviderModel();
        action.setAlias(alias);
        action.setProviderId(alias);
        action.setName(
            alias.equals(BreakGlassIds.ACTIVATE_ACTION)
                ? "Break-glass activation"
                : "Break-glass attestation");
        action.setEnabled(true);
        action.setPriority(priority++);
        realm.addRequiredActionProvider(action);
        changed = true;
      } else if (!action.isEnabled()) {
        action.setEnabled(true);
        realm.updateRequiredActionProvider(action);
        changed = true;
      }
    }
    return changed;
  }

  private static Map<String, Boolean> actionsEnabled(RealmModel realm) {
    Map<String, Boolean> enabled = new LinkedHashMap<>();
    for (String alias : List.of(BreakGlassIds.ACTIVATE_ACTION, BreakGlassIds.ATTEST_ACTION)) {
      RequiredActionProviderModel action = realm.getRequiredActionProviderByAlias(alias);
      enabled.put(alias, action != null && action.isEnabled());
    }
    return enabled;
  }

  /** Event settings: the listener list, events and admin events on or off, what is stored. */
  private static void realmChanged(
      KeycloakSession session, RealmModel realm, AdminEvent event, Actor actor, String path) {
    if (path.contains("partialImport")) {
      reconcile(session, realm);
      return;
    }
    if (!path.startsWith("events/config") && !path.isEmpty()) {
      return;
    }
    if (path.isEmpty()) {
      otpPolicyChecked(session, realm, event, actor);
    }
    Set<String> listeners = new HashSet<>(realm.getEventsListenersStream().toList());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("eventsEnabled", realm.isEventsEnabled());
    details.put("adminEventsEnabled", realm.isAdminEventsEnabled());
    details.put("listeners", listeners.stream().sorted().toList());
    boolean reverted = false;
    if (!listeners.contains(BreakGlassIds.EVENT_LISTENER)) {
      // The listener is global and hears the realm anyway; its place in the list is put back.
      listeners.add(BreakGlassIds.EVENT_LISTENER);
      realm.setEventsListeners(listeners);
      details.put("listenerPutBack", true);
      reverted = actor.holdsGrant();
    }
    if (actor.holdsGrant() && !realm.isAdminEventsEnabled()) {
      realm.setAdminEventsEnabled(true);
      reverted = true;
    }
    if (actor.holdsGrant() && !realm.isEventsEnabled()) {
      realm.setEventsEnabled(true);
      reverted = true;
    }
    if (path.isEmpty() && !details.containsKey("listenerPutBack") && !actor.holdsGrant()) {
      return; // an ordinary realm update by an admin, with the listener in place: not our surface
    }
    record(session, realm, actor, event, "event settings", details, reverted);
  }

  /**
   * A holder may not make one-time codes reusable: a replayed code would then pass the
   * second-factor step of the next activation. Put back and recorded.
   */
  private static void otpPolicyChecked(
      KeycloakSession session, RealmModel realm, AdminEvent event, Actor actor) {
    OTPPolicy otp = realm.getOTPPolicy();
    if (!actor.holdsGrant() || otp == null || !otp.isCodeReusable()) {
      return;
    }
    otp.setCodeReusable(false);
    realm.setOTPPolicy(otp);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("codeReusable", false);
    record(session, realm, actor, event, "OTP policy", details, true);
  }

  /**
   * The break-glass flow's executions changed (a requirement, an execution added or removed). A
   * holder's change is undone: the gate, and what stands before it, stay as they were.
   */
  private static void flowChecked(
      KeycloakSession session, RealmModel realm, AdminEvent event, Actor actor) {
    Map<String, Map<String, Object>> before = PolicySnapshots.lastFlowState(session, realm);
    Map<String, Map<String, Object>> now = PolicySnapshots.flowState(realm);
    if (before.isEmpty() || before.equals(now)) {
      if (before.isEmpty()) {
        PolicySnapshots.acceptFlowState(session, realm);
      }
      return;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("changes", flowChanges(before, now));
    boolean reverted = false;
    if (actor.holdsGrant()) {
      List<String> restored = PolicySnapshots.restoreFlowState(session, realm);
      details.put("restored", restored);
      reverted = true;
    } else {
      PolicySnapshots.acceptFlowState(session, realm);
    }
    record(session, realm, actor, event, "break-glass flow", details, reverted);
  }

  /** The executions that differ, before and after (bounded: a flow has a handful). */
  private static Map<String, Object> flowChanges(
      Map<String, Map<String, Object>> before, Map<String, Map<String, Object>> now) {
    Map<String, Object> changes = new TreeMap<>();
    Set<String> ids = new HashSet<>(before.keySet());
    ids.addAll(now.keySet());
    for (String id : ids) {
      if (!Objects.equals(before.get(id), now.get(id)) && changes.size() < 20) {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("before", before.get(id));
        change.put("after", now.get(id));
        changes.put(id, change);
      }
    }
    return changes;
  }

  /**
   * A client taken off (or put on) the break-glass flow. A holder's change is undone: the client's
   * browser login goes through the gate again.
   */
  private static void bindingsChecked(
      KeycloakSession session, RealmModel realm, AdminEvent event, Actor actor) {
    Map<String, String> before = PolicySnapshots.lastBoundClients(session, realm);
    Map<String, String> now = PolicySnapshots.boundClients(realm);
    LOG.debugf(
        "Break-glass flow bindings in realm %s: before %s, now %s", realm.getName(), before, now);
    if (before.equals(now)) {
      return;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("before", clientIds(realm, before));
    details.put("after", clientIds(realm, now));
    boolean reverted = false;
    if (actor.holdsGrant()) {
      before.forEach(
          (clientId, flowId) -> {
            ClientModel client = realm.getClientById(clientId);
            if (client != null
                && !flowId.equals(client.getAuthenticationFlowBindingOverride("browser"))) {
              client.setAuthenticationFlowBindingOverride("browser", flowId);
            }
          });
      reverted = true;
    } else {
      PolicySnapshots.acceptBoundClients(session, realm);
    }
    record(
        session, realm, actor, event, "clients bound to the break-glass flow", details, reverted);
  }

  private static List<String> clientIds(RealmModel realm, Map<String, String> bound) {
    return bound.keySet().stream()
        .map(realm::getClientById)
        .filter(Objects::nonNull)
        .map(ClientModel::getClientId)
        .sorted()
        .toList();
  }

  private static void tokenCapChecked(
      KeycloakSession session, RealmModel realm, AdminEvent event, Actor actor) {
    List<String> repaired = TokenCapCoverage.ensure(realm);
    if (!repaired.isEmpty()) {
      record(session, realm, actor, event, "token cap", Map.of("repaired", repaired), true);
    }
  }

  /** A governed role renamed or its composites changed. A holder's rename is undone. */
  private static void governedRoleChanged(
      KeycloakSession session, RealmModel realm, AdminEvent event, Actor actor, String path) {
    List<GovernedRoleEntity> remembered = GovernanceStore.of(session).governedRoles(realm.getId());
    for (GovernedRoleEntity governed : remembered) {
      RoleModel role = realm.getRoleById(governed.getRoleId());
      if (role == null) {
        continue; // a deletion is handled where the role is removed
      }
      String now = GovernedRoles.qualifiedName(role);
      boolean renamed = !now.equals(governed.getRoleName());
      List<String> compositesWere = GovernedRoles.rememberedCompositeIds(governed);
      List<String> compositesNow = GovernedRoles.compositeIds(role);
      boolean compositesChanged = compositesWere != null && !compositesWere.equals(compositesNow);
      boolean touched = renamed || compositesChanged || mentions(path, role);
      if (!touched) {
        continue;
      }
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("roleId", role.getId());
      details.put("roleBefore", governed.getRoleName());
      details.put("roleAfter", now);
      details.put("compositesBefore", roleNames(realm, compositesWere));
      details.put("compositesAfter", roleNames(realm, compositesNow));
      boolean reverted = false;
      if (actor.holdsGrant()) {
        if (renamed) {
          String original = governed.getRoleName();
          role.setName(
              original.contains(".") && role.isClientRole()
                  ? original.substring(original.indexOf('.') + 1)
                  : original);
        }
        if (compositesChanged) {
          // More power for this grant and every later one: what was added goes, what was taken
          // returns.
          for (String added : compositesNow) {
            RoleModel composite = realm.getRoleById(added);
            if (!compositesWere.contains(added) && composite != null) {
              role.removeCompositeRole(composite);
            }
          }
          for (String taken : compositesWere) {
            RoleModel composite = realm.getRoleById(taken);
            if (!compositesNow.contains(taken) && composite != null) {
              role.addCompositeRole(composite);
            }
          }
        }
        reverted = renamed || compositesChanged;
      } else {
        // An admin's change is the new baseline.
        governed.setRoleName(now);
        governed.setCompositeIdsJson(GovernedRoles.compositesJson(role));
      }
      record(
          session,
          realm,
          actor,
          event,
          renamed
              ? "governed role renamed"
              : compositesChanged ? "governed role composites" : "governed role changed",
          details,
          reverted);
    }
  }

  private static List<String> roleNames(RealmModel realm, List<String> ids) {
    if (ids == null) {
      return null;
    }
    return ids.stream()
        .map(realm::getRoleById)
        .filter(Objects::nonNull)
        .map(GovernedRoles::qualifiedName)
        .sorted()
        .toList();
  }

  private static boolean mentions(String path, RoleModel role) {
    Matcher byId = ROLE_BY_ID.matcher(path);
    if (byId.matches()) {
      return byId.group(1).equals(role.getId());
    }
    return path.contains("roles/" + role.getName());
  }

  /** Someone joined or left the eligible group. A holder cannot add anyone. */
  private static void eligibleGroupChanged(
      KeycloakSession session, RealmModel realm, AdminEvent event, Actor actor, String path) {
    Matcher m = MEMBERSHIP.matcher(path);
    RealmPolicies.Loaded loaded = RealmPolicies.load(session, realm);
    if (!m.matches() || !loaded.isValid()) {
      return;
    }
    BreakGlassPolicy policy = loaded.policy();
    GroupModel eligible = RealmPolicies.findGroup(session, realm, policy);
    GroupModel approvers =
        RealmPolicies.approverGroupPath(realm)
            .map(groupPath -> KeycloakModelUtils.findGroupByPath(session, realm, groupPath))
            .orElse(null);
    GroupModel group;
    String what;
    if (eligible != null && eligible.getId().equals(m.group(2))) {
      group = eligible;
      what = "eligible group membership";
    } else if (approvers != null && approvers.getId().equals(m.group(2))) {
      group = approvers;
      what = "approver group membership";
    } else {
      return;
    }
    UserModel member = session.users().getUserById(realm, m.group(1));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("group", KeycloakModelUtils.buildGroupPath(group));
    details.put("userId", m.group(1));
    details.put("username", member == null ? null : member.getUsername());
    details.put("joined", event.getOperationType() == OperationType.CREATE);
    boolean reverted = false;
    if (actor.holdsGrant() && member != null && event.getOperationType() == OperationType.CREATE) {
      member.leaveGroup(group);
      reverted = true;
    }
    record(session, realm, actor, event, what, details, reverted);
  }

  private static Actor actor(KeycloakSession session, AuthDetails auth) {
    if (auth == null || auth.getUserId() == null || auth.getRealmId() == null) {
      return Actor.SYSTEM;
    }
    RealmModel actorRealm = session.realms().getRealm(auth.getRealmId());
    if (actorRealm == null) {
      return Actor.SYSTEM;
    }
    UserModel user = session.users().getUserById(actorRealm, auth.getUserId());
    boolean holds = GrantService.findActive(session, actorRealm, auth.getUserId()).isPresent();
    return new Actor(
        auth.getUserId(),
        user == null ? auth.getUserId() : user.getUsername(),
        actorRealm.getName(),
        holds);
  }

  /**
   * Writes the record; a governance change always alerts (AlertRules), whatever the policy says.
   */
  static void record(
      KeycloakSession session,
      RealmModel realm,
      Actor actor,
      AdminEvent event,
      String what,
      Map<String, Object> extra,
      boolean reverted) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("what", what);
    if (event != null) {
      details.put(
          "operation", event.getOperationType() == null ? null : event.getOperationType().name());
      details.put("resourceType", event.getResourceTypeAsString());
      details.put("resourcePath", event.getResourcePath());
    }
    details.put("actorRealm", actor.realmName());
    details.put("actorHoldsGrant", actor.holdsGrant());
    details.put("reverted", reverted);
    details.putAll(extra);
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_GOVERNANCE_CHANGED,
        new AuditTrail.Subject(null, actor.userId(), actor.username()),
        details);
    if (reverted) {
      LOG.warnf(
          "Break-glass governance change by grant holder %s in realm %s reverted: %s",
          actor.username(), realm.getName(), what);
    }
  }
}
