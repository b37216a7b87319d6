package io.botgate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Finds the name a user most likely meant when they typed one that does not exist ("did you mean ...?"). */
public final class Typos {

  /** The longest name compared, and the most names: a suggestion is worth little work on an event loop. */
  private static final int MAX_CHARS = 100;
  private static final int MAX_CANDIDATES = 1_000;

  private Typos() {
  }

  /**
   * The known name nearest in edit distance, if it is near enough to be a typo of it. A name whose length alone
   * puts it too far is not compared, nor one past {@link #MAX_CHARS}; past {@link #MAX_CANDIDATES} names near
   * enough in length, none is suggested.
   */
  public static Optional<String> closest(String typed, Iterable<String> known) {
    if (typed.length() > MAX_CHARS) {
      return Optional.empty();
    }
    List<String> candidates = new ArrayList<>();
    for (String k : known) {
      if (Math.abs(typed.length() - k.length()) <= allowed(k)) {
        candidates.add(k);
        if (candidates.size() > MAX_CANDIDATES) {
          return Optional.empty();
        }
      }
    }
    return candidates.stream().min(Comparator.comparingInt(k -> distance(typed, k)))
      .filter(k -> distance(typed, k) <= allowed(k));
  }

  /** The edits a typo of {@code name} may hold: two, more in a long name. */
  private static int allowed(String name) {
    return Math.max(2, name.length() / 4);
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
