package dev.breakglass.keycloak.alert;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.keycloak.http.simple.SimpleHttp;
import org.keycloak.http.simple.SimpleHttpResponse;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * POSTs an alert to the realm's webhook (or the operator's) through Keycloak's shared HTTP client:
 * the stored payload, byte for byte on every retry, signed with HMAC-SHA256 under that webhook's
 * secret. Any 2xx is delivery; anything else, or no answer within the timeout, is retried.
 */
final class WebhookChannel {

  private WebhookChannel() {}

  static AlertDispatcher.Outcome send(
      KeycloakSessionFactory factory, AlertDispatcher.Claimed alert, int timeoutMillis) {
    if (!alert.channels().hasWebhook()) {
      return new AlertDispatcher.Outcome(
          "no valid webhook is configured in the realm's break-glass policy");
    }
    return post(
        factory,
        alert,
        alert.channels().webhookUrl(),
        alert.channels().webhookSecret(),
        timeoutMillis);
  }

  /** To the operator's webhook from the server options, signed under the operator's secret. */
  static AlertDispatcher.Outcome sendToOperator(
      KeycloakSessionFactory factory,
      AlertDispatcher.Claimed alert,
      OperatorChannel operator,
      int timeoutMillis) {
    if (!operator.configured()) {
      return new AlertDispatcher.Outcome(
          "no operator webhook is configured (server option operator-webhook-url)");
    }
    return post(factory, alert, operator.url(), operator.secret(), timeoutMillis);
  }

  private static AlertDispatcher.Outcome post(
      KeycloakSessionFactory factory,
      AlertDispatcher.Claimed alert,
      String url,
      String secret,
      int timeoutMillis) {
    RequestConfig timeouts =
        RequestConfig.custom()
            .setConnectTimeout(timeoutMillis)
            .setConnectionRequestTimeout(timeoutMillis)
            .setSocketTimeout(timeoutMillis)
            .build();
    // A session only for the HTTP client provider; no transaction is open while we wait on the
    // network.
    try (KeycloakSession session = factory.create()) {
      try (SimpleHttpResponse response =
          SimpleHttp.create(session)
              .withRequestConfig(timeouts)
              .doPost(url)
              .header(AlertPayload.ID_HEADER, alert.id())
              .header(AlertPayload.EVENT_HEADER, alert.eventType())
              .header(
                  AlertPayload.SIGNATURE_HEADER, AlertPayload.signature(secret, alert.payload()))
              .entity(
                  new StringEntity(
                      alert.payload(),
                      ContentType.APPLICATION_JSON.withCharset(StandardCharsets.UTF_8)))
              .asResponse()) {
        int status = response.getStatus();
        return status >= 200 && status < 300
            ? AlertDispatcher.Outcome.DELIVERED
            : new AlertDispatcher.Outcome("webhook at " + host(url) + " answered HTTP " + status);
      }
    } catch (IOException e) {
      return new AlertDispatcher.Outcome(
          "webhook at "
              + host(url)
              + " unreachable: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
  }

  /** Only the host goes to logs: a webhook URL's path is often itself a secret (Slack, Teams). */
  static String host(String url) {
    try {
      return URI.create(url).getHost();
    } catch (IllegalArgumentException e) {
      return "(invalid URL)";
    }
  }
}
