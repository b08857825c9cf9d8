package dev.breakglass.keycloak.alert;

import dev.breakglass.keycloak.audit.AuditTrail;
import dev.breakglass.keycloak.domain.AlertPolicy;
import dev.breakglass.keycloak.domain.AlertStatus;
import dev.breakglass.keycloak.domain.TextRules;
import dev.breakglass.keycloak.metrics.BreakGlassMetrics;
import dev.breakglass.keycloak.policy.RealmPolicies;
import dev.breakglass.keycloak.store.AfterCommit;
import dev.breakglass.keycloak.store.AlertEntity;
import dev.breakglass.keycloak.store.AlertStore;
import dev.breakglass.keycloak.store.DbClock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Delivers the outbox, at least once, from any node. A node claims an alert by a conditional update
 * (only one node's update hits the row), sends it with no database transaction open, then records
 * the outcome: delivered, or due again after an exponential backoff, or, past the retry window,
 * failed. A claim expires, so an alert whose node died mid-delivery is sent again by another: a
 * receiver may see an alert twice, always with the same id.
 */
public final class AlertDispatcher {

  private static final Logger LOG = Logger.getLogger(AlertDispatcher.class);
  private static final int BATCH = 50;

  /** What one drain did. */
  public record Result(int delivered, int retried, int failed) {}

  /** The outcome of one attempt: null error means delivered. */
  record Outcome(String error) {
    static final Outcome DELIVERED = new Outcome(null);

    boolean delivered() {
      return error == null;
    }
  }

  private final KeycloakSessionFactory factory;
  private final OperatorChannel operator;
  private final long retryWindowMillis;
  private final int timeoutMillis;
  private final Backoff backoff;
  private final long claimMillis;
  private final LagWatch lag;
  private final ExecutorService worker;
  private final AtomicBoolean queued = new AtomicBoolean();

  /**
   * Outcomes of sends whose recording failed (the database went away after the send): recorded
   * first on the next round, so an alert delivered just before an outage does not wait out its
   * claim and go out again once the database is back. Past its claim an outcome is dropped: the
   * alert is then another node's to send again, and a record that keeps failing for another reason
   * cannot hold up delivery for longer than that.
   */
  private final ConcurrentLinkedDeque<Unrecorded> unrecorded = new ConcurrentLinkedDeque<>();

  private static final int MAX_UNRECORDED = 1_000;

  private record Unrecorded(Claimed alert, Outcome outcome, long sentAtNanos) {}

  /**
   * {@code claimMillis}: how long a node owns an alert it is sending (see {@link #claimMillis});
   * {@code lagLimitSeconds}: report alerts waiting longer than this; 0 = never.
   */
  AlertDispatcher(
      KeycloakSessionFactory factory,
      OperatorChannel operator,
      long retryWindowMillis,
      int timeoutMillis,
      Backoff backoff,
      long claimMillis,
      long lagLimitSeconds) {
    this.factory = factory;
    this.operator = operator;
    this.retryWindowMillis = retryWindowMillis;
    this.timeoutMillis = timeoutMillis;
    this.backoff = backoff;
    this.claimMillis = claimMillis;
    this.lag = new LagWatch(lagLimitSeconds * 1000L);
    this.worker =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "break-glass-alerts");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Queues one drain on the dispatcher's thread unless one is already queued. Never blocks. */
  void deliverSoon() {
    if (queued.compareAndSet(false, true)) {
      try {
        worker.execute(
            () -> {
              queued.set(false);
              try {
                drain();
              } catch (RuntimeException e) {
                LOG.error("Break-glass alert delivery failed; it is retried on the next round", e);
              }
              try {
                watchLag();
              } catch (RuntimeException e) {
                LOG.debug("Break-glass alert delivery lag not checked this round", e);
              }
            });
      } catch (RejectedExecutionException e) {
        queued.set(false); // shutting down: the outbox keeps the alerts for the next start
      }
    }
  }

  /** Delivers what is due now; a slow channel delays the alerts behind it, never a login. */
  Result drain() {
    int[] tally = new int[AlertStatus.values().length]; // alerts recorded, by their new status
    // What was sent before the database went away is recorded before anything new is claimed; a
    // failure here ends the round (the database is still away) with the rest kept.
    Unrecorded pending;
    while ((pending = unrecorded.pollFirst()) != null) {
      if (System.nanoTime() - pending.sentAtNanos() > claimMillis * 1_000_000L) {
        continue;
      }
      AlertStatus status;
      try {
        status = record(pending.alert(), pending.outcome());
      } catch (RuntimeException e) {
        unrecorded.addFirst(pending);
        throw e;
      }
      tally[status.ordinal()]++;
    }
    while (true) {
      List<String> due = dueIds();
      for (String id : due) {
        Claimed claimed = claim(id);
        if (claimed == null) {
          continue; // another node took it
        }
        Outcome outcome = send(claimed);
        AlertStatus status;
        try {
          status = record(claimed, outcome);
        } catch (RuntimeException e) {
          if (unrecorded.size() < MAX_UNRECORDED) {
            unrecorded.add(new Unrecorded(claimed, outcome, System.nanoTime()));
          }
          throw e;
        }
        tally[status.ordinal()]++;
      }
      if (due.size() < BATCH) {
        return new Result(
            tally[AlertStatus.DELIVERED.ordinal()],
            tally[AlertStatus.PENDING.ordinal()],
            tally[AlertStatus.FAILED.ordinal()]);
      }
    }
  }

  /**
   * Tracks episodes of delivery lag on one node: an episode starts when the oldest waiting alert
   * has waited longer than the limit and ends when none has; each episode is reported once, not
   * once per look at the outbox. Pure.
   */
  static final class LagWatch {
    private final long limitMillis;
    private boolean reported;

    LagWatch(long limitMillis) {
      this.limitMillis = limitMillis;
    }

    boolean enabled() {
      return limitMillis > 0;
    }

    /**
     * Given the creation time of the oldest waiting alert (null: none waits), true when a new
     * episode is to be reported now; the caller confirms with {@link #reported()}.
     */
    boolean shouldReport(Long oldestCreatedAt, long now) {
      if (!enabled()) {
        return false;
      }
      if (oldestCreatedAt == null || now - oldestCreatedAt <= limitMillis) {
        reported = false; // the episode (if any) is over: the next one is reported again
        return false;
      }
      return !reported;
    }

    /** The current episode has been reported (by this node or, as its row says, another). */
    void reported() {
      reported = true;
    }
  }

  /**
   * The operator message's id names the episode by its oldest alert: two nodes that see the same
   * episode write the same row, and only the first insert commits. So each episode reaches the
   * operator (and the log) once across the cluster where an operator webhook is set.
   */
  static String lagReportId(String oldestAlertId) {
    return UUID.nameUUIDFromBytes(
            ("break-glass-delivery-lag:" + oldestAlertId).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** Looks at how long the oldest alert has waited and reports a new episode of lag once. */
  void watchLag() {
    if (!lag.enabled()) {
      return;
    }
    AtomicReference<AlertStore.Oldest> oldest = new AtomicReference<>();
    AtomicReference<Long> now = new AtomicReference<>();
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          now.set(DbClock.nowMillis(session));
          AlertStore.of(session)
              .oldestPending(OperatorMessages.DELIVERY_LAG)
              .ifPresent(oldest::set);
        });
    AlertStore.Oldest waiting = oldest.get();
    if (!lag.shouldReport(waiting == null ? null : waiting.createdAt(), now.get())) {
      return;
    }
    String reportId = lagReportId(waiting.id());
    try {
      KeycloakModelUtils.runJobInTransaction(
          factory, session -> reportLag(session, waiting, reportId, now.get()));
      lag.reported();
    } catch (RuntimeException e) {
      // Another node's insert of the same episode won, or the database is away: only the first
      // case counts as reported.
      AtomicBoolean exists = new AtomicBoolean();
      KeycloakModelUtils.runJobInTransaction(
          factory, session -> exists.set(AlertStore.of(session).find(reportId).isPresent()));
      if (exists.get()) {
        lag.reported();
      } else {
        throw e;
      }
    }
  }

  private void reportLag(
      KeycloakSession session, AlertStore.Oldest waiting, String reportId, long now) {
    RealmModel realm = session.realms().getRealm(waiting.realmId());
    String realmName = realm != null ? realm.getName() : waiting.realmId();
    // Rounded up: a wait just past the limit never reads as "20 s, over the limit of 20 s".
    long ageSeconds = (now - waiting.createdAt() + 999) / 1000;
    long limitSeconds = lag.limitMillis / 1000;
    var message =
        OperatorMessages.deliveryLag(
            realmName,
            waiting.realmId(),
            now,
            waiting.id(),
            waiting.eventType(),
            ageSeconds,
            waiting.waiting(),
            limitSeconds);
    if (operator.configured()) {
      var row = AlertOutbox.operatorRow(waiting.realmId(), message, 0, now);
      row.setId(reportId);
      row.setPayload(OperatorMessages.payload(reportId, message));
      AlertStore.of(session).persist(row);
      AlertOutbox.deliverAfterCommit(session);
    }
    String text = OperatorMessages.text(message);
    AfterCommit.run(
        session,
        () -> {
          LOG.warn(text);
          AuditTrail.logOperatorLine(message);
          BreakGlassMetrics.deliveryLagEpisode();
        });
  }

  void shutdown() {
    worker.shutdownNow();
    try {
      worker.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The shortest claim: an SMTP exchange may take Keycloak's 10 s connect plus 10 s read. */
  static final long MIN_CLAIM_MILLIS = 30_000;

  /**
   * How long a node owns an alert it is sending: {@code configured} (null: the default, the
   * shortest allowed) must outlast the slowest send, or a live node's alert would be sent again by
   * another. It is also how long the alerts a node was sending wait when the node dies or the
   * database goes away mid-send, so the default keeps that within 30 s.
   */
  static long claimMillis(Long configured, int timeoutMillis) {
    long floor = Math.max(MIN_CLAIM_MILLIS, 4L * timeoutMillis);
    if (configured == null) {
      return floor;
    }
    if (configured < floor) {
      throw new IllegalArgumentException(
          "must be at least "
              + floor
              + " ms (30 s, and four times the channel timeout of "
              + timeoutMillis
              + " ms)");
    }
    return configured;
  }

  /** An alert this node owns until its claim runs out, with what sending it needs. */
  record Claimed(
      String id,
      String realmId,
      String realmName,
      String channel,
      String target,
      String eventType,
      String payload,
      int attempts,
      long createdAt,
      AlertPolicy channels) {}

  private List<String> dueIds() {
    AtomicReference<List<String>> ids = new AtomicReference<>(List.of());
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> ids.set(AlertStore.of(session).dueIds(DbClock.nowMillis(session), BATCH)));
    return ids.get();
  }

  private Claimed claim(String id) {
    AtomicReference<Claimed> claimed = new AtomicReference<>();
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          long now = DbClock.nowMillis(session);
          AlertStore store = AlertStore.of(session);
          // Long enough for the slowest channel; a dead node's claim lapses after it.
          long until = now + claimMillis;
          if (!store.claim(id, now, until)) {
            return;
          }
          AlertEntity alert = store.find(id).orElseThrow();
          RealmModel realm = session.realms().getRealm(alert.getRealmId());
          boolean toOperator = AlertOutbox.CHANNEL_OPERATOR.equals(alert.getChannel());
          if (realm == null && !toOperator) {
            // Normally removed with the realm; a leftover has nowhere to go.
            LOG.warnf(
                "Break-glass alert %s (%s) dropped: its realm %s no longer exists",
                id, alert.getEventType(), alert.getRealmId());
            store.remove(alert);
            return;
          }
          // The operator's alerts need nothing of the realm, which may be gone: they carry its
          // name, and go where the server options say.
          claimed.set(
              new Claimed(
                  id,
                  alert.getRealmId(),
                  realm != null
                      ? realm.getName()
                      : Objects.requireNonNullElse(
                          OperatorMessages.realmOf(alert.getPayload()), alert.getRealmId()),
                  alert.getChannel(),
                  alert.getTarget(),
                  alert.getEventType(),
                  alert.getPayload(),
                  alert.getAttempts(),
                  alert.getCreatedAt(),
                  toOperator ? AlertPolicy.NONE : RealmPolicies.alerts(realm)));
        });
    return claimed.get();
  }

  private Outcome send(Claimed alert) {
    try {
      return switch (alert.channel()) {
        case AlertOutbox.CHANNEL_WEBHOOK -> WebhookChannel.send(factory, alert, timeoutMillis);
        case AlertOutbox.CHANNEL_EMAIL -> EmailChannel.send(factory, alert);
        case AlertOutbox.CHANNEL_APPROVER_EMAIL -> EmailChannel.sendToApprover(factory, alert);
        case AlertOutbox.CHANNEL_OPERATOR ->
            WebhookChannel.sendToOperator(factory, alert, operator, timeoutMillis);
        default -> new Outcome("unknown channel " + alert.channel());
      };
    } catch (RuntimeException e) {
      return new Outcome(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private AlertStatus record(Claimed alert, Outcome outcome) {
    AtomicReference<AlertStatus> status = new AtomicReference<>(AlertStatus.PENDING);
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          AlertEntity row = AlertStore.of(session).find(alert.id()).orElse(null);
          if (row == null) {
            return; // its realm was removed meanwhile (with it, a realm channel's row)
          }
          if (!AlertStatus.PENDING.name().equals(row.getStatus())) {
            // Recorded late (after an outage): another node has sent it again and recorded that.
            status.set(AlertStatus.valueOf(row.getStatus()));
            return;
          }
          long now = DbClock.nowMillis(session);
          row.setClaimedUntil(null);
          if (outcome.delivered()) {
            row.setStatus(AlertStatus.DELIVERED.name());
            row.setDeliveredAt(now);
            row.setLastError(null);
            status.set(AlertStatus.DELIVERED);
            LOG.debugf(
                "Break-glass alert %s (%s) delivered by %s after %d attempt(s)",
                alert.id(), alert.eventType(), alert.channel(), alert.attempts());
            return;
          }
          // Errors come from remote servers: no control characters in what is stored and logged.
          row.setLastError(
              TextRules.printable(
                  outcome.error() == null ? "unknown error" : outcome.error(), 480));
          BreakGlassMetrics.alertAttemptFailed(alert.realmName(), alert.channel());
          if (Backoff.givesUp(alert.createdAt(), now, retryWindowMillis)) {
            row.setStatus(AlertStatus.FAILED.name());
            status.set(AlertStatus.FAILED);
            LOG.errorf(
                "Break-glass alert %s (%s in realm %s) could not be delivered by %s in %d attempts"
                    + " and is given up: %s",
                alert.id(),
                alert.eventType(),
                alert.realmName(),
                alert.channel(),
                alert.attempts(),
                row.getLastError());
            return;
          }
          long delay =
              backoff.delayMillis(alert.attempts(), ThreadLocalRandom.current().nextDouble());
          row.setNextAttemptAt(now + delay);
          LOG.warnf(
              "Break-glass alert %s (%s in realm %s) not delivered by %s (attempt %d), retried in"
                  + " %d ms: %s",
              alert.id(),
              alert.eventType(),
              alert.realmName(),
              alert.channel(),
              alert.attempts(),
              delay,
              row.getLastError());
        });
    return status.get();
  }
}
