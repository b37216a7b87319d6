package io.botgate;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;

import com.sun.management.UnixOperatingSystemMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes the connections of one HTTP server that hold a socket without giving the gateway a request to
 * answer for longer than {@code http.idleTimeoutSeconds}: nothing sent since connecting, a request head that has not
 * all come, or no new request since the last answer, all counted from the connection or from when the last answer's
 * bytes had all gone to the socket (not when they were written into the pipeline: a client reading a large answer
 * slowly is still being answered); and a
 * request whose body has stopped coming, counted from its last bytes (an upload still sending is never cut, however
 * long it takes, nor one the gateway itself has stopped reading, as the pass-through does while its upstream is slow
 * to take the body). A request the gateway is answering is never cut (its integration's {@code timeoutMs} or the
 * pass-through's deadline bounds it), nor a WebSocket (the console's heartbeats and limits govern it). Vert.x's own
 * idle timeout counts bytes only: it would also cut an execution waiting on a slow upstream. It also keeps the port's
 * connections within {@code http.connections}, making room by closing the idlest one of any of the port's servers.
 * <p>
 * What a connection is doing is read from its Netty pipeline, on its own event loop: request heads and body parts
 * coming in, answers going out. Whether it may be closed for a new connection is published in one atomic field,
 * which a server on another event loop claims before closing it, so a connection that has just begun a request is
 * never taken. The server speaks HTTP/1.1 (no clear-text HTTP/2, whose connections Vert.x reports only once their
 * first bytes have come).
 */
final class IdleConnections {

  private static final Logger LOG = LoggerFactory.getLogger(IdleConnections.class);
  /** How often at most a full gateway says so in the log. */
  private static final long FULL_LOG_MS = 60_000;
  private static final AtomicLong LOGGED_FULL = new AtomicLong();
  /** {@link Watched#idleSince}: a request is being received or answered, or the connection is a WebSocket. */
  private static final long BUSY = 0;
  /** {@link Watched#idleSince}: claimed for closing; it takes no further request. */
  private static final long CLOSING = -1;
  /** How many of a server's idle connections a search for the idlest one looks at, at most. */
  private static final int SEARCHED = 64;

  private final Vertx vertx;
  private final long timeoutMs;
  /** This server's connections, touched on its event loop only (the sweep's). */
  private final Set<Watched> mine = ConcurrentHashMap.newKeySet();
  /** The servers of the port, whose connections are the places {@code http.connections} counts. */
  private final Port port;
  /**
   * This server's idle connections in the order they became idle, the idlest first: linked through the connections
   * themselves (no allocation as they come and go), changed on the server's event loop only, read from any.
   */
  private volatile Watched idlest;
  private Watched newest;
  private long sweeper = -1;

  /** The servers of one port, and how many connections may be open on it ({@code http.connections}). */
  record Port(AtomicInteger open, int maxOpen, List<IdleConnections> servers) {
    Port(AtomicInteger open, int maxOpen) {
      this(open, maxOpen, new CopyOnWriteArrayList<>());
    }
  }

  /**
   * @param timeoutMs how long a connection may hold its socket without a request being answered; 0: forever
   * @param port      the connections open on all the port's servers, shared by them
   */
  IdleConnections(Vertx vertx, long timeoutMs, Port port) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.port = port;
    port.servers().add(this);
  }

  /**
   * {@code http.connections} 0: half the file descriptors the process may open (the rest for upstream pools, the
   * console, the bridge, the cluster and files), at least 256; 10,000 where the JVM cannot tell.
   */
  static int defaultMaxOpen() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
      ? (int) Math.max(256, Math.min(Integer.MAX_VALUE, unix.getMaxFileDescriptorCount() / 2)) : 10_000;
  }

  /**
   * Starts watching a connection as it opens. Past {@code http.connections} it takes the place of the longest-idle
   * connection of the port, whichever event loop holds it, or is answered 503 {@code too_many_connections} and
   * closed when none is idle: sockets held open by a client (19,980 idle ones took every file descriptor in 7 s)
   * leave the gateway able to call upstreams, write files and answer requests already begun.
   */
  void opened(HttpConnection connection) {
    int now = port.open().incrementAndGet();
    if (!(connection instanceof HttpServerConnection http)) {
      connection.closeHandler(v -> port.open().decrementAndGet());
      return;
    }
    Channel channel = http.channelHandlerContext().channel();
    Watched w = new Watched(this, connection, channel, System.currentTimeMillis());
    // The channel's end, not the connection's: an upgrade to a WebSocket replaces the HTTP connection's handler,
    // whose close handler then never runs, and every console ever opened kept a place
    channel.closeFuture().addListener(done -> {
      port.open().decrementAndGet();
      mine.remove(w);
      unlist(w); // on the channel's event loop, this server's
    });
    if (now > port.maxOpen() && !closeIdlest()) {
      full("a new connection was answered 503 too_many_connections");
      refuse(channel);
      return;
    }
    ChannelHandlerContext vertxHandler = http.channelHandlerContext();
    vertxHandler.pipeline().addBefore(vertxHandler.name(), "botgate-idle-connections", w);
    mine.add(w);
    list(w);
    if (timeoutMs > 0 && sweeper < 0) {
      sweeper = vertx.setPeriodic(Math.max(100, timeoutMs / 4), id -> sweep());
    }
  }

  /**
   * Answers a connection the full gateway has no place for, before it sends anything, and ends it: written under the
   * HTTP encoders, which take no answer before a request.
   */
  private void refuse(Channel channel) {
    byte[] json = new GatewayError(503, "too_many_connections", "the gateway holds " + port.maxOpen()
      + " connections (http.connections), none of them idle; try again later").toJson().encode()
      .getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"
      + "X-Content-Type-Options: nosniff\r\nRetry-After: 1\r\nContent-Length: " + json.length
      + "\r\nConnection: close\r\n\r\n";
    LingeringClose.begin(channel);
    channel.pipeline().firstContext().writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), json))
      .addListener(written -> LingeringClose.endOutput(channel));
  }

  void stop() {
    port.servers().remove(this);
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
  }

  /**
   * Closes the port's connection idle the longest: one that has sent nothing since connecting or since its last
   * answer, never one whose request is still coming in (an upload at its own pace) or being answered; false when
   * there is none. A keep-alive connection idle since its answer goes before one opened after that answer whose
   * first request is still on its way. Each server's idlest is at the head of its list, so the search looks at a
   * few connections of each server (a connection claimed by another search and not yet closed, at most
   * {@link #SEARCHED}), not at every connection of the port.
   */
  private boolean closeIdlest() {
    for (int tries = 0; tries < 8; tries++) { // another may start a request, or be claimed, as we look
      Watched idlest = null;
      long oldest = Long.MAX_VALUE;
      for (IdleConnections server : port.servers()) {
        Watched w = server.idlest;
        for (int seen = 0; w != null && seen < SEARCHED; seen++, w = w.next) {
          long since = w.idleSince.get();
          if (since > 0) {
            if (since < oldest) {
              oldest = since;
              idlest = w;
            }
            break;
          }
        }
      }
      if (idlest == null) {
        return false;
      }
      if (idlest.idleSince.compareAndSet(oldest, CLOSING)) {
        idlest.connection.close(); // off its server's list when it has closed, on its own event loop
        full("the connection idle longest (" + (System.currentTimeMillis() - oldest) + " ms) was closed for a new one");
        return true;
      }
    }
    return false;
  }

  /** Puts a connection that has just become idle at the end of this server's list; on its event loop. */
  private void list(Watched w) {
    w.previous = newest;
    w.next = null;
    if (newest == null) {
      idlest = w;
    } else {
      newest.next = w;
    }
    newest = w;
    w.listed = true;
  }

  /** Takes a connection off this server's list (it is busy, or closed); on its event loop. */
  private void unlist(Watched w) {
    if (!w.listed) {
      return;
    }
    w.listed = false;
    Watched before = w.previous;
    Watched after = w.next; // w.next kept: a search standing on w goes on from there
    if (before == null) {
      idlest = after;
    } else {
      before.next = after;
    }
    if (after == null) {
      newest = before;
    } else {
      after.previous = before;
    }
    w.previous = null;
  }

  private void full(String what) {
    long now = System.currentTimeMillis();
    long last = LOGGED_FULL.get();
    if (now - last >= FULL_LOG_MS && LOGGED_FULL.compareAndSet(last, now)) {
      LOG.warn("http.connections ({}) are open: {} (said at most once a minute)", port.maxOpen(), what);
    }
  }

  private void sweep() {
    long now = System.currentTimeMillis();
    for (Watched w : mine) {
      long since = w.idleSince.get();
      boolean idle = since > 0 ? now - since >= timeoutMs && w.idleSince.compareAndSet(since, CLOSING)
        : since == BUSY && w.receiving && !w.pausedByUs() && now - w.lastBytes >= timeoutMs;
      if (idle) {
        mine.remove(w);
        w.connection.close();
      }
    }
  }

  /**
   * What one connection is doing, seen in its pipeline as Vert.x's HTTP decoder hands requests on and as answers are
   * written: Vert.x reports the end of an answer nowhere a second party may listen (the response's end handler is
   * the router's). Seen at the time, not at the next sweep, so a connection answered before another opened counts as
   * idle for longer than that one.
   */
  private static final class Watched extends ChannelDuplexHandler implements ChannelFutureListener {

    private final IdleConnections server;
    final HttpConnection connection;
    private final Channel channel;
    /** The next connection on its server's idle list (younger), and the previous; see {@link #list}. */
    volatile Watched next;
    private Watched previous;
    private boolean listed;
    /** Since when it has been idle, so that it may be closed for a new connection; {@link #BUSY} or {@link #CLOSING}. */
    final AtomicLong idleSince;
    /** Requests whose head has come and whose answer has not all been written (more than one when pipelined). */
    private int unanswered;
    /** A request's head has come and its body has not all. */
    volatile boolean receiving;
    /** When the last bytes of a request body came or of an answer went. */
    volatile long lastBytes;
    private boolean webSocket;
    /**
     * The write that ended the last answer, while its bytes have not all gone to the socket (a client reading a
     * large answer slowly): the connection is not idle until they have. Null once they have.
     */
    private ChannelPromise ending;
    /** Whether this handler listens to {@link #ending}'s completion. */
    private boolean listening;

    Watched(IdleConnections server, HttpConnection connection, Channel channel, long openedAt) {
      this.server = server;
      this.connection = connection;
      this.channel = channel;
      this.idleSince = new AtomicLong(openedAt);
      this.lastBytes = openedAt;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      long since = idleSince.get();
      if (since == CLOSING || msg instanceof HttpRequest && since > 0 && !idleSince.compareAndSet(since, BUSY)) {
        ReferenceCountUtil.release(msg); // taken for a new connection (as this came): it is being closed
        return;
      }
      if (msg instanceof HttpRequest) {
        server.unlist(this);
        unanswered++;
        receiving = true;
      }
      if (msg instanceof HttpContent) {
        lastBytes = System.currentTimeMillis();
      }
      if (msg instanceof LastHttpContent && receiving) {
        receiving = false;
        idleIfDone();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse response && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
        webSocket = true; // the console's to govern from now on
      }
      if (msg instanceof HttpContent) {
        lastBytes = System.currentTimeMillis();
      }
      if (msg instanceof LastHttpContent
        && !(msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL)
        && unanswered > 0) {
        unanswered--;
        // Idle once its bytes have gone to the socket: written into the pipeline they may wait there for a client
        // reading slowly, which the idle sweep or a new connection would then cut (Vert.x's close waits for them, and
        // the client's next request on the connection is refused)
        ending = promise.isVoid() ? promise.unvoid() : promise;
        ctx.write(msg, ending);
        return;
      }
      ctx.write(msg, promise);
    }

    /**
     * The gateway asks for more bytes: after a pause of its own (an upload the pass-through's upstream is slow to
     * take), the client's silence counts from here.
     */
    @Override
    public void read(ChannelHandlerContext ctx) {
      if (receiving) {
        lastBytes = System.currentTimeMillis();
      }
      ctx.read();
    }

    /**
     * Whether the gateway has stopped reading the request it is answering (Vert.x stops the socket's reads once the
     * request is paused and a few messages wait): the client cannot send, and is not idle.
     */
    boolean pausedByUs() {
      return unanswered > 0 && !channel.config().isAutoRead();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      ctx.flush();
      if (ending != null) {
        settle();
      }
    }

    /**
     * Notes the end of the last answer once it has all gone to the socket: at once when the flush wrote it (an answer
     * the socket takes whole, without a listener added), else when the write completes.
     */
    private void settle() {
      if (ending.isDone()) {
        ending = null;
        idleIfDone();
      } else if (!listening) {
        listening = true;
        ending.addListener(this);
      }
    }

    @Override
    public void operationComplete(ChannelFuture written) {
      listening = false;
      if (ending != null) {
        lastBytes = System.currentTimeMillis();
        settle(); // the answer heard of, or a later one pipelined after it
      }
    }

    private void idleIfDone() {
      if (unanswered == 0 && !receiving && !webSocket && ending == null && channel.isActive()
        && idleSince.compareAndSet(BUSY, System.currentTimeMillis())) {
        server.list(this);
      }
    }
  }
}
