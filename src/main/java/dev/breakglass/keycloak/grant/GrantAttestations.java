package dev.breakglass.keycloak.grant;

import dev.breakglass.keycloak.audit.AuditChain;
import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.AlertRules;
import dev.breakglass.keycloak.domain.AttestationAnswers;
import dev.breakglass.keycloak.domain.AttestationPolicy;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.drill.DrillService;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.AuditStore;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantEntity;
import dev.breakglass.keycloak.store.GrantStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.util.JsonSerialization;

/**
 * Closing a grant: its holder attests, and where the policy asks, a second person who is not the
 * holder. The grant becomes CLOSED when the policy's requirement is met. Everything happens in the
 * caller's transaction, under the realm's chain lock, so two attestations cannot race.
 */
public final class GrantAttestations {

  /** Why an attestation is refused; each has a message key for the form and a text for the API. */
  public enum Refusal {
    NOT_YOURS("breakGlassAttestNotYours", "This grant belongs to someone else."),
    STILL_ACTIVE(
        "breakGlassAttestStillActive",
        "The grant is still active: it can be attested once it has ended."),
    ALREADY_CLOSED("breakGlassAttestAlreadyClosed", "The grant is already closed."),
    ALREADY_ATTESTED("breakGlassAttestAlreadyAttested", "This attestation has already been given."),
    NOT_APPROVER(
        "breakGlassAttestNotApprover",
        "The second attestation is given by a member of the policy's approver group."),
    APPROVER_TOO_RECENT(
        "breakGlassAttestApproverTooRecent",
        "Your membership of the approver group began during the grant: the second attestation needs"
            + " an approver from before it."),
    NOT_INDEPENDENT(
        "breakGlassAttestNotIndependent",
        "The grant's holder created or changed your account during the grant: the second"
            + " attestation needs someone independent of it."),
    OWN_GRANT(
        "breakGlassAttestOwnGrant", "The holder of a grant cannot give its second attestation.");

    private final String messageKey;
    private final String text;

    Refusal(String messageKey, String text) {
      this.messageKey = messageKey;
      this.text = text;
    }

    public String messageKey() {
      return messageKey;
    }

    public String text() {
      return text;
    }
  }

  public static final class RefusedException extends RuntimeException {
    private final Refusal refusal;

    public RefusedException(Refusal refusal) {
      super(refusal.text());
      this.refusal = refusal;
    }

    public Refusal refusal() {
      return refusal;
    }
  }

  private GrantAttestations() {}

  /** The holder's attestation, from the attestation form. */
  public static GrantEntity attestAsHolder(
      KeycloakSession session,
      RealmModel realm,
      GrantEntity grant,
      String holderUserId,
      AttestationAnswers answers,
      AttestationPolicy policy) {
    AuditTrail.lockChain(session, realm);
    GrantStore.of(session).refresh(grant);
    if (!grant.getUserId().equals(holderUserId)) {
      throw new RefusedException(Refusal.NOT_YOURS);
    }
    requireEnded(grant);
    if (grant.getAttestedAt() != null) {
      throw new RefusedException(Refusal.ALREADY_ATTESTED);
    }
    long now = DbClock.nowMillis(session);
    grant.setAttestation(toJson(answers.toMap()));
    grant.setAttestedAt(now);
    record(
        session,
        realm,
        grant,
        "holder",
        grant.getUsername(),
        answers,
        closeIfDone(grant, policy, now));
    return grant;
  }

  /** A second person's attestation, through the admin API; never the holder's. */
  public static GrantEntity attestAsSecond(
      KeycloakSession session,
      RealmModel realm,
      GrantEntity grant,
      UserModel attester,
      RealmModel attesterRealm,
      String attesterName,
      AttestationAnswers answers,
      AttestationPolicy policy) {
    AuditTrail.lockChain(session, realm);
    GrantStore.of(session).refresh(grant);
    if (grant.getUserId().equals(attester.getId())) {
      throw new RefusedException(Refusal.OWN_GRANT);
    }
    Optional<String> approvers = RealmPolicies.approverGroupPath(realm);
    if (approvers.isPresent()) {
      GroupModel group = KeycloakModelUtils.findGroupByPath(session, realm, approvers.get());
      if (group == null
          || !attesterRealm.getId().equals(realm.getId())
          || !attester.isMemberOf(group)) {
        throw new RefusedException(Refusal.NOT_APPROVER);
      }
      if (joinedApproversDuring(session, realm, grant, attester.getId())) {
        throw new RefusedException(Refusal.APPROVER_TOO_RECENT);
      }
    }
    if (touchedByHolderDuring(session, realm, grant, attester.getId())) {
      throw new RefusedException(Refusal.NOT_INDEPENDENT);
    }
    requireEnded(grant);
    if (grant.getSecondAttestedAt() != null) {
      throw new RefusedException(Refusal.ALREADY_ATTESTED);
    }
    long now = DbClock.nowMillis(session);
    grant.setSecondAttestation(toJson(answers.toMap()));
    grant.setSecondAttestedBy(attesterName);
    grant.setSecondAttestedAt(now);
    record(session, realm, grant, "second", attesterName, answers, closeIfDone(grant, policy, now));
    return grant;
  }

  /** The guard recorded the attester joining the approver group after the grant began. */
  private static boolean joinedApproversDuring(
      KeycloakSession session, RealmModel realm, GrantEntity grant, String userId) {
    long now = DbClock.nowMillis(session);
    return AuditStore.of(session)
        .ofTypeBetween(
            realm.getId(),
            AuditEventType.BREAK_GLASS_GOVERNANCE_CHANGED.name(),
            grant.getActivatedAt(),
            now + 1,
            10_000)
        .stream()
        .map(AuditChain::details)
        .anyMatch(
            d ->
                "approver group membership".equals(d.get("what"))
                    && userId.equals(d.get("userId"))
                    && Boolean.TRUE.equals(d.get("joined")));
  }

  /** The holder's admin actions under the grant created or changed this user. */
  private static boolean touchedByHolderDuring(
      KeycloakSession session, RealmModel realm, GrantEntity grant, String userId) {
    String prefix = "users/" + userId;
    return AuditStore.of(session).ofGrant(realm.getId(), grant.getId(), 0, 10_000).stream()
        .filter(r -> AuditEventType.BREAK_GLASS_USED.name().equals(r.getType()))
        .map(AuditChain::details)
        .map(d -> d.get("resourcePath"))
        .anyMatch(
            p ->
                p instanceof String path && (path.equals(prefix) || path.startsWith(prefix + "/")));
  }

  /** The user's ended grants still waiting for their attestation, oldest first. */
  public static List<GrantEntity> awaitingHolder(
      KeycloakSession session, RealmModel realm, String userId) {
    return GrantStore.of(session).awaitingHolder(realm.getId(), userId, 100);
  }

  /**
   * True when the user holds an ended grant past the deadline: for the optional activation block.
   */
  public static boolean hasOverdue(
      KeycloakSession session, RealmModel realm, String userId, AttestationPolicy policy) {
    return GrantStore.of(session)
        .hasEndedBefore(
            realm.getId(), userId, DbClock.nowMillis(session) - policy.deadlineMillis());
  }

  /**
   * True when the requirement is met: the holder attested, and the second person where required.
   */
  static boolean requirementMet(GrantEntity grant, AttestationPolicy.Requirement requirement) {
    return grant.getAttestedAt() != null
        && (requirement == AttestationPolicy.Requirement.HOLDER
            || grant.getSecondAttestedAt() != null);
  }

  /**
   * What closes this grant: the policy's requirement, but a grant activated by the no-approver
   * fallback (nobody approved it) always needs a second person after the fact.
   */
  public static AttestationPolicy.Requirement requirementOf(
      GrantEntity grant, AttestationPolicy policy) {
    return grant.isOverrideActivation()
        ? AttestationPolicy.Requirement.HOLDER_AND_SECOND
        : policy.requirement();
  }

  private static boolean closeIfDone(GrantEntity grant, AttestationPolicy policy, long now) {
    if (!requirementMet(grant, requirementOf(grant, policy))) {
      return false;
    }
    grant.setStatus(GrantStatus.CLOSED.name());
    grant.setClosedAt(now);
    return true;
  }

  private static void requireEnded(GrantEntity grant) {
    if (GrantStatus.ACTIVE.name().equals(grant.getStatus())
        || GrantStatus.PENDING.name().equals(grant.getStatus())) {
      throw new RefusedException(Refusal.STILL_ACTIVE);
    }
    if (GrantStatus.CLOSED.name().equals(grant.getStatus())) {
      throw new RefusedException(Refusal.ALREADY_CLOSED);
    }
  }

  private static void record(
      KeycloakSession session,
      RealmModel realm,
      GrantEntity grant,
      String role,
      String by,
      AttestationAnswers answers,
      boolean closed) {
    Map<String, Object> details = new LinkedHashMap<>(answers.toMap());
    details.put("attestedAs", role);
    details.put("attestedBy", by);
    details.put(AlertRules.ANY_NO, answers.anyNo());
    details.put("closed", closed);
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_ATTESTED,
        new AuditTrail.Subject(grant.getId(), grant.getUserId(), grant.getUsername()),
        details);
    if (grant.isDrill()) {
      DrillService.refreshReportAfterCommit(session, grant.getId());
    }
  }

  static String toJson(Map<String, Object> map) {
    try {
      return JsonSerialization.writeValueAsString(map);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
