package dev.breakglass.keycloak.sweeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.breakglass.keycloak.store.GrantStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExpiryJobTest {

  /** A fake grant table: due ids, removed once ended. */
  private static final class Due implements ExpiryJob.DueGrants {
    final Set<String> due;
    final Predicate<String> holderHasSessions;
    int reads;

    /** Every holder with stored sessions. */
    Due(int count) {
      this(count, id -> true);
    }

    Due(int count, Predicate<String> holderHasSessions) {
      due =
          IntStream.range(0, count)
              .mapToObj(i -> "g" + i)
              .collect(Collectors.toCollection(LinkedHashSet::new));
      this.holderHasSessions = holderHasSessions;
    }

    @Override
    public List<GrantStore.Due> next(int max, Set<String> skip) {
      reads++;
      return due.stream()
          .filter(id -> !skip.contains(id))
          .limit(max)
          .map(id -> new GrantStore.Due(id, holderHasSessions.test(id)))
          .toList();
    }

    /** Ends a whole batch, as one transaction would: all of it, or (on a bad row) none of it. */
    Set<String> endBatch(List<String> ids, Set<String> bad) {
      if (ids.stream().anyMatch(bad::contains)) {
        throw new IllegalStateException("unreadable row");
      }
      ids.forEach(due::remove);
      return new HashSet<>(ids);
    }
  }

  /**
   * Sweeps the table with batches that all succeed, noting each batch's size in {@code batches}.
   */
  private static ExpiryJob.Result sweepNotingBatches(
      Due table, int batchSize, List<Integer> batches) {
    return ExpiryJob.sweep(
        table,
        ids -> {
          batches.add(ids.size());
          return table.endBatch(ids, Set.of());
        },
        id -> {
          throw new AssertionError("no grant is ended alone while its batch succeeds");
        },
        batchSize);
  }

  @Test
  void endsEverythingDueInBatches() {
    Due table = new Due(1201);
    List<Integer> batches = new ArrayList<>();
    ExpiryJob.Result result = sweepNotingBatches(table, 500, batches);
    assertEquals(1201, result.ended());
    assertEquals(0, result.failed());
    assertTrue(table.due.isEmpty());
    assertEquals(List.of(500, 500, 201), batches);
    assertEquals(3, table.reads, "500 + 500 + 201");
  }

  @Test
  void smallBatchesAreReadAheadInOneLookUp() {
    Due table = new Due(1201);
    List<Integer> batches = new ArrayList<>();
    ExpiryJob.Result result = sweepNotingBatches(table, 25, batches);
    assertEquals(1201, result.ended());
    assertTrue(table.due.isEmpty());
    assertEquals(49, batches.size(), "48 of 25 and one of 1: " + batches);
    assertEquals(1, batches.get(48));
    assertEquals(3, table.reads, "500 + 500 + 201 ids read");
  }

  @Test
  void grantsWhoseHoldersHaveNoSessionsGoFourTimesAsManyPerBatch() {
    Due table = new Due(1201, id -> false);
    List<Integer> batches = new ArrayList<>();
    ExpiryJob.Result result = sweepNotingBatches(table, 25, batches);
    assertEquals(1201, result.ended());
    assertTrue(table.due.isEmpty());
    assertEquals(
        List.of(100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 1),
        batches,
        "each read of 500 in batches of 100");
    assertEquals(3, table.reads);
  }

  @Test
  void aBatchHoldsAtMostBatchSizeHoldersWithSessions() {
    // g0..g9 have sessions (each counts 4 of 8), the rest none (each counts 1).
    List<String> withSessions =
        IntStream.range(0, 10).mapToObj(i -> "g" + i).collect(Collectors.toList());
    Due table = new Due(22, withSessions::contains);
    List<Integer> batches = new ArrayList<>();
    ExpiryJob.Result result = sweepNotingBatches(table, 2, batches);
    assertEquals(22, result.ended());
    assertEquals(List.of(2, 2, 2, 2, 2, 8, 4), batches);
  }

  @Test
  void aBatchIsCutBeforeAHolderWithSessionsThatNoLongerFits() {
    // 6 without sessions (6 of 8), then one with (4): it starts the next batch.
    Due table = new Due(9, id -> id.equals("g6"));
    List<Integer> batches = new ArrayList<>();
    sweepNotingBatches(table, 2, batches);
    assertEquals(List.of(6, 3), batches);
  }

  @Test
  void aBadGrantFailsItsBatchWhoseOthersStillEndOneByOne() {
    Due table = new Due(10);
    Set<String> bad = new HashSet<>(Set.of("g5"));
    List<String> alone = new ArrayList<>();
    ExpiryJob.GrantEnder oneByOne =
        id -> {
          alone.add(id);
          if (bad.contains(id)) {
            throw new IllegalStateException("unreadable row");
          }
          return table.due.remove(id);
        };
    ExpiryJob.Result result = ExpiryJob.sweep(table, ids -> table.endBatch(ids, bad), oneByOne, 4);
    assertEquals(9, result.ended());
    assertEquals(1, result.failed());
    assertEquals(Set.of("g5"), table.due, "only the bad grant is left for the next sweep");
    assertEquals(
        List.of("g4", "g5", "g6", "g7"), alone, "only the failed batch is ended one by one");

    // The next sweep tries it again; once it can be ended, it is.
    bad.clear();
    ExpiryJob.Result next = ExpiryJob.sweep(table, ids -> table.endBatch(ids, bad), oneByOne, 4);
    assertEquals(1, next.ended());
    assertEquals(0, next.failed());
    assertTrue(table.due.isEmpty());
  }

  @Test
  void aBadGrantIsTriedOncePerSweep() {
    Due table = new Due(10);
    List<String> attempts = new ArrayList<>();
    ExpiryJob.Result result =
        ExpiryJob.sweep(
            table,
            ids -> table.endBatch(ids, Set.of("g3")),
            id -> {
              attempts.add(id);
              if (id.equals("g3")) {
                throw new IllegalStateException("unreadable row");
              }
              return table.due.remove(id);
            },
            4);
    assertEquals(9, result.ended());
    assertEquals(1, result.failed());
    assertEquals(
        1, attempts.stream().filter("g3"::equals).count(), "the bad row is tried once per sweep");
  }

  @Test
  void dueGrantsABatchLeavesAloneAreNotReadAgain() {
    // e.g. grants of a realm being removed: still due, but no batch can end them.
    Due table = new Due(ExpiryJob.READ_AHEAD + 5);
    Set<String> orphans = Set.of("g0", "g1", "g2", "g3");
    ExpiryJob.Result result =
        ExpiryJob.sweep(
            table,
            ids -> {
              Set<String> ended = new HashSet<>(ids);
              ended.removeAll(orphans);
              table.due.removeAll(ended);
              return ended;
            },
            id -> {
              throw new AssertionError("a batch that succeeds is not redone");
            },
            4);
    assertEquals(ExpiryJob.READ_AHEAD + 1, result.ended());
    assertEquals(0, result.failed());
    assertEquals(orphans, table.due);
    assertEquals(2, table.reads, "a full read (4 left alone), then the other 5 without them");
  }

  @Test
  void nothingDueIsOneRead() {
    Due table = new Due(0);
    ExpiryJob.Result result =
        ExpiryJob.sweep(
            table,
            ids -> {
              throw new AssertionError("no batch when nothing is due");
            },
            id -> true,
            500);
    assertEquals(0, result.ended());
    assertEquals(1, table.reads);
  }
}
