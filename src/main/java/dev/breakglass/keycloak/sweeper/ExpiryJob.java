package dev.breakglass.keycloak.sweeper;

import dev.breakglass.keycloak.domain.EndReason;
import dev.breakglass.keycloak.grant.GrantService;
import dev.breakglass.keycloak.store.DbClock;
import dev.breakglass.keycloak.store.GrantEntity;
import dev.breakglass.keycloak.store.GrantStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Ends every ACTIVE grant whose {@code expiresAt} has passed by the database clock. It reads the
 * grant table through its (status, expiry) index, never iterates users, and ends the grants in
 * bounded batches, each in one transaction. A batch that fails is ended again grant by grant, each
 * in its own transaction: one bad row is logged and skipped, and the others still end.
 *
 * <p>A batch holds at most {@code batchSize} grants whose holders have stored sessions, and up to
 * {@link #SESSION_WEIGHT} times as many whose holders have none. Keycloak ends a holder's sessions
 * with several statements each, every one of them checking the whole transaction for changes to
 * flush first, so a batch with sessions costs more per grant the larger it is; without sessions the
 * batch's fixed statements and commit dominate, and fewer, larger batches cost less.
 */
public final class ExpiryJob implements SweeperJob {

  private static final Logger LOG = Logger.getLogger(ExpiryJob.class);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Due grant ids read at once (or one batch, if larger), then ended batch by batch. */
  static final int READ_AHEAD = 500;

  /** How many grants whose holders have no stored sessions fit where one whose holder has does. */
  static final int SESSION_WEIGHT = 4;

  /**
   * {@code ended} grants ended, {@code failed} could not be ended this run, in {@code tookMicros},
   * of which the sweeping thread had the CPU for {@code cpuMicros}: on a busy machine the two part.
   */
  public record Result(int ended, int failed, long tookMicros, long cpuMicros) {
    public double tookMillis() {
      return tookMicros / 1000.0;
    }

    public double cpuMillis() {
      return cpuMicros / 1000.0;
    }
  }

  private final long intervalMillis;
  private final int batchSize;

  ExpiryJob(long intervalMillis, int batchSize) {
    this.intervalMillis = intervalMillis;
    this.batchSize = batchSize;
  }

  @Override
  public String name() {
    return JobClaims.EXPIRY_SWEEP;
  }

  @Override
  public long intervalMillis() {
    return intervalMillis;
  }

  @Override
  public void run(KeycloakSessionFactory factory) {
    Result result = sweep(factory, batchSize);
    if (result.ended() > 0 || result.failed() > 0) {
      LOG.infof(
          "Break-glass sweep ended %d grant(s) in %.1f ms (%d failed; %.1f ms of CPU)",
          result.ended(), result.tookMillis(), result.failed(), result.cpuMillis());
    } else {
      LOG.tracef(
          "Break-glass sweep found nothing due in %.2f ms (%.2f ms of CPU)",
          result.tookMillis(), result.cpuMillis());
    }
  }

  /** Reads the next due grants, at most {@code max}, leaving out those in {@code skip}. */
  @FunctionalInterface
  interface DueGrants {
    List<GrantStore.Due> next(int max, Set<String> skip);
  }

  /**
   * Ends a batch of grants in one transaction and returns the ids it ended; throws (having rolled
   * back all of them) when it could not.
   */
  @FunctionalInterface
  interface BatchEnder {
    Set<String> end(List<String> grantIds);
  }

  /** Ends one grant; false (or an exception) when it could not. */
  @FunctionalInterface
  interface GrantEnder {
    boolean end(String grantId);
  }

  public static Result sweep(KeycloakSessionFactory factory, int batchSize) {
    return sweep(
        (max, skip) -> dueGrants(factory, max, skip),
        grantIds -> endBatch(factory, grantIds),
        grantId -> endOne(factory, grantId),
        batchSize);
  }

  /**
   * The sweep loop: due ids read {@link #READ_AHEAD} at a time (one look-up, not one per batch)
   * until a read comes back short, each read ended batch after batch. A batch ends in one
   * transaction; when it fails, its grants are ended one by one, each in its own, so only a bad
   * grant is skipped (not retried in this run; the next sweep tries it again). A grant read ahead
   * but ended meanwhile by someone else is left alone by its batch, which ends only ACTIVE ones.
   */
  static Result sweep(DueGrants dueGrants, BatchEnder batch, GrantEnder ender, int batchSize) {
    long started = System.nanoTime();
    long cpuBefore = THREADS.getCurrentThreadCpuTime();
    Set<String> failed = new HashSet<>();
    // Failed, or due but left alone by the batch (its realm is gone): not read again this run.
    Set<String> skip = new HashSet<>();
    int readSize = Math.max(batchSize, READ_AHEAD);
    int ended = 0;
    while (true) {
      List<GrantStore.Due> read = dueGrants.next(readSize, skip);
      for (List<String> due : batches(read, batchSize)) {
        ended += endOneBatch(batch, ender, due, failed, skip);
      }
      if (read.size() < readSize) {
        break;
      }
    }
    // -1 where the JVM cannot tell a thread's CPU time: then 0.
    long cpuNanos = Math.max(0, THREADS.getCurrentThreadCpuTime() - cpuBefore);
    return new Result(
        ended, failed.size(), (System.nanoTime() - started) / 1_000, cpuNanos / 1_000);
  }

  /**
   * The grants read, in order, cut into batches of at most {@code batchSize} whose holders have
   * stored sessions, each grant whose holder has none counting {@code 1 / SESSION_WEIGHT}.
   */
  static List<List<String>> batches(List<GrantStore.Due> read, int batchSize) {
    int capacity = batchSize * SESSION_WEIGHT;
    List<List<String>> batches = new ArrayList<>();
    List<String> batch = new ArrayList<>();
    int load = 0;
    for (GrantStore.Due due : read) {
      int weight = due.holderHasStoredSessions() ? SESSION_WEIGHT : 1;
      if (!batch.isEmpty() && load + weight > capacity) {
        batches.add(batch);
        batch = new ArrayList<>();
        load = 0;
      }
      batch.add(due.grantId());
      load += weight;
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }

  /** Ends one batch (together, or one by one when that fails); returns how many ended. */
  private static int endOneBatch(
      BatchEnder batch, GrantEnder ender, List<String> due, Set<String> failed, Set<String> skip) {
    Set<String> done = endTogether(batch, due);
    if (done != null) {
      due.stream().filter(id -> !done.contains(id)).forEach(skip::add);
      return done.size();
    }
    int ended = 0;
    for (String grantId : due) {
      if (endAlone(ender, grantId)) {
        ended++;
      } else {
        failed.add(grantId);
        skip.add(grantId);
      }
    }
    return ended;
  }

  /** The ids the batch ended, or null when it failed (and rolled back). */
  private static Set<String> endTogether(BatchEnder batch, List<String> due) {
    try {
      return batch.end(due);
    } catch (RuntimeException e) {
      LOG.warnf(
          e,
          "A batch of %d break-glass grants could not be ended together; ending them one by one",
          due.size());
      return null;
    }
  }

  private static boolean endAlone(GrantEnder ender, String grantId) {
    try {
      return ender.end(grantId);
    } catch (RuntimeException e) {
      LOG.errorf(
          e, "Break-glass grant %s could not be ended; it is retried on the next sweep", grantId);
      return false;
    }
  }

  private static List<GrantStore.Due> dueGrants(
      KeycloakSessionFactory factory, int max, Set<String> skip) {
    AtomicReference<List<GrantStore.Due>> due = new AtomicReference<>(List.of());
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> due.set(GrantStore.of(session).due(DbClock.nowMillis(session), skip, max)));
    return due.get();
  }

  /**
   * Ends a batch in one transaction, realm by realm (in realm id order, the order their chain locks
   * are taken in): a failure rolls the whole batch back.
   */
  private static Set<String> endBatch(KeycloakSessionFactory factory, List<String> grantIds) {
    Set<String> ended = new HashSet<>();
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          for (String realmId : GrantStore.of(session).realmIdsOf(grantIds)) {
            RealmModel realm = session.realms().getRealm(realmId);
            if (realm == null) {
              continue; // being removed: its grants go with it
            }
            session.getContext().setRealm(realm);
            GrantService.endAll(session, realm, grantIds, EndReason.EXPIRED, "system")
                .forEach(grant -> ended.add(grant.getId()));
          }
        });
    return ended;
  }

  /** Ends one grant in its own transaction, so a failure rolls back only this grant. */
  private static boolean endOne(KeycloakSessionFactory factory, String grantId) {
    KeycloakModelUtils.runJobInTransaction(
        factory,
        session -> {
          GrantEntity grant = GrantStore.of(session).find(grantId).orElse(null);
          if (grant == null) {
            return; // removed meanwhile (its user or realm was deleted)
          }
          RealmModel realm = session.realms().getRealm(grant.getRealmId());
          if (realm == null) {
            return;
          }
          session.getContext().setRealm(realm);
          GrantService.end(session, realm, grant, EndReason.EXPIRED, "system", null);
        });
    return true;
  }
}
