package io.botgate.events;

import java.util.ArrayList;
import java.util.List;

/**
 * Kept events of one session after a seq, oldest first, as one node or the whole cluster holds them.
 *
 * @param events     at most the limit asked for, in seq order, no seq twice
 * @param lastSeq    the newest seq any member that answered knows for the session, 0 when none
 * @param unanswered the members (by {@code node.id}) that did not answer in time: they may hold more
 */
public record EventPage(List<DebugEvent> events, long lastSeq, List<String> unanswered) {

  /** {@code lastSeq} read before the events (see {@link #gaps}) may be below the newest of them: never shown so. */
  public EventPage {
    if (!events.isEmpty()) {
      lastSeq = Math.max(lastSeq, events.get(events.size() - 1).seq());
    }
  }

  /** Whether every member answered, so that a seq missing below the newest event is held by no live member. */
  public boolean complete() {
    return unanswered.isEmpty();
  }

  /**
   * The seqs after {@code after} that this page skips: between its events, and, when it has none, up to
   * {@link #lastSeq}. Before its first event only when {@code after} is above 0, as a console's replay: a
   * client with no place yet starts from the oldest event kept. Read {@link #lastSeq} before the events, so
   * that an event emitted meanwhile is never taken for one gone.
   *
   * @param left the members that left the cluster within the history's keep time
   */
  public List<Gap> gaps(long after, List<String> left) {
    List<Gap> gaps = new ArrayList<>();
    long place = after;
    for (DebugEvent event : events) {
      if (place > 0 && event.seq() > place + 1) {
        gaps.add(new Gap(place + 1, event.seq() - 1, left, unanswered));
      }
      place = event.seq();
    }
    if (events.isEmpty() && after > 0 && lastSeq > after) {
      gaps.add(new Gap(after + 1, lastSeq, left, unanswered));
    }
    return gaps;
  }

  /** This page's first events holding no more than {@code maxBytes} of text (the first one whatever its size). */
  public EventPage upTo(long maxBytes) {
    long bytes = 0;
    for (int i = 0; i < events.size(); i++) {
      bytes += events.get(i).utf8().length;
      if (i > 0 && bytes > maxBytes) {
        return new EventPage(events.subList(0, i), lastSeq, unanswered);
      }
    }
    return this;
  }
}
