package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Changes keys of the demo realm's policy through the admin API, as an admin would, and puts the
 * policy back as it was: tests share one server and change policy between cases, never restart.
 */
final class PolicyChanges {

  /** The policy: the config of the activation required action. */
  static final String CONFIG =
      DemoRealm.REALM + "/authentication/required-actions/break-glass-activate/config";

  private final Supplier<AdminApi> api;
  private JsonNode original;

  PolicyChanges(Supplier<AdminApi> api) {
    this.api = api;
  }

  /** The saved policy's values. */
  JsonNode current() {
    AdminApi.Result result = api.get().get(CONFIG);
    assertEquals(200, result.status(), result.body());
    return result.json().get("config");
  }

  /** Sets these keys; the rest of the policy stays. */
  void set(Map<String, String> changes) {
    AdminApi.Result saved = attempt(changes);
    assertEquals(204, saved.status(), saved.body());
  }

  /**
   * Tries to save these keys over the current policy and returns the answer, for tests of what the
   * server refuses; what it accepted, {@link #restore()} undoes.
   */
  AdminApi.Result attempt(Map<String, String> changes) {
    JsonNode current = current();
    ObjectNode values = current.deepCopy();
    changes.forEach(values::put);
    ObjectNode body = Oidc.JSON.createObjectNode();
    body.set("config", values);
    AdminApi.Result result = api.get().put(CONFIG, body.toString());
    // A refused change left nothing to undo; restoring anyway would be a governance change of its
    // own.
    if (original == null && result.status() / 100 == 2) {
      original = current;
    }
    return result;
  }

  /** Puts back the policy as it was before the first change, if there was one. */
  void restore() {
    if (original == null) {
      return;
    }
    ObjectNode body = Oidc.JSON.createObjectNode();
    body.set("config", original);
    assertEquals(204, api.get().put(CONFIG, body.toString()).status());
    original = null;
  }
}
