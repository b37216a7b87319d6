package io.botgate.api;

import io.botgate.GatewayError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;

/**
 * Bounds the frames a bridge client sends (4-byte big-endian length, then that many bytes of JSON). The
 * bridge's own parser buffers whatever length a frame declares, up to 2 GiB; this handler sits before it in
 * the connection's pipeline, reads each length as it streams past, and refuses a frame longer than the
 * bound as soon as its length arrives: an error frame, then the connection is closed. Nothing is copied.
 */
final class FrameLimit extends ChannelInboundHandlerAdapter {

  private final int maxBytes;
  private int headerBytes;
  private int length;
  private long bodyLeft;
  private boolean refused;

  private FrameLimit(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Puts the bound in front of Vert.x's handler of {@code socket}; call before anything is read from it. */
  static void install(NetSocket socket, int maxBytes) {
    ChannelHandlerContext vertx = ((NetSocketInternal) socket).channelHandlerContext();
    vertx.pipeline().addBefore(vertx.name(), "botgate-frame-limit", new FrameLimit(maxBytes));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    int from = buf.readerIndex();
    int end = buf.writerIndex();
    int frameStart = from;
    int i = from;
    while (i < end) {
      if (bodyLeft > 0) {
        int skipped = (int) Math.min(bodyLeft, end - i);
        i += skipped;
        bodyLeft -= skipped;
        continue;
      }
      if (headerBytes == 0) {
        frameStart = i;
      }
      length = length << 8 | buf.getByte(i++) & 0xff;
      if (++headerBytes == 4) {
        if (length < 0 || length > maxBytes) {
          refuse(ctx, buf, from, frameStart, Integer.toUnsignedLong(length));
          return;
        }
        bodyLeft = length;
        headerBytes = 0;
        length = 0;
      }
    }
    ctx.fireChannelRead(buf);
  }

  private void refuse(ChannelHandlerContext ctx, ByteBuf buf, int from, int frameStart, long declared) {
    refused = true;
    if (frameStart > from) {
      ctx.fireChannelRead(buf.retainedSlice(from, frameStart - from)); // the whole frames before it
    }
    buf.release();
    GatewayError error = new GatewayError(413, "frame_too_large", "a bridge frame may hold at most " + maxBytes
      + " bytes (bridge.frame.bytes); this one declared " + declared + ". The connection is closed");
    byte[] json = new JsonObject().put("type", "err").put("failureCode", error.httpStatus())
      .put("message", error.toJson().encode()).encode().getBytes(StandardCharsets.UTF_8);
    ctx.writeAndFlush(Unpooled.buffer(4 + json.length).writeInt(json.length).writeBytes(json))
      .addListener(ChannelFutureListener.CLOSE);
  }
}
