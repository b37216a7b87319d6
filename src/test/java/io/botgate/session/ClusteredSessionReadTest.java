package io.botgate.session;

import io.botgate.cluster.ClusterNode;
import io.botgate.cluster.ClusterNodes;
import io.botgate.cluster.ClusterOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A read of a clustered session ({@code GET /api/sessions/{id}}, {@code botgate.session.get}) decodes the state the
 * cluster keeps: that of a session holding a large answer on a worker, not on the event loop; a small one at once.
 */
@Timeout(120)
class ClusteredSessionReadTest {

  private static final EventNumbering NONE = new EventNumbering() {
    @Override
    public long lastSeq(String session) {
      return 0;
    }

    @Override
    public void continueFrom(String session, long seq) {
    }
  };

  static Vertx vertx;
  static ClusteredSessionStore store;
  static final List<Boolean> decodedOnLoop = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void join() {
    int port = ClusterNodes.freePort();
    vertx = result(ClusterNode.start(new VertxOptions(), new ClusterOptions(true, "reads-" + UUID.randomUUID(),
      "127.0.0.1", port, List.of("127.0.0.1:" + port), 1, ClusterOptions.DEFAULT_TURN_WAIT_SECONDS), 3_600_000L, "reads"));
    store = new ClusteredSessionStore(vertx, ClusterNode.hazelcast(vertx), new SessionOptions(100, 1_000_000, 20, 60_000),
      1 << 24, NONE, System::currentTimeMillis, 10_000);
    ClusteredSessionStore.whileDescribing = thread -> decodedOnLoop.add(Context.isOnEventLoopThread());
  }

  @AfterAll
  static void leave() {
    ClusteredSessionStore.whileDescribing = thread -> { };
    result(store.close());
    result(vertx.close());
  }

  @BeforeEach
  void forget() {
    decodedOnLoop.clear();
  }

  private static void holding(String id, String value) {
    result(store.turn(id, session -> {
      session.setVariable("answer", new JsonObject().put("jsonData", value));
      return Future.succeededFuture();
    }));
  }

  @Test
  void shouldDecodeALargeSessionOnAWorker() {
    String large = "x".repeat(200_000);
    holding("large", large);

    JsonObject state = result(store.describe("large"));

    assertThat(decodedOnLoop).as("where the state was decoded").containsExactly(false);
    assertThat(state.getJsonObject("variables").getJsonObject("answer").getString("jsonData")).isEqualTo(large);
    assertThat(state.getString("session")).isEqualTo("large");
  }

  @Test
  void shouldDecodeASmallSessionAtOnce() {
    holding("small", "tiny");

    JsonObject state = result(store.describe("small"));

    assertThat(decodedOnLoop).as("nothing decoded off the loop").isEmpty();
    assertThat(state.getJsonObject("variables").getJsonObject("answer").getString("jsonData")).isEqualTo("tiny");
    assertThat(result(store.describe("none"))).isNull();
  }
}
