package dev.breakglass.keycloak.token;

import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.grant.PossibleHolders;
import dev.breakglass.keycloak.policy.GovernedRoles;
import dev.breakglass.keycloak.store.GrantEntity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.keycloak.common.util.Time;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.ProtocolMapperUtils;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCIDTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.IDToken;

/**
 * No token outlives the grant behind it. For a user with a live grant, every access and ID token
 * expires no later than the grant ({@code exp} capped) and names it in a {@value #CLAIM} claim.
 * Without a live grant, governed roles are taken out of the token, whatever mappings exist (drift,
 * or a grant whose sweep is a moment away). Runs after the role mappers.
 */
public class BreakGlassTokenCapMapper extends AbstractOIDCProtocolMapper
    implements OIDCAccessTokenMapper,
        OIDCIDTokenMapper,
        UserInfoTokenMapper,
        TokenIntrospectionTokenMapper {

  public static final String PROVIDER_ID = "break-glass-token-cap";
  public static final String CLAIM = "break_glass";

  @Override
  public String getId() {
    return PROVIDER_ID;
  }

  @Override
  public String getDisplayType() {
    return "Break-glass token cap";
  }

  @Override
  public String getDisplayCategory() {
    return TOKEN_MAPPER_CATEGORY;
  }

  @Override
  public String getHelpText() {
    return "Caps token expiry at the end of the user's break-glass grant, adds a break_glass claim"
        + " naming it, and removes governed roles from tokens of users without an active"
        + " grant.";
  }

  @Override
  public List<ProviderConfigProperty> getConfigProperties() {
    return List.of();
  }

  @Override
  public int getPriority() {
    // After every role mapper, so the roles it may strip are already in the token.
    return ProtocolMapperUtils.PRIORITY_ROLE_MAPPER + 1000;
  }

  @Override
  public AccessToken transformAccessToken(
      AccessToken token,
      ProtocolMapperModel mappingModel,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext clientSessionCtx) {
    apply(token, session, userSession);
    return token;
  }

  @Override
  public AccessToken transformIntrospectionToken(
      AccessToken token,
      ProtocolMapperModel mappingModel,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext clientSessionCtx) {
    apply(token, session, userSession);
    return token;
  }

  @Override
  public AccessToken transformUserInfoToken(
      AccessToken token,
      ProtocolMapperModel mappingModel,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext clientSessionCtx) {
    apply(token, session, userSession);
    return token;
  }

  @Override
  public IDToken transformIDToken(
      IDToken token,
      ProtocolMapperModel mappingModel,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext clientSessionCtx) {
    apply(token, session, userSession);
    return token;
  }

  private static void apply(IDToken token, KeycloakSession session, UserSessionModel userSession) {
    RealmModel realm = userSession.getRealm();
    if (!PossibleHolders.mayHoldGrant(session, realm, userSession.getUser())) {
      return; // holds no role a grant could give: nothing to cap, nothing to strip
    }
    Optional<GrantEntity> grant =
        GrantService.findActive(session, realm, userSession.getUser().getId())
            .filter(g -> g.getExpiresAt() > Time.currentTimeMillis());
    if (grant.isPresent()) {
      long endSeconds = grant.get().getExpiresAt() / 1000;
      if (token.getExp() == null || token.getExp() > endSeconds) {
        token.exp(endSeconds);
      }
      Map<String, Object> claim = new LinkedHashMap<>();
      claim.put("grant_id", grant.get().getId());
      claim.put("expires_at", Instant.ofEpochMilli(grant.get().getExpiresAt()).toString());
      claim.put(
          "roles",
          GrantService.grantedRoles(realm, grant.get()).stream()
              .map(GovernedRoles::qualifiedName)
              .toList());
      token.getOtherClaims().put(CLAIM, claim);
    } else if (token instanceof AccessToken access) {
      stripGovernedRoles(access, session, realm);
    }
  }

  private static void stripGovernedRoles(
      AccessToken token, KeycloakSession session, RealmModel realm) {
    // By id, and the last valid policy's roles when the policy is broken: a rename hides nothing.
    for (RoleModel role : GovernedRoles.of(session, realm)) {
      if (role.isClientRole() && role.getContainer() instanceof ClientModel client) {
        AccessToken.Access access = token.getResourceAccess(client.getClientId());
        if (access != null && access.getRoles() != null) {
          access.getRoles().remove(role.getName());
        }
      } else if (token.getRealmAccess() != null && token.getRealmAccess().getRoles() != null) {
        Set<String> roles = token.getRealmAccess().getRoles();
        roles.remove(role.getName());
      }
    }
  }
}
