package dev.breakglass.keycloak.report;

import dev.breakglass.keycloak.domain.AuditEventType;
import dev.breakglass.keycloak.drill.DrillService;
import dev.breakglass.keycloak.grant.GrantView;
import dev.breakglass.keycloak.store.AuditStore;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/** Gathers the facts of a {@link GovernanceReport} from the store. */
public final class GovernanceReports {

  /** Grants read for one report at most: a year of a busy realm. */
  static final int MAX_GRANTS = 100_000;

  /** The report's window in epoch milliseconds, and the database's now. */
  public record Period(long from, long to, long now) {}

  private GovernanceReports() {}

  /** {@code to} defaults to now, {@code from} to {@code defaultMillis} before {@code to}. */
  public static Period period(
      KeycloakSession session, Instant from, Instant to, long defaultMillis) {
    long now = DbClock.nowMillis(session);
    long toMillis = to == null ? now : to.toEpochMilli();
    long fromMillis = from == null ? toMillis - defaultMillis : from.toEpochMilli();
    return new Period(fromMillis, toMillis, now);
  }

  public static Map<String, Object> build(KeycloakSession session, RealmModel realm, Period p) {
    GrantStore grants = GrantStore.of(session);
    List<GovernanceReport.Grant> activated =
        grants.activatedBetween(realm.getId(), p.from(), p.to(), MAX_GRANTS).stream()
            .map(
                g ->
                    new GovernanceReport.Grant(
                        g.getStatus(),
                        g.isDrill(),
                        g.getActivatedAt(),
                        g.getEndedAt(),
                        GrantView.expiryLag(g),
                        g.getAttestedAt()))
            .toList();
    long drift =
        AuditStore.of(session)
            .countOfTypeBetween(
                realm.getId(), AuditEventType.BREAK_GLASS_DRIFT.name(), p.from(), p.to());
    long overdue = grants.countOverdue(realm.getId());
    List<GovernanceReport.Drill> drills =
        DrillService.scheduledBetween(session, realm, p.from(), p.to()).stream()
            .map(
                d -> {
                  Map<String, Object> stored = DrillService.stored(d);
                  Boolean passed = stored == null ? null : (Boolean) stored.get("passed");
                  return new GovernanceReport.Drill(
                      d.getId(), d.getUsername(), d.getStatus(), passed);
                })
            .toList();
    return GovernanceReport.build(
        realm.getName(), p.from(), p.to(), p.now(), activated, drift, overdue, drills);
  }
}
