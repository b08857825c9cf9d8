package dev.breakglass.keycloak.ticket;

import dev.breakglass.keycloak.domain.PolicyParser;
import dev.breakglass.keycloak.domain.TicketCheckPolicy;
import dev.breakglass.keycloak.domain.TicketCheckResult;
import dev.breakglass.keycloak.policy.RealmPolicies;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/** Runs the realm's ticket check through the provider its policy names. */
public final class IncidentChecks {

  private IncidentChecks() {}

  public static TicketCheckPolicy policyOf(RealmModel realm) {
    return PolicyParser.ticketCheckOf(RealmPolicies.rawConfig(realm));
  }

  /**
   * The incident system's answer for {@code ticket}. Runs on the caller's thread, inside its
   * transaction, bounded by the provider's timeout (3 s for {@code http}).
   */
  public static TicketCheckResult check(
      KeycloakSession session, TicketCheckPolicy policy, String ticket) {
    TicketCheckProvider provider = session.getProvider(TicketCheckProvider.class, policy.mode());
    if (provider == null) {
      return TicketCheckResult.failed("no ticket check provider " + policy.mode());
    }
    return provider.check(policy, ticket);
  }
}
