package dev.breakglass.keycloak.userapi;

import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.grant.GrantAttestations;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.grant.GrantView;
import dev.breakglass.keycloak.store.GrantEntity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.util.JsonSerialization;

/**
 * {@code /realms/{realm}/break-glass/me}: the caller's own grants. Only ever the caller's: every
 * look-up is by the token's user, never by an id the request names.
 */
public class MeResource {

  /** The recent grants listed by {@code GET me}. */
  static final int RECENT_GRANTS = 20;

  private final KeycloakSession session;
  private final UserRequests.Caller caller;

  MeResource(KeycloakSession session, UserRequests.Caller caller) {
    this.session = session;
    this.caller = caller;
  }

  /**
   * {@code {"user", "active", "pending", "grants", "attestationsPending"}}: my active grant and
   * pending request (or null), my recent grants newest first, my ended grants awaiting my
   * attestation.
   */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Response get() {
    String userId = caller.user().getId();
    List<GrantEntity> mine = GrantService.list(session, caller.realm(), null, userId, 0, 1000);
    Map<String, Object> me = new LinkedHashMap<>();
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("id", userId);
    user.put("username", caller.user().getUsername());
    me.put("user", user);
    me.put("active", view(first(mine, GrantStatus.ACTIVE)));
    me.put("pending", view(first(mine, GrantStatus.PENDING)));
    // Newest first by when each began: a request (activatedAt 0 while pending) by its request time.
    me.put(
        "grants",
        mine.stream()
            .sorted(Comparator.comparingLong(MeResource::began).reversed())
            .limit(RECENT_GRANTS)
            .map(this::view)
            .toList());
    me.put(
        "attestationsPending",
        GrantAttestations.awaitingHolder(session, caller.realm(), userId).stream()
            .map(this::view)
            .toList());
    // Written by hand: the server's JSON writer leaves null values out, and "active": null is
    // part of the answer.
    ObjectNode json = JsonSerialization.mapper.createObjectNode();
    me.forEach(
        (key, value) ->
            json.set(
                key,
                value == null ? NullNode.instance : JsonSerialization.mapper.valueToTree(value)));
    return Response.ok(json.toString(), MediaType.APPLICATION_JSON_TYPE).build();
  }

  /**
   * {@code POST me/release}: ends my active grant now, as an expiry would; 200 with the ended
   * grant, 409 when I hold none. A body, if any, is ignored.
   */
  @POST
  @Path("release")
  @Produces(MediaType.APPLICATION_JSON)
  public GrantView release() {
    Map<String, Object> origin = new LinkedHashMap<>();
    origin.put("releasedVia", "user-api");
    origin.put("clientId", caller.token().getIssuedFor());
    origin.put("ipAddress", session.getContext().getConnection().getRemoteAddr());
    GrantEntity ended =
        GrantService.release(session, caller.realm(), caller.user(), origin)
            .orElseThrow(
                () ->
                    UserRequests.error(
                        Response.Status.CONFLICT,
                        "You hold no active emergency grant, so there is nothing to release."));
    return view(ended);
  }

  private static GrantEntity first(List<GrantEntity> grants, GrantStatus status) {
    return grants.stream()
        .filter(g -> status.name().equals(g.getStatus()))
        .findFirst()
        .orElse(null);
  }

  private static long began(GrantEntity g) {
    long requested = g.getRequestedAt() == null ? 0 : g.getRequestedAt();
    return Math.max(g.getActivatedAt(), requested);
  }

  private GrantView view(GrantEntity g) {
    return g == null ? null : GrantView.of(g, caller.realm().getName());
  }
}
