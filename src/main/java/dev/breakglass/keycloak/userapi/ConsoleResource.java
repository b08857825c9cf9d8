package dev.breakglass.keycloak.userapi;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.keycloak.common.Version;
import org.keycloak.headers.SecurityHeadersProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.util.JsonSerialization;

/**
 * {@code /realms/{realm}/break-glass/console}: the break-glass console, a static page from the jar
 * whose script signs in through the realm's own login (code flow with PKCE) and then only calls the
 * user and admin APIs, so every action meets the same server-side checks. Serves a fixed allow-list
 * of files: no path from the request ever reaches the class loader.
 */
public class ConsoleResource {

  /** Header values of every console response: no framing, no sniffing, no referrer. */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " font-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none';"
          + " frame-ancestors 'none'";

  /** The served assets: name in the URL → file in the jar and its media type. */
  static final Map<String, Asset> ASSETS =
      Map.of(
          "console.js", new Asset("console/console.js", "text/javascript; charset=utf-8"),
          "console.css", new Asset("console/console.css", "text/css; charset=utf-8"));

  /** The languages the console speaks; each has {@code console/messages_<lang>.properties}. */
  static final Map<String, String> LANGUAGES =
      Map.of("en", "console/messages_en.properties", "de", "console/messages_de.properties");

  record Asset(String resource, String mediaType) {}

  private final KeycloakSession session;

  public ConsoleResource(KeycloakSession session) {
    this.session = session;
  }

  /** The console page: the signed-in person's grants, requests to decide, administration. */
  @GET
  public Response page() {
    return html();
  }

  /**
   * The activation landing page: signs in through {@code ops-console}'s break-glass login and shows
   * the emergency token it returns. Same page; its script tells the two apart by the path.
   */
  @GET
  @Path("activate")
  public Response activate() {
    return html();
  }

  @GET
  @Path("assets/{name}")
  public Response asset(@PathParam("name") String name) {
    Asset asset = ASSETS.get(name);
    if (asset == null) {
      return notFound();
    }
    return secured(Response.ok(read(asset.resource()), asset.mediaType()))
        .cacheControl(revalidate())
        .build();
  }

  /** A language's messages as a JSON object, from the jar's message bundle. */
  @GET
  @Path("messages/{lang}")
  public Response messages(@PathParam("lang") String lang) {
    String bundle = LANGUAGES.get(lang);
    if (bundle == null) {
      return notFound();
    }
    try {
      String json = JsonSerialization.writeValueAsString(bundle(bundle));
      return secured(Response.ok(json, MediaType.APPLICATION_JSON_TYPE.withCharset("utf-8")))
          .cacheControl(revalidate())
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A bundle's keys and texts, sorted by key. */
  static Map<String, String> bundle(String resource) {
    Properties properties = new Properties();
    try (InputStream in = open(resource);
        InputStreamReader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> messages = new TreeMap<>();
    properties.stringPropertyNames().forEach(k -> messages.put(k, properties.getProperty(k)));
    return messages;
  }

  private Response html() {
    String realmName = session.getContext().getRealm().getName();
    String root = session.getContext().getUri().getBaseUri().getRawPath();
    if (!root.endsWith("/")) {
      root += "/";
    }
    String realmPath = root + "realms/" + encodeSegment(realmName);
    String page =
        new String(read("console/index.html"), StandardCharsets.UTF_8)
            .replace("@ROOT@", escape(root))
            .replace("@REALM_PATH@", escape(realmPath))
            .replace("@ADMIN_PATH@", escape(root + "admin/realms/" + encodeSegment(realmName)))
            .replace("@CONSOLE_PATH@", escape(realmPath + "/break-glass/console"))
            .replace("@REALM@", escape(realmName))
            .replace(
                "@PATTERNFLY@",
                escape(
                    root
                        + "resources/"
                        + Version.RESOURCES_VERSION
                        + "/common/keycloak/vendor/patternfly-v5/patternfly.min.css"));
    CacheControl noStore = new CacheControl();
    noStore.setNoStore(true);
    noStore.setNoCache(true);
    return secured(Response.ok(page, MediaType.TEXT_HTML_TYPE.withCharset("utf-8")))
        .cacheControl(noStore)
        .header("Pragma", "no-cache")
        .build();
  }

  /**
   * The console's own security headers, instead of the realm's defaults (which would add a second,
   * looser Content-Security-Policy with {@code frame-ancestors 'self'}).
   */
  private Response.ResponseBuilder secured(Response.ResponseBuilder response) {
    SecurityHeadersProvider headers = session.getProvider(SecurityHeadersProvider.class);
    if (headers != null) {
      headers.options().skipHeaders();
    }
    return response
        .header("Content-Security-Policy", CSP)
        .header("X-Frame-Options", "DENY")
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .header("X-Robots-Tag", "none")
        .header("Cross-Origin-Opener-Policy", "same-origin");
  }

  private Response notFound() {
    return secured(Response.status(Response.Status.NOT_FOUND))
        .type(MediaType.TEXT_PLAIN_TYPE)
        .entity("Not found.")
        .build();
  }

  private static CacheControl revalidate() {
    CacheControl cache = new CacheControl();
    cache.setNoCache(true);
    return cache;
  }

  private static byte[] read(String resource) {
    try (InputStream in = open(resource)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = ConsoleResource.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IOException("Missing console resource " + resource);
    }
    return in;
  }

  /** A path segment: realm names are free text. */
  private static String encodeSegment(String value) {
    return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** For an HTML attribute value in double quotes. */
  static String escape(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
