package dev.breakglass.keycloak.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Supplier;

/** Raw calls to the admin REST API (ours and Keycloak's), with a bearer token. */
public final class AdminApi {

  public record Result(int status, String body, String contentType) {
    public JsonNode json() {
      try {
        return Oidc.JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("Not JSON (status " + status + "): " + body, e);
      }
    }
  }

  private final String adminBase;
  private final Supplier<String> token;
  private final HttpClient http = HttpClient.newHttpClient();

  public AdminApi(String baseUrl, Supplier<String> token) {
    this.adminBase = baseUrl + "/admin/realms/";
    this.token = token;
  }

  public Result get(String path) {
    return send(HttpRequest.newBuilder(URI.create(adminBase + path)).GET());
  }

  public Result put(String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(adminBase + path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Result post(String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(adminBase + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Result delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(adminBase + path)).DELETE());
  }

  private Result send(HttpRequest.Builder builder) {
    String bearer = token.get();
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    try {
      HttpResponse<String> response =
          http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      return new Result(
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
