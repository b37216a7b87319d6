package io.botgate.logging;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per HTTP request once its answer is written ({@code log.access}): method, path, status,
 * duration and bytes. The query string is left out, since secrets travel in it (an {@code api_key} on a
 * pass-through call); headers and bodies are never logged.
 * <p>
 * Every request answered is logged, wherever it is answered: {@link #around} watches each one as the server hands
 * it over, so those answered before any route ({@code OPTIONS *}, a Host refused in front of the router, a target
 * the router rejects) and those the server could not parse ({@link #around} on its invalid-request handler) have
 * their line too. A request that reaches a route is logged by the route handler ({@link #handle}) instead: the
 * router takes the answer's body-end handler for its own list, and the line moves there, so it is written once.
 */
public final class AccessLog implements Handler<RoutingContext> {

  /** The access lines' logger: one line per request, as asked, never limited ({@link RepeatedLines}). */
  static final String LOGGER = "io.botgate.access";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  /** {@code requests}, each request logged once its answer is written (see above). */
  public static Handler<HttpServerRequest> around(Handler<HttpServerRequest> requests) {
    return request -> {
      long start = System.nanoTime();
      request.response().bodyEndHandler(v -> line(request, start));
      requests.handle(request);
    };
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addBodyEndHandler(v -> line(ctx.request(), start));
    ctx.next();
  }

  private static void line(HttpServerRequest request, long start) {
    int status = request.response().getStatusCode();
    SocketAddress remote = request.remoteAddress();
    String method = request.method() == null ? "-" : request.method().name();
    String path = path(request);
    LOG.atInfo().addKeyValue("method", method).addKeyValue("path", path)
      .addKeyValue("status", status).addKeyValue("durationMs", (System.nanoTime() - start) / 1_000_000)
      .addKeyValue("bytes", request.response().bytesWritten())
      .addKeyValue("remote", remote == null ? null : remote.hostAddress())
      .log("{} {} {}", method, path, status);
  }

  /** The request's path without its query; a target with none ({@code *}, a CONNECT's {@code host:port}) as sent. */
  private static String path(HttpServerRequest request) {
    String path;
    try {
      path = request.path();
    } catch (RuntimeException e) { // a target the server could not read
      path = null;
    }
    if (path == null || path.isEmpty()) {
      String uri = request.uri();
      int query = uri == null ? -1 : uri.indexOf('?');
      path = uri == null || uri.isEmpty() ? "-" : query < 0 ? uri : uri.substring(0, query);
    }
    return path;
  }
}
