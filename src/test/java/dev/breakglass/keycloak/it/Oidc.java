package dev.breakglass.keycloak.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/** The authorization-code flow with PKCE, as a public client such as ops-console runs it. */
public final class Oidc {

  public static final ObjectMapper JSON = new ObjectMapper();

  private final String realmUrl;
  private final String clientId;
  private final String redirectUri;
  private final String verifier;

  public Oidc(String baseUrl, String realm, String clientId, String redirectUri) {
    this.realmUrl = baseUrl + "/realms/" + realm;
    this.clientId = clientId;
    this.redirectUri = redirectUri;
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    this.verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  public String authorizeUrl() {
    return authorizeUrl(null);
  }

  public String authorizeUrl(String kcAction) {
    String url =
        realmUrl
            + "/protocol/openid-connect/auth?response_type=code&scope=openid"
            + "&client_id="
            + Browser.enc(clientId)
            + "&redirect_uri="
            + Browser.enc(redirectUri)
            + "&code_challenge_method=S256&code_challenge="
            + challenge();
    return kcAction == null ? url : url + "&kc_action=" + Browser.enc(kcAction);
  }

  /** The code from the redirect back to the application. */
  public static String code(Browser.Page redirect) {
    String query = URI.create(redirect.location()).getRawQuery();
    for (String pair : query.split("&")) {
      if (pair.startsWith("code=")) {
        return URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
      }
    }
    throw new AssertionError("No code in redirect " + redirect.location());
  }

  public JsonNode exchange(String code) {
    return tokenRequest(
        "grant_type=authorization_code&code="
            + Browser.enc(code)
            + "&redirect_uri="
            + Browser.enc(redirectUri)
            + "&code_verifier="
            + verifier);
  }

  public JsonNode refresh(String refreshToken) {
    return tokenRequest("grant_type=refresh_token&refresh_token=" + Browser.enc(refreshToken));
  }

  private JsonNode tokenRequest(String form) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(realmUrl + "/protocol/openid-connect/token"))
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              form + "&client_id=" + Browser.enc(clientId)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("_status", response.statusCode());
      return body;
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * A token for a user by the password grant of the realm's admin-cli client (admin API callers).
   */
  public static String passwordToken(
      String baseUrl, String realm, String username, String password) {
    return passwordTokens(baseUrl, realm, username, password, "").get("access_token").asText();
  }

  /**
   * The token response of {@link #passwordToken} asking for scope {@code offline_access}: its
   * refresh token is an offline token, and the user gets an offline session.
   */
  public static JsonNode offlineTokens(
      String baseUrl, String realm, String username, String password) {
    return passwordTokens(baseUrl, realm, username, password, "&scope=offline_access");
  }

  private static JsonNode passwordTokens(
      String baseUrl, String realm, String username, String password, String extra) {
    // A user with OTP sends a code; one the harness believed unused may have been used already
    // (single-use codes), so a refusal is retried with the next one.
    int attempts = !"master".equals(realm) && Totp.has(username) ? 4 : 1;
    AssertionError last = null;
    for (int i = 0; i < attempts; i++) {
      try {
        return passwordTokensOnce(baseUrl, realm, username, password, extra);
      } catch (AssertionError e) {
        last = e;
      }
    }
    throw last;
  }

  private static JsonNode passwordTokensOnce(
      String baseUrl, String realm, String username, String password, String extra) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              baseUrl + "/realms/" + realm + "/protocol/openid-connect/token"))
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "grant_type=password&client_id=admin-cli&username="
                                  + Browser.enc(username)
                                  + "&password="
                                  + Browser.enc(password)
                                  + otpParameter(realm, username)
                                  + extra))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError(
            "No token for " + username + ": " + response.statusCode() + " " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * The realm's direct-grant flow asks users with an OTP credential for a code ({@code totp}); the
   * master realm's admin has none.
   */
  private static String otpParameter(String realm, String username) {
    return !"master".equals(realm) && Totp.has(username) ? "&totp=" + Totp.next(username) : "";
  }

  /** The payload of a JWT; the tests trust the server that just issued it. */
  public static JsonNode claims(String jwt) {
    try {
      return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  public static Set<String> realmRoles(JsonNode claims) {
    Set<String> roles = new HashSet<>();
    JsonNode array = claims.path("realm_access").path("roles");
    array.forEach(r -> roles.add(r.asText()));
    return roles;
  }

  private String challenge() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
