package io.botgate;

import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * Raw TCP connections for tests that watch what a server does to a socket: their handlers are in place before
 * anything the server does can reach them.
 */
public final class RawConnections {

  private RawConnections() {
  }

  /**
   * Connects {@code client} (made by {@code vertx}) to {@code port} on loopback and gives the socket to {@code watch}
   * before its event loop delivers anything on it. A callback added from the test's thread to a connection already
   * made runs as a later task of the socket's event loop, and a close the server made at once came before it and went
   * unseen. Asked for from an event loop, the connection is made on that loop, which cannot complete it before the
   * task that asked has added the callback.
   */
  public static NetSocket connect(Vertx vertx, NetClient client, int port, Handler<NetSocket> watch) {
    Promise<NetSocket> connected = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> client.connect(port, "127.0.0.1").onSuccess(watch)
      .onComplete(connected));
    return Await.result(connected.future());
  }
}
