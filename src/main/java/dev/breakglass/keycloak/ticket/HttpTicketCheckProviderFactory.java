package dev.breakglass.keycloak.ticket;

import dev.breakglass.keycloak.domain.TicketCheckPolicy;
import java.net.http.HttpClient;
import java.time.Duration;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * {@code http}: asks the incident system configured in the policy. One JDK HTTP client per node,
 * never following redirects (a redirect could lead to any host).
 */
public class HttpTicketCheckProviderFactory implements TicketCheckProviderFactory {

  public static final String PROVIDER_ID = TicketCheckPolicy.MODE_HTTP;

  /** Connecting, sending and reading the whole answer together take at most this long. */
  public static final Duration TOTAL_TIMEOUT = Duration.ofSeconds(3);

  private HttpClient client;

  @Override
  public TicketCheckProvider create(KeycloakSession session) {
    return new HttpTicketCheckProvider(client);
  }

  @Override
  public void init(Config.Scope config) {
    client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(TOTAL_TIMEOUT)
            .build();
  }

  @Override
  public void postInit(KeycloakSessionFactory factory) {}

  @Override
  public void close() {}

  @Override
  public String getId() {
    return PROVIDER_ID;
  }
}
