package io.botgate;

import io.botgate.api.HttpErrors;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One HTTP server on its own event loop. Several instances share the port, so requests spread over
 * the cores while the router and the services behind it are shared. Undeployed, a server stops accepting
 * and lets the requests in flight finish within the grace time before it closes their connections.
 */
final class HttpServerVerticle extends VerticleBase {

  /** The last negative port number taken: each one stands for a random port shared by one deployment's servers. */
  private static final AtomicInteger RANDOM_PORTS = new AtomicInteger();
  private final Handler<HttpServerRequest> router;
  /** What answers a request the server could not parse, given the server's options ({@link HttpErrors#invalidRequests}). */
  private final Function<HttpServerOptions, Handler<HttpServerRequest>> invalid;
  private final HttpServerOptions options;
  private final long graceSeconds;
  private final long idleTimeoutMs;
  private final IdleConnections.Port connections;
  private HttpServer server;
  private IdleConnections idle;

  private HttpServerVerticle(Handler<HttpServerRequest> router, Function<HttpServerOptions, Handler<HttpServerRequest>> invalid,
                             HttpServerOptions options, long graceSeconds, long idleTimeoutMs, IdleConnections.Port connections) {
    this.router = router;
    this.invalid = invalid;
    this.options = options;
    this.graceSeconds = graceSeconds;
    this.idleTimeoutMs = idleTimeoutMs;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options);
    idle = new IdleConnections(vertx, idleTimeoutMs, connections);
    return server.connectionHandler(connection -> {
        RequestChecks.install(connection);
        idle.opened(connection);
      }).requestHandler(router)
      .invalidRequestHandler(invalid.apply(options)).listen();
  }

  @Override
  public Future<?> stop() {
    idle.stop();
    return server.shutdown(graceSeconds, TimeUnit.SECONDS);
  }

  /** The servers of one port, deployed together and undeployed together. */
  record Servers(int port, List<String> deployments) {
    Future<Void> undeploy(Vertx vertx) {
      return Future.all(deployments.stream().map(vertx::undeploy).toList()).mapEmpty();
    }
  }

  /**
   * Deploys {@code instances} servers on one port; each closes the connections that hold a socket without a
   * request to answer for {@code idleTimeoutMs} ({@link IdleConnections}; 0: never), and together they hold at most
   * {@code maxConnections} connections (0: {@link IdleConnections#defaultMaxOpen()}), counted in {@code open}. A request
   * the server cannot parse is answered by {@code invalid} ({@link HttpErrors#invalidRequests} wrapped or not).
   */
  static Future<Servers> deploy(Vertx vertx, Handler<HttpServerRequest> router,
                                Function<HttpServerOptions, Handler<HttpServerRequest>> invalid, HttpServerOptions options,
                                int instances, long graceSeconds, long idleTimeoutMs, int maxConnections, AtomicInteger open) {
    IdleConnections.Port connections = new IdleConnections.Port(open,
      maxConnections > 0 ? maxConnections : IdleConnections.defaultMaxOpen());
    // Port 0 would give each instance its own random port; a negative port makes Vert.x share one among the servers
    // given that same number, so each deployment takes its own (two gateways in one Vert.x had shared one port)
    int port = options.getPort() == 0 ? RANDOM_PORTS.decrementAndGet() : options.getPort();
    HttpServerOptions shared = new HttpServerOptions(options).setPort(port);
    HttpServerVerticle first = new HttpServerVerticle(router, invalid, shared, graceSeconds, idleTimeoutMs, connections);
    List<String> ids = new ArrayList<>();
    return vertx.deployVerticle(first).compose(id -> {
      ids.add(id);
      return instances <= 1 ? Future.succeededFuture() :
        vertx.deployVerticle(() -> new HttpServerVerticle(router, invalid, shared, graceSeconds, idleTimeoutMs, connections),
          new DeploymentOptions().setInstances(instances - 1)).andThen(more -> ids.add(more.result()));
    }).map(done -> new Servers(first.server.actualPort(), List.copyOf(ids)));
  }
}
