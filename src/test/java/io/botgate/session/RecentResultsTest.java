package io.botgate.session;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A session's recent results kept as strings and numbers: read back equal, newest first, at most their number. */
class RecentResultsTest {

  private static IntegrationResult result(int n) {
    return new IntegrationResult("s" + n % 2, "integration" + n, n % 3 == 0, String.valueOf(200 + n),
      1_700_000_000_000L + n, n * 7L, n % 4 + 1, n % 5 == 0 ? null : "node" + n);
  }

  private static List<IntegrationResult> all(RecentResults recent) {
    List<IntegrationResult> results = new ArrayList<>();
    for (int i = 0; i < recent.size(); i++) {
      results.add(recent.get(i));
    }
    return results;
  }

  @Test
  void shouldReadBackEveryFieldNewestFirstAndDropTheOldestPastItsNumber() {
    RecentResults recent = new RecentResults(5);
    for (int n = 1; n <= 12; n++) {
      recent.addNewest(result(n));
      assertThat(recent.size()).isEqualTo(Math.min(n, 5));
      assertThat(recent.get(0)).isEqualTo(result(n));
    }
    assertThat(all(recent)).containsExactly(result(12), result(11), result(10), result(9), result(8));
  }

  @Test
  void shouldKeepAnAttemptCountAndTimesBeyondSmallNumbers() {
    RecentResults recent = new RecentResults(1);
    IntegrationResult large = new IntegrationResult("s", "i", true, "200", Long.MAX_VALUE, Long.MAX_VALUE,
      Integer.MAX_VALUE, "n");
    recent.addNewest(large);
    assertThat(recent.get(0)).isEqualTo(large);
  }

  @Test
  void shouldAddOlderResultsUntilFull() {
    RecentResults recent = new RecentResults(3);
    assertThat(recent.addOldest(result(1))).isTrue();
    assertThat(recent.addOldest(result(2))).isTrue();
    assertThat(recent.addOldest(result(3))).isTrue();
    assertThat(recent.addOldest(result(4))).isFalse();
    recent.addNewest(result(5));
    assertThat(all(recent)).containsExactly(result(5), result(1), result(2));
  }

  @Test
  void shouldFindAResultByItsIntegrationAndReplaceItInPlace() {
    RecentResults latest = new RecentResults(Integer.MAX_VALUE);
    latest.addOldest(result(1));
    latest.addOldest(result(2));
    assertThat(latest.indexOfIntegration("integration2")).isEqualTo(1);
    assertThat(latest.indexOfIntegration("integration3")).isEqualTo(-1);
    IntegrationResult again = new IntegrationResult("s", "integration2", false, "504", 1L, 2L, 3, "n");
    latest.set(1, again);
    assertThat(all(latest)).containsExactly(result(1), again);
    assertThatThrownBy(() -> latest.set(2, again)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void shouldCopyWithoutSharingItsArrays() {
    RecentResults recent = new RecentResults(4);
    recent.addNewest(result(1));
    RecentResults copy = recent.copy();
    recent.addNewest(result(2));
    copy.addNewest(result(3));
    assertThat(all(recent)).containsExactly(result(2), result(1));
    assertThat(all(copy)).containsExactly(result(3), result(1));
  }

  @Test
  void shouldAgreeWithAListThroughEveryMixOfAddingReplacingAndCopying() {
    Random random = new Random(15);
    for (int run = 0; run < 200; run++) {
      int max = 1 + random.nextInt(run < 100 ? 4 : 25);
      RecentResults recent = new RecentResults(max);
      List<IntegrationResult> expected = new ArrayList<>();
      for (int step = 0; step < 120; step++) {
        IntegrationResult result = result(random.nextInt(1_000));
        switch (random.nextInt(6)) {
          case 0 -> {
            boolean added = recent.addOldest(result);
            assertThat(added).isEqualTo(expected.size() < max);
            if (added) {
              expected.add(result);
            }
          }
          case 1 -> {
            if (!expected.isEmpty()) {
              int i = random.nextInt(expected.size());
              recent.set(i, result);
              expected.set(i, result);
            }
          }
          case 2 -> {
            RecentResults copy = recent.copy();
            copy.addNewest(result(1_001));
            recent = random.nextBoolean() ? recent : copy;
            if (recent == copy) {
              expected.add(0, result(1_001));
            }
          }
          default -> {
            recent.addNewest(result);
            expected.add(0, result);
          }
        }
        while (expected.size() > max) {
          expected.remove(expected.size() - 1);
        }
        assertThat(all(recent)).as("run %d step %d", run, step).isEqualTo(expected);
        int probe = random.nextInt(1_000);
        int firstOf = -1;
        for (int i = 0; i < expected.size() && firstOf < 0; i++) {
          firstOf = expected.get(i).integration().equals("integration" + probe) ? i : -1;
        }
        assertThat(recent.indexOfIntegration("integration" + probe)).isEqualTo(firstOf);
      }
    }
  }

  @Test
  void shouldRefuseAnIndexOutsideWhatItHolds() {
    RecentResults recent = new RecentResults(2);
    recent.addNewest(result(1));
    assertThatThrownBy(() -> recent.get(1)).isInstanceOf(IndexOutOfBoundsException.class)
      .hasMessage("result 1 of 1");
  }
}
