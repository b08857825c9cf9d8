package dev.breakglass.keycloak.policy;

import dev.breakglass.keycloak.domain.BreakGlassIds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

/**
 * No token with a governed role outlives its grant, whichever client issued it: the client scope
 * holding the token-cap mapper is a realm default scope (so clients created later have it) and a
 * default scope of every OpenID Connect client, built-in ones included. What is missing is put
 * back, and said.
 */
public final class TokenCapCoverage {

  /** Name of the scope created when a realm with a policy has none holding the mapper. */
  public static final String SCOPE_NAME = "break-glass";

  private TokenCapCoverage() {}

  /** The scope that holds the token-cap mapper, if any. */
  public static Optional<ClientScopeModel> scope(RealmModel realm) {
    return realm
        .getClientScopesStream()
        .filter(s -> !s.getProtocolMapperByType(BreakGlassIds.TOKEN_CAP_MAPPER).isEmpty())
        .findFirst();
  }

  /**
   * Makes the token cap cover every client of the realm. Returns what had to be repaired (empty
   * when everything was in place).
   */
  public static List<String> ensure(RealmModel realm) {
    List<String> repaired = new ArrayList<>();
    ClientScopeModel scope = scope(realm).orElse(null);
    if (scope == null) {
      scope =
          realm
              .getClientScopesStream()
              .filter(s -> SCOPE_NAME.equals(s.getName()))
              .findFirst()
              .orElse(null);
      if (scope == null) {
        scope = realm.addClientScope(SCOPE_NAME);
        scope.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
        scope.setDescription("Break-glass token cap: tokens end with the grant behind them");
      }
      ProtocolMapperModel mapper = new ProtocolMapperModel();
      mapper.setName("break-glass token cap");
      mapper.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
      mapper.setProtocolMapper(BreakGlassIds.TOKEN_CAP_MAPPER);
      mapper.setConfig(new HashMap<>());
      scope.addProtocolMapper(mapper);
      repaired.add("token-cap mapper restored in client scope " + scope.getName());
    }
    String scopeId = scope.getId();
    if (realm.getDefaultClientScopesStream(true).noneMatch(s -> s.getId().equals(scopeId))) {
      realm.addDefaultClientScope(scope, true);
      repaired.add(
          "client scope " + scope.getName() + " restored among the realm's default scopes");
    }
    for (ClientModel client : realm.getClientsStream().toList()) {
      if (!OIDCLoginProtocol.LOGIN_PROTOCOL.equals(client.getProtocol())
          && client.getProtocol() != null) {
        continue;
      }
      if (!client.getClientScopes(true).containsKey(scope.getName())) {
        client.addClientScope(scope, true);
        repaired.add(
            "client scope " + scope.getName() + " added to client " + client.getClientId());
      }
    }
    return repaired;
  }
}
