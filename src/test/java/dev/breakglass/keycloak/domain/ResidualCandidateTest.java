package dev.breakglass.keycloak.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.breakglass.keycloak.domain.ResidualCandidate.Kind;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResidualCandidateTest {

  @ParameterizedTest
  @CsvSource({
    "CREATE, USER, users/u1, USER, u1,",
    "ACTION, USER, users/u1/reset-password, CREDENTIAL, u1,",
    "CREATE, CLIENT, clients/c1, CLIENT, c1,",
    "CREATE, REALM_ROLE_MAPPING, users/u1/role-mappings/realm, ROLE_MAPPING, u1, users",
    "CREATE, CLIENT_ROLE_MAPPING, groups/g1/role-mappings/clients/c1, ROLE_MAPPING, g1, groups",
    "CREATE, GROUP_MEMBERSHIP, users/u1/groups/g1, GROUP_MEMBERSHIP, u1, g1",
    "CREATE, IDENTITY_PROVIDER, identity-provider/instances/evil-idp, IDENTITY_PROVIDER, evil-idp,"
  })
  void whatAnAdminActionLeavesBehind(
      String operation, String type, String path, Kind kind, String id, String otherId) {
    ResidualCandidate c = ResidualCandidate.of(operation, type, path).orElseThrow();
    assertEquals(kind, c.kind());
    assertEquals(id, c.id());
    assertEquals(otherId, c.otherId());
    assertEquals(path, c.path());
  }

  @Test
  void readsAndRemovalsLeaveNothing() {
    assertEquals(Optional.empty(), ResidualCandidate.of("DELETE", "USER", "users/u1"));
    assertEquals(Optional.empty(), ResidualCandidate.of("UPDATE", "REALM", ""));
    assertEquals(Optional.empty(), ResidualCandidate.of("CREATE", "USER", "users/u1/../x/y"));
    assertTrue(ResidualCandidate.of(null, "USER", "users/u1").isEmpty());
  }
}
