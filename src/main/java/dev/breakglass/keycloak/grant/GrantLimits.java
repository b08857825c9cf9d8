package dev.breakglass.keycloak.grant;

import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.domain.BreakGlassPolicy;
import dev.breakglass.keycloak.domain.GrantStatus;
import dev.breakglass.keycloak.domain.LimitPolicy;
import dev.breakglass.keycloak.domain.LimitRules;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantEntity;
import dev.breakglass.keycloak.store.GrantStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * The policy's limits on activations (rules in {@link LimitRules}): cooldown and concurrency
 * refuse, the frequency alert only records. Every refusal and every frequency alert is a
 * BREAK_GLASS_LIMIT record with {@code kind}, {@code limit} and {@code retryAt}.
 */
public final class GrantLimits {

  private GrantLimits() {}

  /**
   * An activation (or request) refused by a limit. Its BREAK_GLASS_LIMIT record is already written
   * in the current transaction: catch this and let the transaction commit, so the refusal stays on
   * the record although no grant is made.
   */
  public static final class LimitReachedException extends RuntimeException {
    private final transient LimitRules.Refusal refusal;

    public LimitReachedException(LimitRules.Refusal refusal) {
      super("Break-glass limit reached: " + refusal.kind().id() + " " + refusal.limit());
      this.refusal = refusal;
    }

    public LimitRules.Refusal refusal() {
      return refusal;
    }
  }

  /**
   * Checks cooldown and concurrency for a new grant of {@code user}, under the realm's chain lock
   * (taken here, kept to the end of the transaction), so two concurrent activations cannot both
   * pass {@code maxActiveGrants}. Call it before anything of the new grant is written: at
   * activation, or when a request is made (a PENDING request holds its place, so approving it needs
   * no second check). On a refusal, records BREAK_GLASS_LIMIT and throws {@link
   * LimitReachedException}.
   */
  public static void check(
      KeycloakSession session,
      RealmModel realm,
      UserModel user,
      BreakGlassPolicy policy,
      boolean drill) {
    LimitPolicy limits = policy.limits();
    if (!limits.hasCooldown() && !limits.hasMaxActiveGrants()) {
      return;
    }
    AuditTrail.lockChain(session, realm);
    GrantStore grants = GrantStore.of(session);
    long now = DbClock.nowMillis(session);
    Optional<LimitRules.Refusal> refusal = Optional.empty();
    Map<String, Object> details = new LinkedHashMap<>();
    if (limits.hasCooldown() && !drill) {
      Long last = grants.lastActivation(realm.getId(), user.getId());
      refusal = LimitRules.cooldown(limits, false, last, now);
      if (refusal.isPresent()) {
        details.put("lastActivatedAt", iso(last));
      }
    }
    if (refusal.isEmpty() && limits.hasMaxActiveGrants()) {
      long active = grants.countInRealm(realm.getId(), GrantStatus.ACTIVE);
      long pending = grants.countInRealm(realm.getId(), GrantStatus.PENDING);
      refusal =
          LimitRules.concurrency(
              limits, active + pending, pending, grants.soonestExpiry(realm.getId()));
      if (refusal.isPresent()) {
        details.put("active", active);
        details.put("pending", pending);
      }
    }
    if (refusal.isEmpty()) {
      return;
    }
    LimitRules.Refusal reached = refusal.get();
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("kind", reached.kind().id());
    record.put("limit", reached.limit());
    record.put("retryAt", iso(reached.retryAt()));
    record.put("drill", drill);
    record.put("refused", true);
    record.putAll(details);
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_LIMIT,
        new AuditTrail.Subject(null, user.getId(), user.getUsername()),
        record);
    throw new LimitReachedException(reached);
  }

  /**
   * After an activation: when the holder's non-drill activations in the last 24 hours, this one
   * included, exceed {@code frequencyAlertPerDay}, records BREAK_GLASS_LIMIT (kind {@code
   * frequency}), which alerts. The activation stands.
   */
  static void noteFrequency(
      KeycloakSession session, RealmModel realm, BreakGlassPolicy policy, GrantEntity grant) {
    LimitPolicy limits = policy.limits();
    if (!limits.hasFrequencyAlert() || grant.isDrill()) {
      return;
    }
    long since = grant.getActivatedAt() - LimitRules.DAY_MILLIS;
    long count =
        GrantStore.of(session).countActivationsSince(realm.getId(), grant.getUserId(), since);
    if (!LimitRules.frequencyExceeded(limits, false, count)) {
      return;
    }
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("kind", LimitRules.Kind.FREQUENCY.id());
    record.put("limit", limits.frequencyAlertPerDay());
    record.put("retryAt", null);
    record.put("refused", false);
    record.put("activationsIn24h", count);
    record.put("since", iso(since));
    AuditTrail.append(
        session,
        realm,
        AuditEventType.BREAK_GLASS_LIMIT,
        new AuditTrail.Subject(grant.getId(), grant.getUserId(), grant.getUsername()),
        record);
  }

  private static String iso(Long epochMillis) {
    return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString();
  }
}
