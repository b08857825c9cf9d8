package dev.breakglass.keycloak.domain;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Something an admin action under a grant may have left behind: a user, a client (and its service
 * account), a role mapping, a group membership, a credential, an identity provider. Read from the
 * grant's use records (operation, resource type, resource path). Pure.
 */
public record ResidualCandidate(Kind kind, String id, String otherId, String path) {

  /** What was created or granted. */
  public enum Kind {
    USER,
    CLIENT,
    ROLE_MAPPING,
    GROUP_MEMBERSHIP,
    CREDENTIAL,
    IDENTITY_PROVIDER
  }

  private static final Pattern USER = Pattern.compile("^users/([^/]+)$");
  private static final Pattern CLIENT = Pattern.compile("^clients/([^/]+)$");
  private static final Pattern MAPPING =
      Pattern.compile("^(users|groups)/([^/]+)/role-mappings(/.*)?$");
  private static final Pattern MEMBERSHIP = Pattern.compile("^users/([^/]+)/groups/([^/]+)$");
  private static final Pattern CREDENTIAL =
      Pattern.compile("^users/([^/]+)/(reset-password|credentials(/.*)?)$");
  private static final Pattern IDP = Pattern.compile("^identity-provider/instances/([^/]+)$");

  /** The candidate an admin action leaves, if it can leave one. */
  public static Optional<ResidualCandidate> of(String operation, String resourceType, String path) {
    if (operation == null || resourceType == null || path == null) {
      return Optional.empty();
    }
    boolean creates = operation.equals("CREATE");
    boolean grants = creates || operation.equals("UPDATE") || operation.equals("ACTION");
    Matcher m;
    switch (resourceType) {
      case "USER" -> {
        if (creates && (m = USER.matcher(path)).matches()) {
          return Optional.of(new ResidualCandidate(Kind.USER, m.group(1), null, path));
        }
        if (grants && (m = CREDENTIAL.matcher(path)).matches()) {
          return Optional.of(new ResidualCandidate(Kind.CREDENTIAL, m.group(1), null, path));
        }
      }
      case "CLIENT" -> {
        if (creates && (m = CLIENT.matcher(path)).matches()) {
          return Optional.of(new ResidualCandidate(Kind.CLIENT, m.group(1), null, path));
        }
      }
      case "REALM_ROLE_MAPPING", "CLIENT_ROLE_MAPPING" -> {
        if (creates && (m = MAPPING.matcher(path)).matches()) {
          return Optional.of(
              new ResidualCandidate(Kind.ROLE_MAPPING, m.group(2), m.group(1), path));
        }
      }
      case "GROUP_MEMBERSHIP" -> {
        if (creates && (m = MEMBERSHIP.matcher(path)).matches()) {
          return Optional.of(
              new ResidualCandidate(Kind.GROUP_MEMBERSHIP, m.group(1), m.group(2), path));
        }
      }
      case "IDENTITY_PROVIDER" -> {
        if (creates && (m = IDP.matcher(path)).matches()) {
          return Optional.of(new ResidualCandidate(Kind.IDENTITY_PROVIDER, m.group(1), null, path));
        }
      }
      default -> {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
