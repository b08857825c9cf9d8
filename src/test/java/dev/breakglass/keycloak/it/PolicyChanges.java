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

  static final String CONFIG = DemoRealm.REALM + "/authentication/required-actions/break-glass-activate/config";

  private final Supplier<AdminApi> api;
  private JsonNode original;

  PolicyChanges(Supplier<AdminApi> api) {
    this.api = api;
  }

  /** Sets these keys; the rest of the policy stays. */
  void set(Map<String, String> changes) {
    JsonNode current = api.get().get(CONFIG).json().get("config");
    if (original == null) {
      original = current.deepCopy();
    }
    ObjectNode values = current.deepCopy();
    changes.forEach(values::put);
    ObjectNode body = Oidc.JSON.createObjectNode();
    body.set("config", values);
    AdminApi.Result saved = api.get().put(CONFIG, body.toString());
    assertEquals(204, saved.status(), saved.body());
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
