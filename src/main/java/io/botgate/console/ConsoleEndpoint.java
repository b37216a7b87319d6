package io.botgate.console;

import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /console}: upgrades to the console WebSocket. A browser's Origin must be this gateway's
 * own address or listed in {@code console.origins}; clients without an Origin (tools, tests) pass.
 */
public final class ConsoleEndpoint {

  private final Vertx vertx;
  private final DebugStream stream;
  private final ConsoleOptions options;
  private final List<String> origins;
  private final ConsoleStats stats = new ConsoleStats();

  public ConsoleEndpoint(Vertx vertx, DebugStream stream, ConsoleOptions options, List<String> origins) {
    this.vertx = vertx;
    this.stream = stream;
    this.options = options;
    this.origins = origins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
  }

  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null && !allowed(origin, ctx.request().getHeader("Host"))) {
      ctx.response().setStatusCode(403).putHeader("Content-Type", "application/json")
        .end("{\"error\":{\"code\":\"origin_refused\",\"message\":\"the console does not accept pages from "
          + origin.replace("\"", "") + "; add it to console.origins\"}}");
      return;
    }
    ctx.request().toWebSocket().onSuccess(ws ->
      new ConsoleConnection(ws, vertx.getOrCreateContext(), stream, options, stats).start());
  }

  public ConsoleStats stats() {
    return stats;
  }

  private boolean allowed(String origin, String host) {
    String o = origin.toLowerCase(Locale.ROOT);
    if (origins.contains(o)) {
      return true;
    }
    try {
      URI uri = URI.create(o);
      String authority = uri.getAuthority();
      return host != null && authority != null && authority.equalsIgnoreCase(host);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
