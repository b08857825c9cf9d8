package dev.breakglass.keycloak.admin;

import dev.breakglass.keycloak.drill.DrillService;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.DrillEntity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.ErrorResponse;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/**
 * {@code .../break-glass/drills}: schedule a drill (manage-users), list and read them (view-users).
 */
public class DrillsResource {

  private final KeycloakSession session;
  private final RealmModel realm;
  private final AdminPermissionEvaluator auth;
  private final AdminEventBuilder adminEvent;

  DrillsResource(
      KeycloakSession session,
      RealmModel realm,
      AdminPermissionEvaluator auth,
      AdminEventBuilder adminEvent) {
    this.session = session;
    this.realm = realm;
    this.auth = auth;
    this.adminEvent = adminEvent;
  }

  /**
   * Schedules a drill: the user's next activation is a drill grant, and its end yields a report.
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Response schedule(Map<String, Object> body) {
    auth.users().requireManage();
    if (body == null || !(body.get("user") instanceof String userText) || userText.isBlank()) {
      throw ErrorResponse.error(
          "Send a JSON object with the field user: the user name or id of an eligible user.",
          Response.Status.BAD_REQUEST);
    }
    if (!Set.of("user").containsAll(body.keySet())) {
      throw ErrorResponse.error(
          "Unknown field: only user is accepted.", Response.Status.BAD_REQUEST);
    }
    UserModel user = AdminRequests.findUser(session, realm, userText.strip());
    if (user == null) {
      throw ErrorResponse.error("No such user in this realm.", Response.Status.BAD_REQUEST);
    }
    RealmPolicies.Loaded policy = RealmPolicies.load(session, realm);
    if (!policy.isValid()) {
      throw ErrorResponse.error(
          "The realm's break-glass policy is invalid, so no activation (and no drill) can succeed: "
              + policy.errors().get(0).message(),
          Response.Status.CONFLICT);
    }
    GroupModel group = RealmPolicies.findGroup(session, realm, policy.policy());
    if (group == null || !user.isMemberOf(group)) {
      throw ErrorResponse.error(
          "This user is not in the eligible group "
              + policy.policy().eligibleGroup()
              + ": a drill exercises a real responder.",
          Response.Status.BAD_REQUEST);
    }
    DrillEntity drill;
    try {
      drill = DrillService.schedule(session, realm, user, auth.adminAuth().getUser().getUsername());
    } catch (DrillService.AlreadyScheduledException e) {
      throw ErrorResponse.error(e.getMessage(), Response.Status.CONFLICT);
    }
    Map<String, Object> view = view(drill, null);
    AdminRequests.adminEvent(
        session, adminEvent, OperationType.CREATE, AdminRequests.DRILL_RESOURCE, view);
    return Response.status(Response.Status.CREATED).entity(view).build();
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public List<Map<String, Object>> list(
      @QueryParam("first") String first, @QueryParam("max") String max) {
    auth.users().requireView();
    return DrillService.list(
            session,
            realm,
            AdminRequests.parsePaging("first", first, 0, Integer.MAX_VALUE),
            AdminRequests.parsePaging(
                "max", max, AdminRequests.DEFAULT_PAGE, AdminRequests.MAX_PAGE))
        .stream()
        .map(d -> view(d, DrillService.stored(d)))
        .toList();
  }

  /**
   * One drill, with its report brought up to date (a late alert delivery or attestation counts).
   */
  @GET
  @Path("{id}")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> get(@PathParam("id") String id) {
    auth.users().requireView();
    if (id == null || !AdminRequests.ID.matcher(id).matches()) {
      throw ErrorResponse.error("Malformed drill id.", Response.Status.BAD_REQUEST);
    }
    DrillEntity drill =
        DrillService.find(session, realm, id)
            .orElseThrow(
                () ->
                    ErrorResponse.error(
                        "No drill with this id in this realm.", Response.Status.NOT_FOUND));
    return view(drill, DrillService.report(session, drill));
  }

  private Map<String, Object> view(DrillEntity d, Map<String, Object> report) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", d.getId());
    view.put("realm", realm.getName());
    view.put("userId", d.getUserId());
    view.put("username", d.getUsername());
    view.put("status", d.getStatus());
    view.put("scheduledBy", d.getScheduledBy());
    view.put("scheduledAt", Instant.ofEpochMilli(d.getScheduledAt()).toString());
    view.put("grantId", d.getGrantId());
    view.put("report", report);
    return view;
  }
}
