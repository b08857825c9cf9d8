package dev.breakglass.keycloak.policy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.BreakGlassIds;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GovernanceStore;
import dev.breakglass.keycloak.store.PolicySnapshotEntity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionConfigModel;
import org.keycloak.util.JsonSerialization;

/**
 * The realm's last valid policy, kept out of any realm admin's reach: compared with the policy in
 * force to see what changed, and put back when the holder of an active grant changes it.
 */
public final class PolicySnapshots {

  private PolicySnapshots() {}

  /** The last valid policy's config, if one was ever seen. */
  public static Optional<Map<String, String>> lastValid(KeycloakSession session, RealmModel realm) {
    return GovernanceStore.of(session).snapshot(realm.getId()).map(s -> parse(s.getConfigJson()));
  }

  /**
   * Takes the policy in force as the new baseline when it is valid (and its roles as the governed
   * roles); when it is invalid, keeps the last valid one and marks the state invalid. Returns
   * whether the policy's validity changed.
   */
  public static boolean accept(KeycloakSession session, RealmModel realm) {
    RealmPolicies.Loaded loaded = RealmPolicies.load(session, realm);
    GovernanceStore store = GovernanceStore.of(session);
    Optional<PolicySnapshotEntity> existing = store.snapshot(realm.getId());
    if (existing.isEmpty() && loaded.isValid()) {
      // A realm's first snapshot: the periodic reconciliation and an admin change can both find
      // none. The realm's chain lock makes the second wait for the first to commit and then see
      // its row, instead of failing on the duplicate key (which would roll the admin change back).
      AuditTrail.lockChain(session, realm);
      existing = store.snapshot(realm.getId());
    }
    boolean validBefore = existing.map(PolicySnapshotEntity::isValid).orElse(true);
    if (loaded.isValid()) {
      String config = toJson(RealmPolicies.rawConfig(realm));
      // Unchanged and valid: nothing to write (this runs on every reconciliation).
      if (existing.isEmpty()
          || !existing.get().isValid()
          || !config.equals(existing.get().getConfigJson())) {
        PolicySnapshotEntity snapshot = existing.orElseGet(PolicySnapshotEntity::new);
        snapshot.setRealmId(realm.getId());
        snapshot.setConfigJson(config);
        snapshot.setValid(true);
        snapshot.setTakenAt(DbClock.nowMillis(session));
        if (existing.isEmpty()) {
          store.persist(snapshot);
        }
      }
      GovernedRoles.remember(session, realm, loaded.policy());
      if (existing.isEmpty() || existing.get().getBoundClientsJson() == null) {
        acceptBoundClients(session, realm);
      }
      if (existing.isEmpty() || existing.get().getFlowsJson() == null) {
        acceptFlowState(session, realm);
      }
    } else {
      existing.ifPresent(s -> s.setValid(false));
    }
    return validBefore != loaded.isValid();
  }

  /**
   * Clients whose browser login is bound to a flow holding the gate, by client id to flow id:
   * taking a client off that flow is a governance change.
   */
  public static Map<String, String> boundClients(RealmModel realm) {
    Set<String> gateFlows = new HashSet<>();
    realm
        .getAuthenticationFlowsStream()
        .forEach(
            flow -> {
              if (realm
                  .getAuthenticationExecutionsStream(flow.getId())
                  .anyMatch(e -> BreakGlassIds.AUTHENTICATOR.equals(e.getAuthenticator()))) {
                gateFlows.add(flow.getId());
              }
            });
    Map<String, String> bound = new TreeMap<>();
    realm
        .getClientsStream()
        .forEach(
            client -> {
              String flow = client.getAuthenticationFlowBindingOverride("browser");
              if (flow != null && gateFlows.contains(flow)) {
                bound.put(client.getId(), flow);
              }
            });
    return bound;
  }

  /** The bound clients as last accepted; empty when never observed. */
  public static Map<String, String> lastBoundClients(KeycloakSession session, RealmModel realm) {
    return GovernanceStore.of(session)
        .snapshot(realm.getId())
        .map(PolicySnapshotEntity::getBoundClientsJson)
        .map(PolicySnapshots::parse)
        .orElse(Map.of());
  }

  /** Takes the bindings in force as the new baseline (there must be a snapshot already). */
  public static void acceptBoundClients(KeycloakSession session, RealmModel realm) {
    String now = toJson(boundClients(realm));
    GovernanceStore.of(session)
        .snapshot(realm.getId())
        .filter(s -> !now.equals(s.getBoundClientsJson()))
        .ifPresent(s -> s.setBoundClientsJson(now));
  }

  /**
   * The executions of every flow that holds the gate, its sub-flows included, by execution id:
   * parent flow, authenticator or sub-flow, requirement, priority, config.
   */
  public static Map<String, Map<String, Object>> flowState(RealmModel realm) {
    Map<String, Map<String, Object>> state = new TreeMap<>();
    realm
        .getAuthenticationFlowsStream()
        .filter(flow -> flow.isTopLevel() && holdsGate(realm, flow.getId(), 0))
        .forEach(flow -> collect(realm, flow.getId(), state, 0));
    return state;
  }

  private static boolean holdsGate(RealmModel realm, String flowId, int depth) {
    return depth < 10
        && realm
            .getAuthenticationExecutionsStream(flowId)
            .anyMatch(
                e ->
                    BreakGlassIds.AUTHENTICATOR.equals(e.getAuthenticator())
                        || (e.isAuthenticatorFlow() && holdsGate(realm, e.getFlowId(), depth + 1)));
  }

  private static void collect(
      RealmModel realm, String flowId, Map<String, Map<String, Object>> state, int depth) {
    if (depth >= 10) {
      return;
    }
    realm
        .getAuthenticationExecutionsStream(flowId)
        .forEach(
            e -> {
              // No null values: the stored JSON leaves them out, and the two must compare equal.
              Map<String, Object> execution = new TreeMap<>();
              putIfSet(execution, "parentFlow", e.getParentFlow());
              putIfSet(execution, "authenticator", e.getAuthenticator());
              putIfSet(execution, "subFlow", e.getFlowId());
              putIfSet(
                  execution,
                  "requirement",
                  e.getRequirement() == null ? null : e.getRequirement().name());
              execution.put("priority", e.getPriority());
              putIfSet(execution, "config", e.getAuthenticatorConfig());
              state.put(e.getId(), execution);
              if (e.isAuthenticatorFlow() && e.getFlowId() != null) {
                collect(realm, e.getFlowId(), state, depth + 1);
              }
            });
  }

  private static void putIfSet(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  /** The flow state as last accepted; empty when never observed. */
  public static Map<String, Map<String, Object>> lastFlowState(
      KeycloakSession session, RealmModel realm) {
    return GovernanceStore.of(session)
        .snapshot(realm.getId())
        .map(PolicySnapshotEntity::getFlowsJson)
        .map(PolicySnapshots::parseFlows)
        .orElse(Map.of());
  }

  /** Takes the flow state in force as the new baseline (there must be a snapshot already). */
  public static void acceptFlowState(KeycloakSession session, RealmModel realm) {
    String now = toJson(flowState(realm));
    GovernanceStore.of(session)
        .snapshot(realm.getId())
        .filter(s -> !now.equals(s.getFlowsJson()))
        .ifPresent(s -> s.setFlowsJson(now));
  }

  /**
   * Puts the break-glass flow back as last accepted: requirements and priorities restored, removed
   * executions added again, executions added since removed. Returns what was done.
   */
  public static List<String> restoreFlowState(KeycloakSession session, RealmModel realm) {
    Map<String, Map<String, Object>> last = lastFlowState(session, realm);
    List<String> done = new ArrayList<>();
    if (last.isEmpty()) {
      return done;
    }
    Map<String, Map<String, Object>> now = flowState(realm);
    for (Map.Entry<String, Map<String, Object>> entry : last.entrySet()) {
      Map<String, Object> was = entry.getValue();
      AuthenticationExecutionModel execution = realm.getAuthenticationExecutionById(entry.getKey());
      String requirement = (String) was.get("requirement");
      if (execution == null) {
        if (was.get("subFlow") != null
            && realm.getAuthenticationFlowById((String) was.get("subFlow")) == null) {
          continue; // a removed sub-flow cannot be brought back from here
        }
        AuthenticationExecutionModel again = new AuthenticationExecutionModel();
        again.setParentFlow((String) was.get("parentFlow"));
        again.setAuthenticator((String) was.get("authenticator"));
        again.setFlowId((String) was.get("subFlow"));
        again.setAuthenticatorFlow(was.get("subFlow") != null);
        again.setAuthenticatorConfig((String) was.get("config"));
        again.setPriority(((Number) was.get("priority")).intValue());
        again.setRequirement(AuthenticationExecutionModel.Requirement.valueOf(requirement));
        realm.addAuthenticatorExecution(again);
        done.add("execution " + was.get("authenticator") + " added again");
      } else if (requirement != null
          && (!requirement.equals(String.valueOf(execution.getRequirement()))
              || ((Number) was.get("priority")).intValue() != execution.getPriority())) {
        execution.setRequirement(AuthenticationExecutionModel.Requirement.valueOf(requirement));
        execution.setPriority(((Number) was.get("priority")).intValue());
        realm.updateAuthenticatorExecution(execution);
        done.add("execution " + execution.getAuthenticator() + " back to " + requirement);
      }
    }
    for (String id : now.keySet()) {
      if (!last.containsKey(id)) {
        AuthenticationExecutionModel added = realm.getAuthenticationExecutionById(id);
        if (added != null && !added.isAuthenticatorFlow()) {
          realm.removeAuthenticatorExecution(added);
          done.add("execution " + added.getAuthenticator() + " removed");
        }
      }
    }
    return done;
  }

  private static Map<String, Map<String, Object>> parseFlows(String json) {
    try {
      return JsonSerialization.readValue(
          json, new TypeReference<TreeMap<String, Map<String, Object>>>() {});
    } catch (IOException e) {
      return Map.of();
    }
  }

  /** Puts the last valid policy back in force. Returns false when there is none to put back. */
  public static boolean restore(KeycloakSession session, RealmModel realm) {
    Optional<Map<String, String>> last = lastValid(session, realm);
    if (last.isEmpty()) {
      return false;
    }
    RequiredActionConfigModel model =
        realm.getRequiredActionConfigByAlias(BreakGlassIds.POLICY_HOLDER);
    if (model == null) {
      model = new RequiredActionConfigModel();
      model.setAlias(BreakGlassIds.POLICY_HOLDER);
      model.setProviderId(BreakGlassIds.POLICY_HOLDER);
    }
    model.setConfig(new LinkedHashMap<>(last.get()));
    realm.updateRequiredActionConfig(model);
    return true;
  }

  /** What differs between two policies, key by key: secrets never shown, only that they changed. */
  public static Map<String, Object> diff(Map<String, String> before, Map<String, String> after) {
    Map<String, Object> changes = new TreeMap<>();
    TreeMap<String, String> keys = new TreeMap<>(before);
    keys.putAll(after);
    for (String key : keys.keySet()) {
      String was = before.get(key);
      String now = after.get(key);
      if (was == null ? now == null : was.equals(now)) {
        continue;
      }
      Map<String, Object> change = new LinkedHashMap<>();
      String lower = key.toLowerCase(Locale.ROOT);
      boolean secret = lower.contains("secret") || lower.contains("authorization");
      change.put("before", secret ? (was == null ? null : "(secret)") : was);
      change.put("after", secret ? (now == null ? null : "(secret, changed)") : now);
      changes.put(key, change);
    }
    return changes;
  }

  private static String toJson(Map<String, ?> config) {
    try {
      return JsonSerialization.writeValueAsString(new TreeMap<>(config));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> parse(String json) {
    try {
      return JsonSerialization.readValue(
          json, new TypeReference<LinkedHashMap<String, String>>() {});
    } catch (IOException e) {
      return Map.of();
    }
  }
}
