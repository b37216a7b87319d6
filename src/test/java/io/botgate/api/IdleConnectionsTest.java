package io.botgate.api;

import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.botgate.Await.result;
import static org.awaitility.Awaitility.await;

/**
 * Connections that stop sending: a client that never finishes its request, or sends nothing, is closed once
 * idle for {@code http.idleTimeoutSeconds}, while requests that complete are served as before.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class IdleConnectionsTest {

  static TestGateway gw;
  static NetClient tcp;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = result(TestGateway.start(vertx, new JsonObject().put("http.idleTimeoutSeconds", 2)));
    tcp = vertx.createNetClient();
  }

  /** A raw connection that sends {@code text} and then nothing; the flag turns true when the gateway closes it. */
  private static AtomicBoolean openAndStall(String text) {
    AtomicBoolean closed = new AtomicBoolean();
    NetSocket socket = result(tcp.connect(gw.gateway.port(), "127.0.0.1"));
    socket.closeHandler(v -> closed.set(true));
    if (!text.isEmpty()) {
      socket.write(text);
    }
    return closed;
  }

  @Test
  void shouldCloseConnectionsThatNeverFinishTheirRequest() {
    List<AtomicBoolean> stalled = new CopyOnWriteArrayList<>(List.of(
      openAndStall("GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: "),
      openAndStall("POST /api/sessions/idle/scripts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + "Content-Length: 100\r\n\r\n{\"co"),
      openAndStall("")));

    await().atMost(Duration.ofSeconds(30)).until(() -> stalled.stream().allMatch(AtomicBoolean::get));
    gw.assertHealthy();
  }
}
