package dev.breakglass.keycloak.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.breakglass.keycloak.drift.DriftReconciler.Scope;
import org.junit.jupiter.api.Test;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.ResourceType;

/** Which admin changes are checked for drift, and how narrowly. */
class DriftScopeTest {

  private static Scope scope(ResourceType type, String path) {
    AdminEvent event = new AdminEvent();
    event.setResourceType(type);
    event.setResourcePath(path);
    return BreakGlassEventListenerProvider.driftScope(event);
  }

  @Test
  void aUsersRoleMappingIsCheckedOnThatUser() {
    assertEquals(
        Scope.user("u-1"), scope(ResourceType.REALM_ROLE_MAPPING, "users/u-1/role-mappings/realm"));
    assertEquals(
        Scope.user("u-1"),
        scope(ResourceType.CLIENT_ROLE_MAPPING, "users/u-1/role-mappings/clients/c-9"));
  }

  @Test
  void aGroupsRoleMappingIsCheckedOnThatGroup() {
    assertEquals(
        Scope.group("g-1"),
        scope(ResourceType.REALM_ROLE_MAPPING, "groups/g-1/role-mappings/realm"));
    assertEquals(Scope.group("g-1"), scope(ResourceType.GROUP, "groups/g-1"));
  }

  @Test
  void compositesAreCheckedAsComposites() {
    assertEquals(Scope.COMPOSITES, scope(ResourceType.REALM_ROLE, "roles/ops/composites"));
    assertEquals(
        Scope.COMPOSITES,
        scope(ResourceType.CLIENT_ROLE, "roles-by-id/r-1/composites/clients/c-1"));
  }

  @Test
  void roleChangesThePolicyAndImportsCheckTheWholeRealm() {
    assertEquals(Scope.ALL, scope(ResourceType.REALM_ROLE, "roles-by-id/r-1"));
    assertEquals(
        Scope.ALL,
        scope(ResourceType.REQUIRED_ACTION_CONFIG, "authentication/required-actions/x/config"));
    assertEquals(Scope.ALL, scope(ResourceType.REALM, "partialImport"));
    assertEquals(Scope.ALL, scope(ResourceType.GROUP, "groups"));
  }

  @Test
  void changesThatCannotHandOutARoleAreNotChecked() {
    assertNull(scope(ResourceType.REALM, ""));
    assertNull(scope(ResourceType.GROUP_MEMBERSHIP, "users/u-1/groups/g-1"));
    assertNull(scope(ResourceType.USER, "users/u-1"));
    assertNull(scope(ResourceType.CLIENT, "clients/c-1"));
  }
}
