package dev.breakglass.keycloak.admin;

import dev.breakglass.keycloak.domain.TextRules;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.regex.Pattern;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.ErrorResponse;
import org.keycloak.services.resources.admin.AdminEventBuilder;

/**
 * What the admin resources share: parsing of ids, paging and free text, each a 400 with a message.
 */
final class AdminRequests {

  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;
  static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,36}");

  /** Resource types of the extension's own admin events. */
  static final String GRANT_RESOURCE = "BREAK_GLASS_GRANT";

  static final String DRILL_RESOURCE = "BREAK_GLASS_DRILL";

  private AdminRequests() {}

  static GrantEntity requireGrant(KeycloakSession session, RealmModel realm, String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw ErrorResponse.error("Malformed grant id.", Response.Status.BAD_REQUEST);
    }
    return GrantService.find(session, realm, id)
        .orElseThrow(
            () ->
                ErrorResponse.error(
                    "No grant with this id in this realm.", Response.Status.NOT_FOUND));
  }

  /** A user of this realm by name, or by id. */
  static UserModel findUser(KeycloakSession session, RealmModel realm, String nameOrId) {
    UserModel user = session.users().getUserByUsername(realm, nameOrId);
    if (user == null && ID.matcher(nameOrId).matches()) {
      user = session.users().getUserById(realm, nameOrId);
    }
    return user;
  }

  static int parsePaging(String name, String value, int defaultValue, int maxValue) {
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed < 0 || parsed > maxValue || (name.equals("max") && parsed == 0)) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      String range = name.equals("max") ? "between 1 and " + maxValue : "zero or more";
      throw ErrorResponse.error(
          "Parameter " + name + " must be a whole number " + range + ".",
          Response.Status.BAD_REQUEST);
    }
  }

  /**
   * An optional single-line text field of a JSON body, by the product's one text rule: stripped, at
   * most {@code maxLength} characters, no control, format or bidi characters, no markup.
   */
  static String optionalText(Map<String, Object> body, String field, int maxLength) {
    Object value = body == null ? null : body.get(field);
    if (value != null && !(value instanceof String)) {
      throw ErrorResponse.error(
          "Field " + field + " must be a string.", Response.Status.BAD_REQUEST);
    }
    String text = value == null ? "" : ((String) value).strip();
    if (TextRules.check(text, maxLength, false) != TextRules.Problem.NONE) {
      throw ErrorResponse.error(
          "Field "
              + field
              + " must be plain text of at most "
              + maxLength
              + " characters, without < or > or control characters.",
          Response.Status.BAD_REQUEST);
    }
    return text;
  }

  /**
   * Reports one of the extension's admin actions through Keycloak's admin events, like any other.
   */
  static void adminEvent(
      KeycloakSession session,
      AdminEventBuilder adminEvent,
      OperationType operation,
      String resource,
      Object representation) {
    adminEvent
        .operation(operation)
        .resource(resource)
        .resourcePath(session.getContext().getUri())
        .representation(representation)
        .success();
  }
}
