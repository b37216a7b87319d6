package io.botgate;

import io.botgate.api.HttpErrors;
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
    return server.requestHandler(router).invalidRequestHandler(HttpErrors.invalidRequests(options)).listen();
  }

  /** Deploys {@code instances} servers on one port and completes with the bound port. */
  static Future<Integer> deploy(Vertx vertx, Router router, HttpServerOptions options, int instances) {
    // Port 0 would give each instance its own random port; a negative port makes Vert.x share one.
    HttpServerOptions shared = new HttpServerOptions(options).setPort(options.getPort() == 0 ? -1 : options.getPort());
    HttpServerVerticle first = new HttpServerVerticle(router, shared);
    return vertx.deployVerticle(first).compose(id -> instances <= 1 ? Future.succeededFuture() :
        vertx.deployVerticle(() -> new HttpServerVerticle(router, shared),
          new DeploymentOptions().setInstances(instances - 1)))
      .map(done -> first.server.actualPort());
  }
}
