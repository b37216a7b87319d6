package io.botgate;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerConnection;

import com.sun.management.UnixOperatingSystemMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes the connections of one HTTP server that hold a socket without giving the gateway a request to
 * answer for longer than {@code http.idleTimeoutSeconds}: nothing sent since connecting, a request whose head
 * or body has not all come, or no new request since the last answer. A request the gateway is answering is
 * never cut (its integration's {@code timeoutMs} or the pass-through's deadline bounds it), nor a WebSocket
 * (the console's heartbeats and limits govern it). Vert.x's own idle timeout counts bytes, not requests: it
 * would also cut an execution waiting on a slow upstream. It also keeps the port's connections within
 * {@code http.connections}, making room by closing the idlest one.
 * <p>
 * Confined to the server's event loop: its connections and requests are handled there, and so is the sweep.
 * The server speaks HTTP/1.1 (no clear-text HTTP/2, whose connections Vert.x reports only once their first
 * bytes have come); an HTTP/2 connection, whose streams overlap, would be left alone.
 */
final class IdleConnections {

  private static final Logger LOG = LoggerFactory.getLogger(IdleConnections.class);
  /** How often at most a full gateway says so in the log. */
  private static final long FULL_LOG_MS = 60_000;
  private static final AtomicLong LOGGED_FULL = new AtomicLong();

  private final Vertx vertx;
  private final long timeoutMs;
  private final Map<HttpConnection, Watched> watched = new HashMap<>();
  /** The connections open on every server of the port, and how many may be ({@code http.connections}). */
  private final AtomicInteger open;
  private final int maxOpen;
  private long sweeper = -1;

  /**
   * @param timeoutMs how long a connection may hold its socket without a request being answered; 0: forever
   * @param open      the connections open on all the port's servers, shared by them
   * @param maxOpen   {@code http.connections}: past it a new connection takes the place of this server's
   *                  longest-idle one, or is closed when none is idle
   */
  IdleConnections(Vertx vertx, long timeoutMs, AtomicInteger open, int maxOpen) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.open = open;
    this.maxOpen = maxOpen;
  }

  /**
   * {@code http.connections} 0: half the file descriptors the process may open (the rest for upstream pools, the
   * console, the bridge, the cluster and files), at least 256; 10,000 where the JVM cannot tell.
   */
  static int defaultMaxOpen() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
      ? (int) Math.max(256, Math.min(Integer.MAX_VALUE, unix.getMaxFileDescriptorCount() / 2)) : 10_000;
  }

  /** What a connection is doing: its latest request (null before the first) and since when. */
  private static final class Watched {
    HttpServerRequest request;
    long since;
    /** When the latest request's answer was written to the connection in full, 0 before. */
    long answeredAt;
    /** The latest request asked for an upgrade: once it succeeds, the WebSocket is the console's to govern. */
    boolean upgrade;

    Watched(long since) {
      this.since = since;
    }
  }

  /**
   * Starts watching a connection as it opens. Past {@code http.connections} it takes the place of the longest-idle
   * connection of this server, or is closed at once when none is idle: sockets held open by a client (19,980 idle
   * ones took every file descriptor in 7 s) leave the gateway able to call upstreams, write files and answer
   * requests already begun.
   */
  void opened(HttpConnection connection) {
    int now = open.incrementAndGet();
    Handler<Void> closed = v -> {
      open.decrementAndGet();
      watched.remove(connection);
    };
    if (connection instanceof HttpServerConnection http) {
      // The channel's end, not the connection's: an upgrade to a WebSocket replaces the HTTP connection's handler,
      // whose close handler then never runs, and every console ever opened kept a place
      http.channelHandlerContext().channel().closeFuture().addListener(done -> closed.handle(null));
    } else {
      connection.closeHandler(closed);
    }
    if (now > maxOpen && !closeIdlest()) {
      full("a new connection was closed at once");
      connection.close();
      return;
    }
    if (timeoutMs <= 0) {
      return;
    }
    Watched w = new Watched(System.currentTimeMillis());
    watched.put(connection, w);
    if (connection instanceof HttpServerConnection http) {
      ChannelHandlerContext vertx = http.channelHandlerContext();
      vertx.pipeline().addBefore(vertx.name(), "botgate-answer-ends", new AnswerEnds(w));
    }
    if (sweeper < 0) {
      sweeper = vertx.setPeriodic(Math.max(100, timeoutMs / 4), id -> sweep());
    }
  }

  /** {@code requests}, noting each request's start on its connection. */
  Handler<HttpServerRequest> around(Handler<HttpServerRequest> requests) {
    if (timeoutMs <= 0) {
      return requests;
    }
    return request -> {
      Watched w = watched.get(request.connection());
      if (w != null) {
        if (request.version() == HttpVersion.HTTP_2) {
          watched.remove(request.connection()); // streams overlap
        } else {
          w.request = request;
          w.since = System.currentTimeMillis();
          w.answeredAt = 0;
          w.upgrade = request.headers().contains(HttpHeaders.UPGRADE);
        }
      }
      requests.handle(request);
    };
  }

  void stop() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
  }

  /**
   * Closes this server's connection idle the longest (none while the timeout is off): one that has sent nothing
   * since connecting or since its last answer, never one whose request is still coming in (an upload at its own
   * pace); false when there is none. A keep-alive connection idle since its answer goes before one opened after
   * that answer whose first request is still on its way.
   */
  private boolean closeIdlest() {
    long now = System.currentTimeMillis();
    HttpConnection idlest = null;
    long oldest = Long.MAX_VALUE;
    for (Map.Entry<HttpConnection, Watched> e : watched.entrySet()) {
      HttpServerRequest coming = e.getValue().request;
      if (coming != null && !coming.isEnded()) {
        continue;
      }
      long idleSince = idleSince(e.getValue());
      if (idleSince > 0 && idleSince < oldest) {
        oldest = idleSince;
        idlest = e.getKey();
      }
    }
    if (idlest == null) {
      return false;
    }
    watched.remove(idlest);
    idlest.close();
    full("the connection idle longest (" + (now - oldest) + " ms) was closed for a new one");
    return true;
  }

  private void full(String what) {
    long now = System.currentTimeMillis();
    long last = LOGGED_FULL.get();
    if (now - last >= FULL_LOG_MS && LOGGED_FULL.compareAndSet(last, now)) {
      LOG.warn("http.connections ({}) are open: {} (said at most once a minute)", maxOpen, what);
    }
  }

  private void sweep() {
    long now = System.currentTimeMillis();
    for (Iterator<Map.Entry<HttpConnection, Watched>> it = watched.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<HttpConnection, Watched> e = it.next();
      long idleSince = idleSince(e.getValue());
      if (idleSince > 0 && now - idleSince >= timeoutMs) {
        it.remove();
        e.getKey().close();
      }
    }
  }

  /** Since when the connection has held its socket without a request being answered; 0: one is. */
  private static long idleSince(Watched w) {
    HttpServerRequest request = w.request;
    if (w.upgrade && request.isEnded() && (!request.response().ended() || request.response().getStatusCode() == 101)) {
      return 0; // a WebSocket, or its handshake (an upgrade refused is answered, and then counts as any answer)
    }
    if (request == null || !request.isEnded()) {
      return w.since; // nothing asked yet, or the request has not all come
    }
    if (!request.response().ended() && !request.response().closed()) {
      return 0; // being answered
    }
    // answered (or its connection closing); an answer not written through the pipeline counts from its request
    return w.answeredAt != 0 ? w.answeredAt : w.since;
  }

  /**
   * Notes when each answer on a connection has been written in full, as Vert.x reports it nowhere a second party may
   * listen: the response's end handler is the router's. Seen at the time, not at the next sweep, so a connection
   * answered before another opened counts as idle for longer than that one.
   */
  private static final class AnswerEnds extends ChannelOutboundHandlerAdapter {

    private final Watched watched;

    AnswerEnds(Watched watched) {
      this.watched = watched;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof LastHttpContent
        && !(msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL)) {
        watched.answeredAt = System.currentTimeMillis();
      }
      ctx.write(msg, promise);
    }
  }
}
