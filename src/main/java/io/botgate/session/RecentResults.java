package io.botgate.session;

/**
 * A session's recent results, newest first, kept as their strings and numbers in two arrays rather than as
 * result objects. A result kept as an object lived through the session's next {@code session.results}
 * executions, tens of seconds under load, and every young collection copied it again until it was old
 * enough to be promoted: at 9,000 executions a second over 10,000 sessions about 0.8 MB for each of the 15
 * ages, 10 of the 27 MB a young collection copied (pauses of 17-35 ms every 1.5 s; 11-21 ms without them).
 * The strings (the session's id, the integration's name, a status code, the node) outlive the result
 * already; once the arrays have grown, recording allocates nothing. Results are read back as new objects,
 * equal to the ones recorded. Not thread-safe: the session's lock guards it.
 * <p>
 * A session also keeps the latest result of each integration it ran in one of these (no bound, a place per
 * integration, {@link #set} replacing it): held as objects, each execution's result was a new young object
 * that the session, by then old, pointed to twice (its last result and its integration's latest), and every
 * young collection scanned both places and copied the result.
 * <p>
 * Recording writes no reference that is already there: the places form a ring (the newest moves back one
 * place instead of every older one moving on), and a place keeps its string when the new one is the same
 * object, as a session's id, its integration's name, a status code and the node mostly are. Under G1 every
 * written reference into another region marks its card of the old array, and each marked card was scanned or
 * refined again: shifting twenty results rewrote all eighty references of each session at every execution.
 */
final class RecentResults {

  /** Strings per result: the session, the integration, the status code, the node. */
  private static final int REFS = 4;
  /** Numbers per result: when it started, how long it took, its attempts shifted left by one plus its success. */
  private static final int NUMS = 3;
  private static final String[] NO_REFS = {};
  private static final long[] NO_NUMS = {};

  private final int max;
  private String[] refs = NO_REFS;
  private long[] nums = NO_NUMS;
  /** The place of the newest result. */
  private int head;
  private int count;

  /** At most {@code max} results (session.results): the oldest goes when a newer one comes. */
  RecentResults(int max) {
    this.max = max;
  }

  int size() {
    return count;
  }

  /** The {@code i}-th newest result. */
  IntegrationResult get(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException("result " + i + " of " + count);
    }
    int place = place(i);
    int r = place * REFS;
    int n = place * NUMS;
    return new IntegrationResult(refs[r], refs[r + 1], (nums[n + 2] & 1) == 1, refs[r + 2], nums[n], nums[n + 1],
      (int) (nums[n + 2] >>> 1), refs[r + 3]);
  }

  /** Records the newest result; when {@code max} are kept, in the place of the oldest. */
  void addNewest(IntegrationResult result) {
    growIfFull();
    head = head == 0 ? capacity() - 1 : head - 1;
    count = Math.min(count + 1, capacity());
    put(head, result);
  }

  /** Adds a result older than those kept (a session read back from its state, newest first); false when full. */
  boolean addOldest(IntegrationResult result) {
    if (count == max) {
      return false;
    }
    growIfFull();
    put(place(count++), result);
    return true;
  }

  /** Replaces the {@code i}-th result. */
  void set(int i, IntegrationResult result) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException("result " + i + " of " + count);
    }
    put(place(i), result);
  }

  /** Where the first result of this integration is, or -1. */
  int indexOfIntegration(String integration) {
    for (int i = 0; i < count; i++) {
      if (refs[place(i) * REFS + 1].equals(integration)) {
        return i;
      }
    }
    return -1;
  }

  /** A copy that shares no array with this one. */
  RecentResults copy() {
    RecentResults copy = new RecentResults(max);
    copy.refs = refs.clone();
    copy.nums = nums.clone();
    copy.head = head;
    copy.count = count;
    return copy;
  }

  private int capacity() {
    return nums.length / NUMS;
  }

  /** The place of the {@code i}-th newest result. */
  private int place(int i) {
    int place = head + i;
    return place < capacity() ? place : place - capacity();
  }

  /** Doubles the room when every place is taken, up to {@code max} results; the newest then takes the first. */
  private void growIfFull() {
    if (count == capacity() && count < max) {
      int results = Math.min(max, Math.max(1, count * 2));
      String[] newRefs = new String[results * REFS];
      long[] newNums = new long[results * NUMS];
      int first = Math.min(count, capacity() - head); // from the newest to the end of the arrays, then the rest
      System.arraycopy(refs, head * REFS, newRefs, 0, first * REFS);
      System.arraycopy(refs, 0, newRefs, first * REFS, (count - first) * REFS);
      System.arraycopy(nums, head * NUMS, newNums, 0, first * NUMS);
      System.arraycopy(nums, 0, newNums, first * NUMS, (count - first) * NUMS);
      refs = newRefs;
      nums = newNums;
      head = 0;
    }
  }

  private void put(int place, IntegrationResult result) {
    int r = place * REFS;
    keep(r, result.session());
    keep(r + 1, result.integration());
    keep(r + 2, result.statusCode());
    keep(r + 3, result.node());
    int n = place * NUMS;
    nums[n] = result.atMillis();
    nums[n + 1] = result.durationMs();
    nums[n + 2] = (long) result.attempts() << 1 | (result.success() ? 1 : 0);
  }

  /** Writes the string into its place unless that place holds this very object already (see the class). */
  private void keep(int at, String value) {
    if (refs[at] != value) {
      refs[at] = value;
    }
  }
}
