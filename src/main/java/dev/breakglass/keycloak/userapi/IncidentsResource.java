package dev.breakglass.keycloak.userapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.breakglass.keycloak.domain.PolicyKeys;
import dev.breakglass.keycloak.domain.TextRules;
import dev.breakglass.keycloak.domain.TicketCheckPolicy;
import dev.breakglass.keycloak.ticket.IncidentChecks;
import dev.breakglass.keycloak.ticket.IncidentClosures;
import dev.breakglass.keycloak.ticket.IncidentSignature;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.util.JsonSerialization;

/**
 * {@code POST incidents/{ticket}/closed}: the incident system says an incident is over. No bearer
 * token: the HMAC of the raw body under the realm's {@code incidentWebhookSecret} authenticates it.
 * Without a secret the endpoint does not exist (404); every refusal says only what was wrong with
 * the request, never whether grants exist, and is logged with the input escaped.
 */
public class IncidentsResource {

  /** Longer bodies are refused unread: the contract body is two short fields. */
  public static final int MAX_BODY_BYTES = 8 * 1024;

  private static final Logger LOG = Logger.getLogger(IncidentsResource.class);

  private final KeycloakSession session;

  IncidentsResource(KeycloakSession session) {
    this.session = session;
  }

  @POST
  @Path("{ticket}/closed")
  @Produces(MediaType.APPLICATION_JSON)
  public Response closed(
      @PathParam("ticket") String ticket,
      @HeaderParam(IncidentSignature.HEADER) String signature,
      InputStream body) {
    RealmModel realm = session.getContext().getRealm();
    TicketCheckPolicy policy = IncidentChecks.policyOf(realm);
    String secret = policy.webhookSecret();
    if (secret == null) {
      throw refused(realm, ticket, Response.Status.NOT_FOUND, "Not found.", "no secret set");
    }
    byte[] raw = readCapped(realm, ticket, body);
    if (!IncidentSignature.verify(secret, raw, signature)) {
      throw refused(
          realm,
          ticket,
          Response.Status.FORBIDDEN,
          "The " + IncidentSignature.HEADER + " header is missing or wrong.",
          signature == null ? "signature missing" : "signature wrong");
    }
    JsonNode json;
    try {
      json = JsonSerialization.mapper.readTree(raw);
    } catch (IOException e) {
      json = null;
    }
    if (json == null || !json.isObject()) {
      throw refused(
          realm,
          ticket,
          Response.Status.BAD_REQUEST,
          "The body must be {\"ticket\": \"...\", \"sentAt\": \"<ISO-8601 UTC>\"}.",
          "body not a JSON object");
    }
    String bodyTicket = json.path("ticket").isTextual() ? json.get("ticket").asText() : null;
    if (ticket == null
        || ticket.length() > PolicyKeys.LIMIT_TICKET_LENGTH
        || !ticket.equals(bodyTicket)) {
      throw refused(
          realm,
          ticket,
          Response.Status.BAD_REQUEST,
          "The body's ticket must be the ticket in the path.",
          "ticket in body differs from path");
    }
    String sentAt = json.path("sentAt").isTextual() ? json.get("sentAt").asText() : null;
    String timeProblem = IncidentSignature.timeProblem(sentAt, IncidentClosures.now(session));
    if (timeProblem != null) {
      throw refused(realm, ticket, Response.Status.BAD_REQUEST, timeProblem, "sentAt refused");
    }
    IncidentClosures.Closed closed;
    try {
      closed =
          IncidentClosures.close(
              session,
              realm,
              ticket,
              IncidentSignature.digestOf(signature),
              Instant.parse(sentAt.trim()));
    } catch (IncidentClosures.ReplayException e) {
      throw refused(realm, ticket, Response.Status.CONFLICT, e.getMessage(), "replay");
    }
    LOG.infof(
        "Break-glass incident %s in realm %s closed by webhook: %d grant(s) ended, %d request(s)"
            + " rejected",
        TextRules.printable(ticket, PolicyKeys.LIMIT_TICKET_LENGTH),
        realm.getName(),
        closed.ended().size(),
        closed.rejected().size());
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("ticket", ticket);
    answer.put("ended", closed.ended());
    answer.put("rejected", closed.rejected());
    return Response.ok(answer, MediaType.APPLICATION_JSON_TYPE).build();
  }

  private byte[] readCapped(RealmModel realm, String ticket, InputStream body) {
    if (body == null) {
      return new byte[0];
    }
    try {
      byte[] raw = body.readNBytes(MAX_BODY_BYTES + 1);
      if (raw.length > MAX_BODY_BYTES) {
        throw refused(
            realm,
            ticket,
            Response.Status.REQUEST_ENTITY_TOO_LARGE,
            "The body must be at most " + MAX_BODY_BYTES + " bytes.",
            "body too large");
      }
      return raw;
    } catch (IOException e) {
      throw refused(
          realm, ticket, Response.Status.BAD_REQUEST, "The body could not be read.", "unreadable");
    }
  }

  /** Logs the refusal for admins (input escaped, never the body or the signature) and answers. */
  private static WebApplicationException refused(
      RealmModel realm, String ticket, Response.Status status, String message, String why) {
    LOG.warnf(
        "Break-glass incident webhook in realm %s refused (%d, %s) for ticket %s",
        realm.getName(),
        status.getStatusCode(),
        why,
        ticket == null ? "-" : TextRules.printable(ticket, PolicyKeys.LIMIT_TICKET_LENGTH));
    return UserRequests.error(status, message);
  }
}
