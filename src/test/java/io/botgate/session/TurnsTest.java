package io.botgate.session;

import io.botgate.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The line of a key's turns, alone: a waiting turn that leaves frees its place at once and never runs. */
class TurnsTest {

  @Test
  void shouldFreeTheQueuePlaceOfATurnThatLeftAndNeverRunIt() {
    Turns turns = new Turns(1);
    Promise<Void> running = Promise.promise();
    List<String> ran = new ArrayList<>();
    List<String> watched = new ArrayList<>();
    Future<Void> first = turns.next("k", true, () -> {
      watched.add("first");
      return Promise.promise().future();
    }, () -> {
      ran.add("first");
      return running.future();
    });
    assertThat(watched).as("a turn that starts at once asks for nothing to watch").isEmpty();
    Promise<Void> leave = Promise.promise();
    Future<Void> left = turns.next("k", true, leave::future, () -> {
      ran.add("left");
      return Future.succeededFuture();
    });
    Future<Void> refused = turns.next("k", () -> Future.succeededFuture());
    assertThat(refused.cause()).isInstanceOf(GatewayError.class).hasMessageContaining("session.queue");
    assertThat(turns.turnsOf("k")).isEqualTo(2);

    GatewayError gone = CallerGone.refusal("script");
    leave.fail(gone);
    assertThat(left.cause()).as("answered at once").isSameAs(gone);
    assertThat(turns.turnsOf("k")).as("its place freed").isEqualTo(1);
    Future<Void> admitted = turns.next("k", () -> {
      ran.add("admitted");
      return Future.succeededFuture();
    });
    assertThat(admitted.failed()).as("admitted in the place left").isFalse();

    running.complete();
    assertThat(first.succeeded()).isTrue();
    assertThat(admitted.succeeded()).isTrue();
    assertThat(ran).containsExactly("first", "admitted");
    assertThat(turns.busyKeys()).isZero();
  }
}
