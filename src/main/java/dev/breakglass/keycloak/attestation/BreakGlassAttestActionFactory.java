package dev.breakglass.keycloak.attestation;

import dev.breakglass.keycloak.domain.BreakGlassIds;
import org.keycloak.Config;
import org.keycloak.authentication.RequiredActionFactory;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** The attestation required action: register and enable it in each realm that uses break-glass. */
public class BreakGlassAttestActionFactory implements RequiredActionFactory {

  public static final String PROVIDER_ID = BreakGlassIds.ATTEST_ACTION;

  private static final BreakGlassAttestAction SINGLETON = new BreakGlassAttestAction();

  @Override
  public String getId() {
    return PROVIDER_ID;
  }

  @Override
  public String getDisplayText() {
    return "Break-glass attestation";
  }

  @Override
  public RequiredActionProvider create(KeycloakSession session) {
    return SINGLETON;
  }

  @Override
  public void init(Config.Scope config) {}

  @Override
  public void postInit(KeycloakSessionFactory factory) {}

  @Override
  public void close() {}
}
