package io.botgate;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;

import java.util.concurrent.TimeUnit;

/**
 * Ends a connection refused for what its client sent (a frame, a request head or an upload over a limit, an
 * HTTP version not spoken) in order, so the client reads the
 * refusal: the server's output ends after it, and what the client is still sending is read and dropped, bytes as
 * they come, before any decoder, until it hangs up. Closed at once instead, with bytes unread, the connection
 * ends in a reset, which a client still writing often takes before the refusal. The wait is bounded: the
 * connection closes after {@link #MAX_MILLIS} or {@link #MAX_BYTES} dropped, whichever comes first, so a client
 * that streams on cannot keep the gateway reading.
 */
public final class LingeringClose extends ChannelInboundHandlerAdapter {

  public static final int MAX_MILLIS = 2_000;
  public static final long MAX_BYTES = 4L << 20;

  private long dropped;

  private LingeringClose() {
  }

  /**
   * Ends an HTTP/1 connection whose request was refused, once the refusal is written: its output ends, and the
   * rest of the request (an upload, a request head over the limit) is dropped as it comes, within the bounds.
   * Any other connection is closed.
   */
  public static void afterAnswer(HttpConnection connection) {
    if (connection instanceof HttpServerConnection http) {
      Channel channel = http.channelHandlerContext().channel();
      begin(channel);
      endOutput(channel);
    } else {
      connection.close();
    }
  }

  /**
   * For a request Vert.x could not decode (a request head over a limit, bytes that are not HTTP), before its
   * refusal is written: Vert.x fails such a connection as soon as its answer is written, and the failure would
   * close it at once, with the rest unread; from now on what it reads is dropped and so is that failure
   * ({@link #exceptionCaught}), and {@link #afterAnswer} then ends it in order.
   */
  public static void beforeAnswer(HttpConnection connection) {
    if (connection instanceof HttpServerConnection http) {
      begin(http.channelHandlerContext().channel());
    }
  }

  /** From now on drops what {@code channel} reads, and closes it within the bounds; once per channel. */
  public static void begin(Channel channel) {
    if (channel.pipeline().get(LingeringClose.class) != null) {
      return;
    }
    channel.pipeline().addFirst(new LingeringClose());
    // a connection whose reading Vert.x had paused (a console client over its queue budget) is read again: what
    // comes is dropped, not left in the buffers until the close resets them
    channel.config().setAutoRead(true);
    ScheduledFuture<?> closing = channel.eventLoop().schedule(() -> channel.close(), MAX_MILLIS, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(closed -> closing.cancel(false));
  }

  /** Ends the server's output (once the refusal is written): the client reads it, then the end. */
  public static void endOutput(Channel channel) {
    if (channel instanceof DuplexChannel socket) {
      socket.shutdownOutput();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      dropped += bytes.readableBytes();
    }
    ReferenceCountUtil.release(msg);
    if (dropped > MAX_BYTES) {
      ctx.close();
    }
  }

  /**
   * Dropped, not passed on to the handlers that would close the connection at once: the connection is ending
   * anyway, and closes within the bounds (or when the transport fails it).
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
  }
}
