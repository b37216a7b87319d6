package io.botgate.console;

import io.botgate.events.DebugStream;
import io.botgate.GatewayError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /console}: upgrades to the console WebSocket. The router has checked the Origin already
 * (the gateway's own, or one of {@code http.allowedOrigins}), as for every request. {@code POST /console/check}
 * answers the same decision as JSON, for the page ({@link #check}).
 */
public final class ConsoleEndpoint {

  private final Vertx vertx;
  private final DebugStream stream;
  private final ConsoleOptions options;
  private final ConsoleStats stats = new ConsoleStats();
  /** Open console connections at most ({@code console.connections}): each may hold its queue and inbox. */
  private final int maxConnections;
  /** Console connections open or being upgraded: a place is taken before the handshake. */
  private final AtomicInteger places = new AtomicInteger();

  /** Where the page asks what a handshake would be answered ({@link #check}). */
  public static final String CHECK_PATH = "/console/check";

  /** The most console connections open at once by default: each holds up to about 1.3 MB while its client lags. */
  public static final int DEFAULT_CONNECTIONS = 256;

  private static final String VERSION_HEADER = "Sec-WebSocket-Version";
  private static final String VERSION = "13";

  private static String shorten(String text) {
    return text == null ? "" : text.length() <= 20 ? text : text.substring(0, 20) + "…";
  }

  public ConsoleEndpoint(Vertx vertx, DebugStream stream, ConsoleOptions options, int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("console.connections must be at least 1, not " + maxConnections);
    }
    this.vertx = vertx;
    this.stream = stream;
    this.options = options;
    this.maxConnections = maxConnections;
  }

  public void handle(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      ctx.fail(new GatewayError(400, "websocket_required", "/console is a WebSocket: connect with a WebSocket "
        + "client (Connection: Upgrade, Upgrade: websocket), or open the console page at /"));
      return;
    }
    if (!VERSION.equals(ctx.request().getHeader(VERSION_HEADER))) {
      // Drafts 7 and 8, which Netty still speaks, carry a browser's origin in Sec-WebSocket-Origin, which the
      // origin check never reads; every browser since 2012 speaks 13. RFC 6455 4.4: 426, naming the version spoken.
      ctx.response().putHeader(VERSION_HEADER, VERSION);
      ctx.fail(new GatewayError(426, "websocket_version", "the console speaks WebSocket version " + VERSION
        + " (RFC 6455) only, not '" + shorten(ctx.request().getHeader(VERSION_HEADER)) + "'"));
      return;
    }
    if (places.incrementAndGet() > maxConnections) { // taken before the handshake, given back when it closes
      places.decrementAndGet();
      ctx.fail(full());
      return;
    }
    HttpConnection connection = ctx.request().connection();
    ctx.request().toWebSocket().onFailure(failed -> places.decrementAndGet()).onSuccess(ws -> {
      ConsoleConnection console = new ConsoleConnection(ws, vertx.getOrCreateContext(), stream, options, stats);
      // Vert.x flushes every frame written outside a read: a system call per event per client. Consolidated,
      // the frames a turn of the event loop writes (a drained batch of events) leave in one. (Vert.x's own
      // connection class: the upgraded socket as the router hands it over does not show its channel, which the
      // console also needs to hang up at once on a client that floods pings.)
      if (connection instanceof HttpServerConnection upgraded) {
        ChannelHandlerContext vertxHandler = upgraded.channelHandlerContext();
        vertxHandler.channel().closeFuture().addListener(closed -> places.decrementAndGet());
        vertxHandler.pipeline().addFirst(new FlushConsolidationHandler(
          FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        console.over(vertxHandler.channel());
        vertxHandler.pipeline().addBefore(vertxHandler.name(), null, new TextFrameCheck());
        vertxHandler.pipeline().addBefore(vertxHandler.name(), null, new RefusedFrames(console::refuse));
      } else {
        connection.closeHandler(closed -> places.decrementAndGet());
      }
      console.start();
    });
  }

  /**
   * {@code POST /console/check}: answers what a handshake sent now would be answered, as JSON, since a browser
   * hides from the page why its WebSocket was refused. Its route has the same checks in front as {@code /console}
   * (Host, then Origin, which a browser sends with a POST as with a handshake, then the token), so a page of another
   * origin is answered 403 before anything else, and can read even that only if it is the gateway's own; here
   * the rest: 503 {@code too_many_consoles} when the gateway has its {@code console.connections} open, else 200
   * {@code {"accepted": true}}. No place is taken.
   */
  public void check(RoutingContext ctx) {
    if (places.get() >= maxConnections) {
      ctx.fail(full());
      return;
    }
    GatewayError.jsonHead(ctx.response().headers());
    ctx.response().end(ACCEPTED.toBuffer());
  }

  private static final JsonObject ACCEPTED = new JsonObject().put("accepted", true);

  private GatewayError full() {
    return new GatewayError(503, "too_many_consoles", "this gateway has " + maxConnections + " console "
      + "connections open already (console.connections); close one, or try again later");
  }

  public ConsoleStats stats() {
    return stats;
  }
}
