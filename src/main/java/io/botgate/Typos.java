package io.botgate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Finds the name a user most likely meant when they typed one that does not exist ("did you mean ...?"). */
public final class Typos {

  private Typos() {
  }

  /** The known name nearest in edit distance, if it is near enough to be a typo of it. */
  public static Optional<String> closest(String typed, Iterable<String> known) {
    List<String> candidates = new ArrayList<>();
    known.forEach(candidates::add);
    return candidates.stream().min(Comparator.comparingInt(k -> distance(typed, k)))
      .filter(k -> distance(typed, k) <= Math.max(2, k.length() / 4));
  }

  /** Levenshtein distance: the insertions, deletions and substitutions that turn {@code a} into {@code b}. */
  public static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
