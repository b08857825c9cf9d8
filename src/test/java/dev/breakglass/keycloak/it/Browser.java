package dev.breakglass.keycloak.it;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * A minimal browser for Keycloak's login pages: keeps cookies, follows redirects inside Keycloak
 * and stops at the client's redirect URI, so the test sees the authorization code.
 */
public final class Browser {

  /** A page as the user sees it, or the redirect back to the application. */
  public record Page(int status, String url, String body, String location) {
    public Document doc() {
      return Jsoup.parse(body, url);
    }

    public boolean isRedirectToApp(String redirectPrefix) {
      return location != null && location.startsWith(redirectPrefix);
    }

    /** The action URL of the first form on the page. */
    public String formAction() {
      var form = doc().selectFirst("form");
      if (form == null) {
        throw new AssertionError("No form on page " + url + " (status " + status + "):\n" + body);
      }
      return form.absUrl("action");
    }

    public String text(String cssSelector) {
      var element = doc().selectFirst(cssSelector);
      return element == null ? null : element.text();
    }
  }

  private final HttpClient http;
  private final List<String> appRedirectPrefixes;

  /**
   * Cookies by name. Java's CookieManager mishandles the host "localhost" (it has no dot), so the
   * browser keeps Keycloak's cookies itself; one server, so names are enough.
   */
  private final Map<String, String> cookies = new LinkedHashMap<>();

  public Browser(String appRedirectPrefix) {
    this(List.of(appRedirectPrefix));
  }

  /** A browser that stops at the redirect to any of these applications (one SSO session). */
  public Browser(List<String> appRedirectPrefixes) {
    this.appRedirectPrefixes = List.copyOf(appRedirectPrefixes);
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  public Page get(String url) {
    return follow(send(HttpRequest.newBuilder(URI.create(url)).GET(), url));
  }

  /** Posts a form; values with several entries become repeated fields (like checkboxes). */
  public Page post(String url, Map<String, List<String>> fields) {
    String body =
        fields.entrySet().stream()
            .flatMap(e -> e.getValue().stream().map(v -> enc(e.getKey()) + "=" + enc(v)))
            .collect(Collectors.joining("&"));
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    return follow(send(req, url));
  }

  private Page follow(Page page) {
    Page current = page;
    for (int hops = 0; hops < 10; hops++) {
      Page here = current;
      if (here.location() == null || appRedirectPrefixes.stream().anyMatch(here::isRedirectToApp)) {
        return current;
      }
      String next = URI.create(current.url()).resolve(current.location()).toString();
      current = send(HttpRequest.newBuilder(URI.create(next)).GET(), next);
    }
    throw new AssertionError("Too many redirects from " + page.url());
  }

  private Page send(HttpRequest.Builder request, String url) {
    // As a browser asks: Keycloak answers an error with its HTML page only to such a request.
    request.header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
    if (!cookies.isEmpty()) {
      request.header(
          "Cookie",
          cookies.entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining("; ")));
    }
    try {
      HttpResponse<String> response =
          http.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      for (String setCookie : response.headers().allValues("Set-Cookie")) {
        String pair = setCookie.split(";", 2)[0];
        int eq = pair.indexOf('=');
        if (eq > 0) {
          String name = pair.substring(0, eq).trim();
          String value = pair.substring(eq + 1).trim();
          boolean expired =
              setCookie.toLowerCase(java.util.Locale.ROOT).contains("max-age=0") || value.isEmpty();
          if (expired) {
            cookies.remove(name);
          } else {
            cookies.put(name, value);
          }
        }
      }
      String location =
          response.statusCode() / 100 == 3
              ? response.headers().firstValue("Location").orElse(null)
              : null;
      return new Page(response.statusCode(), url, response.body(), location);
    } catch (IOException e) {
      throw new AssertionError("Request to " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
