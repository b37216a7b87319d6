package io.botgate.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;


/**
 * Bounds what a bridge client may leave unread. The bridge writes every message for a client's
 * registrations without looking at the socket's write queue, so a client that registers and stops reading
 * would make the gateway hold every result and event for it. Once more than the bound waits to be sent, the
 * connection is closed: the client reconnects and registers again; the gateway's memory stays bounded.
 */
final class BacklogLimit extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(BacklogLimit.class);

  private final int maxBytes;

  private BacklogLimit(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Makes the channel unwritable past {@code maxBytes} unsent, and closes it when it becomes so. */
  static void install(NetSocket socket, int maxBytes) {
    ChannelHandlerContext vertx = ((NetSocketInternal) socket).channelHandlerContext();
    vertx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxBytes / 2, maxBytes));
    vertx.pipeline().addBefore(vertx.name(), "botgate-backlog-limit", new BacklogLimit(maxBytes));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      LOG.info("bridge client {} left more than {} bytes unread (bridge.queue.bytes): connection closed",
        ctx.channel().remoteAddress(), maxBytes);
      ctx.close();
    }
    ctx.fireChannelWritabilityChanged();
  }
}
