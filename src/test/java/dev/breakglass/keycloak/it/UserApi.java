package dev.breakglass.keycloak.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The user API at {@code /realms/{realm}/break-glass/} as a realm user calls it, with the bearer
 * token of their own login (or none).
 */
final class UserApi {

  private final String base;
  private final String token;
  private final HttpClient http = HttpClient.newHttpClient();

  UserApi(String baseUrl, String realm, String token) {
    this.base = baseUrl + "/realms/" + realm + "/break-glass/";
    this.token = token;
  }

  AdminApi.Result get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  AdminApi.Result post(String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** A POST without a body, as a button that only names the action sends it. */
  AdminApi.Result post(String path) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** A POST with any media type and body, well-formed or not. */
  AdminApi.Result post(String path, String contentType, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private AdminApi.Result send(HttpRequest.Builder builder) {
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response =
          http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      return new AdminApi.Result(
          response.statusCode(),
          response.body(),
          response.headers().firstValue("Content-Type").orElse(null));
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
