package dev.breakglass.keycloak.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives a demo-realm user spare OTP credentials with the demo secret, through the admin REST API
 * (the server's bootstrap admin), the first time the harness signs that user in after the realm was
 * imported. Test-only: the demo realm itself has one authenticator per user.
 */
final class SpareCredentials {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private SpareCredentials() {}

  /**
   * Ensures the user of the realm behind {@code pageUrl} has {@code count} OTP credentials; returns
   * their ids.
   */
  static List<String> ensure(String pageUrl, String username, int count) {
    int realms = pageUrl.indexOf("/realms/");
    String base = pageUrl.substring(0, realms);
    String realm = pageUrl.substring(realms + "/realms/".length()).split("/", 2)[0];
    String token = Oidc.passwordToken(base, "master", "admin", "admin");
    String users = base + "/admin/realms/" + realm + "/users";
    JsonNode found = get(token, users + "?exact=true&username=" + Browser.enc(username));
    ObjectNode user = (ObjectNode) found.get(0);
    String id = user.get("id").asText();
    List<String> ids = otpIds(token, users + "/" + id + "/credentials");
    if (ids.size() < count) {
      ArrayNode credentials = user.putArray("credentials");
      for (int i = ids.size(); i < count; i++) {
        credentials.add(
            Oidc.JSON.valueToTree(DemoRealm.demoOtp("Spare demo authenticator " + (i + 1))));
      }
      send(token, "PUT", users + "/" + id, user.toString());
      ids = otpIds(token, users + "/" + id + "/credentials");
    }
    return ids;
  }

  private static List<String> otpIds(String token, String url) {
    List<String> ids = new ArrayList<>();
    for (JsonNode credential : get(token, url)) {
      if ("otp".equals(credential.path("type").asText())) {
        ids.add(credential.get("id").asText());
      }
    }
    return ids;
  }

  private static JsonNode get(String token, String url) {
    try {
      return Oidc.JSON.readTree(send(token, "GET", url, null));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String send(String token, String method, String url, String json) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token);
    if (json == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new AssertionError(
            method + " " + url + ": " + response.statusCode() + " " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
