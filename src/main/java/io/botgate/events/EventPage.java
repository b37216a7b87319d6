package io.botgate.events;

import java.util.List;

/**
 * Kept events of one session after a seq, oldest first, as one node or the whole cluster holds them.
 *
 * @param events     at most the limit asked for, in seq order, no seq twice
 * @param lastSeq    the newest seq any member that answered knows for the session, 0 when none
 * @param unanswered the members (by {@code node.id}) that did not answer in time: they may hold more
 */
public record EventPage(List<DebugEvent> events, long lastSeq, List<String> unanswered) {

  /** Whether every member answered, so that a seq missing below the newest event is held by no live member. */
  public boolean complete() {
    return unanswered.isEmpty();
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
