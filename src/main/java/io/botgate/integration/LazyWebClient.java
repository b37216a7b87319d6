package io.botgate.integration;

import io.vertx.ext.web.client.WebClient;

import java.util.function.Supplier;

/**
 * A Web Client made at its first use rather than at start (nothing on the way to the first answer needs it),
 * and held until {@link #close}: Vert.x 5 closes a client nothing refers to any more, in the middle of a call.
 * One asked for after {@link #close} is made closed, so its requests fail as they would on a closed client.
 */
public final class LazyWebClient {

  private final Supplier<WebClient> make;
  private WebClient client;
  private boolean closed;

  public LazyWebClient(Supplier<WebClient> make) {
    this.make = make;
  }

  public synchronized WebClient get() {
    if (client == null) {
      client = make.get();
      if (closed) {
        client.close();
      }
    }
    return client;
  }

  public synchronized void close() {
    closed = true;
    if (client != null) {
      client.close();
    }
  }
}
