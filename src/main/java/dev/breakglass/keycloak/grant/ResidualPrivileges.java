package dev.breakglass.keycloak.grant;

import dev.breakglass.keycloak.audit.AuditChain;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.ResidualCandidate;
import dev.breakglass.keycloak.store.AuditRecordEntity;
import dev.breakglass.keycloak.store.AuditStore;
import dev.breakglass.keycloak.store.GrantEntity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.keycloak.models.ClientModel;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * What was created or granted under a grant's authority and still exists at its end: the users,
 * clients (with their service accounts), role mappings, group memberships, credentials and identity
 * providers its holder's admin actions made. Break-glass access that leaves authority behind has
 * not really ended; the holder must account for each item when attesting.
 */
public final class ResidualPrivileges {

  private static final int PAGE = 500;

  private ResidualPrivileges() {}

  /** Read from the grant's admin-use records, each checked against the realm as it is now. */
  public static List<Map<String, Object>> of(
      KeycloakSession session, RealmModel realm, GrantEntity grant) {
    return ofAll(session, realm, List.of(grant)).get(grant.getId());
  }

  /**
   * {@link #of} for a batch of grants of one realm, by grant id: their use records are read
   * together, a page at a time, rather than grant by grant.
   */
  public static Map<String, List<Map<String, Object>>> ofAll(
      KeycloakSession session, RealmModel realm, List<GrantEntity> grants) {
    Map<String, Set<ResidualCandidate>> candidates = new LinkedHashMap<>();
    grants.forEach(g -> candidates.put(g.getId(), new LinkedHashSet<>()));
    if (!grants.isEmpty()) {
      List<String> ids = List.copyOf(candidates.keySet());
      AuditStore audit = AuditStore.of(session);
      String used = AuditEventType.BREAK_GLASS_USED.name();
      for (int first = 0; ; first += PAGE) {
        List<AuditRecordEntity> page = audit.ofTypeOfGrants(realm.getId(), used, ids, first, PAGE);
        for (AuditRecordEntity record : page) {
          candidate(realm, record).ifPresent(candidates.get(record.getGrantId())::add);
        }
        if (page.size() < PAGE) {
          break;
        }
      }
    }
    Map<String, List<Map<String, Object>>> residual = new LinkedHashMap<>();
    candidates.forEach((grantId, c) -> residual.put(grantId, stillThere(session, realm, c)));
    return residual;
  }

  /** What an admin use of the grant in this realm may have left behind, if anything. */
  private static Optional<ResidualCandidate> candidate(RealmModel realm, AuditRecordEntity record) {
    Map<String, Object> d = AuditChain.details(record);
    if (!"ADMIN".equals(d.get("use")) || !realm.getName().equals(d.get("targetRealm"))) {
      return Optional.empty();
    }
    return ResidualCandidate.of(
        str(d.get("operation")), str(d.get("resourceType")), str(d.get("resourcePath")));
  }

  private static List<Map<String, Object>> stillThere(
      KeycloakSession session, RealmModel realm, Set<ResidualCandidate> candidates) {
    List<Map<String, Object>> residual = new ArrayList<>();
    for (ResidualCandidate c : candidates) {
      String name = stillThere(session, realm, c);
      if (name != null) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("kind", c.kind().name());
        item.put("id", c.id());
        item.put("name", name);
        item.put("resourcePath", c.path());
        residual.add(item);
      }
    }
    return residual;
  }

  /** A readable name when the thing still exists, else null. */
  private static String stillThere(KeycloakSession session, RealmModel realm, ResidualCandidate c) {
    return switch (c.kind()) {
      case USER, CREDENTIAL -> {
        UserModel user = session.users().getUserById(realm, c.id());
        yield user == null ? null : user.getUsername();
      }
      case CLIENT -> {
        ClientModel client = realm.getClientById(c.id());
        yield client == null ? null : client.getClientId();
      }
      case ROLE_MAPPING -> {
        if ("users".equals(c.otherId())) {
          UserModel user = session.users().getUserById(realm, c.id());
          yield user == null ? null : "role mappings of user " + user.getUsername();
        }
        GroupModel group = session.groups().getGroupById(realm, c.id());
        yield group == null ? null : "role mappings of group " + group.getName();
      }
      case GROUP_MEMBERSHIP -> {
        UserModel user = session.users().getUserById(realm, c.id());
        GroupModel group = session.groups().getGroupById(realm, c.otherId());
        yield user == null || group == null || !user.isMemberOf(group)
            ? null
            : user.getUsername() + " in " + group.getName();
      }
      case IDENTITY_PROVIDER ->
          session.identityProviders().getByAlias(c.id()) == null ? null : c.id();
    };
  }

  private static String str(Object value) {
    return value == null ? null : value.toString();
  }
}
