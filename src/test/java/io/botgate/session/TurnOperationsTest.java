package io.botgate.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A session's operations in the cluster leave this node one at a time: none overtakes one not answered yet. */
class TurnOperationsTest {

  @Test
  void shouldSendASessionsNextOperationOnlyOnceItsLastHasAnsweredHoweverLate() {
    TurnOperations operations = new TurnOperations();
    List<String> sent = new ArrayList<>();
    Promise<String> save = Promise.promise();
    operations.send("s1", () -> {
      sent.add("save");
      return save.future();
    }, () -> true);
    Future<String> end = operations.send("s1", () -> {
      sent.add("end of a later turn");
      return Future.succeededFuture("ended");
    }, () -> true);
    Future<String> elsewhere = operations.send("s2", () -> {
      sent.add("another session's");
      return Future.succeededFuture("taken");
    }, () -> true);

    assertThat(sent).as("the later operation waits for the save's answer; another session does not")
      .containsExactly("save", "another session's");
    assertThat(elsewhere.result()).isEqualTo("taken");
    save.complete("saved late");
    assertThat(sent).containsExactly("save", "another session's", "end of a later turn");
    assertThat(end.result()).isEqualTo("ended");
    assertThat(operations.inFlight()).as("nothing held once all answered").isZero();
  }

  @Test
  void shouldNotSendAnOperationWhoseRequestStoppedWaitingForTheOneBefore() {
    TurnOperations operations = new TurnOperations();
    Promise<Void> stalled = Promise.promise();
    operations.send("s1", () -> stalled.future(), () -> true);
    boolean[] waiting = {true};
    List<String> sent = new ArrayList<>();
    Future<Void> givenUp = operations.send("s1", () -> {
      sent.add("begin");
      return Future.succeededFuture();
    }, () -> waiting[0]);
    waiting[0] = false; // its request was answered 503 meanwhile
    stalled.fail(new IllegalStateException("answered late"));

    assertThat(sent).as("a turn no request waits for is never taken").isEmpty();
    assertThat(givenUp.cause()).isInstanceOf(TurnOperations.NotSent.class);
    assertThat(operations.inFlight()).isZero();
  }
}
