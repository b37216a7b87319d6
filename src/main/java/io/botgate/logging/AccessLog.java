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
 */
public final class AccessLog implements Handler<RoutingContext> {

  /** The access lines' logger: one line per request, as asked, never limited ({@link RepeatedLines}). */
  static final String LOGGER = "io.botgate.access";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addBodyEndHandler(v -> {
      HttpServerRequest request = ctx.request();
      int status = ctx.response().getStatusCode();
      SocketAddress remote = request.remoteAddress();
      LOG.atInfo().addKeyValue("method", request.method().name()).addKeyValue("path", request.path())
        .addKeyValue("status", status).addKeyValue("durationMs", (System.nanoTime() - start) / 1_000_000)
        .addKeyValue("bytes", ctx.response().bytesWritten())
        .addKeyValue("remote", remote == null ? null : remote.hostAddress())
        .log("{} {} {}", request.method().name(), request.path(), status);
    });
    ctx.next();
  }
}
