package dev.breakglass.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * The break-glass admin API as the tests call it: its paths, the status checks on reads, and the
 * policy changes to undo, in one place. One per test class, as a field.
 */
final class BreakGlassAdmin {

  /** The break-glass admin resource of the demo realm, relative to {@code /admin/realms/}. */
  static final String BASE = DemoRealm.REALM + "/break-glass/";

  private final Supplier<AdminApi> api;
  private final PolicyChanges policy;

  private BreakGlassAdmin(Supplier<AdminApi> api) {
    this.api = api;
    this.policy = new PolicyChanges(api);
  }

  /**
   * As the test framework's admin client on the shared server. Takes suppliers because the
   * framework injects {@code urls} and {@code admin} after the test instance (and its fields)
   * exist.
   */
  static BreakGlassAdmin of(Supplier<KeycloakUrls> urls, Supplier<Keycloak> admin) {
    return new BreakGlassAdmin(
        memoized(
            () ->
                new AdminApi(
                    urls.get().getBase(),
                    () -> admin.get().tokenManager().getAccessTokenString())));
  }

  /** Over a server of the test's own (its own base URL and token). */
  static BreakGlassAdmin over(AdminApi api) {
    return new BreakGlassAdmin(() -> api);
  }

  /** The raw API, for Keycloak's own endpoints and for calls whose status is the point. */
  AdminApi api() {
    return api.get();
  }

  /** GET on the break-glass resource, {@code path} relative to {@link #BASE}. */
  AdminApi.Result get(String path) {
    return api().get(BASE + path);
  }

  /** POST on the break-glass resource, {@code path} relative to {@link #BASE}. */
  AdminApi.Result post(String path, String json) {
    return api().post(BASE + path, json);
  }

  /** The policy of the demo realm; {@link TestReset} puts back what a test changed. */
  PolicyChanges policy() {
    return policy;
  }

  /** Every grant of the user (by name or id), whatever its status. */
  JsonNode grants(String user) {
    return ok(get("grants?user=" + user));
  }

  JsonNode activeGrants(String user) {
    return ok(get("grants?status=ACTIVE&user=" + user));
  }

  /** Every ACTIVE grant of the realm. */
  JsonNode activeGrants() {
    return ok(get("grants?status=ACTIVE"));
  }

  /** The id of the user's (first) ACTIVE grant; fails when there is none. */
  String activeGrantId(String user) {
    JsonNode active = activeGrants(user);
    assertFalse(active.isEmpty(), "no ACTIVE grant for " + user);
    return active.get(0).get("id").asText();
  }

  JsonNode grant(String id) {
    return ok(get("grants/" + id));
  }

  /** Revokes with this reason, or with an empty body when {@code reason} is null. */
  AdminApi.Result revoke(String id, String reason) {
    String body =
        reason == null ? "{}" : Oidc.JSON.createObjectNode().put("reason", reason).toString();
    return post("grants/" + id + "/revoke", body);
  }

  AdminApi.Result revoke(String id) {
    return revoke(id, null);
  }

  /** The realm's audit trail, oldest first (the first 1000 records: more than any test writes). */
  JsonNode audit() {
    return ok(get("audit?max=1000"));
  }

  /** The audit records of one grant, oldest first. */
  List<JsonNode> auditOf(String grantId) {
    List<JsonNode> records = new ArrayList<>();
    for (JsonNode r : audit()) {
      if (grantId.equals(r.path("grantId").asText())) {
        records.add(r);
      }
    }
    return records;
  }

  /** The audit records of one grant and type, oldest first. */
  List<JsonNode> auditOf(String grantId, String type) {
    return auditOf(grantId).stream().filter(r -> type.equals(r.get("type").asText())).toList();
  }

  /** The audit records of a type, of any grant or none, oldest first. */
  List<JsonNode> auditOfType(String type) {
    List<JsonNode> records = new ArrayList<>();
    for (JsonNode r : audit()) {
      if (type.equals(r.get("type").asText())) {
        records.add(r);
      }
    }
    return records;
  }

  private static JsonNode ok(AdminApi.Result result) {
    assertEquals(200, result.status(), result.body());
    return result.json();
  }

  private static <T> Supplier<T> memoized(Supplier<T> make) {
    return new Supplier<>() {
      private T value;

      @Override
      public T get() {
        if (value == null) {
          value = make.get();
        }
        return value;
      }
    };
  }
}
