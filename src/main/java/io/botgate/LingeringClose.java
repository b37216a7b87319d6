package io.botgate;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Ends a connection refused for what its client sent (a frame over a limit) in order, so the client reads the
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

  /** From now on drops what {@code channel} reads, and closes it within the bounds. */
  public static void begin(Channel channel) {
    channel.pipeline().addFirst(new LingeringClose());
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
}
