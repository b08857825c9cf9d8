package dev.breakglass.keycloak.gate;

import dev.breakglass.keycloak.domain.BreakGlassIds;
import java.util.List;
import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

/** The break-glass gate; configured by the realm's policy, not per execution. */
public class BreakGlassAuthenticatorFactory implements AuthenticatorFactory {

  public static final String PROVIDER_ID = BreakGlassIds.AUTHENTICATOR;

  private static final BreakGlassAuthenticator SINGLETON = new BreakGlassAuthenticator();
  private static final AuthenticationExecutionModel.Requirement[] REQUIREMENT_CHOICES = {
    AuthenticationExecutionModel.Requirement.REQUIRED,
    AuthenticationExecutionModel.Requirement.DISABLED
  };

  @Override
  public String getId() {
    return PROVIDER_ID;
  }

  @Override
  public String getDisplayType() {
    return "Break-glass gate";
  }

  @Override
  public String getHelpText() {
    return "Lets only members of the break-glass policy's eligible group continue to emergency"
        + " activation; refuses and audits everyone else. Place after the step that"
        + " identifies the user.";
  }

  @Override
  public String getReferenceCategory() {
    return "break-glass";
  }

  @Override
  public boolean isConfigurable() {
    return false;
  }

  @Override
  public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
    return REQUIREMENT_CHOICES;
  }

  @Override
  public boolean isUserSetupAllowed() {
    return false;
  }

  @Override
  public List<ProviderConfigProperty> getConfigProperties() {
    return List.of();
  }

  @Override
  public Authenticator create(KeycloakSession session) {
    return SINGLETON;
  }

  @Override
  public void init(Config.Scope config) {}

  @Override
  public void postInit(KeycloakSessionFactory factory) {}

  @Override
  public void close() {}
}
