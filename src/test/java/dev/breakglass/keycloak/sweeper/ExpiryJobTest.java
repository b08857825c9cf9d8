package dev.breakglass.keycloak.sweeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExpiryJobTest {

  /** A fake grant table: due ids, removed once ended. */
  private static final class Due implements ExpiryJob.DueGrants {
    final Set<String> due;
    int reads;

    Due(int count) {
      due =
          IntStream.range(0, count)
              .mapToObj(i -> "g" + i)
              .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    @Override
    public List<String> next(int batchSize, Set<String> skip) {
      reads++;
      return due.stream().filter(id -> !skip.contains(id)).limit(batchSize).toList();
    }
  }

  @Test
  void endsEverythingDueInBatches() {
    Due table = new Due(1201);
    ExpiryJob.Result result = ExpiryJob.sweep(table, id -> table.due.remove(id), 500);
    assertEquals(1201, result.ended());
    assertEquals(0, result.failed());
    assertTrue(table.due.isEmpty());
    assertEquals(3, table.reads, "500 + 500 + 201");
  }

  @Test
  void oneBadRowIsSkippedAndTheOthersStillEnd() {
    Due table = new Due(10);
    List<String> attempts = new ArrayList<>();
    ExpiryJob.Result result =
        ExpiryJob.sweep(
            table,
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
    assertEquals(Set.of("g3"), table.due, "only the bad row is left for the next sweep");
    assertEquals(
        1, attempts.stream().filter("g3"::equals).count(), "the bad row is tried once per sweep");
  }

  @Test
  void nothingDueIsOneRead() {
    Due table = new Due(0);
    ExpiryJob.Result result = ExpiryJob.sweep(table, id -> true, 500);
    assertEquals(0, result.ended());
    assertEquals(1, table.reads);
  }
}
