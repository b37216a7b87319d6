package io.botgate.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session read into a node (from its clustered state, or as a copy of the one the node saved) is charged to
 * {@code session.totalBytes} and gives its bytes back when discarded: what it gives back must be what it took,
 * also when the total was full when it was read, or the total counts less than the sessions hold.
 */
class HeldTotalDriftTest {

  private static final SessionOptions OPTIONS = new SessionOptions(100, 10_000, 2, 60_000);

  /** A session holding about {@code chars} bytes, charged to its own unbounded total. */
  private static Session holding(String id, int chars) {
    Session session = new Session(id, OPTIONS, new HeldTotal(Long.MAX_VALUE), 1);
    session.setVariable("v", "x".repeat(chars));
    return session;
  }

  @Test
  void shouldGiveBackOnlyWhatASessionReadFromItsStateTookWhenTheTotalWasFull() {
    HeldTotal total = new HeldTotal(200);
    Session resident = new Session("resident", OPTIONS, total, 1);
    resident.setVariable("v", "x".repeat(100));
    long held = total.held();
    byte[] state = holding("visitor", 100).toState();

    Session visitor = Session.fromState("visitor", OPTIONS, total, state); // the total has no room for it
    visitor.discard(); // its turn ended

    assertThat(total.held()).isEqualTo(held).isEqualTo(resident.heldBytes());
  }

  @Test
  void shouldGiveBackOnlyWhatACopyChargedWhenTheTotalWasFull() {
    HeldTotal total = new HeldTotal(200);
    Session ended = Session.fromState("visitor", OPTIONS, total, holding("visitor", 100).toState());
    Session saved = ended.copy(); // what the node keeps of the session it saved: not charged
    ended.discard(); // its turn ended
    Session resident = new Session("resident", OPTIONS, total, 1);
    resident.setVariable("v", "x".repeat(100));
    long held = total.held();

    Session turn = saved.copy();
    turn.charge(); // the next turn begins from what this node saved; the total has no room for it
    turn.discard();

    assertThat(total.held()).isEqualTo(held).isEqualTo(resident.heldBytes());
  }
}
