package io.botgate.session;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.botgate.GatewayError;
import io.botgate.cluster.ClusterNode;
import io.botgate.cluster.ClusterOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;

import static io.botgate.Await.failure;
import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A turn waiting for one another member holds tries again and again: thousands of tries must end in one answer.
 * Futures composed onto each other, one a try, overflowed the stack when the last one failed.
 */
@Timeout(120)
class ClusteredTurnRetriesTest {

  private static final EventNumbering NONE = new EventNumbering() {
    @Override
    public long lastSeq(String session) {
      return 0;
    }

    @Override
    public void continueFrom(String session, long seq) {
    }
  };

  @Test
  void shouldAnswerSessionBusyAfterThousandsOfTriesAndServeTheTurnOnceTheOtherEnds() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Vertx vertx = result(ClusterNode.start(new VertxOptions(), new ClusterOptions(true, "retries-" + UUID.randomUUID(),
      "127.0.0.1", port, List.of("127.0.0.1:" + port), 1, 120), 3_600_000L, "retries"));
    HazelcastInstance hazelcast = ClusterNode.hazelcast(vertx);
    // a pause of at most 1 ms between tries: over 5 s, thousands of them (the default, 50 ms, makes 100)
    ClusteredSessionStore store = new ClusteredSessionStore(vertx, hazelcast, new SessionOptions(100, 10_000, 2, 60_000),
      1 << 20, NONE, System::currentTimeMillis, 5_000, 1);
    try {
      result(store.turn("held", session -> Future.succeededFuture()));
      IMap<String, byte[]> map = hazelcast.getMap(ClusteredSessionStore.MAP);
      map.set("held", Session.withTurn(map.get("held"), hazelcast.getCluster().getLocalMember().getUuid()));

      Throwable busy = failure(store.turn("held", session -> Future.succeededFuture()));
      assertThat(busy).isInstanceOf(GatewayError.class).hasMessageContaining("stayed busy");
      assertThat(((GatewayError) busy).httpStatus()).isEqualTo(503);

      map.set("held", Session.withTurn(map.get("held"), null));
      String served = result(store.<String>turn("held", session -> Future.succeededFuture(session.id())));
      assertThat(served).isEqualTo("held");
    } finally {
      result(store.close());
      result(vertx.close());
    }
  }
}
