package dev.breakglass.keycloak.ticket;

import dev.breakglass.keycloak.domain.TicketCheckPolicy;
import dev.breakglass.keycloak.domain.TicketCheckResult;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * {@code pattern}: the ticket pattern (checked by the activation form) is the whole check; every
 * well-formed ticket counts as open. Stateless singleton.
 */
public class PatternTicketCheckProviderFactory implements TicketCheckProviderFactory {

  public static final String PROVIDER_ID = TicketCheckPolicy.MODE_PATTERN;

  private static final TicketCheckProvider PROVIDER =
      new TicketCheckProvider() {
        @Override
        public TicketCheckResult check(TicketCheckPolicy policy, String ticket) {
          return TicketCheckResult.open(null);
        }

        @Override
        public void close() {}
      };

  @Override
  public TicketCheckProvider create(KeycloakSession session) {
    return PROVIDER;
  }

  @Override
  public void init(Config.Scope config) {}

  @Override
  public void postInit(KeycloakSessionFactory factory) {}

  @Override
  public void close() {}

  @Override
  public String getId() {
    return PROVIDER_ID;
  }
}
