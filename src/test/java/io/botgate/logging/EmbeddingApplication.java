package io.botgate.logging;

import io.botgate.BotgateVerticle;
import io.vertx.core.Vertx;

/** An application of a user's own that embeds botgate: a plain Vert.x deploying the gateway, without botgate's Main. */
public final class EmbeddingApplication {

  private EmbeddingApplication() {
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new BotgateVerticle()).onFailure(e -> {
      e.printStackTrace();
      System.exit(1);
    });
  }
}
