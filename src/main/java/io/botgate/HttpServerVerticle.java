package io.botgate;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * One HTTP server on its own event loop. Several instances share the port, so requests spread over
 * the cores while the router and the services behind it are shared.
 */
final class HttpServerVerticle extends VerticleBase {

  private final Router router;
  private final HttpServerOptions options;
  private HttpServer server;

  private HttpServerVerticle(Router router, HttpServerOptions options) {
    this.router = router;
    this.options = options;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options);
    return server.requestHandler(router).listen();
  }

  /**
   * Deploys {@code instances} servers; the first binds the configured port (0 = any free port) and the
   * others join it. Completes with the bound port.
   */
  static Future<Integer> deploy(Vertx vertx, Router router, HttpServerOptions options, int instances) {
    HttpServerVerticle first = new HttpServerVerticle(router, options);
    return vertx.deployVerticle(first).compose(id -> {
      int port = first.server.actualPort();
      if (instances <= 1) {
        return Future.succeededFuture(port);
      }
      HttpServerOptions joined = new HttpServerOptions(options).setPort(port);
      return vertx.deployVerticle(() -> new HttpServerVerticle(router, joined),
        new DeploymentOptions().setInstances(instances - 1)).map(port);
    });
  }
}
